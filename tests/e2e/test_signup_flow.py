"""A new learner signs up in Vietnamese on a phone, confirms the email and sees the profile."""

import re

import pytest
from django.core import mail

pytestmark = pytest.mark.django_db(transaction=True)


def assert_fits_the_screen(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page scrolls sideways on a 360-px phone ({width} px)"


def test_learner_signs_up_confirms_email_logs_in_and_sees_profile(phone):
    page = phone
    page.goto("/")
    assert_fits_the_screen(page)
    page.get_by_role("link", name="Đăng ký học miễn phí").click()

    page.get_by_label("Họ và tên:", exact=True).fill("Hoàng Thị Thu Hà")
    page.get_by_label("Email:", exact=True).fill("thuha@example.vn")
    page.get_by_label("Tên đăng nhập:", exact=True).fill("hoangthuha")
    page.get_by_label("Mật khẩu:", exact=True).fill("Hoc-Ky-Nang-So-2026")
    page.get_by_label("Mật khẩu (nhập lại):", exact=True).fill("Hoc-Ky-Nang-So-2026")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Đăng ký").click()
    page.get_by_role("heading", name="Xác nhận địa chỉ email").wait_for()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body)
    page.goto(link.group(1))
    page.get_by_role("button", name="Xác nhận").click()

    page.goto("/accounts/login/")
    page.get_by_label("Tài khoản đăng nhập:", exact=True).fill("hoangthuha")
    page.get_by_label("Mật khẩu:", exact=True).fill("Hoc-Ky-Nang-So-2026")
    page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("heading", name="Hồ sơ của tôi").wait_for()
    assert "Hoàng Thị Thu Hà" in page.content()
    assert_fits_the_screen(page)
