from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import get_language

from .models import Competence


def current_competences() -> QuerySet[Competence]:
    """Component competences of the current framework, in framework order."""
    return Competence.objects.filter(
        framework__is_current=True, kind=Competence.Kind.COMPETENCE
    ).order_by("sort_order")


def competence_choices() -> list[tuple[str, str]]:
    """(code, "code name") of the current framework's competences, for filter menus.

    Cached for ten minutes per language: the framework changes a few times a year, and the
    catalogue shows this menu on every view.
    """
    key = f"assessments:competence-choices:{get_language()}"
    choices = cache.get(key)
    if choices is None:
        choices = [(c.code, str(c)) for c in current_competences()]
        cache.set(key, choices, 600)
    return choices
