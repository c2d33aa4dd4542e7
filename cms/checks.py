"""Deployment checks Django's own do not know about."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def h5p_content_origin(app_configs, **kwargs):
    """H5P content must come from an origin of its own (else it runs with the learner's
    session), on a subdomain of the site (else browsers that block third-party storage
    break it)."""
    site = urlsplit(settings.SITE_URL)
    content = urlsplit(settings.H5P_CONTENT_ORIGIN)
    if (site.hostname or "").lower() == (content.hostname or "").lower():
        # Cookies ignore ports: another port of the same host would receive them.
        return [
            Error(
                "H5P_CONTENT_ORIGIN is on the site's own host; H5P content would receive the "
                "learner's cookies.",
                hint="Serve it from a subdomain, e.g. https://h5p.<site host>.",
                id="cms.E001",
            )
        ]
    site_host, content_host = site.hostname or "", content.hostname or ""
    parent = site_host.split(".", 1)[-1]
    if not (content_host.endswith("." + site_host) or content_host.endswith("." + parent)):
        return [
            Warning(
                "H5P_CONTENT_ORIGIN is not a subdomain of the site's domain; browsers that block "
                "third-party storage will stop H5P content from working.",
                hint="Use a subdomain of the site, e.g. https://h5p.<site host>.",
                id="cms.W001",
            )
        ]
    for name in ("SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN"):
        domain = (getattr(settings, name, None) or "").lstrip(".").lower()
        if domain and (content_host == domain or content_host.endswith("." + domain)):
            return [
                Error(
                    f"{name} covers the H5P content host, which would receive the cookie.",
                    hint=f"Leave {name} unset (host-only cookies).",
                    id="cms.E002",
                )
            ]
    return []
