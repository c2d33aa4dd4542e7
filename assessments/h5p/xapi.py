"""Reading an xAPI statement sent by the H5P player: only the parts we grade on.

The player builds statements in the browser, so nothing here is trusted: the shape is
checked, numbers must be finite, and the caller compares the score with the package's
maximum. A statement about the activity itself has the activity's IRI as its object id;
one about a question inside it (``?subContentId=…``) is kept for the record but never
scores the activity.
"""

import math
import uuid
from dataclasses import dataclass

VERB_PREFIX = "http://adlnet.gov/expapi/verbs/"
SCORING_VERBS = {"answered", "completed", "passed", "failed"}
MAX_BYTES = 64 * 1024
# No H5P content scores in millions; a larger number is a forgery (and would not fit).
LARGEST = 1_000_000


class Malformed(ValueError):
    """The statement is not one the player could have sent; ``code`` says which part."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Reading:
    statement_id: uuid.UUID | None
    verb: str  # "answered", "completed", … (the last part of the verb id)
    object_id: str
    raw: float | None
    max: float | None
    min: float | None
    success: bool | None
    completion: bool | None

    @property
    def scored(self) -> bool:
        return self.raw is not None


def _number(value, code: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise Malformed(code)
    if abs(value) > LARGEST:
        raise Malformed(code)
    return float(value)


def read(statement) -> Reading:
    if not isinstance(statement, dict):
        raise Malformed("not-an-object")
    verb = statement.get("verb")
    target = statement.get("object")
    if not isinstance(verb, dict) or not isinstance(verb.get("id"), str):
        raise Malformed("verb")
    if not isinstance(target, dict) or not isinstance(target.get("id"), str) or not target["id"]:
        raise Malformed("object")
    statement_id = None
    if statement.get("id") is not None:
        try:
            statement_id = uuid.UUID(str(statement["id"]))
        except ValueError:
            raise Malformed("id") from None
    result = statement.get("result", {})
    if not isinstance(result, dict):
        raise Malformed("result")
    score = result.get("score", {})
    if not isinstance(score, dict):
        raise Malformed("score")
    success = result.get("success")
    completion = result.get("completion")
    if success is not None and not isinstance(success, bool):
        raise Malformed("success")
    if completion is not None and not isinstance(completion, bool):
        raise Malformed("completion")
    return Reading(
        statement_id=statement_id,
        verb=verb["id"].rstrip("/").rsplit("/", 1)[-1],
        object_id=target["id"],
        raw=_number(score.get("raw"), "score"),
        max=_number(score.get("max"), "score"),
        min=_number(score.get("min"), "score"),
        success=success,
        completion=completion,
    )
