"""Load the demo: accounts for each role, a sample of Nghệ An's organisation tree, a home page.

Idempotent: running it again leaves the same data (no duplicates, no new page revisions).
Later issues add their demo content here through their own services.
"""

import io
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wagtail.rich_text import RichText

from accounts import services
from accounts.models import OFFICIAL_GROUPS, Membership, Organisation, User
from assessments.models import (
    Attempt,
    Competence,
    H5PActivity,
    H5PGrade,
    Question,
    QuestionBank,
    Quiz,
    QuizSlot,
)
from assessments.selectors import right_responses
from assessments.services import (
    SAMPLE_BANK,
    attempt_start,
    attempt_submit,
    demo_package,
    framework_load_shipped,
    h5p_attempt_open,
    h5p_package_import,
    h5p_statement_record,
    questions_import,
)
from certificates import services as certificate_services
from certificates.models import CertificateTemplate, IssuingBody
from classes import services as class_services
from classes.models import Classroom
from cms import services as cms_services
from cms.demo.courses import COURSES
from cms.demo.images import cover_image
from cms.models import ArticlePage
from courses.models import CourseIndexPage, CoursePage, LessonPage, TargetGroup
from courses.services import page_publish
from learning import services as learning_services
from reports import services as report_services
from reports.models import Standard, Target

DEMO_H5P_TITLE = "Luyện tập: nhận biết lừa đảo trực tuyến"
K = Organisation.Kind
T = Membership.TargetGroup
R = Membership.Role

# (code, name, kind, parent code)
ORGANISATIONS = [
    ("NA", "Ủy ban nhân dân tỉnh Nghệ An", K.PROVINCE, None),
    ("NA.SKHCN", "Sở Khoa học và Công nghệ", K.DEPARTMENT, "NA"),
    ("NA.SKHCN.VP", "Văn phòng Sở Khoa học và Công nghệ", K.DIVISION, "NA.SKHCN"),
    ("NA.SKHCN.CDS", "Phòng Chuyển đổi số", K.DIVISION, "NA.SKHCN"),
    ("NA.SNV", "Sở Nội vụ", K.DEPARTMENT, "NA"),
    ("NA.SNV.CCVC", "Phòng Công chức, viên chức", K.DIVISION, "NA.SNV"),
    ("NA.SGDDT", "Sở Giáo dục và Đào tạo", K.DEPARTMENT, "NA"),
    ("NA.SGDDT.HTK", "Trường THPT Huỳnh Thúc Kháng", K.SCHOOL, "NA.SGDDT"),
    ("NA.STC", "Sở Tài chính", K.DEPARTMENT, "NA"),
    ("NA.P.TRUONGVINH", "Phường Trường Vinh", K.COMMUNE, "NA"),
    ("NA.P.THANHVINH", "Phường Thành Vinh", K.COMMUNE, "NA"),
    ("NA.P.CUALO", "Phường Cửa Lò", K.COMMUNE, "NA"),
    ("NA.X.DIENCHAU", "Xã Diễn Châu", K.COMMUNE, "NA"),
]

# (username, full name, email, staff, superuser, membership or None, what they can try)
ACCOUNTS = [
    (
        "admin",
        "Quản trị hệ thống",
        "admin@hocvuso.example",
        True,
        True,
        None,
        "quản trị toàn hệ thống, trang quản trị /admin/",
    ),
    (
        "hr.sokhcn",
        "Trần Thị Hương",
        "hr.sokhcn@hocvuso.example",
        False,
        False,
        ("NA.SKHCN", T.CIVIL_SERVANT, R.HR_OFFICER, "Chuyên viên tổ chức cán bộ"),
        "cán bộ tổ chức Sở KH&CN: báo cáo /bao-cao/, nhập danh sách",
    ),
    (
        "tinh.demo",
        "Võ Thị Mai",
        "tinh.demo@hocvuso.example",
        False,
        False,
        ("NA", T.CIVIL_SERVANT, R.PROVINCE_ADMIN, "Chuyên viên theo dõi phong trào"),
        "quản trị cấp tỉnh: báo cáo toàn tỉnh, báo cáo năm (PDF)",
    ),
    (
        "teacher.demo",
        "Lê Văn Minh",
        "teacher.demo@hocvuso.example",
        False,
        False,
        ("NA.SGDDT.HTK", T.PUBLIC_EMPLOYEE, R.TEACHER, "Giáo viên Tin học"),
        "giáo viên, Trường THPT Huỳnh Thúc Kháng",
    ),
    (
        "learner.demo",
        "Nguyễn Văn An",
        "learner.demo@hocvuso.example",
        False,
        False,
        ("NA.SKHCN.CDS", T.CIVIL_SERVANT, R.MEMBER, "Chuyên viên"),
        "công chức, Phòng Chuyển đổi số",
    ),
    (
        "citizen.demo",
        "Phạm Thị Lan",
        "citizen.demo@hocvuso.example",
        False,
        False,
        ("NA.P.TRUONGVINH", T.CITIZEN, R.MEMBER, ""),
        "người dân, Phường Trường Vinh; đã có chứng chỉ Kỹ năng số cơ bản",
    ),
    (
        "bientap.demo",
        "Hoàng Thu Trang",
        "bientap.demo@hocvuso.example",
        True,
        False,
        ("NA.SKHCN", T.CIVIL_SERVANT, R.MEMBER, "Biên tập viên cổng thông tin"),
        "biên tập viên chuyên mục Sở KH&CN (viết tin, gửi duyệt)",
    ),
    (
        "duyet.demo",
        "Đặng Quốc Bảo",
        "duyet.demo@hocvuso.example",
        True,
        False,
        ("NA.SKHCN", T.CIVIL_SERVANT, R.MEMBER, "Phó Chánh Văn phòng"),
        "người duyệt tin của chuyên mục Sở KH&CN",
    ),
]

HOME = {
    "title": "Bình dân học vụ số",
    "lead": (
        "Học kỹ năng số miễn phí, mọi lúc, trên điện thoại: để mỗi cán bộ, công chức, "
        "viên chức và mỗi người dân Nghệ An đều làm chủ công nghệ số."
    ),
    "intro": (
        "<p>Phong trào <b>Bình dân học vụ số</b> phổ cập kỹ năng số cho toàn dân. Nền tảng "
        "này giúp tỉnh theo dõi mục tiêu: mọi cán bộ, công chức, viên chức và người trưởng "
        "thành có kỹ năng số cơ bản, và mọi cán bộ học tập Nghị quyết 57-NQ/TW về đột phá "
        "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia.</p>"
    ),
    "body": [
        ("heading", "Học như thế nào?"),
        (
            "paragraph",
            "<ol><li>Đăng ký tài khoản bằng email của bạn.</li>"
            "<li>Chọn khóa học phù hợp: kỹ năng số cơ bản, dịch vụ công trực tuyến, "
            "an toàn thông tin, Nghị quyết 57.</li>"
            "<li>Học từng bài, làm bài kiểm tra ngắn và nhận chứng nhận có mã QR "
            "để cơ quan, đơn vị kiểm tra.</li></ol>",
        ),
        ("heading", "Dành cho ai?"),
        (
            "paragraph",
            "<p>Cán bộ, công chức, viên chức và người lao động trong các cơ quan nhà nước; "
            "người dân ở các xã, phường; học sinh. Giáo viên có thể lập lớp và giao bài; "
            "cán bộ tổ chức theo dõi tiến độ của cơ quan mình.</p>",
        ),
    ],
}


# The communes' adults (the statistics office's figure), the denominator of the citizen target.
DEMO_ADULTS = {
    "NA.P.TRUONGVINH": 42_300,
    "NA.P.THANHVINH": 38_650,
    "NA.P.CUALO": 51_200,
    "NA.X.DIENCHAU": 36_800,
}

# Colleagues for the dashboard: (full name, unit, target group, position, certified).
DEMO_STAFF = [
    ("Nguyễn Thị Thu Hà", "NA.SKHCN.VP", T.CIVIL_SERVANT, "Chánh Văn phòng", True),
    ("Trần Văn Hùng", "NA.SKHCN.VP", T.CIVIL_SERVANT, "Chuyên viên", True),
    ("Lê Thị Ngọc Ánh", "NA.SKHCN.VP", T.WORKER, "Nhân viên văn thư", False),
    ("Phan Đức Thắng", "NA.SKHCN.CDS", T.CIVIL_SERVANT, "Trưởng phòng", True),
    ("Hồ Thị Quỳnh", "NA.SKHCN.CDS", T.CIVIL_SERVANT, "Chuyên viên", False),
    ("Đinh Văn Lực", "NA.SKHCN", T.CADRE, "Giám đốc Sở", True),
    ("Bùi Thị Hạnh", "NA.SNV.CCVC", T.CIVIL_SERVANT, "Chuyên viên", True),
    ("Ngô Quang Vinh", "NA.SNV.CCVC", T.CIVIL_SERVANT, "Phó Trưởng phòng", False),
    ("Dương Thị Lệ", "NA.SNV", T.CADRE, "Phó Giám đốc Sở", False),
    ("Cao Văn Tuấn", "NA.SGDDT.HTK", T.PUBLIC_EMPLOYEE, "Giáo viên Toán", True),
    ("Thái Thị Hoa", "NA.SGDDT.HTK", T.PUBLIC_EMPLOYEE, "Giáo viên Ngữ văn", False),
    ("Lưu Minh Khôi", "NA.SGDDT.HTK", T.STUDENT, "Học sinh lớp 11A1", True),
    ("Vương Thị Yến", "NA.STC", T.CIVIL_SERVANT, "Chuyên viên", False),
    ("Nguyễn Văn Bình", "NA.P.TRUONGVINH", T.CITIZEN, "", True),
    ("Trần Thị Mơ", "NA.P.TRUONGVINH", T.CITIZEN, "", False),
    ("Hoàng Văn Nam", "NA.P.CUALO", T.CITIZEN, "", True),
    ("Lê Thị Sen", "NA.X.DIENCHAU", T.CITIZEN, "", False),
    ("Phạm Văn Đông", "NA.X.DIENCHAU", T.CADRE, "Chủ tịch UBND xã", True),
]


class Command(BaseCommand):
    help = "Tạo dữ liệu mẫu (tài khoản, cơ cấu tổ chức, trang chủ). Chạy nhiều lần vẫn như một."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Chạy cả khi DEBUG tắt (máy trình diễn). Also run with DEBUG off (a demo server).",
        )

    @transaction.atomic
    def handle(self, *args, allow_production=False, **options):
        if not settings.DEBUG and not allow_production:
            # The demo creates a superuser whose password is printed in the README.
            raise CommandError(
                "seed_demo tạo tài khoản quản trị với mật khẩu công khai; không chạy khi DEBUG "
                "tắt trừ khi có --allow-production. seed_demo creates a superuser with a public "
                "password: refused with DEBUG off unless --allow-production is given."
            )
        password = settings.DEMO_PASSWORD
        organisations: dict[str, Organisation] = {}
        for code, name, kind, parent_code in ORGANISATIONS:
            organisations[code] = services.organisation_upsert(
                code=code,
                name=name,
                kind=kind,
                parent=organisations[parent_code] if parent_code else None,
            )
        for username, full_name, email, staff, superuser, membership, _ in ACCOUNTS:
            user, _created = services.user_upsert(
                username=username,
                email=email,
                full_name=full_name,
                password=password,
                is_staff=staff,
                is_superuser=superuser,
                email_verified=True,
            )
            if membership:
                code, target_group, role, position = membership
                services.membership_upsert(
                    user=user,
                    organisation=organisations[code],
                    target_group=target_group,
                    role=role,
                    position=position,
                )
        home = cms_services.home_page_publish(**HOME)
        self._courses(home, organisations)
        self._h5p()
        self._quiz()
        self._certificates()
        self._news(home)
        self._classes(organisations)
        self._coverage(organisations)

        self.stdout.write(self.style.SUCCESS("Đã nạp dữ liệu mẫu. Demo data loaded."))
        self.stdout.write("Khóa học / courses: /khoa-hoc/")
        self.stdout.write(f"Mật khẩu chung / shared password: {password}")
        for username, _n, _e, _s, _su, _m, description in ACCOUNTS:
            self.stdout.write(f"  {username:<14} {description}")

    def _courses(self, home, organisations: dict[str, Organisation]) -> None:
        framework = framework_load_shipped()
        competences = {c.code: c for c in Competence.objects.filter(framework=framework)}
        groups = {g.code: g for g in TargetGroup.objects.all()}
        index = page_publish(
            parent=home,
            page_class=CourseIndexPage,
            slug="khoa-hoc",
            fields={
                "title": "Khóa học",
                "intro": (
                    "<p>Các khóa học miễn phí, học trên điện thoại, mỗi bài 15–20 phút. "
                    "Học xong, làm bài kiểm tra và nhận chứng nhận.</p>"
                ),
            },
        )
        colours = [("#b3261e", "#ffb74d"), ("#0d47a1", "#4fc3f7")]
        for (slug, fields, codes, group_codes, mandated, lessons), pair in zip(
            COURSES, colours, strict=True
        ):
            course = page_publish(
                parent=index,
                page_class=CoursePage,
                slug=slug,
                fields={
                    **fields,
                    "image": cover_image(title=f"Ảnh bìa: {fields['title']}", colours=pair),
                },
                relations={
                    "competences": [competences[code] for code in codes],
                    "target_groups": [groups[code] for code in group_codes],
                },
                children={"mandates": [{"organisation": organisations[code]} for code in mandated]},
            )
            for lesson_slug, title, minutes, lesson_codes, body in lessons:
                page_publish(
                    parent=course,
                    page_class=LessonPage,
                    slug=lesson_slug,
                    fields={"title": title, "estimated_minutes": minutes, "body": body},
                    relations={"competences": [competences[code] for code in lesson_codes]},
                )

    def _news(self, home) -> None:
        """The Sở KH&CN section with its editor and approver, and one published article."""
        section, editors, approvers = cms_services.section_create(
            home=home,
            title="Sở Khoa học và Công nghệ",
            slug="so-khcn",
            organisation=Organisation.objects.filter(code="NA.SKHCN").first(),
            intro="<p>Tin tức về Nghị quyết 57 và chuyển đổi số của Sở Khoa học và Công nghệ.</p>",
        )
        User.objects.get(username="bientap.demo").groups.add(editors)
        User.objects.get(username="duyet.demo").groups.add(approvers)
        if ArticlePage.objects.child_of(section).exists():
            return
        article = ArticlePage(
            title="Nghệ An triển khai học tập Nghị quyết 57-NQ/TW trên nền tảng số",
            slug="trien-khai-hoc-tap-nghi-quyet-57",
            lead=(
                "Cán bộ, công chức, viên chức toàn tỉnh học tập Nghị quyết 57-NQ/TW về đột phá "
                "phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số ngay trên "
                "điện thoại, và nhận chứng nhận có mã QR."
            ),
            body=[
                (
                    "paragraph",
                    RichText(
                        "<p>Khóa học “Tìm hiểu Nghị quyết 57-NQ/TW” gồm bốn bài ngắn, học "
                        "mọi lúc. Người học làm bài kiểm tra cuối mỗi bài và được cấp chứng "
                        "nhận khi hoàn thành.</p>"
                    ),
                )
            ],
        )
        section.add_child(instance=article)
        article.tags.add("nghị quyết 57", "chuyển đổi số")
        article.related_courses.set(CoursePage.objects.filter(slug__contains="nghi-quyet-57"))
        article.save_revision().publish()

    def _h5p(self) -> None:
        """An H5P activity of our own (true/false statements on online fraud) in a practice
        lesson of the basic course, before its final quiz."""
        activity = H5PActivity.objects.filter(title=DEMO_H5P_TITLE).first()
        if activity is None:
            activity = h5p_package_import(
                source=io.BytesIO(demo_package()),
                filename="nhan-biet-lua-dao.h5p",
                title=DEMO_H5P_TITLE,
            ).activity
        basic = CoursePage.objects.get(slug="ky-nang-so-co-ban")
        page_publish(
            parent=basic,
            page_class=LessonPage,
            slug="luyen-tap-nhan-biet-lua-dao",
            fields={
                "title": "Luyện tập: nhận biết lừa đảo",
                "estimated_minutes": 5,
                "body": [
                    {
                        "type": "paragraph",
                        "value": "<p>Ba câu đúng hay sai. Làm đúng cả ba để qua bài.</p>",
                    },
                    {"type": "h5p", "value": {"activity": activity.pk}},
                ],
            },
        )

    def _quiz(self) -> None:
        """The sample question bank, and a timed final quiz closing the basic course."""
        bank, _created = QuestionBank.objects.get_or_create(name="Ngân hàng mẫu: Kỹ năng số")
        if not Question.objects.filter(category__bank=bank).exists():
            questions_import(bank=bank, data=SAMPLE_BANK.read_bytes())
        quiz, created = Quiz.objects.get_or_create(
            title="Bài kiểm tra cuối khóa: Kỹ năng số cơ bản",
            defaults={
                "intro": "<p>7 câu, 15 phút. Cần đạt 70% để hoàn thành khóa học.</p>",
                "time_limit_minutes": 15,
                "attempts_allowed": 3,
                "pass_mark": 70,
                "shuffle_questions": True,
            },
        )
        if created:
            questions = Question.objects.filter(category__bank=bank).exclude(qtype="essay")
            for order, question in enumerate(questions.order_by("idnumber")):
                QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
        basic = CoursePage.objects.get(slug="ky-nang-so-co-ban")
        page_publish(
            parent=basic,
            page_class=LessonPage,
            slug="kiem-tra-cuoi-khoa",
            fields={
                "title": "Bài kiểm tra cuối khóa",
                "estimated_minutes": 15,
                "body": [
                    {"type": "paragraph", "value": "<p>Ôn lại các bài trước rồi làm bài.</p>"},
                    {"type": "quiz", "value": {"quiz": quiz.pk}},
                ],
            },
        )

    def _certificates(self) -> None:
        """An issuing body, an active default template, both courses armed, and one
        certificate: citizen.demo has completed the basic course (issued once this
        command's transaction commits, like any completion)."""
        body, _created = IssuingBody.objects.update_or_create(
            name="Sở Khoa học và Công nghệ tỉnh Nghệ An",
            defaults={
                "parent_name": "UBND tỉnh Nghệ An",
                "url": settings.SITE_URL,
                "email": "skhcn@nghean.gov.vn",
                "place": "Nghệ An",
            },
        )
        CertificateTemplate.objects.update_or_create(
            name="Mẫu chung (mặc định)",
            defaults={
                "course": None,
                "issuing_body": body,
                "signatory_name": "Trần Minh Đức",
                "signatory_title": "Giám đốc",
                "active": True,
            },
        )
        admin = User.objects.get(username="admin")
        for course in CoursePage.objects.filter(slug__in=[c[0] for c in COURSES]):
            certificate_services.certification_arm(course=course, actor=admin, valid_months=None)
        basic = CoursePage.objects.get(slug="ky-nang-so-co-ban")
        citizen = User.objects.get(username="citizen.demo")
        learning_services.enrolment_create(user=citizen, course=basic)
        for lesson in LessonPage.objects.child_of(basic).live().order_by("path"):
            for activity in H5PActivity.objects.filter(pk__in=lesson.h5p_ids):
                if not H5PGrade.objects.filter(user=citizen, activity=activity).exists():
                    attempt = h5p_attempt_open(
                        user=citizen, activity=activity, context_id=lesson.pk
                    )
                    h5p_statement_record(
                        user=citizen,
                        activity=activity,
                        context_id=lesson.pk,
                        attempt_id=attempt.pk,
                        statement={
                            "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
                            "object": {"id": activity.iri()},
                            "result": {"score": {"raw": 3, "max": 3}, "success": True},
                        },
                    )
            if not lesson.has_graded_blocks:
                learning_services.lesson_complete(user=citizen, lesson=lesson)
                continue
            for quiz in Quiz.objects.filter(pk__in=lesson.quiz_ids):
                if not Attempt.objects.filter(user=citizen, quiz=quiz).exists():
                    attempt = attempt_start(user=citizen, quiz=quiz, context_id=lesson.pk)
                    attempt_submit(attempt=attempt, responses=right_responses(attempt))

    def _coverage(self, organisations: dict[str, Organisation]) -> None:
        """The two standards the province is judged on, their targets, the communes' adult
        population, and colleagues in several units, some certified, so that the
        dashboard has something to show; then everything is counted once."""
        basic = CoursePage.objects.get(slug="ky-nang-so-co-ban")
        nq57 = CoursePage.objects.get(slug="tim-hieu-nghi-quyet-57")
        skills = report_services.standard_upsert(
            code="ksc-757",
            name="Phổ cập kỹ năng số cơ bản (QĐ 757)",
            kind=Standard.Kind.CERTIFICATE,
            courses=[basic],
            sort_order=0,
        )
        resolution = report_services.standard_upsert(
            code="nq57",
            name="Học tập Nghị quyết 57-NQ/TW",
            kind=Standard.Kind.COMPLETION,
            courses=[nq57],
            sort_order=1,
        )
        for group in OFFICIAL_GROUPS:
            report_services.target_upsert(
                standard=resolution, target_group=group, year=2026, percent=100
            )
            report_services.target_upsert(
                standard=skills, target_group=group, year=2026, percent=80
            )
            report_services.target_upsert(
                standard=skills, target_group=group, year=2030, percent=100
            )
        report_services.target_upsert(
            standard=skills,
            target_group=T.CITIZEN,
            year=2030,
            percent=100,
            denominator=Target.Denominator.POPULATION,
        )
        report_services.target_upsert(
            standard=skills,
            target_group=T.CITIZEN,
            year=2026,
            percent=50,
            denominator=Target.Denominator.POPULATION,
        )
        for code, adults in DEMO_ADULTS.items():
            report_services.population_figure_set(
                organisation=organisations[code], target_group=T.CITIZEN, year=2026, count=adults
            )
        admin = User.objects.get(username="admin")
        for number, (full_name, code, group, position, certified) in enumerate(DEMO_STAFF, 1):
            user, _created = services.user_upsert(
                username=f"demo.nv{number:02d}",
                email=f"demo.nv{number:02d}@hocvuso.example",
                full_name=full_name,
                email_verified=True,
            )
            services.membership_upsert(
                user=user, organisation=organisations[code], target_group=group, position=position
            )
            if certified:
                certificate_services.certificate_issue(
                    user=user,
                    course=basic,
                    by_hand=True,
                    actor=admin,
                    reason="Dữ liệu mẫu: đã học lớp tập trung",
                    render=False,
                )
        report_services.coverage_rebuild()

    def _classes(self, organisations: dict[str, Organisation]) -> None:
        """teacher.demo's class, joined by learner.demo and citizen.demo, with Resolution 57
        assigned to learner.demo and the basic course to the whole class."""
        teacher = User.objects.get(username="teacher.demo")
        classroom = Classroom.objects.filter(teachers=teacher, name="Lớp Kỹ năng số 2026").first()
        if classroom is not None:
            return
        classroom = class_services.classroom_create(
            teacher=teacher, name="Lớp Kỹ năng số 2026", organisation=organisations["NA.SKHCN"]
        )
        learner = User.objects.get(username="learner.demo")
        citizen = User.objects.get(username="citizen.demo")
        for user in (learner, citizen):
            class_services.member_add(classroom=classroom, user=user)
        today = timezone.localdate()
        class_services.assignment_create(
            classroom=classroom,
            actor=teacher,
            course=CoursePage.objects.get(slug="ky-nang-so-co-ban"),
            starts_on=today,
            due_on=today + timedelta(days=14),
        )
        class_services.assignment_create(
            classroom=classroom,
            actor=teacher,
            course=CoursePage.objects.get(slug="tim-hieu-nghi-quyet-57"),
            students=[learner],
            starts_on=today,
            due_on=today + timedelta(days=2),
        )
