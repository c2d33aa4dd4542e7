"""Name the django.contrib.sites Site that allauth uses in emails ("Xin chào từ …")."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def name_site(apps, schema_editor):
    Site = apps.get_model("sites", "Site")
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    Site.objects.update_or_create(
        pk=settings.SITE_ID, defaults={"domain": domain, "name": "Bình dân học vụ số"}
    )


class Migration(migrations.Migration):
    dependencies = [("cms", "0002_create_homepage"), ("sites", "0002_alter_domain_unique")]
    operations = [migrations.RunPython(name_site, migrations.RunPython.noop)]
