"""The H5P hot path's rows, read and written without the ORM's query building, come back
exactly as the ORM gives them: scores, times and statements as the learner's record shows."""

import io
import uuid
from decimal import Decimal

import pytest

from assessments import services as assessment
from assessments.models import H5PAttempt, H5PStatement
from assessments.services.rows import row_inserted, row_locked
from tests.factories import h5p_lesson_for
from tests.h5p_packages import package

pytestmark = pytest.mark.django_db


@pytest.fixture
def graded(settings, tmp_path):
    """An attempt graded by a scored statement: decimals, a pass and a finishing time."""
    settings.MEDIA_ROOT = str(tmp_path)
    activity = assessment.h5p_package_import(
        source=io.BytesIO(package()), filename="x.h5p"
    ).activity
    _course, lesson, learner = h5p_lesson_for([activity])
    attempt = assessment.h5p_attempt_open(user=learner, activity=activity, context_id=lesson.pk)
    outcome = assessment.h5p_statement_record(
        user=learner,
        activity=activity,
        context_id=lesson.pk,
        attempt_id=attempt.pk,
        statement={
            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
            "object": {"id": activity.iri()},
            "result": {"score": {"raw": 1, "max": 2}},
        },
    )
    assert outcome.accepted and outcome.graded.pk == attempt.pk
    return H5PAttempt.objects.get(pk=attempt.pk)


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_a_locked_attempt_reads_as_the_orm_reads_it(graded):
    read = row_locked(H5PAttempt, graded.pk)
    assert _fields(read) == _fields(graded)
    assert read.percent == Decimal("50.00") and read.finished_at.tzinfo is not None
    assert read.version.pk == graded.version_id  # a model like any other
    assert row_locked(H5PAttempt, graded.pk + 1000) is None


def test_an_inserted_statement_is_stored_as_create_would_store_it(graded):
    statement_id = uuid.uuid4()
    payload = {"verb": {"id": "answered"}, "result": {"response": "Đúng"}}
    made = row_inserted(
        H5PStatement,
        user_id=graded.user_id,
        activity_id=graded.activity_id,
        attempt=graded,
        context_id=graded.context_id,
        statement_id=statement_id,
        verb="answered",
        payload=payload,
        accepted=True,
    )
    stored = H5PStatement.objects.get(pk=made.pk)
    assert _fields(stored) == _fields(made)
    assert stored.statement_id == statement_id and stored.payload == payload
    assert stored.counted is False and stored.received_at is not None  # default, auto_now_add
    assert stored.attempt_id == graded.pk and not made._state.adding


def test_a_statement_sent_twice_is_refused_by_the_constraint_and_the_rest_goes_on(graded):
    from django.db import IntegrityError, transaction

    values = {
        "user_id": graded.user_id,
        "activity_id": graded.activity_id,
        "attempt": graded,
        "context_id": graded.context_id,
        "statement_id": uuid.uuid4(),
        "verb": "answered",
        "payload": {},
        "accepted": True,
    }
    row_inserted(H5PStatement, **values)
    with pytest.raises(IntegrityError), transaction.atomic():
        row_inserted(H5PStatement, **values)
    # The savepoint took the refusal; the learner's transaction carries on.
    assert H5PStatement.objects.filter(statement_id=values["statement_id"]).count() == 1
    assert row_inserted(H5PStatement, **{**values, "accepted": False}).pk


def test_models_these_helpers_cannot_write_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    from courses.models import LessonPage

    with pytest.raises(ImproperlyConfigured):
        row_inserted(LessonPage, title="x")  # its table holds only part of the row
    with pytest.raises(ImproperlyConfigured):
        row_locked(LessonPage, 1)
