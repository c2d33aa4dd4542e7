"""Build the wagtail-lms side of the comparison; prints the URLs and sessions as JSON.

Run from ``bench/`` with ``.venv-wagtail-lms``'s python and the environment of
``bench.lms_compare.server_env``: ``python -m wagtail_lms_site.prepare --users N``.
It drops and re-creates the database, migrates, and builds one course holding one H5P
lesson (Vietnamese text and a True/False activity made here), then ``N`` enrolled
learners, each with a signed-in session and a CSRF token.
"""

import argparse
import io
import json
import shutil
import sys
import zipfile
from importlib import import_module

import django
import psycopg
from django.conf import settings
from psycopg import sql

LESSON_HTML = """
<h2>Nhận diện tin nhắn lừa đảo</h2>
<p>Mỗi ngày, kẻ gian gửi hàng nghìn tin nhắn giả danh ngân hàng, công an, nhà mạng hay
đơn vị giao hàng. Chúng thường báo rằng tài khoản của bạn sắp bị khóa, bạn vừa trúng
thưởng, có một bưu phẩm đang chờ nhận hoặc bạn liên quan đến một vụ án. Mục đích chung là
làm bạn lo lắng hay vui mừng để hành động vội vàng, không kịp suy nghĩ.</p>
<p>Dấu hiệu dễ nhận thấy nhất là đường dẫn lạ. Tên miền thật của cơ quan nhà nước kết thúc
bằng gov.vn, còn trang giả mạo thường thêm chữ cái, dấu gạch ngang hoặc dùng đuôi tên miền
khác. Tin nhắn lừa đảo hay yêu cầu bạn cung cấp mã OTP, mật khẩu, số thẻ hoặc ảnh chụp
căn cước công dân. Ngân hàng và cơ quan chức năng không bao giờ hỏi những thông tin này
qua tin nhắn, mạng xã hội hay điện thoại.</p>
<h2>Cách xử lý an toàn</h2>
<ul>
<li>Không bấm vào đường dẫn trong tin nhắn lạ; hãy tự gõ địa chỉ trang chính thức hoặc mở
ứng dụng của ngân hàng.</li>
<li>Không cài ứng dụng theo hướng dẫn của người lạ, nhất là tệp có đuôi apk gửi qua Zalo
hay Messenger.</li>
<li>Gọi lại số tổng đài in trên thẻ ngân hàng hoặc trên trang chính thức để kiểm tra.</li>
<li>Bật xác thực hai lớp cho tài khoản VNeID, thư điện tử và mạng xã hội.</li>
</ul>
<p>Nếu lỡ cung cấp thông tin, hãy gọi ngay cho ngân hàng để khóa thẻ, đổi mật khẩu các tài
khoản quan trọng và báo cho cơ quan công an nơi cư trú. Bạn cũng có thể phản ánh tin nhắn
rác qua đầu số 5656 để nhà mạng chặn số gửi. Hãy chia sẻ những điều đã học với người thân,
đặc biệt là ông bà và cha mẹ, vì người lớn tuổi thường là đối tượng bị nhắm tới.</p>
"""


def h5p_package() -> bytes:
    """A tiny H5P.TrueFalse package: h5p.json and content/content.json, no libraries."""
    h5p = {
        "title": "Tin nhắn đòi mã OTP",
        "language": "vi",
        "defaultLanguage": "vi",
        "mainLibrary": "H5P.TrueFalse",
        "embedTypes": ["iframe"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.TrueFalse", "majorVersion": 1, "minorVersion": 8},
            {"machineName": "H5P.Question", "majorVersion": 1, "minorVersion": 5},
            {"machineName": "H5P.JoubelUI", "majorVersion": 1, "minorVersion": 3},
            {"machineName": "FontAwesome", "majorVersion": 4, "minorVersion": 5},
        ],
    }
    content = {
        "question": "<p>Tin nhắn yêu cầu bạn đọc mã OTP để nhận quà tri ân là đáng tin.</p>",
        "correct": "false",
        "behaviour": {
            "enableRetry": True,
            "enableSolutionsButton": True,
            "enableCheckButton": True,
            "confirmCheckDialog": False,
            "confirmRetryDialog": False,
            "autoCheck": False,
            "feedbackOnCorrect": "Chính xác: không ai được hỏi mã OTP của bạn.",
            "feedbackOnWrong": "Chưa đúng: mã OTP chỉ dành cho riêng bạn.",
        },
        "l10n": {
            "trueText": "Đúng",
            "falseText": "Sai",
            "score": "Bạn đạt @score trên @total điểm",
            "checkAnswer": "Kiểm tra",
            "submitAnswer": "Nộp bài",
            "showSolutionButton": "Xem đáp án",
            "tryAgain": "Làm lại",
            "wrongAnswerMessage": "Chưa đúng",
            "correctAnswerMessage": "Chính xác",
            "scoreBarLabel": "Bạn đạt :num trên :total điểm",
        },
        "media": {"disableImageZooming": False},
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("h5p.json", json.dumps(h5p, ensure_ascii=False))
        package.writestr("content/content.json", json.dumps(content, ensure_ascii=False))
    return buffer.getvalue()


def database_recreate() -> None:
    db = settings.DATABASES["default"]
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"],
        port=db["PORT"] or None,
        autocommit=True,
    ) as conn:
        name = sql.Identifier(db["NAME"])
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))


def course_build():
    from django.core.files.base import ContentFile
    from wagtail.models import Page, Site
    from wagtail_lms.models import CoursePage, H5PActivity, H5PLessonPage

    activity = H5PActivity(title="Tin nhắn đòi mã OTP")
    activity.package_file.save("tin-nhan-otp.h5p", ContentFile(h5p_package()), save=False)
    activity.save()

    home = Page.objects.get(depth=2)  # the home page Wagtail's migrations create
    Site.objects.update(hostname="127.0.0.1", port=80, root_page=home, is_default_site=True)
    course = home.add_child(
        instance=CoursePage(
            title="Kỹ năng an toàn trên không gian mạng",
            slug="an-toan-khong-gian-mang",
            description="<p>Khóa học cơ bản cho mọi người dân.</p>",
        )
    )
    body = [
        {"type": "paragraph", "value": LESSON_HTML.strip()},
        {"type": "h5p_activity", "value": {"activity": activity.pk}},
    ]
    lesson = course.add_child(
        instance=H5PLessonPage(
            title="Bài 1: Nhận diện tin nhắn lừa đảo",
            slug="nhan-dien-tin-nhan-lua-dao",
            body=json.dumps(body, ensure_ascii=False),
        )
    )
    return course, lesson, activity


def learners_create(course, count: int) -> list:
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string
    from wagtail_lms.models import CourseEnrollment

    User = get_user_model()
    password = make_password("HocVuSo@2026")  # hashed once: learners share it
    users = User.objects.bulk_create(
        User(
            username=f"hocvien{n:05d}",
            email=f"hocvien{n:05d}@example.invalid",
            first_name="Học viên",
            last_name=str(n),
            password=password,
        )
        for n in range(1, count + 1)
    )
    CourseEnrollment.objects.bulk_create(CourseEnrollment(user=u, course=course) for u in users)

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        sessions.append(
            (store.session_key, get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS))
        )
    return sessions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args()

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.urls import reverse

    database_recreate()
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)
    call_command("migrate", verbosity=0, interactive=False)
    cache.clear()  # Redis database 5: only this side's keys

    course, lesson, activity = course_build()
    sessions = learners_create(course, args.users)
    json.dump(
        {
            "lesson": lesson.get_url(),
            "xapi": reverse("wagtail_lms:h5p_xapi", args=[activity.pk]),
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "sessions": sessions,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
