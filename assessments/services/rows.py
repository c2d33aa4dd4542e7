"""One row read (locked) or written without composing a query each time.

For the hottest path of all, a statement from the H5P player: there the ORM spent longer
composing its SQL than the database spent running it. The SQL is composed once per model
and process from the model's own fields, and values pass through the fields' own
conversions both ways, as the ORM's would. Unlike ``save()``, no signal is sent: use these
only for models nothing listens to.
"""

import functools

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import NOT_PROVIDED
from django.db.models.signals import post_save


def _plain(model) -> None:
    """Refuse a model whose row these helpers would get wrong: one inheriting another's
    table, with a column the database computes, or whose saves something listens to."""
    meta = model._meta
    if meta.parents or any(
        getattr(field, "generated", False) or field.db_default is not NOT_PROVIDED
        for field in meta.concrete_fields
    ):
        raise ImproperlyConfigured(f"{meta.label}: not a plain one-table model")
    if post_save.has_listeners(model):
        raise ImproperlyConfigured(f"{meta.label}: its saves are listened to")


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


@functools.cache
def _reading(model) -> tuple[str, list[str], list[tuple]]:
    """The locked SELECT of one row by primary key, the attribute of each column, and the
    converters the backend applies to some columns (SQLite's dates and decimals)."""
    _plain(model)
    meta = model._meta
    fields = meta.concrete_fields
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    sql = (
        f"SELECT {', '.join(_quoted(field.column) for field in fields)}"  # noqa: S608
        f" FROM {_quoted(meta.db_table)} WHERE {_quoted(meta.pk.column)} = %s{lock}"
    )
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(meta.db_table)
        found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if found:
            converters.append((index, found, column))
    return sql, [field.attname for field in fields], converters


def row_locked(model, pk):
    """The row of ``model`` with primary key ``pk``, or None; locked until the transaction
    ends (where the database can lock rows)."""
    sql, names, converters = _reading(model)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        row = cursor.fetchone()
    if row is None:
        return None
    if converters:
        row = list(row)
        for index, functions, column in converters:
            for convert in functions:
                row[index] = convert(row[index], column, connection)
    return model.from_db(connection.alias, names, row)


@functools.cache
def _writing(model) -> tuple[str, list]:
    _plain(model)
    meta = model._meta
    fields = [field for field in meta.local_concrete_fields if not field.primary_key]
    sql = (
        f"INSERT INTO {_quoted(meta.db_table)}"  # noqa: S608
        f" ({', '.join(_quoted(field.column) for field in fields)})"
        f" VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {_quoted(meta.pk.column)}"
    )
    return sql, fields


def row_inserted(model, **values):
    """A new row of ``model``, as ``model.objects.create(**values)`` would make it (defaults
    and ``auto_now_add`` included), without its signals."""
    instance = model(**values)
    sql, fields = _writing(model)
    params = [
        field.get_db_prep_save(field.pre_save(instance, add=True), connection) for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        instance.pk = cursor.fetchone()[0]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance
