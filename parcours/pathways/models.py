"""Pathways (a set of modules and a declarative rule) and the completions they are judged on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.lib.i18n import pick
from parcours.pathways.querysets import CompletionQuerySet, PathwayQuerySet


class Pathway(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        PUBLISHED = "published", _("Publié")
        ARCHIVED = "archived", _("Archivé")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="pathways"
    )
    code = models.CharField(_("code"), max_length=30)
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    summary_fr = models.TextField(_("résumé (français)"), blank=True)
    summary_en = models.TextField(_("résumé (anglais)"), blank=True)
    # The rule as data (see rules.py): {"all_of": [...]} with module ids.
    rule = models.JSONField(_("règle"))
    modules: models.ManyToManyField[Module, PathwayModule] = models.ManyToManyField(
        Module, through="PathwayModule", related_name="pathways", verbose_name=_("modules")
    )
    status = models.CharField(
        _("statut"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PathwayQuerySet.as_manager()

    class Meta:
        verbose_name = _("parcours")
        verbose_name_plural = _("parcours")
        ordering = ["title_fr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="pathway_code_per_org"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self, "title")

    @property
    def summary(self) -> str:
        return pick(self, "summary")


class PathwayModule(models.Model):
    """A module that belongs to a pathway (derived from the rule, kept for queries)."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="memberships")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["pathway", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "module"], name="pathway_module_once"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id}:{self.module_id}"


class Completion(models.Model):
    """A learner completed a module. Written only by ``pathways.actions.record_completions``
    (attendance, assessments, recognition of prior learning, imports, the admin, the demo)."""

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Présences")
        MANUAL = "manual", _("Encodage manuel")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Données de démonstration")
        MOODLE = "moodle", _("Moodle")
        ASSESSMENT = "assessment", _("Évaluation (projet réussi)")
        RECOGNITION = "recognition", _("Reconnaissance des acquis")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="completions"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="completions")
    completed_on = models.DateField(_("terminé le"))
    hours = models.DecimalField(_("heures"), max_digits=6, decimal_places=2)
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.MANUAL)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CompletionQuerySet.as_manager()

    class Meta:
        verbose_name = _("module terminé")
        verbose_name_plural = _("modules terminés")
        constraints = [
            models.UniqueConstraint(fields=["learner", "module"], name="completion_once"),
        ]
        indexes = [models.Index(fields=["module", "learner"])]

    def __str__(self) -> str:
        return f"{self.learner_id} ✓ {self.module_id}"
