"""The digital competence framework that courses, lessons and (later) questions are tagged to.

Circular 02/2025/TT-BGDĐT: 6 domains, 24 component competences, 8 levels in 4 tiers. Frameworks
change, so each competence belongs to a versioned framework and old tags keep their meaning.
Each framework also names its eight proficiency levels (``ProficiencyLevel``), which
questions are tagged with and the skill profile reports.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class CompetenceFramework(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    version = models.CharField(_("version"), max_length=32)
    is_current = models.BooleanField(_("current"), default=True)

    class Meta:
        verbose_name = _("competence framework")
        verbose_name_plural = _("competence frameworks")

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class Level(models.TextChoices):
    """The four tiers of the framework's eight levels."""

    BASIC = "basic", _("Basic (levels 1–2)")
    INTERMEDIATE = "intermediate", _("Intermediate (levels 3–4)")
    ADVANCED = "advanced", _("Advanced (levels 5–6)")
    SPECIALISED = "specialised", _("Specialised (levels 7–8)")


class ProficiencyLevel(models.Model):
    """One of a framework's eight levels ("Bậc 1" … "Bậc 8"), grouped in four tiers."""

    framework = models.ForeignKey(
        CompetenceFramework, on_delete=models.CASCADE, related_name="levels"
    )
    number = models.PositiveSmallIntegerField(_("level"))
    tier = models.CharField(_("tier"), max_length=16, choices=Level.choices)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("proficiency level")
        verbose_name_plural = _("proficiency levels")
        ordering = ["framework", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "number"], name="assessments_level_number_per_framework"
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_vi


class Competence(models.Model):
    class Kind(models.TextChoices):
        DOMAIN = "domain", _("Domain")
        COMPETENCE = "competence", _("Competence")

    framework = models.ForeignKey(
        CompetenceFramework, on_delete=models.CASCADE, related_name="competences"
    )
    code = models.CharField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=255)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)
    digcomp_code = models.CharField(_("DigComp 2.2 code"), max_length=16, blank=True)
    sort_order = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("competence")
        verbose_name_plural = _("competences")
        ordering = ["framework", "sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"], name="assessments_competence_code_per_framework"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def name(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name_vi
