"""Cán bộ, công chức and viên chức become three target groups (issue 7 names six).

A course written for the old combined group is offered to all three, so nobody who could
enrol before loses the course.
"""

from django.db import migrations

GROUPS = ["cadre", "civil_servant", "public_employee", "worker", "citizen", "student"]


def split_officials(apps, schema_editor):
    TargetGroup = apps.get_model("courses", "TargetGroup")
    CoursePage = apps.get_model("courses", "CoursePage")
    groups = {}
    for order, code in enumerate(GROUPS):
        groups[code], _ = TargetGroup.objects.update_or_create(
            code=code, defaults={"sort_order": order}
        )
    for course in CoursePage.objects.filter(target_groups=groups["civil_servant"]):
        course.target_groups.add(groups["cadre"], groups["public_employee"])


class Migration(migrations.Migration):
    dependencies = [("courses", "0005_h5p_block_and_low_stakes")]
    operations = [migrations.RunPython(split_officials, migrations.RunPython.noop)]
