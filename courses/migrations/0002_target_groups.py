from django.db import migrations

GROUPS = ["civil_servant", "worker", "citizen", "student"]


def create_groups(apps, schema_editor):
    TargetGroup = apps.get_model("courses", "TargetGroup")
    for order, code in enumerate(GROUPS):
        TargetGroup.objects.update_or_create(code=code, defaults={"sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]
    operations = [migrations.RunPython(create_groups, migrations.RunPython.noop)]
