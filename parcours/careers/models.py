"""Career follow-up: a person's file with a career manager, its log, outcomes and surveys."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.careers import milestones
from parcours.careers.querysets import CareerFileQuerySet, FollowUpQuerySet


class Milestone(models.TextChoices):
    ENTRY = milestones.ENTRY, _("Entrée en formation")
    MID = milestones.MID, _("Mi-parcours")
    END = milestones.END, _("Fin de formation")
    M3 = milestones.M3, _("3 mois après")
    M6 = milestones.M6, _("6 mois après")
    M12 = milestones.M12, _("12 mois après")


class OutcomeStatus(models.TextChoices):
    EMPLOYED = "employed", _("En emploi")
    FURTHER_TRAINING = "training", _("En formation complémentaire")
    INTERNSHIP = "internship", _("En stage")
    SELF_EMPLOYED = "self_employed", _("Indépendant·e")
    JOB_SEEKING = "job_seeking", _("En recherche d'emploi")
    UNKNOWN = "unknown", _("Inconnu")


class ContractType(models.TextChoices):
    PERMANENT = "permanent", _("CDI")
    FIXED_TERM = "fixed_term", _("CDD")
    TEMPORARY = "temporary", _("Intérim")
    SUBSIDISED = "subsidised", _("Contrat aidé")
    OTHER = "other", _("Autre contrat")


class CareerFile(models.Model):
    """A person followed by a career manager of an organisation, from their application to
    +12 months after their training. One file per person and organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="career_files"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="career_files",
        verbose_name=_("personne"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="caseload",
        verbose_name=_("chargé·e de suivi"),
    )
    application = models.ForeignKey(
        "candidates.Application",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="career_files",
        verbose_name=_("candidature"),
    )
    session = models.ForeignKey(
        "enrolment.Session",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="career_files",
        verbose_name=_("formation suivie"),
    )
    training_start = models.DateField(_("début de formation"), null=True, blank=True)
    training_end = models.DateField(_("fin de formation"), null=True, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("clôturé le"), null=True, blank=True)

    objects = CareerFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("dossier de suivi")
        verbose_name_plural = _("dossiers de suivi")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "person"], name="career_file_one"),
            models.CheckConstraint(
                condition=Q(training_end__isnull=True)
                | Q(training_start__isnull=True)
                | Q(training_end__gte=models.F("training_start")),
                name="career_file_training_order",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "manager"])]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def milestone_dates(self) -> dict[str, dt.date | None]:
        return milestones.due_dates(self.training_start, self.training_end)

    @property
    def follow_up_ends(self) -> dt.date | None:
        return milestones.follow_up_ends(self.training_end)


class FollowUp(models.Model):
    """One entry of the follow-up log: a meeting, a call, an e-mail or a note, with an optional
    next action and its due date. Its text is seen by the organisation's career managers only."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("Rendez-vous")
        CALL = "call", _("Appel")
        EMAIL = "email", _("E-mail")
        NOTE = "note", _("Mémo")

    file = models.ForeignKey(CareerFile, on_delete=models.CASCADE, related_name="followups")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.MEETING)
    happened_on = models.DateField(_("date"))
    note = models.TextField(_("compte rendu"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    next_action = models.CharField(_("prochaine action"), max_length=300, blank=True)
    next_due = models.DateField(_("pour le"), null=True, blank=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    # The reminder e-mail of the next action went out (at most one per action).
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("suivi")
        verbose_name_plural = _("suivis")
        ordering = ["-happened_on", "-pk"]
        indexes = [
            models.Index(fields=["next_due", "done_at"]),
            models.Index(fields=["file", "done_at", "next_due"], name="careers_followup_open_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.happened_on:%d/%m/%Y}"

    @property
    def is_open(self) -> bool:
        return bool(self.next_action) and self.done_at is None


class Outcome(models.Model):
    """Where the person stands at a milestone (one per milestone, the latest record wins)."""

    class Source(models.TextChoices):
        MANAGER = "manager", _("Chargé·e de suivi")
        SURVEY = "survey", _("Enquête")

    file = models.ForeignKey(CareerFile, on_delete=models.CASCADE, related_name="outcomes")
    milestone = models.CharField(_("jalon"), max_length=6, choices=Milestone.choices)
    status = models.CharField(_("situation"), max_length=16, choices=OutcomeStatus.choices)
    contract = models.CharField(
        _("type de contrat"), max_length=12, choices=ContractType.choices, blank=True
    )
    note = models.CharField(_("précision"), max_length=300, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANAGER)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("situation")
        verbose_name_plural = _("situations")
        ordering = ["file", "milestone"]
        constraints = [
            models.UniqueConstraint(fields=["file", "milestone"], name="outcome_one_per_milestone"),
            models.CheckConstraint(
                condition=Q(status="employed") | Q(contract=""), name="outcome_contract_if_employed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_milestone_display()}: {self.get_status_display()}"


class OutcomeSurvey(models.Model):
    """The +6 months survey, answered through an e-mailed link without login. The link carries
    a signed random token; only its SHA-256 is stored; it works once, until ``expires_at``."""

    file = models.ForeignKey(CareerFile, on_delete=models.CASCADE, related_name="surveys")
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enquête de situation")
        verbose_name_plural = _("enquêtes de situation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file} ({self.created_at:%d/%m/%Y})"
