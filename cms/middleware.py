import hashlib
from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.core.cache import cache
from django.http.request import split_domain_port
from django.utils.cache import get_max_age
from django.utils.functional import SimpleLazyObject
from wagtail.models import Site

from courses.caching import cached, one_version, pages_version

from . import sessions

# The H5P content origin runs its authors' scripts inside our frame: they may use inline
# script and eval (many H5P libraries do), and media from the web (YouTube in interactive
# videos), but may be framed only by the site and may send data nowhere but their own origin.
H5P_CONTENT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", "https:"],
    "media-src": ["'self'", "blob:", "https:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", "https://www.youtube-nocookie.com", "https://www.youtube.com"],
    "form-action": ["'none'"],
}


API_POLICY = "default-src 'none'; frame-ancestors 'none'"


class CSPMiddleware(BaseCSPMiddleware):
    """The site's Content-Security-Policy, relaxed for the Wagtail admin only.

    Wagtail's admin still initialises date pickers and a few widgets with inline scripts, and
    shows page previews in a frame of its own, so ``/admin/`` may run inline script and be
    framed by the site itself; every public and learner page may do neither.
    """

    def process_response(self, request, response):
        # A JSON answer (an H5P statement, an autosave, a badge) is read by a script, never
        # shown as a page: nothing in it may load, run or be framed. A fixed policy, stricter
        # than any page's, instead of composing the site's for every statement and autosave.
        kind = response.get("Content-Type", "").split(";")[0].strip()
        if kind == "application/json" or kind.endswith("+json"):
            response.headers.setdefault("Content-Security-Policy", API_POLICY)
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if getattr(request, "h5p_content_origin", False):
            site = urlsplit(settings.SITE_URL)
            parts.replace = {
                **H5P_CONTENT_POLICY,
                "frame-ancestors": [f"{site.scheme}://{site.netloc}"],
            }
            return parts
        if getattr(request, "embeddable", False):
            # A section's headlines, framed by commune and agency websites.
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["*"]}
        # Lessons frame H5P content from its own origin (read here, so tests can move it).
        parts.update = {**(parts.update or {}), "frame-src": [settings.H5P_CONTENT_ORIGIN]}
        if request.path.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-inline'"]}
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts


def _content_host() -> str:
    return (urlsplit(settings.H5P_CONTENT_ORIGIN).hostname or "").lower()


class H5PContentOriginMiddleware:
    """Requests to the H5P content host see only the content URLs, and leave with no cookie.

    The same processes serve the site and the content; the host name decides which URL map
    answers, so the site's pages (and their session) are unreachable from the content origin
    and the content is unreachable from the site's.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        host, _port = split_domain_port(request.get_host())
        if host.rstrip(".") != _content_host():
            return self.get_response(request)
        request.COOKIES = {}  # whatever the browser sent, nothing here reads a session
        request.urlconf = "assessments.content_urls"
        request.h5p_content_origin = True
        response = self.get_response(request)
        response.cookies.clear()
        return response


PAGE_CACHE_SECONDS = 300


class OnePagesVersionMiddleware:
    """Every cached page read of a request builds its key on the same pages version, read
    from the cache once (``courses.caching.one_version``): for a signed-in visitor, in one
    round trip with their session (``cms.sessions.read_ahead``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with one_version():
            session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
            if session_key:
                sessions.read_ahead(session_key)
            try:
                return self.get_response(request)
            finally:
                sessions.forget()


class AnonymousPageCacheMiddleware:
    """Whole pages for visitors who are not signed in, answered from the cache before the
    session, authentication or Wagtail's routing run: a hit costs no query.

    A page is stored only when it was served through ``cache_for_audience`` (the portal's and
    the courses' pages) and declared public there, it is a 200 that sets no cookie, and the
    request was a GET that carried no cookie and no query string; it is served to GETs
    without a session or a message waiting. The address decides
    the language (unprefixed is Vietnamese), so it is the key. Publishing, moving or
    withdrawing any page starts a new ``pages_version``, so a change shows at once; anything
    else (the headline figure) is at most ``max-age`` old, as browsers were already told.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is not None:
            response = cache.get(key)
            if response is not None:
                response["X-Cache"] = "hit"
                return response
        response = self.get_response(request)
        if key is not None and not request.COOKIES and self._public(response):
            cache.set(key, response, min(get_max_age(response), PAGE_CACHE_SECONDS))
        return response

    @staticmethod
    def _key(request) -> str | None:
        if (
            request.method != "GET"
            or request.META.get("QUERY_STRING")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or "messages" in request.COOKIES
            or getattr(request, "h5p_content_origin", False)
        ):
            return None
        address = hashlib.sha256(f"{request.get_host()}{request.path}".encode()).hexdigest()
        return f"page:{pages_version()}:{address}"

    @staticmethod
    def _public(response) -> bool:
        control = response.get("Cache-Control", "")
        return (
            getattr(response, "anonymous_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "public" in control
            and "private" not in control
            and "no-store" not in control
            and (get_max_age(response) or 0) > 0
        )


class CachedSiteMiddleware:
    """Wagtail looks up the site, and loads its home page, for every page it serves, and
    reads the sites' root paths from the cache for the first address it writes: answers that
    change only when a site or a page does. They are kept with the pages
    (``courses.caching``, this process's memory first) and handed to Wagtail where it keeps
    them for the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and not getattr(request, "h5p_content_origin", False):
            request._wagtail_site = cached(f"site:{request.get_host()}", lambda: _site(request))
            # Read when Wagtail first writes a link (many admin pages never do).
            request._wagtail_cached_site_root_paths = SimpleLazyObject(
                lambda: cached("site-root-paths", Site.get_site_root_paths)
            )
        return self.get_response(request)


def _site(request):
    site = Site._find_for_request(request)
    if site is not None:
        site.root_page = site.root_page.specific  # loaded once, kept with the site
    return site
