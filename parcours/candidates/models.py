"""Calls for applications, their questions and selection stages, the applications and what the
selection records about them (files, test scores, interview grids, decision e-mails).

Personal data lives on :class:`Application` (name, e-mail, phone, answers, files); the purge
(``manage.py purge_candidates``) blanks it and keeps the row, so the funnel counts stay.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.pathways.models import Pathway


class Call(models.Model):
    """An open call for applications to a training (a module or a pathway and its sessions)."""

    class Kind(models.TextChoices):
        QUALIFYING = "qualifying", _("Formation qualifiante")
        PREPARATORY = "preparatory", _("Programme préparatoire")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="calls", verbose_name=_("organisation")
    )
    slug = models.SlugField(_("adresse"), max_length=80)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("présentation"), blank=True)
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.QUALIFYING)
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pathway = models.ForeignKey(
        Pathway, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sessions = models.ManyToManyField(Session, blank=True, related_name="calls")
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(_("clôture"))
    places = models.PositiveIntegerField(_("places"))
    audiences = models.JSONField(_("publics admis"), default=list, blank=True)
    retention_days = models.PositiveIntegerField(_("durée de conservation (jours)"), default=365)
    # Where candidates not selected may be referred (the preparatory programme's call).
    referral_call = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The call that a preparatory programme's people are invited to apply to again.
    followup_call = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published = models.BooleanField(_("publié"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("appel à candidatures")
        verbose_name_plural = _("appels à candidatures")
        ordering = ("-opens_at", "id")
        constraints = (
            models.UniqueConstraint(fields=("organisation", "slug"), name="call_unique_slug"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            ),
        )

    def __str__(self) -> str:
        return self.title

    def is_open(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.published and self.opens_at <= moment < self.closes_at  # type: ignore[operator]


class Stage(models.Model):
    """One column of a call's selection board, in ``order``."""

    class Milestone(models.TextChoices):
        NONE = "", _("—")
        INFORMATION = "information", _("Séance d'information")
        TESTS = "tests", _("Tests")
        INTERVIEW = "interview", _("Entretien")
        DECISION = "decision", _("Décision")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="stages")
    order = models.PositiveSmallIntegerField(_("ordre"))
    label = models.CharField(_("étape"), max_length=100)
    milestone = models.CharField(
        _("jalon"), max_length=12, choices=Milestone.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("étape de sélection")
        verbose_name_plural = _("étapes de sélection")
        ordering = ("call", "order", "id")

    def __str__(self) -> str:
        return self.label


class Question(models.Model):
    class Kind(models.TextChoices):
        TEXT = "text", _("Texte")
        CHOICE = "choice", _("Choix")
        DATE = "date", _("Date")
        NUMBER = "number", _("Nombre")
        YES_NO = "yes_no", _("Oui / non")
        FILE = "file", _("Fichier")

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("question"), max_length=300)
    kind = models.CharField(_("type"), max_length=8, choices=Kind.choices)
    choices = models.JSONField(_("choix possibles"), default=list, blank=True)
    required = models.BooleanField(_("obligatoire"), default=False)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ("call", "order", "id")

    def __str__(self) -> str:
        return self.label


class Criterion(models.Model):
    """A criterion of the call's interview grid, weighted."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)
    label = models.CharField(_("critère"), max_length=200)
    weight = models.PositiveSmallIntegerField(_("poids"), default=1)

    class Meta:
        verbose_name = _("critère d'entretien")
        verbose_name_plural = _("critères d'entretien")
        ordering = ("call", "order", "id")

    def __str__(self) -> str:
        return self.label


class Decision(models.TextChoices):
    NONE = "", _("En cours")
    SELECTED = "selected", _("Retenu·e")
    WAITLISTED = "waitlisted", _("En liste d'attente")
    NOT_SELECTED = "not_selected", _("Non retenu·e")
    REFERRED = "referred", _("Orienté·e vers le programme préparatoire")


class Application(models.Model):
    """One person's application to one call (one per e-mail and call)."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="applications")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
    )
    email = models.EmailField(_("e-mail"), blank=True)
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    # What the person declared they are (one of the call's audiences, when it has some).
    audience = models.CharField(_("public"), max_length=20, blank=True)
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="applications")
    decision = models.CharField(
        _("décision"), max_length=12, choices=Decision.choices, blank=True, default=""
    )
    consent_at = models.DateTimeField(_("consentement"))
    submitted_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    informed_at = models.DateTimeField(null=True, blank=True)
    tested_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The application this one comes from: a referral to the preparatory programme, or the
    # re-application after it.
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="followups"
    )
    # Anonymous figures kept after the purge.
    gender = models.CharField(max_length=16, blank=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ("call", "submitted_at", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("call", "email"),
                condition=~Q(email=""),
                name="application_one_per_email",
            ),
        )
        indexes = (models.Index(fields=("call", "stage"), name="application_board_idx"),)

    def __str__(self) -> str:
        if self.purged_at:
            return str(_("Candidature anonymisée n° %(n)s") % {"n": self.pk})
        return f"{self.first_name} {self.last_name}".strip() or self.email

    @property
    def full_name(self) -> str:
        return str(self)


class Answer(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    value = models.TextField(blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("application", "question"), name="answer_unique"),
        )

    def __str__(self) -> str:
        return self.value[:50]


class ApplicationFile(models.Model):
    """An uploaded file, stored in the private storage (never under the web root)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("pièce"), max_length=100)
    original_name = models.CharField(max_length=200)
    stored_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ("application", "id")

    def __str__(self) -> str:
        return self.original_name


class Score(models.Model):
    """A test result of a candidate (one per test name)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="scores")
    test = models.CharField(_("test"), max_length=100)
    score = models.DecimalField(_("note"), max_digits=6, decimal_places=2)
    out_of = models.DecimalField(_("sur"), max_digits=6, decimal_places=2, default=100)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=("application", "test"), name="score_unique_test"),
        )

    def __str__(self) -> str:
        return f"{self.test}: {self.score}/{self.out_of}"


class InterviewScore(models.Model):
    """One interviewer's score for one criterion of one candidate."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interview_scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="+")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("note (0 à 5)"))
    comment = models.TextField(_("commentaire"), blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = (
            models.UniqueConstraint(
                fields=("application", "criterion", "interviewer"), name="interview_score_unique"
            ),
            models.CheckConstraint(condition=Q(score__lte=5), name="interview_score_max"),
        )

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class Message(models.Model):
    """An e-mail to a candidate (decision, invitation to re-apply), written by staff from a
    template, queued and sent by a task."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("En file d'attente")
        SENT = "sent", _("Envoyé")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=30)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte"))
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("application", "created_at", "id")

    def __str__(self) -> str:
        return self.subject
