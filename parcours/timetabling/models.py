"""A training campaign a coordinator describes, its plan, and what trainers may teach.

The plan itself is computed by the pure planner (``parcours.timetabling.campaign``); these
tables keep what the coordinator typed, the solver's progress and its best plan (JSON, read
back through :mod:`parcours.timetabling.adapter`), and which sessions a commit created.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.pathways.models import Pathway

MAX_GROUPS_PER_SITE = 10
MAX_GROUPS_TOTAL = 100
MAX_GROUP_SIZE = 200
MAX_GAP_DAYS = 60
MAX_SOLVE_SECONDS = 600
MAX_WEIGHT = 100


class TrainerProfile(models.Model):
    """What a trainer of the organisation may teach, where, and when they are away."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="trainer_profiles"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_profiles"
    )
    modules = models.ManyToManyField(Module, related_name="+", verbose_name=_("modules"))
    sites = models.ManyToManyField(
        Site, related_name="+", blank=True, verbose_name=_("sites où il ou elle se rend")
    )
    home_site = models.ForeignKey(
        Site,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site d'attache"),
    )
    max_days_per_week = models.PositiveSmallIntegerField(
        _("jours de formation par semaine (au plus)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(7)],
    )
    unavailable = models.JSONField(_("jours d'absence"), default=list, blank=True)  # ISO dates

    class Meta:
        verbose_name = _("profil de formateur")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="timetabling_trainer_once_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.user.get_full_name() or self.user.email


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("À planifier")
    SOLVING = "solving", _("Calcul en cours")
    PLANNED = "planned", _("Plan proposé")
    INFEASIBLE = "infeasible", _("Aucun plan possible")
    COMMITTED = "committed", _("Sessions créées")


class Campaign(models.Model):
    """Groups of a pathway's modules to place at several sites over a period."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="campaigns"
    )
    name = models.CharField(_("nom"), max_length=200)
    code = models.CharField(_("préfixe des codes de session"), max_length=20)
    pathway = models.ForeignKey(
        Pathway, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sites = models.ManyToManyField(Site, related_name="+", verbose_name=_("sites"))
    start = models.DateField(_("du"))
    end = models.DateField(_("au (inclus)"))
    weekdays = models.JSONField(_("jours de la semaine"), default=list)  # 0 = Monday
    mornings = models.BooleanField(_("matinées"), default=True)
    afternoons = models.BooleanField(_("après-midi"), default=True)
    holidays = models.JSONField(_("jours fériés"), default=list, blank=True)  # ISO dates
    groups_per_site = models.PositiveSmallIntegerField(
        _("groupes par site"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUPS_PER_SITE)],
    )
    groups_total = models.PositiveSmallIntegerField(
        _("groupes en tout (le calcul choisit leurs sites)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUPS_TOTAL)],
    )  # set: these groups, each at the site the solver chooses, instead of groups_per_site
    group_size = models.PositiveSmallIntegerField(
        _("participants par groupe"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_GROUP_SIZE)],
    )
    one_introduction = models.BooleanField(
        _("chaque groupe suit un seul module d'introduction (en alternance)"), default=False
    )
    options_per_group = models.PositiveSmallIntegerField(
        _("options par groupe (0 : toutes)"),
        default=0,
        validators=[MaxValueValidator(40)],
    )
    min_gap_days = models.PositiveSmallIntegerField(
        _("jours libres entre deux modules d'un groupe"),
        default=1,
        validators=[MaxValueValidator(MAX_GAP_DAYS)],
    )
    spread_weight = models.PositiveSmallIntegerField(
        _("poids : étaler les groupes sur la période"),
        default=2,
        validators=[MaxValueValidator(MAX_WEIGHT)],
    )
    monthly_weight = models.PositiveSmallIntegerField(
        _("poids : au moins un groupe par site et par mois"),
        default=3,
        validators=[MaxValueValidator(MAX_WEIGHT)],
    )
    trips_weight = models.PositiveSmallIntegerField(
        _("poids : moins de déplacements des formateurs"),
        default=1,
        validators=[MaxValueValidator(MAX_WEIGHT)],
    )
    preferred_weight = models.PositiveSmallIntegerField(
        _("poids : jours préférés"), default=0, validators=[MaxValueValidator(MAX_WEIGHT)]
    )
    preferred_weekdays = models.JSONField(_("jours préférés"), default=list, blank=True)
    seconds = models.PositiveSmallIntegerField(
        _("temps de calcul (secondes)"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_SOLVE_SECONDS)],
    )
    status = models.CharField(
        max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    run = models.PositiveIntegerField(default=0)  # which solve the progress belongs to
    stop_requested = models.BooleanField(default=False)
    progress = models.JSONField(default=dict, blank=True)  # score, bound, seconds, solutions
    plan = models.JSONField(default=list, blank=True)  # placements (see adapter)
    costs = models.JSONField(default=dict, blank=True)  # per soft wish
    reasons = models.JSONField(default=list, blank=True)  # why no plan: [kind, {params}]
    pins = models.JSONField(default=list, blank=True)  # session ids kept when re-solving
    planned_at = models.DateTimeField(null=True, blank=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campagne de formation")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="timetabling_campaign_period"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CampaignModule(models.Model):
    """A module of the campaign and how it runs."""

    class Phase(models.IntegerChoices):
        INTRODUCTION = 0, _("Introduction")
        OPTION = 1, _("Option")
        CLOSING = 2, _("Clôture")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="modules")
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="+")
    phase = models.PositiveSmallIntegerField(choices=Phase.choices, default=Phase.OPTION)
    half_days = models.PositiveSmallIntegerField(
        _("durée (demi-journées)"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    consecutive = models.BooleanField(_("jours consécutifs"), default=True)
    features = models.JSONField(_("équipement requis"), default=list, blank=True)  # slugs

    class Meta:
        ordering = ["phase", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "module"], name="timetabling_module_once_per_campaign"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.module_id}"


class CommittedSession(models.Model):
    """A session a commit created from the plan (which plan entry it came from)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="created")
    plan_session = models.CharField(max_length=120)
    session = models.ForeignKey("enrolment.Session", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "plan_session"], name="timetabling_commit_once"
            )
        ]

    def __str__(self) -> str:
        return self.plan_session
