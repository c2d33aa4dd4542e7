"""Writes of classes: create, join, add and remove students, assign, remind."""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Organisation
from accounts.selectors import users_by_login
from courses.models import CoursePage, LessonPage
from courses.selectors import course_of
from learning.models import Enrolment
from learning.services import enrolment_create

from . import selectors
from .models import Assignment, ClassMember, Classroom, Reminder, ReminderOptOut

UNSUBSCRIBE_SALT = "classes.reminders.unsubscribe"
MAX_LOGINS = 500
# Reminders and digests go out in the morning, not at midnight.
SEND_FROM_HOUR = 7


class ClassError(Exception):
    """A refused action; the message is for the teacher or student."""


@transaction.atomic
def classroom_create(*, teacher, name: str, organisation=None) -> Classroom:
    classroom = Classroom.objects.create(name=name.strip(), organisation=organisation)
    classroom.teachers.add(teacher)
    return classroom


@transaction.atomic
def teacher_add(*, classroom: Classroom, login: str) -> None:
    from . import permissions

    users = users_by_login(login)
    if len(users) != 1:
        raise ClassError(_("No single account has this username or verified email address."))
    if (
        not permissions.can(users[0], "create_class")
        or classroom.members.filter(user=users[0]).exists()
    ):
        # A student made co-teacher would see every classmate's results.
        raise ClassError(_("Only a teacher who is not a student of the class can co-teach it."))
    classroom.teachers.add(users[0])


def _mandate_refusal(classroom: Classroom, course: CoursePage) -> str | None:
    """A course mandated for some agencies may be assigned only by a class of one of them."""
    if course.enrolment != CoursePage.Enrolment.MANDATED:
        return None
    # Read the path from the database: an Organisation held in memory can be stale once
    # treebeard has moved its siblings.
    own = Organisation.objects.filter(pk=classroom.organisation_id).values_list("path", flat=True)
    paths = [m.organisation.path for m in course.mandates.select_related("organisation")]
    if own and any(own[0].startswith(path) for path in paths):
        return None
    return _("This course is mandated for other agencies; it cannot be assigned to this class.")


def _enrol(user, assignment: Assignment) -> None:
    if assignment.course is not None:
        enrolment_create(user=user, course=assignment.course, source=Enrolment.Source.ASSIGNMENT)


@transaction.atomic
def member_add(*, classroom: Classroom, user) -> bool:
    """Add ``user`` to the class and enrol them in what the whole class is assigned.
    Returns whether they were new to the class. A teacher of the class cannot also be its
    student: they would grade their own essays."""
    if classroom.teachers.filter(pk=user.pk).exists():
        raise ClassError(_("A teacher of this class cannot join it as a student."))
    try:
        with transaction.atomic():
            ClassMember.objects.create(classroom=classroom, user=user)
    except IntegrityError:
        return False
    for assignment in classroom.assignments.filter(students=None).select_related("course"):
        _enrol(user, assignment)
    return True


def member_join(*, user, code: str) -> Classroom:
    classroom = Classroom.objects.filter(code=code.strip().upper()).first()
    if classroom is None:
        raise ClassError(_("No class has this code. Check it with your teacher."))
    member_add(classroom=classroom, user=user)
    return classroom


@transaction.atomic
def members_add_many(*, classroom: Classroom, logins: list[str]) -> int:
    """Add the people named by usernames or emails, all or none: if one is unknown or
    ambiguous, nothing is added and the message lists them."""
    logins = list(dict.fromkeys(value.strip() for value in logins if value.strip()))
    if not logins:
        raise ClassError(_("Enter at least one username or email address."))
    if len(logins) > MAX_LOGINS:
        raise ClassError(
            _("At most %(count)d people at a time; split the list.") % {"count": MAX_LOGINS}
        )
    found, unknown = [], []
    for value in logins:
        users = users_by_login(value)
        (found.append(users[0]) if len(users) == 1 else unknown.append(value))
    if unknown:
        raise ClassError(
            _("Nobody was added. These are not (single) accounts: %(names)s")
            % {"names": ", ".join(unknown[:20])}
        )
    return sum(member_add(classroom=classroom, user=user) for user in found)


def logins_from_text(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part]


LOGIN_COLUMNS = {"username", "email", "tên đăng nhập", "tai khoan", "tài khoản"}


def logins_from_csv(data: bytes) -> list[str]:
    """The usernames or emails of a CSV file with a header row naming the column."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ClassError(_("The file is not a CSV file in UTF-8.")) from error
    try:
        # Excel in Vietnamese saves with ";" between columns.
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO(text), dialect))
    except csv.Error as error:
        raise ClassError(_("The file could not be read as CSV.")) from error
    if not rows:
        raise ClassError(_("The file is empty."))
    header = [unicodedata.normalize("NFC", cell.strip().lower()) for cell in rows[0]]
    columns = [index for index, name in enumerate(header) if name in LOGIN_COLUMNS]
    if not columns:
        raise ClassError(
            _('The first row must name a column "username" or "email"; it has: %(found)s')
            % {"found": ", ".join(rows[0]) or "—"}
        )
    column = columns[0]
    return [row[column] for row in rows[1:] if len(row) > column and row[column].strip()]


@transaction.atomic
def member_remove(*, classroom: Classroom, user) -> None:
    """Take a student out of the class. What they learned stays theirs."""
    ClassMember.objects.filter(classroom=classroom, user=user).delete()


def due_at_end_of(day: date) -> datetime:
    """A due date means the whole of that day in Việt Nam: until 23:59:59 Asia/Ho_Chi_Minh."""
    zone = timezone.get_default_timezone()
    return datetime.combine(day, time.max).replace(tzinfo=zone)


@transaction.atomic
def assignment_create(
    *,
    classroom: Classroom,
    actor,
    course: CoursePage,
    starts_on: date,
    due_on: date,
    lessons: list[LessonPage] = (),
    students: list = (),
    late_policy: str = Assignment.LatePolicy.MARK_LATE,
) -> Assignment:
    """Assign a course, or some of its lessons, to the class or to some of its students,
    and enrol them at once."""
    if due_on < starts_on:
        raise ClassError(_("The due date is before the start date."))
    if any(course_of(lesson) != course for lesson in lessons):
        raise ClassError(_("Every chosen lesson must belong to the chosen course."))
    members = set(classroom.members.values_list("user_id", flat=True))
    if any(student.pk not in members for student in students):
        raise ClassError(_("Assign only to students of this class."))
    refusal = _mandate_refusal(classroom, course)
    if refusal:
        raise ClassError(refusal)
    assignment = Assignment.objects.create(
        classroom=classroom,
        course=course,
        whole_course=not lessons,
        course_title=course.title,
        starts_on=starts_on,
        due_at=due_at_end_of(due_on),
        late_policy=late_policy,
        created_by=actor,
    )
    assignment.lessons.set(lessons)
    assignment.students.set(students)
    targets = students or [member.user for member in classroom.members.select_related("user")]
    for student in targets:
        _enrol(student, assignment)
    return assignment


# --- Reminders ----------------------------------------------------------------------------


def unsubscribe_token(user) -> str:
    return signing.dumps(user.pk, salt=UNSUBSCRIBE_SALT)


def reminder_opt_out(*, token: str) -> bool:
    try:
        user_id = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return False
    if not get_user_model().objects.filter(pk=user_id).exists():
        return False
    ReminderOptOut.objects.get_or_create(user_id=user_id)
    return True


def _send_once(*, user, key: str, subject: str, template: str, context: dict) -> bool:
    """Queue one email unless ``key`` was sent to ``user`` before. The Reminder row and the
    outbox row commit together, so retries and overlapping runs send it once."""
    if not user.email or ReminderOptOut.objects.filter(user=user).exists():
        return False
    with transaction.atomic():
        try:
            with transaction.atomic():
                Reminder.objects.create(user=user, key=key)
        except IntegrityError:
            return False
        site = settings.SITE_URL.rstrip("/")
        with translation.override(settings.LANGUAGE_CODE):
            body = render_to_string(
                template,
                {
                    **context,
                    "name": user.get_short_name(),
                    "site": site,
                    "unsubscribe_url": site
                    + reverse("classes:unsubscribe", args=[unsubscribe_token(user)]),
                },
            )
            get_connection().send_messages(
                [EmailMessage(subject=str(subject), body=body, to=[user.email])]
            )
    return True


def reminders_send(*, now: datetime | None = None) -> int:
    """Remind students who are not done 3 days and 1 day before the due date."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    if local.hour < SEND_FROM_HOUR:
        return 0
    sent = 0
    due_soon = Assignment.objects.filter(
        due_at__gt=now, due_at__lte=now + timedelta(days=4), course__isnull=False
    ).select_related("classroom", "course")
    for assignment in due_soon:
        # By calendar day in Việt Nam: three days before, and the day before, the due day.
        days_left = (timezone.localtime(assignment.due_at).date() - local.date()).days
        key = {3: f"due3:{assignment.pk}", 1: f"due1:{assignment.pk}"}.get(days_left)
        if key is None:
            continue
        for student, status in selectors.assignment_progress(assignment, now=now):
            if status in selectors.DONE:
                continue
            with translation.override(settings.LANGUAGE_CODE):
                subject = _("Reminder: “%(course)s” is due on %(date)s") % {
                    "course": assignment.course_title,
                    "date": timezone.localtime(assignment.due_at).strftime("%d/%m/%Y"),
                }
            sent += _send_once(
                user=student,
                key=key,
                subject=subject,
                template="classes/email/reminder.txt",
                context={"assignment": assignment, "due": timezone.localtime(assignment.due_at)},
            )
    return sent


def digests_send(*, now: datetime | None = None) -> int:
    """Once a week, each teacher gets their classes' progress (keyed by ISO week)."""
    now = now or timezone.now()
    if timezone.localtime(now).hour < SEND_FROM_HOUR:
        return 0
    year, week, _weekday = timezone.localtime(now).isocalendar()
    sent = 0
    for teacher, classes in selectors.teachers_with_open_assignments(now=now):
        if Reminder.objects.filter(user=teacher, key=f"digest:{year}-{week:02d}").exists():
            continue
        with translation.override(settings.LANGUAGE_CODE):
            subject = _("This week in your classes")
        sent += _send_once(
            user=teacher,
            key=f"digest:{year}-{week:02d}",
            subject=subject,
            template="classes/email/digest.txt",
            context={"classes": classes},
        )
    return sent
