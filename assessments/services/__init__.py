"""Writes of the assessments app: the framework, question banks, quizzes and attempts."""

from .attempts import (
    GRACE,
    AttemptError,
    answer_grade,
    attempt_save,
    attempt_start,
    attempt_submit,
    attempts_close_overdue,
    grade_update,
)
from .framework import (
    SHIPPED_FRAMEWORK,
    FrameworkImportError,
    framework_load,
    framework_load_csv,
    framework_load_shipped,
)
from .questions import (
    SAMPLE_BANK,
    ImportRefused,
    ImportReport,
    category_ensure,
    question_create,
    questions_export,
    questions_import,
)

__all__ = [
    "GRACE",
    "SAMPLE_BANK",
    "SHIPPED_FRAMEWORK",
    "AttemptError",
    "FrameworkImportError",
    "ImportRefused",
    "ImportReport",
    "answer_grade",
    "attempt_save",
    "attempt_start",
    "attempt_submit",
    "attempts_close_overdue",
    "category_ensure",
    "framework_load",
    "framework_load_csv",
    "framework_load_shipped",
    "grade_update",
    "question_create",
    "questions_export",
    "questions_import",
]
