"""Sessions (a module given on dates), their half-day slots, enrolments, attendance.

Sessions live in this app rather than in ``scheduling`` because a session is what people enrol
in: the waitlist, the seat counter and the roll call all hang off it. ``scheduling`` owns rooms
and bookings; a session reserves its room through ``scheduling.actions`` (see docs/enrolment.md).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.enrolment import checkin
from parcours.enrolment.querysets import EnrolmentQuerySet, SessionQuerySet
from parcours.enrolment.states import ACTIVE, EnrolmentStatus, SessionStatus
from parcours.lib import dates
from parcours.scheduling.models import OutreachPupilCount, Resource

DEFAULT_MIN_ATTENDANCE_PERCENT = 80


class Session(models.Model):
    """A module given on dates, at a site (and room) or online, with a capacity."""

    Status = SessionStatus

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sessions"
    )
    module = models.ForeignKey(
        Module, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("module")
    )
    code = models.CharField(
        _("code"),
        max_length=40,
        help_text=_("Unique dans l'organisation, p. ex. M1A-GOS-2026-03."),
    )
    label = models.CharField(_("intitulé complémentaire"), max_length=200, blank=True)
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("site"),
    )
    # Reserved through scheduling.actions.reserve_for_session (one booking per slot).
    room = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sessions",
        limit_choices_to={"kind__in": Resource.SESSION_KINDS},
        verbose_name=_("salle"),
        help_text=_("Une salle du site de la session, ou une unité mobile amenée sur place."),
    )
    online_url = models.URLField(_("lien de la classe virtuelle"), blank=True)
    access_notes = models.TextField(
        _("informations pratiques"),
        blank=True,
        help_text=_("Ce qui s'ajoute aux indications du site : salle, étage, matériel à apporter."),
    )
    capacity = models.PositiveIntegerField(_("places"))
    # Seats held by confirmed (and later attended/no-show/completed) enrolments. Kept by the
    # actions under the session's row lock; the CHECK constraint is the last line of defence.
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    enrolment_opens = models.DateTimeField(_("ouverture des inscriptions"), null=True, blank=True)
    enrolment_closes = models.DateTimeField(
        _("clôture des inscriptions"),
        null=True,
        blank=True,
        help_text=_("Vide : jusqu'au début de la session."),
    )
    cancellation_deadline_hours = models.PositiveSmallIntegerField(
        _("délai d'annulation (heures avant le début)"), default=48
    )
    audience = models.CharField(
        _("réservé au public"),
        max_length=20,
        choices=Module.Audience.choices,
        blank=True,
        help_text=_("Vide : ouvert à tous."),
    )
    requires_approval = models.BooleanField(_("inscriptions soumises à approbation"), default=False)
    status = models.CharField(
        _("statut"), max_length=12, choices=SessionStatus.choices, default=SessionStatus.DRAFT
    )
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="trained_sessions",
        blank=True,
        verbose_name=_("formateurs"),
    )
    # First slot's start and last slot's end, kept by the actions (listing, overlap queries).
    starts_at = models.DateTimeField(null=True, blank=True, editable=False)
    ends_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()
    # Not stored: set by ``actions.update_session`` to the people a larger capacity promoted.
    promoted: list[Enrolment]

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["starts_at", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="session_code_per_org"),
            models.CheckConstraint(
                condition=models.Q(capacity__gt=0), name="session_capacity_gt_0"
            ),
            models.CheckConstraint(
                condition=models.Q(seats_taken__lte=models.F("capacity")),
                name="session_seats_within_capacity",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["module", "status", "starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.module.title}"

    @property
    def title(self) -> str:
        return f"{self.module.title} — {self.label}" if self.label else self.module.title

    @property
    def seats_left(self) -> int:
        return max(0, self.capacity - self.seats_taken)

    @property
    def is_online(self) -> bool:
        return self.site_id is None and bool(self.online_url)

    @property
    def cancellation_deadline(self) -> dt.datetime | None:
        if self.starts_at is None:
            return None
        try:
            return self.starts_at - dt.timedelta(hours=self.cancellation_deadline_hours)
        except OverflowError:  # a start near year 1 (refused at input since; old rows)
            return None

    @property
    def effective_enrolment_closes(self) -> dt.datetime | None:
        return self.enrolment_closes or self.starts_at

    def enrolment_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        if self.status != SessionStatus.PUBLISHED:
            return False
        if self.enrolment_opens and now < self.enrolment_opens:
            return False
        closes = self.effective_enrolment_closes
        return not (closes and now >= closes)


class SessionSlot(models.Model):
    """A half-day (at most) of a session: attendance is taken per slot."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    # Secret of the QR check-in tokens (see checkin.py); rotated by actions.rotate_checkin_secret.
    checkin_secret = models.CharField(max_length=64, default=checkin.new_secret, editable=False)

    class Meta:
        verbose_name = _("créneau")
        verbose_name_plural = _("créneaux")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="slot_ends"),
        ]
        indexes = [models.Index(fields=["session", "start"]), models.Index(fields=["start"])]

    def __str__(self) -> str:
        return f"{self.session.code} {dates.format_datetime(self.start, 'short')}"

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


class Enrolment(models.Model):
    """A person's place (or request, or place in the queue) in a session."""

    Status = EnrolmentStatus

    class Source(models.TextChoices):
        SELF = "self", _("Inscription personnelle")
        COORDINATOR = "coordinator", _("Coordinateur")
        IMPORT = "import", _("Import de fichier")
        SCHOOL = "school", _("École")
        API = "api", _("API")
        LMS = "lms", _("Cours en ligne (LTI)")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="enrolments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments"
    )
    status = models.CharField(_("statut"), max_length=12, choices=EnrolmentStatus.choices)
    source = models.CharField(_("origine"), max_length=12, choices=Source.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Waitlist order: (queued_at, id), both set under the session's row lock.
    queued_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("motif"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = EnrolmentQuerySet.as_manager()

    # Not stored: set by ``actions.cancel`` to the people promoted into the freed seat.
    promoted: list[Enrolment]
    # Not stored: set by the views from ``permissions.can_be_cancelled`` (the cancel button).
    cancellable: bool
    # Not stored: the rank in its status group on the roster (the waitlist's order).
    position: int
    # Not stored: how the roster names the learner (``querysets.names_seen_by``).
    display_name: str

    class Meta:
        verbose_name = _("inscription")
        verbose_name_plural = _("inscriptions")
        ordering = ["queued_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=models.Q(status__in=sorted(ACTIVE)),
                name="enrolment_one_active_per_learner",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "queued_at"]),
            models.Index(fields=["learner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.learner} @ {self.session.code} ({self.status})"


class Attendance(models.Model):
    """Present or absent, for one enrolment at one slot."""

    class Method(models.TextChoices):
        TRAINER = "trainer", _("Appel du formateur")
        QR = "qr", _("QR code")
        REPORT = "report", _("Rapport de participation en ligne")

    slot = models.ForeignKey(SessionSlot, on_delete=models.CASCADE, related_name="attendances")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attendances")
    present = models.BooleanField(_("présent"))
    method = models.CharField(max_length=10, choices=Method.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["slot", "enrolment"], name="attendance_once_per_slot"),
        ]
        indexes = [models.Index(fields=["enrolment", "present"])]

    def __str__(self) -> str:
        return f"{self.enrolment_id}@{self.slot_id}: {'P' if self.present else 'A'}"


class LearnerProfile(models.Model):
    """What enrolment needs to know about a learner beyond accounts: their audience."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )

    class Gender(models.TextChoices):
        FEMALE = "female", _("Femme")
        MALE = "male", _("Homme")
        OTHER = "other", _("Autre")
        UNDISCLOSED = "undisclosed", _("Je préfère ne pas répondre")

    class AgeBand(models.TextChoices):
        UNDER_18 = "under_18", _("Moins de 18 ans")
        FROM_18 = "18_25", _("18 à 25 ans")
        FROM_26 = "26_35", _("26 à 35 ans")
        FROM_36 = "36_45", _("36 à 45 ans")
        FROM_46 = "46_55", _("46 à 55 ans")
        FROM_56 = "56_plus", _("56 ans et plus")

    audience = models.CharField(
        _("je suis"), max_length=20, choices=Module.Audience.choices, blank=True
    )
    # Self-declared, optional, for the reports only (never required; blank = not said).
    gender = models.CharField(_("genre"), max_length=12, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(
        _("année de naissance"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    age_band = models.CharField(
        _("tranche d'âge"),
        max_length=10,
        choices=AgeBand.choices,
        blank=True,
        help_text=_("Si vous préférez ne pas donner votre année de naissance."),
    )
    school_year = models.CharField(
        _("année scolaire (élèves)"),
        max_length=3,
        choices=OutreachPupilCount.Grade.choices,
        blank=True,
    )

    class Meta:
        verbose_name = _("profil d'apprenant")
        verbose_name_plural = _("profils d'apprenants")

    def __str__(self) -> str:
        return f"{self.user} ({self.audience or '-'})"


class SchoolEmailDomain(models.Model):
    """An e-mail domain an organisation accepts in enrolment imports (none declared: any)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="import_email_domains"
    )
    domain = models.CharField(pgettext_lazy("courriel", "domaine"), max_length=200)

    class Meta:
        verbose_name = _("domaine de courriel accepté")
        verbose_name_plural = _("domaines de courriel acceptés")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "domain"], name="email_domain_once"),
        ]

    def __str__(self) -> str:
        return self.domain


class CompletionRule(models.Model):
    """How much of a module's session a learner must attend to complete it (default 80 %)."""

    module = models.OneToOneField(Module, on_delete=models.CASCADE, related_name="completion_rule")
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("présence minimale (%)"), default=DEFAULT_MIN_ATTENDANCE_PERCENT
    )

    class Meta:
        verbose_name = _("règle de réussite")
        verbose_name_plural = _("règles de réussite")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(min_attendance_percent__gte=1)
                & models.Q(min_attendance_percent__lte=100),
                name="completion_rule_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}: {self.min_attendance_percent} %"
