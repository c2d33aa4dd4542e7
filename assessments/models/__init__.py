from .framework import Competence, CompetenceFramework, Level, ProficiencyLevel
from .h5p import H5PActivity, H5PAttempt, H5PGrade, H5PPackageVersion, H5PState, H5PStatement
from .questions import (
    Answer,
    MatchPair,
    Question,
    QuestionBank,
    QuestionCategory,
    QuestionFile,
    QuestionImport,
    TaggedQuestion,
)
from .quizzes import Attempt, AttemptAnswer, Quiz, QuizGrade, QuizSlot

__all__ = [
    "Answer",
    "Attempt",
    "AttemptAnswer",
    "Competence",
    "H5PActivity",
    "H5PAttempt",
    "H5PGrade",
    "H5PPackageVersion",
    "H5PState",
    "H5PStatement",
    "CompetenceFramework",
    "Level",
    "MatchPair",
    "ProficiencyLevel",
    "Question",
    "QuestionBank",
    "QuestionCategory",
    "QuestionFile",
    "QuestionImport",
    "Quiz",
    "QuizGrade",
    "QuizSlot",
    "TaggedQuestion",
]
