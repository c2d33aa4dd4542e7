import factory
from allauth.account.models import EmailAddress

from accounts.models import Membership, User
from accounts.services import organisation_upsert

PASSWORD = "Mat-khau-Thu-2026"


class UserFactory(factory.django.DjangoModelFactory):
    """A user who can log in: verified primary email, known password."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"hocvien{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.vn")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Học {n}")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, primary=True, verified=True)


def organisation(code: str, name: str, kind: str = "department", parent=None):
    return organisation_upsert(code=code, name=name, kind=kind, parent=parent)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    target_group = Membership.TargetGroup.CIVIL_SERVANT


def course_tree(
    *,
    title="Kỹ năng số cơ bản",
    slug="ky-nang-so-co-ban",
    lessons=("Định danh điện tử", "Dịch vụ công trực tuyến", "Phòng chống lừa đảo"),
    sequential=True,
    enrolment="open",
    target_groups=("citizen", "civil_servant"),
    competences=(),
    mandated=(),
    summary="Làm chủ điện thoại: VNeID, dịch vụ công, an toàn trên mạng.",
):
    """A published catalogue → course → lessons, written through the same service as the seed."""
    from assessments.models import Competence
    from cms.services import default_site_ensure
    from courses.models import CourseIndexPage, CoursePage, LessonPage, TargetGroup
    from courses.services import page_publish

    home = default_site_ensure()
    index = page_publish(
        parent=home, page_class=CourseIndexPage, slug="khoa-hoc", fields={"title": "Khóa học"}
    )
    course = page_publish(
        parent=index,
        page_class=CoursePage,
        slug=slug,
        fields={
            "title": title,
            "summary": summary,
            "sequential": sequential,
            "enrolment": enrolment,
        },
        relations={
            "target_groups": list(TargetGroup.objects.filter(code__in=target_groups)),
            "competences": list(Competence.objects.filter(code__in=competences)),
        },
        children={"mandates": [{"organisation": org} for org in mandated]},
    )
    pages = [
        page_publish(
            parent=course,
            page_class=LessonPage,
            slug=f"bai-{number}",
            fields={
                "title": lesson_title,
                "estimated_minutes": 10 + number,
                "body": [{"type": "paragraph", "value": f"<p>Nội dung bài {number}</p>"}],
            },
        )
        for number, lesson_title in enumerate(lessons, start=1)
    ]
    return course, pages


def sample_questions(bank_name: str = "Ngân hàng mẫu"):
    """The platform's sample bank (8 questions of every type), imported through the service."""
    from assessments.models import Question, QuestionBank
    from assessments.services import SAMPLE_BANK, questions_import

    bank, _ = QuestionBank.objects.get_or_create(name=bank_name)
    report = questions_import(bank=bank, data=SAMPLE_BANK.read_bytes())
    assert not report.errors, report.errors
    return {q.idnumber: q for q in Question.objects.filter(pk__in=report.question_ids)}


def quiz_of(questions, *, title="Bài kiểm tra an toàn số", **fields):
    """A quiz with one fixed slot per question, in the order given."""
    from assessments.models import Quiz, QuizSlot

    quiz = Quiz.objects.create(title=title, **fields)
    for order, question in enumerate(questions):
        QuizSlot.objects.create(quiz=quiz, question=question, sort_order=order)
    return quiz


def lesson_with_quiz(course, quiz, *, title="Bài kiểm tra cuối khóa", slug="kiem-tra"):
    """A published lesson at the end of ``course`` holding ``quiz``."""
    from courses.models import LessonPage
    from courses.services import page_publish

    return page_publish(
        parent=course,
        page_class=LessonPage,
        slug=slug,
        fields={
            "title": title,
            "estimated_minutes": 15,
            "body": [
                {"type": "paragraph", "value": "<p>Làm bài kiểm tra dưới đây.</p>"},
                {"type": "quiz", "value": {"quiz": quiz.pk}},
            ],
        },
    )


def lesson_with_h5p(course, activities, *, title="Hoạt động tương tác", slug="tuong-tac"):
    """A published lesson at the end of ``course`` holding the H5P ``activities``."""
    from courses.models import LessonPage
    from courses.services import page_publish

    body = [{"type": "paragraph", "value": "<p>Làm hoạt động dưới đây.</p>"}]
    body += [{"type": "h5p", "value": {"activity": activity.pk}} for activity in activities]
    return page_publish(
        parent=course,
        page_class=LessonPage,
        slug=slug,
        fields={"title": title, "estimated_minutes": 10, "body": body},
    )


def h5p_lesson_for(activities, *, username="hocvien.h5p", opened=True, **user_fields):
    """A course whose first lesson is plain reading and whose second holds ``activities``;
    a learner enrolled in it, who has read the first lesson (``opened``) or not.
    Returns (course, lesson, learner)."""
    from learning import services as learning

    course, lessons = course_tree(lessons=("Mở đầu",))
    lesson = lesson_with_h5p(course, activities)
    learner = UserFactory(username=username, **user_fields)
    learning.enrolment_create(user=learner, course=course)
    if opened:
        learning.lesson_complete(user=learner, lesson=lessons[0])
    return course, lesson, learner
