"""Settings shared by every environment.

Every value that differs between a laptop, CI and production comes from the environment
through ``cms.settings.env`` (django-environ), never from an edited file. Defaults are the
embedded ones: SQLite, eager Celery, local-memory cache, console email.
"""

from pathlib import Path

from celery.schedules import crontab

from .env import env, redis_url_for

PROJECT_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PROJECT_DIR.parent

SECRET_KEY = env("SECRET_KEY", default="")
# Keys the hashes of personal identification numbers (số định danh) that match roster rows to
# accounts. Set once and never rotated: a new key makes every stored hash unmatchable. Without
# it (development) the secret key is used.
NATIONAL_ID_KEY = env("NATIONAL_ID_KEY", default="")
DEBUG = env.bool("DEBUG", default=False)
# In development the site is http://hocvuso.localhost:8000 and H5P content comes from
# http://h5p.hocvuso.localhost:8000: browsers send *.localhost to this machine by themselves.
ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "hocvuso.localhost", ".hocvuso.localhost"]
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env("SITE_URL", default="http://hocvuso.localhost:8000")

INSTALLED_APPS = [
    # Our apps, in the dependency order enforced by import-linter (see README).
    "cms",
    "accounts",
    "assessments",
    "courses",
    "learning",
    "classes",
    "certificates",
    "reports",
    # Wagtail (``wagtail.users`` is replaced by our config so the user forms know our fields).
    "accounts.apps.WagtailUsersConfig",
    "wagtail.contrib.forms",
    "wagtail.contrib.frontend_cache",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Accounts: django-allauth with TOTP two-factor for staff.
    "allauth",
    "allauth.account",
    "allauth.mfa",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "csp",
]

MIDDLEWARE = [
    "cms.middleware.H5PContentOriginMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "cms.middleware.OnePagesVersionMiddleware",
    # Public pages for visitors not signed in, before anything reads a session.
    "cms.middleware.AnonymousPageCacheMiddleware",
    "cms.middleware.CachedSiteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cms.middleware.CSPMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "cms.urls"
WSGI_APPLICATION = "cms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PROJECT_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -------------------------------------------------------------------
# One REDIS_URL; the cache and the broker use different Redis databases so that flushing
# the cache can never drop queued tasks.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "cms.cache.RedisCache",
            "LOCATION": redis_url_for(REDIS_URL, env.int("REDIS_CACHE_DB", default=1)),
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="hvs"),
        }
    }
    CELERY_BROKER_URL = redis_url_for(REDIS_URL, env.int("REDIS_BROKER_DB", default=0))
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
# Wagtail looks image renditions up here before the database: a page of course cards then
# costs no query per image.
# The site menu, rendered once per variant in each process (``base.html``).
CACHES["chrome"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "chrome",
}
CACHES["renditions"] = {**CACHES["default"], "KEY_PREFIX": "hvs-renditions", "TIMEOUT": 86400}
CELERY_TASK_EAGER_PROPAGATES = True
# Celery closes the database connection around every task unless this is set; with it, only
# every this many tasks, and cms.celery closes it when broken or older than CONN_MAX_AGE.
CELERY_DB_REUSE_MAX = 500
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The few long tasks (a certificate backlog, a ZIP of an agency's certificates) have their own.
CELERY_LONG_TASK_TIME_LIMIT = env.int("CELERY_LONG_TASK_TIME_LIMIT", default=3600)
# The options of the long tasks (a backlog, a ZIP, a roster, a recount): ``@shared_task(**…)``.
CELERY_LONG_TASK = {
    "time_limit": CELERY_LONG_TASK_TIME_LIMIT,
    "soft_time_limit": CELERY_LONG_TASK_TIME_LIMIT - 100,
}
# Redis redelivers an unacknowledged task after this long; it must exceed the longest hard
# time limit or long tasks would run twice while still running.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_LONG_TASK_TIME_LIMIT + 600}
CELERY_TIMEZONE = "Asia/Ho_Chi_Minh"
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "cms.tasks.worker_heartbeat", "schedule": 60.0},
    "publish-scheduled": {"task": "cms.tasks.publish_scheduled", "schedule": 60.0},
    "send-pending-email": {"task": "accounts.tasks.send_pending_email", "schedule": 300.0},
    "certificates-sweep": {"task": "certificates.tasks.sweep", "schedule": 600.0},
    # Hourly: each reminder and each weekly digest is keyed, so it goes out once.
    "class-reminders": {"task": "classes.tasks.send_reminders", "schedule": 3600.0},
    "class-digests": {"task": "classes.tasks.send_digests", "schedule": 3600.0},
    "close-overdue-attempts": {
        "task": "assessments.tasks.close_overdue_attempts",
        "schedule": 300.0,
    },
    # A new certificate reaches the coverage figures within a minute: each change queues a
    # recount on commit, and this catches any whose task was lost.
    "coverage-rollup": {"task": "reports.tasks.rollup_pending", "schedule": 20.0},
    # Roster files hold raw identification numbers: the ones never imported are removed.
    "roster-sweep": {"task": "accounts.tasks.sweep_rosters", "schedule": crontab(hour=3, minute=0)},
    "coverage-rebuild": {
        "task": "reports.tasks.rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
}

# --- Authentication ---------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# One django.contrib.sites Site: allauth names it in emails and keys failed-login counts on its
# domain, which must not change with the Host header (a port would reset the count).
SITE_ID = 1
AUTHENTICATION_BACKENDS = [
    "accounts.backends.CachedModelBackend",  # Django's, reading the signed-in user from cache
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_USER_DISPLAY = "accounts.models.user_display"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Bình dân học vụ số] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# Failed logins are limited per account and per address; every login form of the site
# (ours, Wagtail's and Django's admin) goes through this one view.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("RATE_LIMIT_LOGIN_FAILED", default="20/m/ip,5/5m/key"),
    "login": "30/m/ip",
    "signup": "20/h/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reauthenticate": "10/m/user",
}
# Behind nginx (and a load balancer), the client's address is in X-Forwarded-For; without
# this every visitor would share the proxy's address and its rate limits.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]

MFA_TOTP_ISSUER = "Bình dân học vụ số"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
# Our strings, then Vietnamese catalogues for libraries whose own are missing or partial.
LOCALE_PATHS = [
    BASE_DIR / "locale",
    BASE_DIR / "locale-thirdparty" / "allauth",
    BASE_DIR / "locale-thirdparty" / "wagtail-admin",
    BASE_DIR / "locale-thirdparty" / "wagtail-apps",
]
LANGUAGE_COOKIE_NAME = "hvs_lang"
FORMAT_MODULE_PATH = ["cms.formats"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = False

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
NODE_MODULES_DIR = BASE_DIR / "node_modules"
# Front-end packages from npm (package.json), served as our own static files: no CDN.
STATICFILES_DIRS = [
    PROJECT_DIR / "static",
    ("h5p-standalone", NODE_MODULES_DIR / "h5p-standalone" / "dist"),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Email ------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
# Mail is written to the outbox and delivered by a worker with the backend EMAIL_URL names.
EMAIL_DELIVERY_BACKEND = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = "accounts.mail.OutboxBackend"
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Bình dân học vụ số <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- H5P --------------------------------------------------------------------------------
# H5P content runs its authors' scripts, so it is served from an origin of its own: the
# site's cookies (host-only) never reach it, and its scripts cannot read the learner's pages.
# The lesson frames it (sandboxed) and talks to it by postMessage, origins checked on both
# sides. It must be a subdomain of the site's own domain (same site, another origin):
# browsers that block third-party storage would otherwise deny the content localStorage,
# and H5P stops working. The same processes serve it, by host name (cms.middleware).
H5P_CONTENT_ORIGIN = env("H5P_CONTENT_ORIGIN", default="http://h5p.hocvuso.localhost:8000").rstrip(
    "/"
)
H5P_MAX_UPLOAD_BYTES = env.int("H5P_MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
H5P_MAX_FILES = env.int("H5P_MAX_FILES", default=10_000)
H5P_MAX_UNCOMPRESSED_BYTES = env.int("H5P_MAX_UNCOMPRESSED_BYTES", default=500 * 1024 * 1024)
H5P_MAX_FILE_BYTES = env.int("H5P_MAX_FILE_BYTES", default=200 * 1024 * 1024)
# The newest H5P core API the bundled player (h5p-standalone 3.8.2) provides: the corpus's
# hub packages need up to 1.24 and play in it.
# Statements (and states) one learner may send per minute: a lesson's activities send a few
# per answer; a flood from a script or hostile content is refused before it is stored.
H5P_STATEMENT_RATE = env("H5P_STATEMENT_RATE", default="240/m")
H5P_CORE_API = tuple(int(part) for part in env("H5P_CORE_API", default="1.24").split("."))

# --- Security headers (tightened further in production) ----------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # Wagtail's admin reads the token from the cookie.
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
# Sessions are read from the cache (Redis in production) and written through to the
# database, so a cache restart logs nobody out and most requests skip one query
# (Django's cached_db, which cms.sessions reads in one round trip with the pages version).
SESSION_ENGINE = "cms.sessions"
# Scripts are our own files only and nothing may frame the site; the Wagtail admin is relaxed
# (inline scripts, its own preview frame), see cms.middleware. Inline styles are allowed for
# the admin's widgets.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'", "https://www.youtube-nocookie.com"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# --- Front-end cache ---------------------------------------------------------------------
# Public news pages are cacheable for five minutes; publishing an article purges its page,
# its section, the home page and the feeds at the cache in front (Varnish, or nginx with a
# purge module) when FRONTEND_CACHE_PURGE_URL names it.
WAGTAILFRONTENDCACHE = {}
if env("FRONTEND_CACHE_PURGE_URL", default=""):
    WAGTAILFRONTENDCACHE["default"] = {
        "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
        "LOCATION": env("FRONTEND_CACHE_PURGE_URL"),
    }

# --- Wagtail ----------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Bình dân học vụ số"
WAGTAILADMIN_BASE_URL = SITE_URL
# Our /admin/login/ view: to allauth's login, or a 403 for people logged in without access.
WAGTAILADMIN_LOGIN_URL = "/admin/login/"
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
WAGTAIL_ENABLE_UPDATE_CHECK = False
# Avatars from Gravatar would send a hash of every editor's email to a third party.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILUSERS_PASSWORD_ENABLED = True
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Page addresses in plain ASCII ("ky-nang-so-co-ban"), readable and safe to share on Zalo.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
# Lesson videos and their captions are uploaded as documents.
# mp3/m4a: the audio of an article, for commune loudspeakers (issue 10).
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "odt",
    "pdf",
    "pptx",
    "txt",
    "xlsx",
    "mp4",
    "webm",
    "vtt",
    "mp3",
    "m4a",
]
WAGTAILDOCS_MAX_UPLOAD_SIZE = 200 * 1024 * 1024
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILDOCS_SERVE_METHOD = "serve_view"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
    },
}

# --- Certificates -----------------------------------------------------------------------
# Serial numbers read aloud over the phone: NA-2026-000123.
CERTIFICATE_SERIAL_PREFIX = env("CERTIFICATE_SERIAL_PREFIX", default="NA")
# The public verify page, per client address (django-ratelimit, in the default cache).
CERTIFICATE_VERIFY_RATE = env("CERTIFICATE_VERIFY_RATE", default="30/m")

DEMO_PASSWORD = env("DEMO_PASSWORD", default="HocVuSo@2026")
