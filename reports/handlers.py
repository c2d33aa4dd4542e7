"""Thin listeners: whatever may change someone's coverage is noted for the rollup."""

from django.db import transaction

from . import services


def on_people_changed(sender, user_ids, **kwargs) -> None:
    services.changes_record(user_ids=user_ids)


def on_memberships_changed(sender, user_ids, organisation_ids=(), **kwargs) -> None:
    services.changes_record(member_ids=user_ids, organisation_ids=organisation_ids)


def on_course_completed(sender, completion, **kwargs) -> None:
    services.changes_record(user_ids=[completion.user_id])


def on_membership(sender, instance, **kwargs) -> None:
    services.changes_record(
        member_ids=[instance.user_id], organisation_ids=[instance.organisation_id]
    )


def on_standard_courses(sender, instance, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        from .tasks import rebuild_standard

        standard_id = instance.pk
        transaction.on_commit(lambda: rebuild_standard.delay(standard_id=standard_id))
