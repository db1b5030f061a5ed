"""Resources of a site, their calendars and bookings, loans and outreach requests.

The invariant "no two bookings of one resource overlap" lives on ``Reservation``: one row per
(booking, resource) with the *blocked* range ``[blocked_start, blocked_end)`` = the booking's
times widened by its set-up and clean-up buffers. Only ``active`` rows block. On PostgreSQL an
exclusion constraint (migration 0002) makes the database refuse overlapping active rows; on
SQLite the booking actions serialise writers (``BEGIN IMMEDIATE``) and check before inserting.
See docs/scheduling.md.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.lib.dates import format_datetime
from parcours.lib.i18n import pick
from parcours.scheduling.bounds import (
    BUFFER_VALIDATORS,
    COUNT_VALIDATORS,
    DATE_VALIDATORS,
    MAX_CUTOFF_DAYS,
)
from parcours.scheduling.querysets import (
    BookingQuerySet,
    LoanQuerySet,
    ReservationQuerySet,
    ResourceQuerySet,
)
from parcours.scheduling.states import BookingStatus


def new_token() -> str:
    """An unguessable token for secret URLs (calendar feeds, lobby screens)."""
    return secrets.token_urlsafe(24)


class Feature(models.Model):
    """An equipment tag a room can have: projector, interactive screen, PCs, sink…"""

    slug = models.SlugField(_("identifiant"), max_length=50, unique=True)
    label_fr = models.CharField(_("libellé (français)"), max_length=100)
    label_en = models.CharField(_("libellé (anglais)"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("équipement")
        verbose_name_plural = _("équipements")
        ordering = ["label_fr"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self, "label")


class SitePolicy(models.Model):
    """How a site takes bookings: external requests, catering cut-off, feeds, lobby screen."""

    site = models.OneToOneField(
        Site, on_delete=models.CASCADE, related_name="policy", verbose_name=_("site")
    )
    accepts_external_requests = models.BooleanField(
        _("accepte les demandes externes"),
        default=False,
        help_text=_("Le personnel d'autres organisations peut demander une salle de ce site."),
    )
    catering_cutoff_days = models.PositiveSmallIntegerField(
        _("commande du catering : jours avant"),
        default=1,
        validators=[MaxValueValidator(MAX_CUTOFF_DAYS)],
    )
    catering_cutoff_time = models.TimeField(
        _("commande du catering : heure limite"), default=dt.time(10, 0)
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    display_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    wifi_name = models.CharField(_("Wi-Fi public : réseau"), max_length=100, blank=True)
    wifi_password = models.CharField(_("Wi-Fi public : mot de passe"), max_length=100, blank=True)
    lobby_message = models.CharField(_("message d'accueil"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("règles de réservation du site")
        verbose_name_plural = _("règles de réservation des sites")

    def __str__(self) -> str:
        return str(self.site)


class Resource(models.Model):
    """Something that can be booked: a room, a parking place, equipment, a mobile unit."""

    class Kind(models.TextChoices):
        ROOM = "room", _("Salle")
        PARKING = "parking", _("Place de parking")
        EQUIPMENT = "equipment", _("Matériel")
        MOBILE_UNIT = "mobile_unit", _("Unité mobile")

    # Where a training session can take place: a room of its site, or a mobile unit brought
    # to any site (a truck, a dome).
    SESSION_KINDS = (Kind.ROOM, Kind.MOBILE_UNIT)

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("organisation"),
    )
    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        related_name="resources",
        verbose_name=_("site"),
        help_text=_("Pour une unité mobile ou du matériel : le site d'attache."),
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.ROOM)
    name = models.CharField(_("nom"), max_length=150)
    code = models.CharField(_("code"), max_length=40)
    description = models.TextField(_("description"), blank=True)
    location = models.CharField(_("emplacement"), max_length=150, blank=True)
    capacity = models.PositiveIntegerField(
        _("capacité (personnes)"), null=True, blank=True, validators=COUNT_VALIDATORS
    )
    features = models.ManyToManyField(
        Feature, related_name="resources", blank=True, verbose_name=_("équipements")
    )
    accessible = models.BooleanField(_("accessible en fauteuil roulant"), default=False)
    inventory_number = models.CharField(_("numéro d'inventaire"), max_length=60, blank=True)
    is_active = models.BooleanField(_("réservable"), default=True)
    requires_approval = models.BooleanField(
        _("réservation soumise à approbation"),
        default=True,
        help_text=_(
            "Décoché : les coordinateurs et formateurs de l'organisation réservent directement."
        ),
    )
    setup_minutes = models.PositiveIntegerField(
        _("installation (minutes)"), default=0, validators=BUFFER_VALIDATORS
    )
    cleanup_minutes = models.PositiveIntegerField(
        _("rangement (minutes)"), default=0, validators=BUFFER_VALIDATORS
    )
    feed_token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        verbose_name = _("ressource")
        verbose_name_plural = _("ressources")
        ordering = ["site__name", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="resource_code_per_org"),
        ]
        indexes = [
            models.Index(fields=["site", "kind", "is_active"]),
            models.Index(fields=["organisation", "kind", "capacity"]),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def serves_site(self, site_id: int | None) -> bool:
        """A session at this site may take place here (a room of the site, a mobile unit)."""
        if self.kind == self.Kind.MOBILE_UNIT:
            return site_id is not None
        return self.kind == self.Kind.ROOM and self.site_id == site_id


class OpeningHours(models.Model):
    """When a site is open on a weekday (0 = Monday). A weekday without a row is closed; a site
    without any row has no opening hours configured (open at all hours)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")
        SUNDAY = 6, _("dimanche")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="opening_hours", verbose_name=_("site")
    )
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    opens = models.TimeField(_("ouverture"))
    closes = models.TimeField(_("fermeture"))

    class Meta:
        verbose_name = _("heures d'ouverture")
        verbose_name_plural = _("heures d'ouverture")
        ordering = ["site", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["site", "weekday"], name="opening_hours_one_per_day"),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="opening_hours_closes_after_opens"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class ClosurePeriod(models.Model):
    """Days a site is closed, or school holidays (open, but skipped by recurring bookings).

    Dates are inclusive: a single closed day has ``start == end``.
    """

    class Kind(models.TextChoices):
        CLOSED = "closed", _("Fermeture")
        HOLIDAY = "holiday", _("Congé scolaire")

    site = models.ForeignKey(
        Site, on_delete=models.CASCADE, related_name="closure_periods", verbose_name=_("site")
    )
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices, default=Kind.CLOSED)
    start = models.DateField(_("du"), validators=DATE_VALIDATORS)
    end = models.DateField(_("au (inclus)"), validators=DATE_VALIDATORS)
    reason = models.CharField(_("motif"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("période de fermeture")
        verbose_name_plural = _("périodes de fermeture")
        ordering = ["site", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="closure_order"),
        ]
        indexes = [models.Index(fields=["site", "start", "end"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%d/%m/%Y}-{self.end:%d/%m/%Y}"


class BookingSeries(models.Model):
    """A recurring booking: weekly on some weekdays, local times, until a date.

    Each occurrence is a ``Booking`` pointing here; an occurrence cancelled or moved on its own
    is an exception (``Booking.is_exception``). Local times are kept across daylight-saving
    changes (09:00 stays 09:00 in Europe/Brussels).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="booking_series"
    )
    title = models.CharField(_("titre"), max_length=200)
    weekdays = models.JSONField(_("jours de la semaine"), default=list)  # [0..6], 0 = Monday
    interval_weeks = models.PositiveSmallIntegerField(_("toutes les n semaines"), default=1)
    first_date = models.DateField(_("à partir du"))
    until = models.DateField(_("jusqu'au (inclus)"))
    start_time = models.TimeField(_("de"))
    end_time = models.TimeField(_("à"))
    timezone = models.CharField(max_length=50, default="Europe/Brussels")
    skip_holidays = models.BooleanField(_("sauf congés scolaires"), default=True)
    except_dates = models.JSONField(_("dates exclues"), default=list, blank=True)  # ISO dates
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("série de réservations")
        verbose_name_plural = _("séries de réservations")

    def __str__(self) -> str:
        return self.title


class Booking(models.Model):
    """A reservation request or confirmed booking of one or more resources of one site."""

    Status = BookingStatus

    class Purpose(models.TextChoices):
        SESSION = "session", _("Session de formation")
        MEETING = "meeting", _("Réunion")
        EXTERNAL = "external", _("Demande externe")
        OUTREACH = "outreach", _("Animation en école")
        LOAN = "loan", _("Prêt de matériel")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="bookings",
        verbose_name=_("organisation"),
        help_text=_("L'organisation qui possède les ressources."),
    )
    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("site")
    )
    title = models.CharField(_("objet"), max_length=200)
    purpose = models.CharField(
        _("motif"), max_length=20, choices=Purpose.choices, default=Purpose.MEETING
    )
    status = models.CharField(
        _("statut"), max_length=20, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="booking_requests",
        verbose_name=_("demandeur"),
    )
    requester_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation du demandeur"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décidé par"),
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    refusal_reason = models.TextField(_("motif du refus"), blank=True)
    cancel_reason = models.TextField(_("motif de l'annulation"), blank=True)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    setup_minutes = models.PositiveIntegerField(
        _("installation (minutes)"), default=0, validators=BUFFER_VALIDATORS
    )
    cleanup_minutes = models.PositiveIntegerField(
        _("rangement (minutes)"), default=0, validators=BUFFER_VALIDATORS
    )
    participants = models.PositiveIntegerField(
        _("participants"), null=True, blank=True, validators=COUNT_VALIDATORS
    )
    notes = models.TextField(_("remarques"), blank=True)
    hide_from_lobby = models.BooleanField(
        _("masquer sur l'écran d'accueil"),
        default=False,
        help_text=_(
            "L'écran d'accueil affiche alors la salle « Occupée », sans l'objet de la réservation."
        ),
    )
    series = models.ForeignKey(
        BookingSeries,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="occurrences",
    )
    occurrence_date = models.DateField(null=True, blank=True)
    is_exception = models.BooleanField(default=False)
    # Hook for other apps (e.g. source="enrolment.slot", source_id="42"): who made this booking.
    source = models.CharField(max_length=50, blank=True)
    source_id = models.CharField(max_length=64, blank=True)
    resources = models.ManyToManyField(  # type: ignore[var-annotated]
        Resource, through="Reservation", related_name="bookings"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réservation")
        verbose_name_plural = _("réservations")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="booking_order"),
        ]
        indexes = [
            models.Index(fields=["organisation", "status", "start"]),
            models.Index(fields=["site", "start"]),
            models.Index(fields=["requester", "start"]),
            models.Index(fields=["source", "source_id"]),
        ]

    def __str__(self) -> str:
        # Shown to people (messages, admin): local time, never UTC (issue #9).
        return f"{self.title} ({format_datetime(self.start, 'short')})"

    @property
    def blocked_start(self) -> dt.datetime:
        return self.start - dt.timedelta(minutes=self.setup_minutes)

    @property
    def blocked_end(self) -> dt.datetime:
        return self.end + dt.timedelta(minutes=self.cleanup_minutes)

    @property
    def is_pending(self) -> bool:
        return self.status == BookingStatus.REQUESTED


class Reservation(models.Model):
    """One resource blocked by one booking over ``[blocked_start, blocked_end)``.

    ``active`` rows are the ones that block (an approved booking's). PostgreSQL refuses two
    active rows of one resource whose ranges overlap (exclusion constraint, migration 0002).
    """

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="reservations")
    resource = models.ForeignKey(Resource, on_delete=models.PROTECT, related_name="reservations")
    blocked_start = models.DateTimeField()
    blocked_end = models.DateTimeField()
    active = models.BooleanField(default=False)
    # Set when the blocked range is longer than querysets.LONG_SPAN (2 days): loans, outreach
    # tours. Short rows let time-range reads use a tight index range (planning.overlapping_parts).
    long_span = models.BooleanField(default=False)

    objects = ReservationQuerySet.as_manager()

    class Meta:
        verbose_name = _("créneau réservé")
        verbose_name_plural = _("créneaux réservés")
        constraints = [
            models.UniqueConstraint(fields=["booking", "resource"], name="reservation_unique"),
            models.CheckConstraint(
                condition=Q(blocked_end__gt=models.F("blocked_start")), name="reservation_order"
            ),
        ]
        indexes = [
            models.Index(fields=["resource", "blocked_start", "blocked_end"]),
            models.Index(
                fields=["resource", "blocked_end"],
                condition=Q(long_span=True),
                name="reservation_long_span",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.resource} {self.blocked_start:%Y-%m-%d %H:%M}-{self.blocked_end:%H:%M}"


class CateringItem(models.Model):
    """What a site's caterer serves: coffee, drinks, sandwiches…"""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="catering_items"
    )
    slug = models.SlugField(_("identifiant"), max_length=50)
    label_fr = models.CharField(_("libellé (français)"), max_length=100)
    label_en = models.CharField(_("libellé (anglais)"), max_length=100, blank=True)
    is_active = models.BooleanField(_("disponible"), default=True)

    class Meta:
        verbose_name = _("article de catering")
        verbose_name_plural = _("articles de catering")
        ordering = ["label_fr"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "slug"], name="catering_item_slug"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick(self, "label")


class CateringLine(models.Model):
    """An extra ordered with a booking: how many of an item, served when."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="catering_lines")
    item = models.ForeignKey(CateringItem, on_delete=models.PROTECT, related_name="lines")
    count = models.PositiveIntegerField(_("nombre"), validators=COUNT_VALIDATORS)
    serve_at = models.TimeField(_("servi à"), null=True, blank=True)
    note = models.CharField(_("remarque"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("ligne de catering")
        verbose_name_plural = _("lignes de catering")
        constraints = [
            models.UniqueConstraint(fields=["booking", "item"], name="catering_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.count} x {self.item}"


OPEN_LOAN_CONSTRAINT = "scheduling_loan_one_open_per_item"


class Loan(models.Model):
    """Equipment lent to a person. Its booking (purpose "loan") holds the reservation, so the
    item cannot be booked while it is out; returning it early releases the rest."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="loans")
    resource = models.ForeignKey(
        Resource, on_delete=models.PROTECT, related_name="loans", verbose_name=_("matériel")
    )
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="loan")
    borrower = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="loans",
        verbose_name=_("emprunteur"),
    )
    lent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    start = models.DateTimeField(_("début du prêt"))
    due = models.DateTimeField(_("retour prévu"))
    returned_at = models.DateTimeField(_("rendu le"), null=True, blank=True)
    condition_out = models.CharField(_("état au départ"), max_length=300, blank=True)
    condition_in = models.CharField(_("état au retour"), max_length=300, blank=True)
    # Local date (Europe/Brussels) of the last reminder e-mail: at most one reminder a day.
    last_reminded = models.DateField(_("dernier rappel"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LoanQuerySet.as_manager()

    class Meta:
        verbose_name = _("prêt")
        verbose_name_plural = _("prêts")
        ordering = ["-start"]
        indexes = [models.Index(fields=["organisation", "returned_at", "due"])]
        constraints = [
            # An item is with one person at a time: a loan not yet returned (even overdue,
            # when its booking no longer blocks the calendar) keeps anyone else from borrowing it.
            models.UniqueConstraint(
                fields=["resource"],
                condition=models.Q(returned_at=None),
                name=OPEN_LOAN_CONSTRAINT,
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource} → {self.borrower}"

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None


class OutreachActivity(models.Model):
    """An activity a mobile unit offers (the truck's five, the dome's two)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="outreach_activities"
    )
    unit = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="activities",
        limit_choices_to={"kind": Resource.Kind.MOBILE_UNIT},
        verbose_name=_("unité mobile"),
    )
    slug = models.SlugField(_("identifiant"), max_length=60)
    title_fr = models.CharField(_("titre (français)"), max_length=200)
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    description_fr = models.TextField(_("description (français)"), blank=True)
    description_en = models.TextField(_("description (anglais)"), blank=True)
    audience = models.CharField(
        _("public"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple : 5e primaire à 2e secondaire."),
    )
    max_pupils_per_day = models.PositiveIntegerField(_("élèves par jour (max.)"), null=True)
    is_active = models.BooleanField(_("proposée"), default=True)

    class Meta:
        verbose_name = _("animation")
        verbose_name_plural = _("animations")
        ordering = ["unit", "title_fr"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "slug"], name="outreach_activity_slug"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self, "title")


class OutreachRequest(models.Model):
    """A school books a mobile unit for dates and an activity; pupil counts, never names.

    Its booking (purpose "outreach") reserves the unit over the activity days widened by the
    travel / set-up days, so the unit is in one place at a time.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="outreach_requests"
    )
    booking = models.OneToOneField(Booking, on_delete=models.PROTECT, related_name="outreach")
    activity = models.ForeignKey(
        OutreachActivity, on_delete=models.PROTECT, related_name="requests"
    )
    school_name = models.CharField(_("école"), max_length=200)
    school_street = models.CharField(_("rue et numéro"), max_length=200, blank=True)
    school_postcode = models.CharField(_("code postal"), max_length=10, blank=True)
    school_city = models.CharField(_("localité"), max_length=100)
    contact_name = models.CharField(_("personne de contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    contact_phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    travel_days_before = models.PositiveSmallIntegerField(
        _("jours de trajet et montage"), default=0
    )
    travel_days_after = models.PositiveSmallIntegerField(
        _("jours de démontage et retour"), default=0
    )
    notes = models.TextField(_("remarques"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("demande d'animation")
        verbose_name_plural = _("demandes d'animation")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.activity} — {self.school_name}"

    @property
    def pupils(self) -> int:
        return sum(c.count for c in self.pupil_counts.all())


class OutreachPupilCount(models.Model):
    """How many pupils of one year group take part (counts only: minimal data on minors)."""

    class Grade(models.TextChoices):
        P1 = "P1", _("1re primaire")
        P2 = "P2", _("2e primaire")
        P3 = "P3", _("3e primaire")
        P4 = "P4", _("4e primaire")
        P5 = "P5", _("5e primaire")
        P6 = "P6", _("6e primaire")
        S1 = "S1", _("1re secondaire")
        S2 = "S2", _("2e secondaire")
        S3 = "S3", _("3e secondaire")
        S4 = "S4", _("4e secondaire")
        S5 = "S5", _("5e secondaire")
        S6 = "S6", _("6e secondaire")
        S7 = "S7", _("7e secondaire")

    request = models.ForeignKey(
        OutreachRequest, on_delete=models.CASCADE, related_name="pupil_counts"
    )
    grade = models.CharField(_("année"), max_length=3, choices=Grade.choices)
    count = models.PositiveIntegerField(_("élèves"), validators=COUNT_VALIDATORS)

    class Meta:
        verbose_name = _("nombre d'élèves")
        verbose_name_plural = _("nombres d'élèves")
        constraints = [
            models.UniqueConstraint(fields=["request", "grade"], name="pupil_count_per_grade"),
        ]

    def __str__(self) -> str:
        return f"{self.grade}: {self.count}"
