"""Question files in and out: GIFT and Moodle XML, the format told from the content."""

from . import gift, moodlexml
from .common import ParseProblem, ParseResult

MAX_BYTES = 20 * 1024 * 1024


def parse(data: bytes) -> ParseResult:
    """Read GIFT or Moodle XML, whichever ``data`` is. Never raises on bad content: what cannot
    be read comes back as problems, each saying where and why, in Vietnamese."""
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<") and (head.startswith(b"<?xml") or b"<quiz" in head[:65536]):
        return moodlexml.parse(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result = ParseResult(format="gift")
        result.problems.append(
            ParseProblem(None, 0, "Tệp không phải văn bản UTF-8. Hãy lưu lại tệp với mã hóa UTF-8.")
        )
        return result
    if "\x00" in text:
        result = ParseResult(format="gift")
        result.problems.append(
            ParseProblem(None, 0, "Tệp không phải là tệp câu hỏi GIFT hay Moodle XML.")
        )
        return result
    return gift.parse(text)


__all__ = ["gift", "moodlexml", "parse", "MAX_BYTES"]
