"""Create (or reset) a superuser who can log in at once.

Django's ``createsuperuser`` leaves the email unverified, and with mandatory verification
allauth would then refuse the login until a confirmation email arrives.
"""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import services


class Command(BaseCommand):
    help = "Tạo tài khoản quản trị đã xác nhận email. Create a superuser with a verified email."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("full_name")
        parser.add_argument(
            "--password-env",
            metavar="VAR",
            help="Đọc mật khẩu từ biến môi trường này. Read the password from this variable.",
        )

    def handle(self, *args, username, email, full_name, password_env=None, **options):
        if password_env:
            password = os.environ.get(password_env, "")
        else:
            password = getpass.getpass("Mật khẩu / password: ")
            if password != getpass.getpass("Nhập lại / again: "):
                raise CommandError("Hai mật khẩu không khớp. The passwords differ.")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        user, created = services.user_upsert(
            username=username,
            email=email,
            full_name=full_name,
            password=password,
            is_superuser=True,
            email_verified=True,
        )
        verb = "Đã tạo / created" if created else "Đã cập nhật / updated"
        self.stdout.write(self.style.SUCCESS(f"{verb}: {user.username}"))
