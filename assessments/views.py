from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from . import selectors


@never_cache
@login_required
def skill_profile(request):
    """ "Hồ sơ năng lực số": the learner's level per competence, from their graded answers."""
    domains = selectors.skill_profile(user=request.user)
    shown = any(row.evidence for domain in domains for row in domain.rows)
    return render(
        request, "assessments/skill_profile.html", {"domains": domains, "has_evidence": shown}
    )
