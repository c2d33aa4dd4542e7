"""Question text as safe HTML.

Imported banks carry HTML from anywhere, so every text is cleaned with nh3 (Ammonia) when it is
shown, whatever its format: no script, no event handlers, no styles that could hide or fake
parts of the page. ``@@PLUGINFILE@@/name`` links become the image library's URLs.
"""

from functools import lru_cache
from urllib.parse import unquote

import nh3
from django.utils.html import escape, linebreaks
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "a", "b", "br", "code", "em", "i", "img", "li", "ol", "p", "pre", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "u", "ul", "span", "div", "h3", "h4", "tt",
    "blockquote", "hr", "figure", "figcaption", "caption",
}  # fmt: skip
ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "width", "height"}, "*": {"lang"}}
_markdown = MarkdownIt("commonmark", {"html": False})


def _with_files(text: str, files: dict[str, str]) -> str:
    if "@@PLUGINFILE@@" not in text:
        return text
    for name, url in files.items():
        for spelled in {name, name.replace(" ", "%20")}:
            text = text.replace(f"@@PLUGINFILE@@/{spelled}", url)
    return text.replace("@@PLUGINFILE@@/", "#")


def render(text: str, text_format: str = "html", files: dict[str, str] | None = None) -> SafeString:
    """Clean HTML for ``text`` written in ``text_format`` (html, moodle, plain, markdown)."""
    return _render(text or "", text_format, tuple(sorted((files or {}).items())))


@lru_cache(maxsize=4096)
def _render(text: str, text_format: str, files: tuple) -> SafeString:
    """Kept per process: a quiz page cleans every question and choice of the quiz on every
    view, the same texts for the thousands taking it (the same input, the same output)."""
    if text_format == "plain":
        return mark_safe(linebreaks(escape(text)))  # noqa: S308 (escaped just here)
    if text_format == "markdown":
        text = _markdown.render(text)
    elif text_format == "moodle":
        text = text.replace("\r\n", "\n").replace("\n", "<br>")
    text = _with_files(text, {unquote(name): url for name, url in files})
    cleaned = nh3.clean(
        text,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 (cleaned by nh3 just above)


def render_inline(text: str, files: dict[str, str] | None = None) -> SafeString:
    """A choice or a prompt: the same cleaning, with line breaks kept."""
    return render(text, "moodle", files)
