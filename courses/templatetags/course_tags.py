from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from courses.caching import cached
from courses.models import CourseIndexPage

register = template.Library()


@register.filter
def duration(minutes: int | None) -> str:
    """45 → "45 phút", 90 → "1 giờ 30 phút"."""
    hours, rest = divmod(int(minutes or 0), 60)
    if hours and rest:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": rest}


@register.simple_tag(takes_context=True)
def catalogue_url(context) -> str:
    """The catalogue's address for the menu: its page is looked up once until a page changes."""
    request = context.get("request")
    index = cached("catalogue", lambda: CourseIndexPage.objects.live().first())
    return index.get_url(request) if index else ""


@register.filter
def lookup(mapping, key):
    """``quizzes|lookup:quiz.pk``: an entry of a dict in the context, or None."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.simple_tag(takes_context=True)
def lesson_body(context, page) -> str:
    """The lesson's blocks, each in its ``<div class="block block-…">``.

    What is the same for every learner (text, a tip, a figure, a video, a document) is
    rendered once per language until a page changes, and kept with the pages
    (``courses.caching``); a graded block (a quiz, an H5P activity) shows this learner's
    state and is rendered for each request. A preview (a draft in the editor) is never
    kept, nor read from what was kept."""
    flat = None

    def render(block) -> str:
        nonlocal flat
        if flat is None:
            flat = context.flatten()
        return format_html(
            '<div class="block block-{}">{}</div>',
            block.block_type,
            block.render_as_block(context=flat),
        )

    blocks = list(page.body)
    request = context.get("request")
    if request is None or getattr(request, "is_preview", False):
        return mark_safe("".join(render(block) for block in blocks))  # noqa: S308
    kept = cached(
        f"lesson-body:{page.pk}:{get_language()}",
        lambda: [
            None if getattr(block.block, "graded", False) else render(block) for block in blocks
        ],
    )
    if len(kept) != len(blocks):  # kept from another state of the page: not used
        kept = [None] * len(blocks)
    return mark_safe(  # noqa: S308 - each part is format_html's
        "".join(
            html if html is not None else render(block)
            for html, block in zip(kept, blocks, strict=True)
        )
    )
