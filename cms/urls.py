from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from accounts import views as account_views
from certificates.urls import badge_urlpatterns

from . import feeds, views

# Every login form goes through allauth's rate-limited login view.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("healthz/", views.healthz, name="healthz"),
    path("admin/login/", views.admin_login),
    path("admin/", include(wagtailadmin_urls)),
    path("django-admin/", admin.site.urls),
    path("documents/", include(wagtaildocs_urls)),
    path("", include((badge_urlpatterns, "badges"))),
    # Feeds and the embed are language-neutral addresses other systems keep.
    path("tin-tuc/rss/", feeds.NewsFeed(), name="news_rss"),
    path("tin-tuc/atom/", feeds.NewsAtomFeed(), name="news_atom"),
    path("tin-tuc/feed.json", views.news_json, name="news_json"),
    path("tin-tuc/<slug:slug>/rss/", feeds.NewsFeed(), name="section_rss"),
    path("tin-tuc/<slug:slug>/atom/", feeds.NewsAtomFeed(), name="section_atom"),
    path("tin-tuc/<slug:slug>/feed.json", views.news_json, name="section_json"),
    path("tin-tuc/<slug:slug>/nhung/", views.news_embed, name="section_embed"),
]

urlpatterns += i18n_patterns(
    path("accounts/2fa/", account_views.mfa_index, name="mfa_index"),
    path("accounts/2fa/totp/activate/", account_views.mfa_activate_totp, name="mfa_activate_totp"),
    path("accounts/", include("allauth.urls")),
    path("accounts/", include("accounts.urls")),
    path("hoc-tap/", include("learning.urls")),
    path("hoc-tap/", include("assessments.urls")),
    path("lop-hoc/", include("classes.urls")),
    path("bao-cao/", include("reports.urls")),
    path("tim-kiem/", views.search, name="search"),
    path("", include("certificates.urls")),
    prefix_default_language=False,
)

if settings.DEBUG:
    from django.conf.urls.static import static

    # Only images, as nginx does in production: certificates and exports are served by
    # views that check who is asking.
    for folder in ("images", "original_images"):
        urlpatterns += static(
            f"{settings.MEDIA_URL}{folder}/", document_root=f"{settings.MEDIA_ROOT}/{folder}"
        )

# Wagtail serves every other path, so it comes last. Its own front-end login form
# (/_util/login/, for private pages) would skip allauth's rate limits, email verification
# and two-factor step, so it is replaced by the one login.
urlpatterns += i18n_patterns(
    path("_util/login/", views.admin_login),
    path("", include(wagtail_urls)),
    prefix_default_language=False,
)
