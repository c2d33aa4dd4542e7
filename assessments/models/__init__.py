from .framework import Competence, CompetenceFramework, Level, ProficiencyLevel
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
