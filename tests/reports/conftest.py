"""A small province for the reports tests: two departments with divisions, a commune, the
basic course with certificates issued by hand (no PDF), and the standard that counts them."""

import pytest

from accounts.models import Membership
from accounts.services import membership_upsert
from certificates import services as certificate_services
from reports import services
from reports.models import Standard
from tests.certificates.conftest import default_template
from tests.factories import UserFactory, course_tree, organisation

R = Membership.Role
T = Membership.TargetGroup


class Province:
    def __init__(self):
        self.root = organisation("NA", "Ủy ban nhân dân tỉnh Nghệ An", "province")
        self.s1 = organisation("NA.S1", "Sở Khoa học và Công nghệ", parent=self.root)
        self.s1p1 = organisation("NA.S1.P1", "Phòng Chuyển đổi số", "division", self.s1)
        self.s1p2 = organisation("NA.S1.P2", "Văn phòng Sở", "division", self.s1)
        self.s2 = organisation("NA.S2", "Sở Nội vụ", parent=self.root)
        self.s2p1 = organisation("NA.S2.P1", "Phòng Công chức", "division", self.s2)
        self.x1 = organisation("NA.X1", "Xã Diễn Châu", "commune", self.root)

    def person(self, org, name, group=T.CIVIL_SERVANT, role=R.MEMBER, **fields):
        user = UserFactory(full_name=name, **fields)
        membership_upsert(user=user, organisation=org, target_group=group, role=role)
        return user


@pytest.fixture
def province(db):
    return Province()


@pytest.fixture
def basic_course(db):
    default_template()
    page, _lessons = course_tree()
    return page


@pytest.fixture
def standard(basic_course):
    return services.standard_upsert(
        code="ksc-757",
        name="Phổ cập kỹ năng số cơ bản (QĐ 757)",
        kind=Standard.Kind.CERTIFICATE,
        courses=[basic_course],
    )


def certify(user, course):
    certificate, _created = certificate_services.certificate_issue(
        user=user, course=course, by_hand=True, reason="Học lớp tập trung", render=False
    )
    return certificate
