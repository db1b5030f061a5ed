"""Orientation: ESCO occupations and ISCO groups, an organisation's worlds and job sheets.

ESCO (European Skills, Competences, Qualifications and Occupations, v1.1.1) is shared reference
data, loaded by ``manage.py import_esco``; worlds and job sheets belong to one organisation and
are written for young people (10-15 years old), each job sheet tied to an ESCO occupation, to
study routes and to catalogue modules and pathways.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.lib.i18n import pick
from parcours.pathways.models import Pathway
from parcours.scheduling.models import OutreachActivity

ESCO_ATTRIBUTION = "ESCO, European Commission"


class IscoGroup(models.Model):
    """An ISCO-08 group (1 to 4 digits), as published with ESCO."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    uri = models.CharField(_("URI"), max_length=200, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="children"
    )
    label_fr = models.CharField(max_length=300, blank=True)
    label_en = models.CharField(max_length=300, blank=True)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        verbose_name = _("groupe CITP")
        verbose_name_plural = _("groupes CITP")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        return pick(self, "label")

    @property
    def description(self) -> str:
        return pick(self, "description")


class Occupation(models.Model):
    """An ESCO occupation: labels and description in French and English, its ISCO group.

    ``search_text`` is the folded (lower case, no accents, see ``lib.text.fold``) French and
    English preferred and alternative labels, one per line, written by the importer; the
    search matches it (a few thousand rows: a scan of one narrow column).
    """

    uri = models.CharField(_("URI"), max_length=200, unique=True)
    code = models.CharField(_("code ESCO"), max_length=40, db_index=True)
    isco_group = models.ForeignKey(
        IscoGroup,
        on_delete=models.PROTECT,
        related_name="occupations",
        verbose_name=_("groupe CITP"),
    )
    preferred_label_fr = models.CharField(max_length=300, blank=True)
    preferred_label_en = models.CharField(max_length=300, blank=True)
    alt_labels_fr = models.TextField(blank=True, help_text="One label per line.")
    alt_labels_en = models.TextField(blank=True, help_text="One label per line.")
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    search_text = models.TextField(blank=True)
    sort_label = models.CharField(max_length=300, blank=True, db_index=True)

    class Meta:
        verbose_name = _("métier ESCO")
        verbose_name_plural = _("métiers ESCO")
        ordering = ["sort_label"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self, "preferred_label")

    @property
    def description(self) -> str:
        return pick(self, "description")

    @property
    def alt_labels(self) -> list[str]:
        return [line for line in pick(self, "alt_labels").splitlines() if line.strip()]


class World(models.Model):
    """A world of an organisation's explorer ("Mécanosphère", "Géoterra"…)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="orientation_worlds"
    )
    slug = models.SlugField(_("identifiant"), max_length=60)
    name_fr = models.CharField(_("nom (français)"), max_length=120)
    name_en = models.CharField(_("nom (anglais)"), max_length=120, blank=True)
    tagline_fr = models.CharField(_("accroche (français)"), max_length=200, blank=True)
    tagline_en = models.CharField(_("accroche (anglais)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    resources_fr = models.TextField(
        _("ressources pédagogiques (français, Markdown)"),
        blank=True,
        help_text=_("Pour les enseignants : activités, liens, fiches à imprimer."),
    )
    resources_en = models.TextField(_("ressources pédagogiques (anglais, Markdown)"), blank=True)
    colour = models.CharField(_("couleur"), max_length=7, default="#1d4f91")
    illustration = models.ImageField(_("illustration"), upload_to="orientation/worlds/", blank=True)
    illustration_alt_fr = models.CharField(
        _("description de l'illustration (français)"), max_length=200, blank=True
    )
    illustration_alt_en = models.CharField(
        _("description de l'illustration (anglais)"), max_length=200, blank=True
    )
    order = models.PositiveSmallIntegerField(_("rang"), default=0)
    is_published = models.BooleanField(_("publié"), default=False)
    outreach_activities = models.ManyToManyField(
        OutreachActivity,
        blank=True,
        related_name="orientation_worlds",
        verbose_name=_("animations"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("monde")
        verbose_name_plural = _("mondes")
        ordering = ["organisation", "order", "name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="world_slug_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return pick(self, "name")

    @property
    def tagline(self) -> str:
        return pick(self, "tagline")

    @property
    def description(self) -> str:
        return pick(self, "description")

    @property
    def resources(self) -> str:
        return pick(self, "resources")

    @property
    def illustration_alt(self) -> str:
        return pick(self, "illustration_alt")


class JobSheet(models.Model):
    """A job sheet ("expert"): an occupation told to young people, in one world."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="orientation_job_sheets"
    )
    world = models.ForeignKey(
        World, on_delete=models.PROTECT, related_name="job_sheets", verbose_name=_("monde")
    )
    slug = models.SlugField(_("identifiant"), max_length=80)
    title_fr = models.CharField(_("titre (français)"), max_length=160)
    title_en = models.CharField(_("titre (anglais)"), max_length=160, blank=True)
    occupation = models.ForeignKey(
        Occupation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="job_sheets",
        verbose_name=_("métier ESCO"),
    )
    summary_fr = models.CharField(_("en une phrase (français)"), max_length=300, blank=True)
    summary_en = models.CharField(_("en une phrase (anglais)"), max_length=300, blank=True)
    work_fr = models.TextField(_("le métier (français)"), blank=True)
    work_en = models.TextField(_("le métier (anglais)"), blank=True)
    day_fr = models.TextField(_("une journée (français)"), blank=True)
    day_en = models.TextField(_("une journée (anglais)"), blank=True)
    qualities_fr = models.TextField(_("qualités (français)"), blank=True)
    qualities_en = models.TextField(_("qualités (anglais)"), blank=True)
    workplaces_fr = models.TextField(_("où l'on travaille (français)"), blank=True)
    workplaces_en = models.TextField(_("où l'on travaille (anglais)"), blank=True)
    testimony_name = models.CharField(_("témoin (prénom, fonction)"), max_length=160, blank=True)
    testimony_video_url = models.URLField(_("vidéo du témoignage"), blank=True)
    testimony_transcript_fr = models.TextField(_("transcription (français)"), blank=True)
    testimony_transcript_en = models.TextField(_("transcription (anglais)"), blank=True)
    illustration = models.ImageField(_("illustration"), upload_to="orientation/sheets/", blank=True)
    illustration_alt_fr = models.CharField(
        _("description de l'illustration (français)"), max_length=200, blank=True
    )
    illustration_alt_en = models.CharField(
        _("description de l'illustration (anglais)"), max_length=200, blank=True
    )
    order = models.PositiveSmallIntegerField(_("rang"), default=0)
    is_published = models.BooleanField(_("publié"), default=False)
    modules = models.ManyToManyField(
        Module, blank=True, related_name="orientation_job_sheets", verbose_name=_("modules")
    )
    pathways = models.ManyToManyField(
        Pathway, blank=True, related_name="orientation_job_sheets", verbose_name=_("parcours")
    )
    outreach_activities = models.ManyToManyField(
        OutreachActivity,
        blank=True,
        related_name="orientation_job_sheets",
        verbose_name=_("animations"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("fiche métier")
        verbose_name_plural = _("fiches métier")
        ordering = ["organisation", "world__order", "order", "title_fr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="jobsheet_slug_per_org"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self, "title")

    @property
    def summary(self) -> str:
        return pick(self, "summary")

    @property
    def work(self) -> str:
        return pick(self, "work")

    @property
    def day(self) -> str:
        return pick(self, "day")

    @property
    def qualities(self) -> str:
        return pick(self, "qualities")

    @property
    def workplaces(self) -> str:
        return pick(self, "workplaces")

    @property
    def testimony_transcript(self) -> str:
        return pick(self, "testimony_transcript")

    @property
    def illustration_alt(self) -> str:
        return pick(self, "illustration_alt")


class StudyRoute(models.Model):
    """A study route that leads to a job sheet's occupation."""

    class Kind(models.TextChoices):
        SECONDARY = "secondary", _("Option de l'enseignement secondaire")
        HIGHER = "higher", _("Formation de l'enseignement supérieur")
        ADULT = "adult", _("Formation pour adultes")
        OTHER = "other", _("Autre")

    job_sheet = models.ForeignKey(JobSheet, on_delete=models.CASCADE, related_name="routes")
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.SECONDARY)
    title_fr = models.CharField(_("intitulé (français)"), max_length=200)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=200, blank=True)
    institution = models.CharField(_("établissement"), max_length=200, blank=True)
    url = models.URLField(_("lien"), blank=True)
    order = models.PositiveSmallIntegerField(_("rang"), default=0)

    class Meta:
        verbose_name = _("filière d'études")
        verbose_name_plural = _("filières d'études")
        ordering = ["job_sheet", "order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self, "title")


# Games, quiz and class mode (their own module, same app): see class_models.py.
from parcours.orientation.class_models import (  # noqa: E402, F401
    ClassAnswer,
    ClassVisit,
    GameItem,
    Pupil,
    QuizResult,
    QuizStatement,
)
