"""Reads of classes: the teacher's grid, a student's assignments, who needs a reminder.

Status of one student on one assignment, from ``learning``'s records:
- done: every assigned lesson done (or the course completed, when the whole course is assigned);
- done late: done after the due date, when the assignment marks late work;
- overdue: not done and the due date has passed;
- in progress: something done; not started: nothing yet.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import pgettext_lazy

from assessments.models import Attempt, AttemptAnswer, Quiz, QuizGrade
from courses.selectors import lessons_of
from learning.models import CourseCompletion, LessonProgress

from .models import Assignment, ClassMember, Classroom
from .permissions import classes_taught_by

NOT_STARTED, IN_PROGRESS, DONE_ON_TIME, DONE_LATE, OVERDUE = (
    "not_started",
    "in_progress",
    "done",
    "late",
    "overdue",
)
DONE = {DONE_ON_TIME, DONE_LATE}
LABELS = {
    NOT_STARTED: pgettext_lazy("assignment status", "Not started"),
    IN_PROGRESS: pgettext_lazy("assignment status", "In progress"),
    DONE_ON_TIME: pgettext_lazy("assignment status", "Done"),
    DONE_LATE: pgettext_lazy("assignment status", "Done late"),
    OVERDUE: pgettext_lazy("assignment status", "Overdue"),
}


@dataclass
class Cell:
    status: str
    done_at: datetime | None = None
    lessons_done: int = 0
    lessons_total: int = 0
    score: Decimal | None = None  # mean grade of the quizzes in the assigned lessons

    @property
    def label(self) -> str:
        return str(LABELS[self.status])


@dataclass
class Row:
    student: object
    cells: list[Cell] = field(default_factory=list)

    @property
    def assigned_count(self) -> int:
        return sum(cell is not None for cell in self.cells)

    @property
    def done_count(self) -> int:
        return sum(cell is not None and cell.status in DONE for cell in self.cells)

    @property
    def behind_count(self) -> int:
        return sum(cell is not None and cell.status == OVERDUE for cell in self.cells)


@dataclass
class Column:
    assignment: Assignment
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class Grid:
    columns: list[Column]
    rows: list[Row]


def _assignments(classroom_ids) -> list[Assignment]:
    return list(
        Assignment.objects.filter(classroom_id__in=classroom_ids)
        .select_related("course", "classroom")
        .prefetch_related("lessons", Prefetch("students"))
        .order_by("due_at", "pk")
    )


@dataclass
class Progress:
    lesson_ids: dict[int, list[int]]
    quiz_ids: dict[int, list[int]]
    done: dict
    completed: dict
    grades: dict


def _lessons_by_assignment(assignments: list[Assignment]) -> dict[int, list]:
    """Per assignment, the lessons it covers: the chosen ones, or all of the course's when the
    whole course was assigned (chosen lessons deleted later never widen it). One query."""
    whole = {a.course.pk: a.course for a in assignments if a.course is not None and a.whole_course}
    course_lessons = lessons_of(whole.values())
    covered = {}
    for assignment in assignments:
        chosen = list(assignment.lessons.all())
        if not chosen and assignment.whole_course and assignment.course is not None:
            chosen = course_lessons.get(assignment.course.pk, [])
        covered[assignment.pk] = chosen
    return covered


def _progress(students: list, assignments: list[Assignment]) -> Progress:
    """Lesson progress, course completions and quiz grades of these students for these
    assignments, and each assignment's lessons and quizzes: a fixed number of queries,
    whatever the sizes."""
    whole = [a.course for a in assignments if a.course is not None and a.whole_course]
    lessons = _lessons_by_assignment(assignments)
    lesson_ids = {pk: [lesson.pk for lesson in items] for pk, items in lessons.items()}
    quiz_ids = {
        pk: [q for lesson in items for q in lesson.quiz_ids] for pk, items in lessons.items()
    }
    every_lesson = {pk for ids in lesson_ids.values() for pk in ids}
    done = defaultdict(dict)
    for user_id, lesson_id, at in LessonProgress.objects.filter(
        user__in=students, lesson_id__in=every_lesson
    ).values_list("user_id", "lesson_id", "completed_at"):
        done[user_id][lesson_id] = at
    completed = {
        (user_id, course_id): at
        for user_id, course_id, at in CourseCompletion.objects.filter(
            user__in=students, course_id__in=[c.pk for c in whole]
        ).values_list("user_id", "course_id", "completed_at")
    }
    every_quiz = {pk for ids in quiz_ids.values() for pk in ids}
    grades = {}
    if every_quiz:
        grades = {
            (user_id, quiz_id): percent
            for user_id, quiz_id, percent in QuizGrade.objects.filter(
                user__in=students, quiz_id__in=every_quiz
            ).values_list("user_id", "quiz_id", "percent")
        }
    return Progress(lesson_ids, quiz_ids, done, completed, grades)


def _cell(student, assignment, progress: Progress, now) -> Cell:
    ids = progress.lesson_ids[assignment.pk]
    mine = progress.done.get(student.pk, {})
    times = [mine[pk] for pk in ids if pk in mine]
    if assignment.whole_course and assignment.course_id:
        done_at = progress.completed.get((student.pk, assignment.course_id))
    else:
        done_at = max(times) if ids and len(times) == len(ids) else None
    cell = Cell(
        status=NOT_STARTED, done_at=done_at, lessons_done=len(times), lessons_total=len(ids)
    )
    scores = [
        progress.grades[(student.pk, quiz)]
        for quiz in progress.quiz_ids[assignment.pk]
        if (student.pk, quiz) in progress.grades
    ]
    if scores:
        cell.score = (sum(scores) / len(scores)).quantize(Decimal("1"))
    if done_at is not None:
        late = done_at > assignment.due_at and assignment.late_policy == "mark"
        cell.status = DONE_LATE if late else DONE_ON_TIME
    elif now > assignment.due_at:
        cell.status = OVERDUE
    elif times or scores:
        cell.status = IN_PROGRESS
    return cell


def _assigned(assignment: Assignment, student) -> bool:
    targets = assignment.students.all()
    return not targets or student in targets


def grid(*, classroom: Classroom, sort: str = "name", now: datetime | None = None) -> Grid:
    """Students × assignments of one class, in a constant number of queries."""
    now = now or timezone.now()
    students = [
        member.user
        for member in ClassMember.objects.filter(classroom=classroom).select_related("user")
    ]
    assignments = _assignments([classroom.pk])
    progress = _progress(students, assignments)
    columns = [Column(assignment=a, counts=dict.fromkeys(LABELS, 0)) for a in assignments]
    rows = []
    for student in students:
        row = Row(student=student)
        for column in columns:
            if _assigned(column.assignment, student):
                cell = _cell(student, column.assignment, progress, now)
                column.counts[cell.status] += 1
            else:
                cell = None
            row.cells.append(cell)
        rows.append(row)
    if sort == "behind":
        rows.sort(key=lambda r: (-r.behind_count, r.done_count, r.student.get_full_name()))
    elif sort == "done":
        rows.sort(key=lambda r: (-r.done_count, r.student.get_full_name()))
    else:
        rows.sort(
            key=lambda r: r.student.get_full_name().split()[-1:] + [r.student.get_full_name()]
        )
    return Grid(columns=columns, rows=rows)


def assignment_progress(assignment: Assignment, now: datetime | None = None):
    """(student, status) for everyone the assignment is for."""
    now = now or timezone.now()
    members = [member.user for member in assignment.classroom.members.select_related("user")]
    chosen = set(assignment.students.all())
    students = [user for user in members if user in chosen] if chosen else members
    progress = _progress(students, [assignment])
    return [(student, _cell(student, assignment, progress, now).status) for student in students]


@dataclass
class StudentAssignment:
    assignment: Assignment
    cell: Cell


def student_assignments(
    *, user, classroom_ids: list[int], now: datetime | None = None
) -> list[StudentAssignment]:
    """A student's own assignments, soonest due first, for "Khóa học của tôi" (whose query
    brings ``classroom_ids``, the classes the student is in)."""
    now = now or timezone.now()
    if not classroom_ids:  # most learners: nothing more to ask
        return []
    assignments = [a for a in _assignments(classroom_ids) if _assigned(a, user)]
    progress = _progress([user], assignments)
    return [StudentAssignment(a, _cell(user, a, progress, now)) for a in assignments]


def teachers_with_open_assignments(*, now: datetime):
    """(teacher, [(classroom, columns)]) for teachers whose classes have work not yet due or
    due in the past week."""
    since = now - timedelta(days=7)
    classrooms = (
        Classroom.objects.filter(assignments__due_at__gte=since)
        .distinct()
        .prefetch_related("teachers")
    )
    by_teacher = defaultdict(list)
    for classroom in classrooms:
        columns = [
            column
            for column in grid(classroom=classroom, now=now).columns
            if column.assignment.due_at >= since
        ]
        for teacher in classroom.teachers.all():
            by_teacher[teacher].append((classroom, columns))
    return list(by_teacher.items())


# Teachers and quizzes -----------------------------------------------------------------------


def _assignment_lessons(assignments: list[Assignment]) -> dict[int, set[int]]:
    return {
        pk: {lesson.pk for lesson in items}
        for pk, items in _lessons_by_assignment(assignments).items()
    }


def _assignments_of(classrooms) -> list[Assignment]:
    return list(
        Assignment.objects.filter(classroom__in=classrooms)
        .select_related("course")
        .prefetch_related("lessons", "students")
    )


def _work_condition(assignments: list[Assignment], prefix: str) -> Q:
    """Attempts (``prefix`` leads to the attempt) by the students an assignment is for, in
    the lessons it covers."""
    covered = _assignment_lessons(assignments)
    condition = Q(pk__in=[])
    for assignment in assignments:
        if not covered[assignment.pk]:
            continue
        chosen = [student.pk for student in assignment.students.all()]
        students = (
            Q(**{f"{prefix}user_id__in": chosen})
            if chosen
            else Q(**{f"{prefix}user__class_memberships__classroom_id": assignment.classroom_id})
        )
        condition |= students & Q(**{f"{prefix}context_id__in": covered[assignment.pk]})
    return condition


def answers_gradable_by(teacher):
    """Essay answers waiting for this teacher: by the students their classes' assignments
    are for, in the lessons those assignments cover; never the teacher's own. Nobody else's
    students, nothing the class was not given, and nothing already graded."""
    assignments = _assignments_of(list(classes_taught_by(teacher)))
    return (
        AttemptAnswer.objects.filter(
            _work_condition(assignments, "attempt__"),
            question__qtype="essay",
            needs_grading=True,
            attempt__state=Attempt.State.NEEDS_GRADING,
        )
        .exclude(attempt__user=teacher)
        .distinct()
    )


def grading_queue(*, teacher) -> list:
    """Essays waiting for this teacher, oldest submission first."""
    return list(
        answers_gradable_by(teacher)
        .select_related("attempt__user", "attempt__quiz", "question")
        .order_by("attempt__submitted_at", "pk")[:200]
    )


def class_quizzes(*, classroom: Classroom) -> list:
    """The quizzes in the lessons a class was assigned, for item analysis."""
    lessons = _lessons_by_assignment(_assignments_of([classroom]))
    quiz_ids = {pk for items in lessons.values() for lesson in items for pk in lesson.quiz_ids}
    return list(Quiz.objects.filter(pk__in=quiz_ids).order_by("title"))


def class_attempts(*, classroom: Classroom, quiz):
    """Attempts at ``quiz`` by the students the class's assignments are for, from the
    lessons they cover."""
    condition = _work_condition(_assignments_of([classroom]), "")
    return Attempt.objects.filter(condition, quiz=quiz).distinct()
