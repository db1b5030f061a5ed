"""What Parcours hands to people: attestations of participation, calendar subscriptions, and
the bookkeeping of the messages it sends (calendar sequence numbers, reminders already sent).

An attestation states what was true when it was issued: the learner's name, the module, the
dates, place and hours are copied onto it (a later change of the session does not rewrite a
document someone already holds). It is revoked, never deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from base64 import b32encode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.documents.querysets import AttestationQuerySet, CalendarFeedQuerySet
from parcours.enrolment.models import Enrolment, Session
from parcours.lib.i18n import pick

CODE_BYTES = 20  # 160 bits: 32 characters of base32


def new_verification_code() -> str:
    """A random, unguessable code (32 characters, A-Z and 2-7)."""
    return b32encode(secrets.token_bytes(CODE_BYTES)).decode("ascii").rstrip("=")


def normalise_code(raw: str) -> str:
    """What a person typed or scanned: case, spaces and dashes do not matter."""
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Attestation(models.Model):
    """An attestation of participation in a session, for one enrolment."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attestations")
    # Denormalised from the enrolment: every list is filtered by organisation or session.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="attestations"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attestations")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attestations"
    )
    code = models.CharField(
        _("code de vérification"), max_length=40, unique=True, default=new_verification_code
    )
    issued_at = models.DateTimeField(_("émise le"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What the document states, as issued.
    learner_name = models.CharField(_("apprenant"), max_length=300)
    module_code = models.CharField(_("code du module"), max_length=40, blank=True)
    module_title_fr = models.CharField(max_length=300)
    module_title_en = models.CharField(max_length=300, blank=True)
    organisation_name = models.CharField(_("organisation"), max_length=200)
    place = models.CharField(_("lieu"), max_length=400, blank=True)
    online = models.BooleanField(_("à distance"), default=False)
    starts_on = models.DateField(_("du"))
    ends_on = models.DateField(_("au"))
    hours_attended = models.DecimalField(_("heures suivies"), max_digits=7, decimal_places=2)
    hours_planned = models.DecimalField(_("heures prévues"), max_digits=7, decimal_places=2)
    signatory_name = models.CharField(_("signataire"), max_length=300, blank=True)
    signatory_role = models.CharField(_("fonction du signataire"), max_length=20, blank=True)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_reason = models.CharField(_("motif de la révocation"), max_length=300, blank=True)

    objects = AttestationQuerySet.as_manager()

    class Meta:
        verbose_name = _("attestation de participation")
        verbose_name_plural = _("attestations de participation")
        ordering = ["-issued_at", "-id"]
        constraints = [
            # Exactly one valid attestation per enrolment (a revoked one may be replaced).
            models.UniqueConstraint(
                fields=["enrolment"],
                condition=models.Q(revoked_at__isnull=True),
                name="attestation_one_valid_per_enrolment",
            ),
        ]
        indexes = [
            models.Index(fields=["learner", "issued_at"]),
            models.Index(fields=["session", "revoked_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.learner_name} — {self.module_title_fr} ({self.code[:6]}…)"

    @property
    def module_title(self) -> str:
        return pick(self, "module_title")

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def filename(self) -> str:
        from django.utils.text import slugify

        stem = slugify(f"attestation-{self.module_code or self.session_id}-{self.learner_name}")
        return f"{stem[:120]}.pdf"


class CalendarFeed(models.Model):
    """A secret address a calendar application subscribes to. Only the token's SHA-256 is
    stored: the address is shown once, when it is generated."""

    class Kind(models.TextChoices):
        LEARNER = "learner", _("Mes sessions")
        TRAINER = "trainer", _("Les sessions que j'anime")
        SITE = "site", _("Les sessions d'un site")

    kind = models.CharField(_("agenda"), max_length=10, choices=Kind.choices)
    # The learner or trainer whose agenda it is; for a site, the staff member who created it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, null=True, blank=True, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("abonnement d'agenda")
        verbose_name_plural = _("abonnements d'agenda")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "user"],
                condition=models.Q(revoked_at__isnull=True, site__isnull=True),
                name="calendar_feed_one_active_per_person",
            ),
            models.UniqueConstraint(
                fields=["site"],
                condition=models.Q(revoked_at__isnull=True, site__isnull=False),
                name="calendar_feed_one_active_per_site",
            ),
            models.CheckConstraint(
                condition=(models.Q(kind="site") & models.Q(site__isnull=False))
                | (~models.Q(kind="site") & models.Q(site__isnull=True)),
                name="calendar_feed_site_iff_site_kind",
            ),
        ]

    def __str__(self) -> str:
        owner = self.site if self.site_id else self.user
        return f"{self.get_kind_display()}: {owner}"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)  # 43 characters, 256 bits


class SessionCalendar(models.Model):
    """The iCalendar bookkeeping of a session: SEQUENCE (incremented on every change that
    calendar applications must apply) and how many events (one per slot) were announced."""

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="calendar"
    )
    sequence = models.PositiveIntegerField(default=0)
    announced_slots = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("séquence d'agenda")
        verbose_name_plural = _("séquences d'agenda")

    def __str__(self) -> str:
        return f"{self.session_id}: {self.sequence}"


class ReminderSent(models.Model):
    """A reminder e-mail went out for this enrolment, for the session starting at
    ``session_start`` (if the session moves, a new reminder is due for the new date)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="reminders")
    session_start = models.DateTimeField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("rappel envoyé")
        verbose_name_plural = _("rappels envoyés")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "session_start"], name="reminder_once_per_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enrolment_id} @ {self.session_start:%Y-%m-%d %H:%M}"
