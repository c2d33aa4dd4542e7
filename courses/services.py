"""Writes of catalogue pages from code (the demo seed, imports). Editors use the Wagtail admin."""

import copy
from typing import Any

from django.db import transaction
from django.db.models import Model
from wagtail.fields import StreamField
from wagtail.models import Page


def _key(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _current(page: Page, name: str) -> Any:
    field = page._meta.get_field(name)
    value = getattr(page, name)
    if isinstance(field, StreamField):
        return [{"type": block["type"], "value": block["value"]} for block in value.raw_data]
    return value


@transaction.atomic
def page_publish(
    *,
    parent: Page,
    page_class: type[Page],
    slug: str,
    fields: dict[str, Any],
    relations: dict[str, list] | None = None,
    children: dict[str, list[dict[str, Any]]] | None = None,
) -> Page:
    """Create the page ``slug`` under ``parent``, or bring it up to date, and publish it.

    StreamField values are given raw (``[{"type": …, "value": …}]``); ``relations`` sets
    ParentalManyToMany fields and ``children`` the rows of inline child relations (as field
    dicts). A page whose content is already exactly this gets no new revision, so running a
    seed or an import again changes nothing.
    """
    relations = relations or {}
    children = children or {}
    # Wagtail adds block ids to raw StreamField data in place; keep the caller's data intact.
    fields = copy.deepcopy(fields)
    page = page_class.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        unchanged = (
            all(_current(page, name) == value for name, value in fields.items())
            and all(
                {item.pk for item in getattr(page, name).all()} == {item.pk for item in items}
                for name, items in relations.items()
            )
            and all(
                [
                    {k: _key(getattr(child, k)) for k in row}
                    for child, row in zip(getattr(page, name).all(), rows, strict=False)
                ]
                == [{k: _key(v) for k, v in row.items()} for row in rows]
                and getattr(page, name).count() == len(rows)
                for name, rows in children.items()
            )
        )
        if unchanged and page.live and not page.has_unpublished_changes:
            return page
        for name, value in fields.items():
            setattr(page, name, value)
    else:
        page = page_class(slug=slug, **fields)
        parent.add_child(instance=page)
    for name, items in relations.items():
        getattr(page, name).set(items)
    for name, rows in children.items():
        model = page._meta.get_field(name).related_model
        setattr(page, name, [model(**row) for row in rows])
    if "title" in fields:
        page.draft_title = fields["title"]
    page.save_revision().publish()
    return page
