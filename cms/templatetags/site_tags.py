import unicodedata

from django import template
from django.conf import settings
from django.utils.translation import get_language, get_language_from_path, get_language_info

from courses.caching import pages_version

register = template.Library()


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """This page in each language: "/khoa-hoc/" and "/en/khoa-hoc/".

    Plain links rather than a POST form, so that public pages carry no CSRF token and can be
    cached, and switching works without JavaScript.
    """
    request = context["request"]
    path = request.get_full_path()
    prefix = get_language_from_path(request.path_info)
    if prefix and prefix != settings.LANGUAGE_CODE:
        path = path[len(prefix) + 1 :] or "/"
    current = get_language()
    return [
        {
            "code": code,
            # Django spells "Tiếng Việt" decomposed (NFD); pages use composed text throughout.
            "name": unicodedata.normalize("NFC", get_language_info(code)["name_local"]),
            "url": path if code == settings.LANGUAGE_CODE else f"/{code}{path}",
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def menu_key(context) -> str:
    """Everything the site menu depends on, so that each process renders each variant once
    (``{% cache ... using="chrome" %}`` in ``base.html``): the language, signed in or not,
    the administration link, and the pages version (the catalogue's address)."""
    user = context["request"].user
    admin = user.is_staff and user.has_perm("wagtailadmin.access_admin")
    return f"{get_language()}:{int(user.is_authenticated)}:{int(admin)}:{pages_version()}"


@register.simple_tag
def content_language() -> str:
    """The language pages are written in: the site's default until Wagtail i18n is turned on.

    Marked on the content so that screen readers read Vietnamese text as Vietnamese on /en/.
    """
    return settings.LANGUAGE_CODE
