from django.db import migrations

TIERS = ["basic", "basic", "intermediate", "intermediate", "advanced", "advanced"]
TIERS += ["specialised", "specialised"]


def add_levels(apps, schema_editor):
    framework_model = apps.get_model("assessments", "CompetenceFramework")
    level_model = apps.get_model("assessments", "ProficiencyLevel")
    for framework in framework_model.objects.all():
        for number in range(1, 9):
            level_model.objects.get_or_create(
                framework=framework,
                number=number,
                defaults={
                    "tier": TIERS[number - 1],
                    "name_vi": f"Bậc {number}",
                    "name_en": f"Level {number}",
                },
            )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_question_banks_and_quizzes")]

    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
