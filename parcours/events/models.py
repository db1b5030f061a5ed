"""Events (a fair, a game week, a jobs day): a programme of short workshops in parallel tracks.

An event reuses what enrolment already knows: each workshop is a ``Session`` (its slot, room,
capacity, waitlist and roll call), linked here by a ``Workshop`` row that places it in a track.
A visitor's ``Registration`` gathers the workshops they chose in one go: it carries the ticket
code (the QR code's payload) and, for a visitor without an account, the hash of the single-use
confirmation link. The seats themselves are ``Enrolment`` rows made by ``enrolment.actions``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.scheduling.models import Resource

# Ticket codes: no 0/O, 1/I/L, easy to read aloud and to type at the door.
TICKET_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
TICKET_LENGTH = 10
MAX_WORKSHOPS_PER_VISITOR = 50


def new_ticket_code() -> str:
    return "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))


class Event(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="events",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("adresse courte"), max_length=80)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("premier jour"))
    ends_on = models.DateField(_("dernier jour"))
    sites = models.ManyToManyField(Site, related_name="events", blank=True, verbose_name=_("sites"))
    is_public = models.BooleanField(
        _("programme public"),
        default=False,
        help_text=_("Coché : le programme est visible sans connexion et ouvert aux inscriptions."),
    )
    allows_light_registration = models.BooleanField(
        _("inscription sans compte"),
        default=False,
        help_text=_("Un nom et une adresse e-mail confirmée suffisent pour s'inscrire."),
    )
    max_workshops_per_visitor = models.PositiveSmallIntegerField(
        _("ateliers par visiteur (maximum)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_WORKSHOPS_PER_VISITOR)],
        help_text=_("Vide : pas de limite."),
    )
    default_module = models.ForeignKey(
        Module,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("module des ateliers à titre libre"),
        help_text=_("Le module auquel se rattachent les ateliers créés avec un simple titre."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="event_slug_per_org"),
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="event_days_order"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Track(models.Model):
    """A room or a theme the workshops run in, side by side (a column of the programme)."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(_("nom"), max_length=100)
    room = models.ForeignKey(
        Resource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Resource.Kind.ROOM},
        verbose_name=_("salle"),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("piste")
        verbose_name_plural = _("pistes")
        ordering = ["position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="track_name_per_event"),
        ]

    def __str__(self) -> str:
        return self.name


class Workshop(models.Model):
    """One workshop of the programme: a session of the event, in a track."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="workshops")
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="workshop")
    track = models.ForeignKey(
        Track, on_delete=models.PROTECT, null=True, blank=True, related_name="workshops"
    )
    title = models.CharField(_("titre"), max_length=200)

    class Meta:
        verbose_name = _("atelier")
        verbose_name_plural = _("ateliers")
        indexes = [models.Index(fields=["event", "track"])]

    def __str__(self) -> str:
        return self.title


class Registration(models.Model):
    """A visitor's registration to an event: the workshops they chose, their ticket.

    Pending (a visitor without an account who has not yet opened the confirmation link): the
    choices wait in ``wanted`` and nobody holds a seat. Confirmed: the enrolments exist.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("À confirmer")
        CONFIRMED = "confirmed", _("Confirmée")
        CANCELLED = "cancelled", _("Annulée")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="event_registrations"
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices)
    # Session ids chosen while pending (applied on confirmation).
    wanted = models.JSONField(default=list, blank=True)
    ticket_code = models.CharField(
        _("code du billet"), max_length=16, unique=True, default=new_ticket_code
    )
    # SHA-256 of the confirmation link's secret; emptied once used (single use).
    confirm_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the ticket's e-mail went out (``tasks.send_ticket``: at most once).
    ticket_mailed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("inscription à un événement")
        verbose_name_plural = _("inscriptions à un événement")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "person"],
                condition=~models.Q(status="cancelled"),
                name="event_registration_one_per_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_code} ({self.event_id})"
