"""Helpers for migrations that every app may use (``accounts`` is the lowest layer)."""

from django.db import migrations


def without_own_index(app_label: str, *altered: migrations.AlterField):
    """``AlterField(… db_index=False)`` for foreign keys whose lookups a constraint or index
    leading with the same column serves, dropping only the index.

    Django's own ``AlterField`` drops the foreign key and adds it back, and adding it back
    checks every row under a lock: minutes on a table of ten million lesson-progress rows.
    Only the index Django made for the field (its name is Django's hash of the table and
    column) is dropped, if it is there; going back creates it again unless it is there.
    """

    def indexes(apps, schema_editor):
        connection = schema_editor.connection
        for operation in altered:
            model = apps.get_model(app_label, operation.model_name)
            field = model._meta.get_field(operation.name)
            name = schema_editor._create_index_name(model._meta.db_table, [field.column])
            with connection.cursor() as cursor:
                found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            yield model, field, name, name in found

    def forwards(apps, schema_editor):
        for model, _field, name, present in list(indexes(apps, schema_editor)):
            if present:
                schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backwards(apps, schema_editor):
        for model, field, name, present in list(indexes(apps, schema_editor)):
            if not present:
                schema_editor.execute(
                    schema_editor._create_index_sql(model, fields=[field], name=name)
                )

    return migrations.SeparateDatabaseAndState(
        state_operations=list(altered),
        database_operations=[migrations.RunPython(forwards, backwards)],
    )
