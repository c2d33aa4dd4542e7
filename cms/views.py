from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache

from . import selectors


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
