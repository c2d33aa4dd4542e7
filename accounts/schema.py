"""Helpers for migrations that every app may use (``accounts`` is the lowest layer)."""

from django.db import migrations


def without_own_index(app_label: str, *altered: migrations.AlterField):
    """``AlterField(… db_index=False)`` for foreign keys whose lookups a constraint or index
    leading with the same column serves, dropping only the index.

    Django's own ``AlterField`` drops the foreign key and adds it back, and adding it back
    checks every row under a lock: minutes on a table of ten million lesson-progress rows.
    Each field's single-column, non-unique index is found by introspection (its name is
    Django's hash) and dropped; going back creates it again.
    """

    def fields(apps):
        for operation in altered:
            model = apps.get_model(app_label, operation.model_name)
            yield model, model._meta.get_field(operation.name)

    def forwards(apps, schema_editor):
        connection = schema_editor.connection
        for model, field in fields(apps):
            with connection.cursor() as cursor:
                found = connection.introspection.get_constraints(cursor, model._meta.db_table)
            for name, about in found.items():
                if (
                    about["index"]
                    and not about["unique"]
                    and not about["primary_key"]
                    and about["columns"] == [field.column]
                ):
                    schema_editor.execute(schema_editor._delete_index_sql(model, name))

    def backwards(apps, schema_editor):
        for model, field in fields(apps):
            schema_editor.execute(schema_editor._create_index_sql(model, fields=[field]))

    return migrations.SeparateDatabaseAndState(
        state_operations=list(altered),
        database_operations=[migrations.RunPython(forwards, backwards)],
    )
