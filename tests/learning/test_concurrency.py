"""Two lessons completed at the same moment still complete the course (PostgreSQL only)."""

import threading

import pytest
from django.db import connection, connections

from learning import services
from learning.models import CourseCompletion
from tests.factories import UserFactory, course_tree


@pytest.mark.django_db(transaction=True)
def test_simultaneous_last_lessons_complete_the_course():
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to test; "
            "CI's second step runs this on PostgreSQL"
        )
    page, lessons = course_tree(sequential=False, lessons=("Một", "Hai", "Ba", "Bốn"))
    learner = UserFactory()
    services.enrolment_create(user=learner, course=page)
    services.lesson_complete(user=learner, lesson=lessons[0])
    services.lesson_complete(user=learner, lesson=lessons[1])
    barrier = threading.Barrier(2)
    errors = []

    def finish(lesson):
        try:
            barrier.wait(timeout=10)
            services.lesson_complete(user=learner, lesson=lesson)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish, args=(lesson,)) for lesson in lessons[2:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert CourseCompletion.objects.filter(user=learner).count() == 1


@pytest.mark.django_db(transaction=True)
def test_an_h5p_statement_sent_four_times_at_once_counts_once(settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to test; "
            "CI's second step runs this on PostgreSQL"
        )
    import io
    import uuid

    from assessments import services as assessment
    from assessments.models import H5PAttempt, H5PStatement
    from tests.factories import lesson_with_h5p
    from tests.h5p_packages import package

    settings.MEDIA_ROOT = str(tmp_path)
    activity = assessment.h5p_package_import(
        source=io.BytesIO(package()), filename="x.h5p"
    ).activity
    page, lessons = course_tree(lessons=("Mở đầu",))
    lesson = lesson_with_h5p(page, [activity])
    learner = UserFactory()
    services.enrolment_create(user=learner, course=page)
    services.lesson_complete(user=learner, lesson=lessons[0])
    attempt = assessment.h5p_attempt_open(user=learner, activity=activity, context_id=lesson.pk)
    statement = {
        "id": str(uuid.uuid4()),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": activity.iri()},
        "result": {"score": {"raw": 2, "max": 2}},
    }
    barrier = threading.Barrier(4)
    errors, outcomes = [], []

    def send():
        try:
            barrier.wait(timeout=10)
            outcomes.append(
                assessment.h5p_statement_record(
                    user=learner,
                    activity=activity,
                    context_id=lesson.pk,
                    attempt_id=attempt.pk,
                    statement=statement,
                )
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sorted(outcome.duplicate for outcome in outcomes) == [False, True, True, True]
    assert H5PStatement.objects.filter(accepted=True).count() == 1
    assert H5PAttempt.objects.filter(user=learner, percent__isnull=False).count() == 1


@pytest.mark.django_db(transaction=True)
def test_one_activity_graded_in_two_lessons_at_once_counts_both_attempts(
    settings, tmp_path, monkeypatch
):
    """The same activity sits in two lessons; the learner finishes it in both at the same
    moment (two tabs): the grade counts both attempts, whichever commits first."""
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite runs one writer at a time, so there is no race to test; "
            "CI's second step runs this on PostgreSQL"
        )
    import io
    import uuid

    from assessments import services as assessment
    from assessments.models import H5PGrade
    from assessments.services import h5p as h5p_services
    from tests.factories import lesson_with_h5p
    from tests.h5p_packages import package

    settings.MEDIA_ROOT = str(tmp_path)
    activity = assessment.h5p_package_import(
        source=io.BytesIO(package()), filename="x.h5p"
    ).activity
    page, _lessons = course_tree(lessons=("Mở đầu",))
    places = [
        lesson_with_h5p(page, [activity], slug="tuong-tac-1"),
        lesson_with_h5p(page, [activity], slug="tuong-tac-2", title="Ôn tập"),
    ]
    learner = UserFactory()
    services.enrolment_create(user=learner, course=page)
    attempts = [
        assessment.h5p_attempt_open(user=learner, activity=activity, context_id=lesson.pk)
        for lesson in places
    ]
    # Both gradings reach the grade together, each with its own attempt scored.
    meet = threading.Barrier(2)
    real = h5p_services.h5p_grade_update

    def grade_together(**kwargs):
        meet.wait(timeout=10)
        return real(**kwargs)

    monkeypatch.setattr(h5p_services, "h5p_grade_update", grade_together)
    errors = []

    def finish(lesson, attempt, raw):
        try:
            assessment.h5p_statement_record(
                user=learner,
                activity=activity,
                context_id=lesson.pk,
                attempt_id=attempt.pk,
                statement={
                    "id": str(uuid.uuid4()),
                    "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                    "object": {"id": activity.iri()},
                    "result": {"score": {"raw": raw, "max": 2}},
                },
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=finish, args=(places[0], attempts[0], 2)),
        threading.Thread(target=finish, args=(places[1], attempts[1], 0)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    grade = H5PGrade.objects.get(user=learner, activity=activity)
    assert grade.attempts_graded == 2
    assert grade.percent == 100  # the best of the two, the activity's default rule
