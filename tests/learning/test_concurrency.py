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
