"""The organisation tree: the 2025 commune merges keep who was where, the CSV import is all or
nothing, moves and closes keep the tree whole, and the admin screens are for province
administrators only."""

from datetime import date

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts import services
from accounts.models import Membership, MembershipMove, Organisation
from accounts.organisation_import import organisations_import
from accounts.signals import memberships_changed
from tests.conftest import login
from tests.factories import MembershipFactory, UserFactory, organisation

pytestmark = pytest.mark.django_db

MERGE_DAY = date(2025, 7, 1)


def fresh(org: Organisation) -> Organisation:
    return Organisation.objects.get(pk=org.pk)


@pytest.fixture
def province():
    return organisation("NA", "UBND tỉnh Nghệ An", "province")


@pytest.fixture
def communes(province):
    """Two communes about to be merged, and the new ward they become."""
    hung_dong = services.organisation_create(
        parent=province, code="NA.X01", name="Xã Hưng Đông", kind="commune"
    )
    hung_loc = services.organisation_create(
        parent=province, code="NA.X02", name="Xã Hưng Lộc", kind="commune"
    )
    vinh_hung = services.organisation_create(
        parent=province,
        code="NA.P01",
        name="Phường Vinh Hưng",
        kind="commune",
        active_from=MERGE_DAY,
    )
    return hung_dong, hung_loc, vinh_hung


def member(user, org, **fields):
    return MembershipFactory(user=user, organisation=org, **fields)


def state():
    """Everything a merge may change, to compare before and after a refusal."""
    return (
        list(
            Organisation.objects.order_by("pk").values_list(
                "pk", "path", "code", "name", "active_until", "merged_into"
            )
        ),
        list(Membership.objects.order_by("pk").values_list("pk", "user", "organisation", "role")),
        MembershipMove.objects.count(),
    )


def test_a_commune_merge_keeps_the_history(communes):
    hung_dong, hung_loc, vinh_hung = communes
    an, binh, chi, dung = (UserFactory() for _ in range(4))
    member(an, hung_dong, position="Chủ tịch UBND xã")
    member(binh, hung_loc, target_group=Membership.TargetGroup.CADRE)
    member(chi, hung_dong)
    member(chi, hung_loc)  # in both old communes: one membership afterwards
    already = member(dung, vinh_hung)
    member(dung, hung_dong)  # already in the new ward: that membership is the one kept
    told = []

    def listener(sender, user_ids, **kwargs):
        told.extend(user_ids)

    memberships_changed.connect(listener)
    try:
        moved = services.organisation_merge(
            sources=[hung_dong, hung_loc], into=vinh_hung, on=MERGE_DAY
        )
    finally:
        memberships_changed.disconnect(listener)

    for old, code, name in (
        (hung_dong, "NA.X01", "Xã Hưng Đông"),
        (hung_loc, "NA.X02", "Xã Hưng Lộc"),
    ):
        old = fresh(old)
        assert (old.code, old.name) == (code, name)
        assert old.active_until == date(2025, 6, 30)
        assert old.merged_into == vinh_hung
        assert not old.is_active
        assert old.get_parent().code == "NA"
    assert not Membership.objects.filter(organisation__in=[hung_dong, hung_loc]).exists()
    assert sorted(Membership.objects.values_list("user_id", "organisation_id")) == sorted(
        (person.pk, vinh_hung.pk) for person in (an, binh, chi, dung)
    )
    assert Membership.objects.get(user=dung).pk == already.pk
    assert Membership.objects.get(user=binh).target_group == Membership.TargetGroup.CADRE
    history = set(
        MembershipMove.objects.values_list(
            "user_id", "from_organisation_id", "to_organisation_id", "moved_on"
        )
    )
    assert history == {
        (an.pk, hung_dong.pk, vinh_hung.pk, MERGE_DAY),
        (binh.pk, hung_loc.pk, vinh_hung.pk, MERGE_DAY),
        (chi.pk, hung_dong.pk, vinh_hung.pk, MERGE_DAY),
        (chi.pk, hung_loc.pk, vinh_hung.pk, MERGE_DAY),
        (dung.pk, hung_dong.pk, vinh_hung.pk, MERGE_DAY),
    }
    assert MembershipMove.objects.get(user=an).position == "Chủ tịch UBND xã"
    assert moved == 5
    assert sorted(told) == sorted(person.pk for person in (an, binh, chi, dung))
    assert list(fresh(vinh_hung).merged_from.order_by("code")) == [hung_dong, hung_loc]


def test_a_merge_does_not_carry_an_hr_officers_reach_but_keeps_a_teacher(communes):
    hung_dong, hung_loc, vinh_hung = communes
    officer, teacher = UserFactory(), UserFactory()
    member(officer, hung_dong, role=Membership.Role.HR_OFFICER)
    member(teacher, hung_dong)
    member(teacher, hung_loc, role=Membership.Role.TEACHER)
    services.organisation_merge(sources=[hung_dong, hung_loc], into=vinh_hung, on=MERGE_DAY)
    assert Membership.objects.get(user=officer).role == Membership.Role.MEMBER
    assert Membership.objects.get(user=teacher).role == Membership.Role.TEACHER


@pytest.mark.parametrize(
    "case, message",
    [
        ("itself", "cannot be merged into itself"),
        ("closed_target", "is closed: nothing can be merged into it"),
        ("closed_source", "is already closed or merged"),
        ("own_unit", "cannot be merged into one of its own units"),
        ("active_units", "still has active units"),
        ("before_target_exists", "only exists from 01/07/2025"),
    ],
)
def test_a_refused_merge_changes_nothing(communes, province, case, message):
    hung_dong, hung_loc, vinh_hung = communes
    member(UserFactory(), hung_dong)
    member(UserFactory(), hung_loc)
    department = services.organisation_create(
        parent=province, code="NA.SKHCN", name="Sở Khoa học và Công nghệ", kind="department"
    )
    division = services.organisation_create(
        parent=department, code="NA.SKHCN.CDS", name="Phòng Chuyển đổi số", kind="division"
    )
    closed = services.organisation_create(
        parent=province, code="NA.X09", name="Xã đã giải thể", kind="commune"
    )
    services.organisation_close(organisation=closed, on=date(2024, 12, 31))
    sources, into, on = [hung_dong, hung_loc], vinh_hung, MERGE_DAY
    if case == "itself":
        sources = [hung_dong, vinh_hung]
    elif case == "closed_target":
        into = closed
    elif case == "closed_source":
        sources = [hung_dong, closed]
    elif case == "own_unit":
        sources, into = [department], division
    elif case == "active_units":
        sources = [hung_dong, department]
    elif case == "before_target_exists":
        on = date(2025, 6, 1)
    before = state()
    with translation.override("en"), pytest.raises(services.OrganisationRefused) as refused:
        services.organisation_merge(sources=sources, into=into, on=on)
    assert message in str(refused.value)
    assert state() == before


def test_a_merge_refused_by_a_listener_rolls_back_everything(communes):
    hung_dong, hung_loc, vinh_hung = communes
    member(UserFactory(), hung_dong)
    before = state()

    def failing(sender, **kwargs):
        raise RuntimeError("report store down")

    memberships_changed.connect(failing)
    try:
        with pytest.raises(RuntimeError):
            services.organisation_merge(sources=[hung_dong], into=vinh_hung, on=MERGE_DAY)
    finally:
        memberships_changed.disconnect(failing)
    assert state() == before


def test_move_carries_the_units_and_refuses_its_own_descendant(province):
    first = services.organisation_create(
        parent=province, code="NA.SNV", name="Sở Nội vụ", kind="department"
    )
    second = services.organisation_create(
        parent=province, code="NA.SKHCN", name="Sở Khoa học và Công nghệ", kind="department"
    )
    division = services.organisation_create(
        parent=first, code="NA.SNV.P1", name="Phòng Tổ chức", kind="division"
    )
    team = services.organisation_create(
        parent=division, code="NA.SNV.P1.T", name="Tổ công chức", kind="division"
    )
    with translation.override("en"), pytest.raises(services.OrganisationRefused) as refused:
        services.organisation_move(organisation=first, new_parent=team)
    assert "under itself or one of its own units" in str(refused.value)
    assert fresh(first).get_parent().code == "NA"

    services.organisation_move(organisation=division, new_parent=second)
    assert fresh(division).get_parent().code == "NA.SKHCN"
    assert fresh(team).get_parent().code == "NA.SNV.P1"
    assert fresh(team).path.startswith(fresh(second).path)
    assert Organisation.objects.get(code="NA.SNV").numchild == 0

    services.organisation_move(organisation=second, new_parent=None)
    assert fresh(second).is_root() and fresh(team).path.startswith(fresh(second).path)
    assert sorted(o.code for o in Organisation.get_root_nodes()) == ["NA", "NA.SKHCN"]


def test_close_refuses_while_people_or_active_units_remain(province):
    department = services.organisation_create(
        parent=province, code="NA.SNV", name="Sở Nội vụ", kind="department"
    )
    division = services.organisation_create(
        parent=department, code="NA.SNV.P1", name="Phòng Tổ chức", kind="division"
    )
    staff = member(UserFactory(), division)
    with translation.override("en"):
        with pytest.raises(services.OrganisationRefused, match="still has active units"):
            services.organisation_close(organisation=department, on=date(2025, 6, 30))
        with pytest.raises(services.OrganisationRefused, match="People still belong"):
            services.organisation_close(organisation=division, on=date(2025, 6, 30))
    staff.delete()
    services.organisation_close(organisation=division, on=date(2025, 6, 30))
    services.organisation_close(organisation=department, on=date(2025, 6, 30))
    assert fresh(department).active_until == date(2025, 6, 30)
    assert Organisation.objects.filter(code="NA.SNV.P1").exists()


def csv_bytes(*lines: str, bom: bool = True) -> bytes:
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode()


def test_csv_import_builds_the_tree_with_parents_after_children():
    content = csv_bytes(
        "Mã,TÊN,loai,Ma don vi cap tren,Hiệu lực từ,Hiệu lực đến,Sáp nhập vào",
        "NA.SKHCN.CDS,Phòng Chuyển đổi số,Phòng,NA.SKHCN,,,",
        'NA.SKHCN,"Sở Khoa học và Công nghệ",Sở/ban/ngành,NA,,,',
        "NA.X01,Xã Hưng Đông,Xã/phường,NA,,30/06/2025,NA.P01",
        "NA.P01,Phường Vinh Hưng,xã/phường,NA,2025-07-01,,",
        "NA.THPT1,Trường THPT Huỳnh Thúc Kháng,Trường học,NA.SGDDT,,,",
        "NA.SGDDT,Sở Giáo dục và Đào tạo,department,NA,,,",
        "NA,UBND tỉnh Nghệ An,UBND tỉnh,,01/01/2020,,",
    )
    report = organisations_import(content=content)
    assert report.ok, report.errors
    assert report.created == 7
    division = Organisation.objects.get(code="NA.SKHCN.CDS")
    assert division.kind == "division" and division.depth == 3
    assert division.get_parent().code == "NA.SKHCN"
    assert Organisation.objects.get(code="NA.THPT1").get_parent().code == "NA.SGDDT"
    old = Organisation.objects.get(code="NA.X01")
    assert old.active_until == date(2025, 6, 30) and old.merged_into.code == "NA.P01"
    assert Organisation.objects.get(code="NA").active_from == date(2020, 1, 1)
    assert Organisation.objects.get(code="NA").numchild == 4

    again = organisations_import(
        content=csv_bytes(
            "mã;tên;loại;mã đơn vị cấp trên",
            "NA.SKHCN;Sở KH&CN;Sở/ban/ngành;NA",
            "NA.SKHCN.VP;Văn phòng Sở;Phòng;NA.SKHCN",
            bom=False,
        )
    )
    assert again.ok, again.errors
    assert (again.created, again.updated) == (1, 1)
    assert Organisation.objects.get(code="NA.SKHCN").name == "Sở KH&CN"
    assert Organisation.objects.get(code="NA.X01").merged_into.code == "NA.P01"  # column absent


def test_a_file_with_one_bad_row_imports_nothing_and_names_the_row():
    content = csv_bytes(
        "mã,tên,loại,mã đơn vị cấp trên",
        "NA,UBND tỉnh Nghệ An,UBND tỉnh,",
        "NA.SKHCN,Sở Khoa học và Công nghệ,Sở/ban/ngành,NA",
        "NA.X01,Xã Hưng Đông,Thôn,NA",
        "NA.X02,Xã Hưng Lộc,Xã/phường,NA",
    )
    with translation.override("en"):
        report = organisations_import(content=content)
    assert not report.ok
    assert len(report.errors) == 1
    row, problems = report.errors[0]
    assert row == 4 and "Unknown kind “Thôn”" in problems[0]
    assert not Organisation.objects.exists()


def test_import_refuses_a_changed_parent_and_a_cycle(province):
    services.organisation_create(
        parent=province, code="NA.SKHCN", name="Sở Khoa học và Công nghệ", kind="department"
    )
    organisation("HT", "UBND tỉnh Hà Tĩnh", "province")
    content = csv_bytes(
        "mã,tên,loại,mã đơn vị cấp trên",
        "NA.SKHCN,Sở Khoa học và Công nghệ,Sở/ban/ngành,HT",
        "A,Đơn vị A,Phòng,B",
        "B,Đơn vị B,Phòng,A",
        "C,Đơn vị C,Phòng,NA.KHONGCO",
    )
    with translation.override("en"):
        report = organisations_import(content=content)
    errors = dict(report.errors)
    assert "is under NA in the tree, not HT" in errors[2][0] and "Move" in errors[2][0]
    assert "go round in a circle: A → B → A" in errors[3][0]
    assert "go round in a circle: B → A → B" in errors[4][0]
    assert "Unknown parent code NA.KHONGCO" in errors[5][0]
    assert Organisation.objects.get(code="NA.SKHCN").get_parent().code == "NA"
    assert not Organisation.objects.filter(code__in=["A", "B"]).exists()


@pytest.mark.parametrize(
    "content, message",
    [
        (
            "mã\ttên\tloại\nNA\tNghệ An\tUBND tỉnh\n".encode("utf-16"),
            "not UTF-8",
        ),  # Excel's "Unicode text"
        (b"ma,ten,loai\nNA,Nghe An,province\n", "lacks these columns: mã đơn vị cấp trên"),
        (b"", "empty"),
        (b"PK\x03\x04\x14\x00\x06\x00", "Excel workbook"),
    ],
)
def test_a_bad_file_gets_one_clear_message(content, message):
    with translation.override("en"):
        report = organisations_import(content=content)
    assert message in report.error and not report.errors


def test_import_command_checks_then_imports(tmp_path, capsys):
    path = tmp_path / "to-chuc.csv"
    path.write_bytes(csv_bytes("mã,tên,loại,mã đơn vị cấp trên", "NA,UBND tỉnh Nghệ An,UBND tỉnh,"))
    call_command("import_organisations", str(path), "--dry-run")
    assert not Organisation.objects.exists()
    call_command("import_organisations", str(path))
    assert Organisation.objects.get(code="NA").kind == "province"
    path.write_bytes(csv_bytes("mã,tên,loại,mã đơn vị cấp trên", "X,,UBND tỉnh,"))
    with pytest.raises(CommandError):
        call_command("import_organisations", str(path))
    assert "2: " in capsys.readouterr().err


# The admin screens.


@pytest.fixture
def admin_client(client, superuser):
    login(client, superuser.username)
    return client


def test_the_tree_page_lists_the_tree_in_a_bounded_number_of_queries(
    admin_client, province, communes, django_assert_max_num_queries
):
    department = services.organisation_create(
        parent=province, code="NA.SKHCN", name="Sở Khoa học và Công nghệ", kind="department"
    )
    for number in range(20):
        division = services.organisation_create(
            parent=department, code=f"NA.SKHCN.P{number}", name=f"Phòng {number}", kind="division"
        )
        member(UserFactory(), division)
    member(UserFactory(), communes[0])
    services.organisation_merge(sources=[communes[0]], into=communes[2], on=MERGE_DAY)
    with django_assert_max_num_queries(8):
        response = admin_client.get("/admin/co-cau-to-chuc/", {"closed": "1"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Phòng 19" in html and "NA.SKHCN.P7" in html and "Xã Hưng Đông" in html
    assert "Phường Vinh Hưng (NA.P01)" in html  # where the merged commune went
    assert "Xã Hưng Đông" not in admin_client.get("/admin/co-cau-to-chuc/").content.decode()
    found = admin_client.get("/admin/co-cau-to-chuc/", {"q": "Phòng 7"}).content.decode()
    assert "Phòng 7" in found and "Sở Khoa học và Công nghệ" in found and "Phòng 8" not in found


def test_only_province_administrators_reach_the_tree(client, province):
    editor = UserFactory(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    login(client, editor.username)
    assert client.get("/admin/").status_code == 200
    # Wagtail turns PermissionDenied into a redirect to the dashboard with a message, and
    # into a plain 403 for scripts.
    for url in ("/admin/co-cau-to-chuc/", "/admin/co-cau-to-chuc/nhap/"):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, "/admin/")
        assert client.get(url, headers={"x-requested-with": "XMLHttpRequest"}).status_code == 403
    client.post(
        f"/admin/co-cau-to-chuc/{province.pk}/them/",
        {"code": "NA.SNV", "name": "Sở Nội vụ", "kind": "department"},
    )
    assert not Organisation.objects.filter(code="NA.SNV").exists()
    assert "/admin/co-cau-to-chuc/" not in client.get("/admin/").content.decode()  # no menu item

    member(editor, province, role=Membership.Role.PROVINCE_ADMIN)
    assert client.get("/admin/co-cau-to-chuc/").status_code == 200
    assert "/admin/co-cau-to-chuc/" in client.get("/admin/").content.decode()


def test_admin_adds_a_unit_and_merges_communes(admin_client, province, communes):
    hung_dong, hung_loc, vinh_hung = communes
    person = UserFactory()
    member(person, hung_loc)
    response = admin_client.post(
        f"/admin/co-cau-to-chuc/{province.pk}/them/",
        {"code": "NA.SNV", "name": "Sở Nội vụ", "kind": "department", "active_from": ""},
    )
    assert response.status_code == 302
    assert Organisation.objects.get(code="NA.SNV").get_parent() == province

    response = admin_client.post(
        f"/admin/co-cau-to-chuc/{hung_dong.pk}/sap-nhap/",
        {"into": "NA.P01", "others": "NA.X02", "on": "2025-07-01"},
    )
    assert response.status_code == 302
    assert fresh(hung_loc).merged_into == vinh_hung and fresh(hung_dong).merged_into == vinh_hung
    assert Membership.objects.get(user=person).organisation == vinh_hung
    assert MembershipMove.objects.filter(user=person, from_organisation=hung_loc).exists()

    again = admin_client.post(
        f"/admin/co-cau-to-chuc/{hung_dong.pk}/sap-nhap/",
        {"into": "NA.P01", "others": "", "on": "2025-07-01"},
    )
    assert again.status_code == 200  # refused, shown on the form
    assert MembershipMove.objects.count() == 1


def test_admin_import_reports_each_bad_row(admin_client):
    upload = SimpleUploadedFile(
        "to-chuc.csv",
        csv_bytes(
            "mã,tên,loại,mã đơn vị cấp trên", "NA,UBND tỉnh Nghệ An,UBND tỉnh,", "X,,Phòng,NA"
        ),
        content_type="text/csv",
    )
    response = admin_client.post("/admin/co-cau-to-chuc/nhap/", {"file": upload})
    assert response.status_code == 200
    assert "<td>3</td>" in response.content.decode()
    assert not Organisation.objects.exists()
    upload = SimpleUploadedFile(
        "to-chuc.csv",
        csv_bytes("mã,tên,loại,mã đơn vị cấp trên", "NA,UBND tỉnh Nghệ An,UBND tỉnh,"),
        content_type="text/csv",
    )
    response = admin_client.post("/admin/co-cau-to-chuc/nhap/", {"file": upload})
    assert "import-summary" in response.content.decode()
    assert Organisation.objects.filter(code="NA").exists()


def test_admin_edits_moves_and_closes_through_the_forms(admin_client, province, communes):
    hung_dong, hung_loc, _vinh_hung = communes
    department = services.organisation_create(
        parent=province, code="NA.SNV", name="Sở Nội vụ", kind="department"
    )
    base = "/admin/co-cau-to-chuc"
    for url in (
        f"{base}/them/",
        f"{base}/{province.pk}/them/",
        f"{base}/{hung_dong.pk}/sua/",
        f"{base}/{hung_dong.pk}/chuyen/",
        f"{base}/{hung_dong.pk}/sap-nhap/",
        f"{base}/{hung_dong.pk}/giai-the/",
        f"{base}/nhap/",
    ):
        assert admin_client.get(url).status_code == 200, url

    response = admin_client.post(
        f"{base}/{hung_dong.pk}/sua/",
        {"name": "Xã Hưng Đông mới", "kind": "commune", "active_from": "2020-01-01"},
    )
    assert response.status_code == 302
    assert fresh(hung_dong).name == "Xã Hưng Đông mới"
    assert fresh(hung_dong).active_from == date(2020, 1, 1)

    refused = admin_client.post(f"{base}/{department.pk}/chuyen/", {"parent": "NA.KHONGCO"})
    assert refused.status_code == 200 and fresh(department).get_parent() == province
    admin_client.post(f"{base}/{hung_loc.pk}/chuyen/", {"parent": "NA.SNV"})
    assert fresh(hung_loc).get_parent().code == "NA.SNV"

    member(UserFactory(), hung_dong)
    refused = admin_client.post(f"{base}/{hung_dong.pk}/giai-the/", {"on": "2025-06-30"})
    assert refused.status_code == 200 and fresh(hung_dong).is_active
    admin_client.post(f"{base}/{hung_loc.pk}/giai-the/", {"on": "2025-06-30"})
    assert fresh(hung_loc).active_until == date(2025, 6, 30)
