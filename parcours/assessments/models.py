"""Assessed completions: a module's criteria, the projects learners hand in (one row per
version) and their review by a trainer."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.lib.i18n import pick


class Criterion(models.Model):
    """One criterion a module's projects are reviewed against (ordered)."""

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="assessment_criteria")
    position = models.PositiveSmallIntegerField(_("rang"))
    text_fr = models.CharField(_("critère (français)"), max_length=300)
    text_en = models.CharField(_("critère (anglais)"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("critère d'évaluation")
        verbose_name_plural = _("critères d'évaluation")
        ordering = ["module", "position"]
        constraints = [
            models.UniqueConstraint(fields=["module", "position"], name="criterion_position_once"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self, "text")


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("En attente de revue")
    PASSED = "passed", _("Réussi")
    TO_REVISE = "to_revise", _("À retravailler")
    FAILED = "failed", _("Non réussi")


#: A reviewer's possible results (a submission starts as SUBMITTED).
RESULTS = (SubmissionStatus.PASSED, SubmissionStatus.TO_REVISE, SubmissionStatus.FAILED)


class Submission(models.Model):
    """One version of a learner's project for a module (a resubmission is a new row)."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="project_submissions"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="submissions")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_submissions"
    )
    version = models.PositiveSmallIntegerField(_("version"))
    text = models.TextField(_("présentation du projet"), max_length=2000)
    link = models.URLField(_("lien vers le projet"), max_length=500, blank=True)
    # The file, kept in the private storage (assessments.uploads), never under MEDIA_ROOT.
    file_name = models.CharField(_("fichier"), max_length=200, blank=True)
    stored_name = models.CharField(max_length=80, blank=True, editable=False)
    content_type = models.CharField(max_length=120, blank=True, editable=False)
    file_size = models.PositiveIntegerField(default=0, editable=False)
    file_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    # The learner agrees that the badge's evidence points to this project (public page).
    evidence_consent = models.BooleanField(
        _("montrer ce projet comme preuve du badge"), default=False
    )
    status = models.CharField(
        _("résultat"),
        max_length=12,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.SUBMITTED,
    )
    submitted_at = models.DateTimeField(_("remis le"))
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revu par"),
    )
    reviewed_at = models.DateTimeField(_("revu le"), null=True, blank=True)
    feedback = models.TextField(_("retour du formateur"), max_length=4000, blank=True)

    class Meta:
        verbose_name = _("projet remis")
        verbose_name_plural = _("projets remis")
        ordering = ["module", "learner", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "module", "version"], name="submission_version_once"
            ),
            # At most one version waiting for review, and at most one passed.
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=Q(status="submitted"),
                name="submission_one_pending",
            ),
            models.UniqueConstraint(
                fields=["learner", "module"],
                condition=Q(status="passed"),
                name="submission_one_passed",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "submitted_at"]),
            models.Index(fields=["module", "learner"]),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}/{self.learner_id} v{self.version}"

    @property
    def is_pending(self) -> bool:
        return self.status == SubmissionStatus.SUBMITTED


class CriterionResult(models.Model):
    """A reviewer's judgement of one criterion for one submission (the criterion's text is kept:
    criteria may change later)."""

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="criterion_results"
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    criterion_text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    met = models.BooleanField(_("atteint"))
    comment = models.CharField(_("commentaire"), max_length=500, blank=True)

    class Meta:
        ordering = ["submission", "position"]

    def __str__(self) -> str:
        return f"{self.submission_id}:{self.position}"
