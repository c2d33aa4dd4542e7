"""The one way a learner's grade row is recomputed (quizzes and H5P activities alike)."""

from django.db import IntegrityError, transaction


def grade_recompute(model, values_of, **learner_and_item):
    """Lock the learner's grade row (``model`` filtered by ``learner_and_item``), then write
    ``values_of()``, read from the graded attempts after the lock; None leaves it as it is.

    Two gradings of one learner's attempts can run at once (a teacher marks an essay in
    attempt 1 while the learner submits attempt 2; one H5P activity finished in two lessons),
    each seeing only its own attempt. Locking the row before reading makes the later one
    wait for the earlier to commit and then read both. A first grade has no row to lock: its
    INSERT is the lock (a concurrent one waits at the unique constraint, fails, and then
    locks and reads). Returns the grade as written, or None if there is none.
    """
    rows = model.objects.filter(**learner_and_item)
    grade = rows.select_for_update().first()
    if grade is None:
        values = values_of()
        if values is None:
            return None
        try:
            with transaction.atomic():
                return model.objects.create(**learner_and_item, **values)
        except IntegrityError:
            grade = rows.select_for_update().get()
    values = values_of()
    if values is not None:
        rows.update(**values)
        for field, value in values.items():
            setattr(grade, field, value)
    return grade
