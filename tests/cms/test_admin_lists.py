"""Every snippet's list in the Wagtail admin opens, with a row in it (a custom column that
Wagtail cannot render fails only when someone opens the list)."""

import pytest
from wagtail.snippets.models import get_snippet_models

from certificates.models import CertificateTemplate
from tests.certificates.conftest import default_template
from tests.factories import quiz_of, sample_questions

pytestmark = pytest.mark.django_db


def test_every_snippet_list_opens(admin_client):
    sample_questions()
    quiz_of([])
    default_template()
    assert CertificateTemplate.objects.exists()
    for model in get_snippet_models():
        meta = model._meta
        response = admin_client.get(f"/admin/snippets/{meta.app_label}/{meta.model_name}/")
        assert response.status_code == 200, meta.label
