from django.contrib import messages
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from . import selectors
from .models import ArticlePage


@never_cache
def healthz(request):
    """Liveness for load balancers and compose: the database answers, and the cache works.

    The worker's last heartbeat is reported but does not fail the check: web must stay up to
    show learners their progress even while workers restart.
    """
    status = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - any database failure means "not healthy"
        status["database"] = "error"
    try:
        cache.set("healthz", "1", 10)
        if cache.get("healthz") != "1":
            status["cache"] = "error"
    except Exception:  # noqa: BLE001 - a cache outage is reported, not raised
        status["cache"] = "error"
    heartbeat = selectors.latest_heartbeat() if status["database"] == "ok" else None
    status["worker_last_seen"] = heartbeat.last_seen.isoformat() if heartbeat else None
    healthy = status["database"] == "ok" and status["cache"] == "ok"
    return JsonResponse(status, status=200 if healthy else 503)


def admin_login(request):
    """Wagtail's own login forms are replaced by the site's rate-limited allauth login.

    Someone already logged in who lacks admin access is told so, rather than sent back to a
    login that would send them here again.
    """
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("wagtailadmin_home")
    if request.user.is_authenticated:
        if request.user.has_perm("wagtailadmin.access_admin"):
            return redirect(next_url)
        return render(request, "403.html", status=403)
    return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")


# --- The campaign portal (issue 10) ---------------------------------------------------------

NEWS_MAX_AGE = 300


def _public(response, seconds: int = NEWS_MAX_AGE):
    patch_cache_control(response, public=True, max_age=seconds)
    return response


@require_safe
def news_json(request, slug=None):
    """A JSON Feed (jsonfeed.org 1.1) that grassroots systems re-post from: title, summary,
    link, dates, tags, and every picture, video and audio file as an absolute URL."""
    section = None
    if slug is not None:
        section = selectors.section_or_404(slug)
    items = []
    for article in selectors.articles(section=section)[: selectors.FEED_SIZE]:
        url = request.build_absolute_uri(article.url)
        media = selectors.article_media(article, request)
        cover = next((m["url"] for m in media if m["role"] == "image"), None)
        audio = [m for m in media if m["role"] == "audio"]
        items.append(
            {
                "id": url,
                "url": url,
                "title": article.title,
                "summary": article.lead,
                "content_text": article.lead,
                "image": cover,
                "date_published": article.first_published_at.isoformat(),
                "date_modified": article.last_published_at.isoformat(),
                "tags": [tag.name for tag in article.tags.all()],
                "attachments": [
                    {
                        "url": m["url"],
                        "mime_type": m["mime_type"],
                        "size_in_bytes": m["size_in_bytes"],
                    }
                    for m in audio
                ],
                "_binhdan": {"media": media, "audio": audio[0]["url"] if audio else None},
            }
        )
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": f"{section.title} – Bình dân học vụ số" if section else "Bình dân học vụ số",
        "home_page_url": request.build_absolute_uri(section.url if section else "/"),
        "feed_url": request.build_absolute_uri(),
        "language": "vi",
        "items": items,
    }
    response = JsonResponse(feed, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/feed+json; charset=utf-8"
    response["Access-Control-Allow-Origin"] = "*"  # read by other sites' scripts
    return _public(response)


@require_safe
@xframe_options_exempt
def news_embed(request, slug):
    """The section's latest headlines, for an iframe on any commune or agency website."""
    section = selectors.section_or_404(slug)
    request.embeddable = True  # cms.middleware lets any site frame this page
    response = render(
        request,
        "cms/news_embed.html",
        {"section": section, "articles": selectors.articles(section=section)[:8]},
    )
    return _public(response)


@require_safe
def search(request):
    """News and courses, found with or without diacritics ("nghi quyet" finds "Nghị quyết")."""
    from courses.models import CoursePage, fold

    query = (request.GET.get("q") or "").strip()[:100]
    results = []
    if query:
        folded = fold(query)
        articles = ArticlePage.objects.live().public().search(folded, operator="and")
        courses = CoursePage.objects.live().public().search(folded, operator="and")
        results = [("course", page) for page in courses[:20]] + [
            ("article", page) for page in articles[:30]
        ]
    response = render(request, "cms/search.html", {"query": query, "results": results})
    if not request.user.is_authenticated and not len(messages.get_messages(request)):
        _public(response)
    return response
