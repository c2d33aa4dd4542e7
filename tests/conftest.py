import pytest
from django.core.cache import caches

from .factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits and cached pages live in the cache (Redis in CI): start every test clean."""
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture(autouse=True)
def _mail_through_the_outbox(settings):
    """pytest-django swaps EMAIL_BACKEND for its test mailbox; keep the outbox in between, so
    tests see mail the way production sends it (delivered to ``mail.outbox`` by the worker)."""
    settings.EMAIL_BACKEND = "accounts.mail.OutboxBackend"


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """``with on_commit():`` runs what requests deferred to their commit (emails, tasks, events),
    as production would once the request's transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def learner(db):
    return UserFactory(username="nguyenvanan", full_name="Nguyễn Văn An", email="an@example.vn")


@pytest.fixture
def staff_user(db):
    return UserFactory(username="biientap", full_name="Lê Thị Biên Tập", is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="quantri", full_name="Quản Trị", is_staff=True, is_superuser=True)


def login(client, login_value: str, password: str = PASSWORD):
    """Log in the way a person does: through allauth's form."""
    return client.post("/accounts/login/", {"login": login_value, "password": password})
