import pytest

from accounts.models import Membership
from classes import services
from tests.factories import MembershipFactory, UserFactory, course_tree, organisation


@pytest.fixture
def school(db):
    return organisation("NA.SGDDT.HTK", "Trường THPT Huỳnh Thúc Kháng", kind="school")


def make_teacher(school, username: str, name: str):
    teacher = UserFactory(username=username, full_name=name)
    MembershipFactory(user=teacher, organisation=school, role=Membership.Role.TEACHER)
    return teacher


@pytest.fixture
def teacher(school):
    return make_teacher(school, "cogiao.lan", "Trần Thị Lan")


@pytest.fixture
def other_teacher(school):
    return make_teacher(school, "thay.binh", "Lê Văn Bình")


@pytest.fixture
def course(db):
    return course_tree(lessons=("Định danh điện tử", "Dịch vụ công trực tuyến", "Lừa đảo"))


@pytest.fixture
def classroom(teacher, school):
    return services.classroom_create(teacher=teacher, name="Lớp 10A1", organisation=school)


@pytest.fixture
def students(classroom):
    people = [
        UserFactory(username=f"hs{n}", full_name=name)
        for n, name in enumerate(["Nguyễn Văn An", "Hồ Thị Bích", "Đặng Quốc Cường"])
    ]
    for person in people:
        services.member_add(classroom=classroom, user=person)
    return people
