import io

import pytest
from pypdf import PdfReader

from certificates import services
from certificates.models import CertificateTemplate, IssuingBody
from learning import services as learning
from tests.factories import course_tree


def issuing_body() -> IssuingBody:
    return IssuingBody.objects.create(
        name="Sở Khoa học và Công nghệ tỉnh Nghệ An",
        parent_name="UBND tỉnh Nghệ An",
        url="https://skhcn.nghean.gov.vn",
        email="skhcn@nghean.gov.vn",
        place="Nghệ An",
    )


def default_template(body: IssuingBody | None = None, **fields) -> CertificateTemplate:
    return CertificateTemplate.objects.create(
        name="Mẫu chung",
        issuing_body=body or issuing_body(),
        signatory_name="Trần Minh Đức",
        signatory_title="Giám đốc",
        active=True,
        **fields,
    )


def complete(user, course, lessons):
    """The learner enrols and completes every lesson, as through the lesson pages."""
    learning.enrolment_create(user=user, course=course)
    completion = None
    for lesson in lessons:
        completion = learning.lesson_complete(user=user, lesson=lesson)
    return completion


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def template(db):
    return default_template()


@pytest.fixture
def course(db, template):
    return course_tree(lessons=("Định danh điện tử", "Dịch vụ công trực tuyến"))


@pytest.fixture
def armed_course(course, superuser):
    page, lessons = course
    services.certification_arm(course=page, actor=superuser)
    return page, lessons
