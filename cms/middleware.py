from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts
from django.conf import settings
from django.http.request import split_domain_port

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


class CSPMiddleware(BaseCSPMiddleware):
    """The site's Content-Security-Policy, relaxed for the Wagtail admin only.

    Wagtail's admin still initialises date pickers and a few widgets with inline scripts, and
    shows page previews in a frame of its own, so ``/admin/`` may run inline script and be
    framed by the site itself; every public and learner page may do neither.
    """

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
