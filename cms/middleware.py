from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts


class CSPMiddleware(BaseCSPMiddleware):
    """The site's Content-Security-Policy, relaxed for the Wagtail admin only.

    Wagtail's admin still initialises date pickers and a few widgets with inline scripts, and
    shows page previews in a frame of its own, so ``/admin/`` may run inline script and be
    framed by the site itself; every public and learner page may do neither.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path.startswith("/admin/"):
            parts.update = {**(parts.update or {}), "script-src": ["'unsafe-inline'"]}
            parts.replace = {**(parts.replace or {}), "frame-ancestors": ["'self'"]}
        return parts
