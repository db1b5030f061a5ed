"""Every write of the events app: events and tracks, workshops from a grid or a file,
registrations (one go, all or nothing), light accounts, and check-in at the door.

Seats, waitlists, attendance and room bookings are not written here: the workshops are
enrolment sessions, so ``enrolment.actions`` (``create_session``, ``enrol``,
``set_session_status``, ``record_presence``) does it, with its locks and rules. What this
module adds is the grouping: several workshops at once, in one transaction.

Lock order of a registration: the chosen sessions' rows in id order, then the person's row
(``pathways.actions.lock_learners``), then each ``enrol`` (which takes the same locks again,
already held). Two visitors choosing overlapping sets of workshops never deadlock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import itertools
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts import audit, invitations
from parcours.accounts.actions import create_user
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment import bounds
from parcours.enrolment.models import Enrolment, Session, SessionSlot
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import ACTIVE, SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.events.models import MAX_WORKSHOPS_PER_VISITOR, Event, Registration, Track, Workshop
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url
from parcours.scheduling.models import Reservation, Resource

MANAGERS = (Role.COORDINATOR,)
# Staff who scan tickets at the door: coordinators, trainers, logistics.
DOOR_STAFF = (Role.COORDINATOR, Role.TRAINER, Role.LOGISTICS)
MAX_ROWS = 500
MAX_CHOICES = MAX_WORKSHOPS_PER_VISITOR
# Staff may scan a ticket from this long before a workshop starts (visitors arrive early at a
# fair and are scanned at the entrance) until it ends.
CHECKIN_EARLY = dt.timedelta(hours=12)
TICKET_SALT = "parcours.events.ticket"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


def _line(text: str, limit: int, label: str) -> str:
    text = (text or "").strip()
    if _CONTROL.search(text):
        raise _refuse(_("Caractère invalide dans « %(f)s ».") % {"f": label})
    if len(text) > limit:
        raise _refuse(_("« %(f)s » compte %(n)s caractères au plus.") % {"f": label, "n": limit})
    return text


# --- Events and tracks -------------------------------------------------------------------------


@dataclass
class EventData:
    title: str
    slug: str
    starts_on: dt.date
    ends_on: dt.date
    description: str = ""
    site_ids: Sequence[int] = ()
    is_public: bool = False
    allows_light_registration: bool = False
    max_workshops_per_visitor: int | None = None
    default_module_id: int | None = None


def _check_event(organisation: Organisation, data: EventData, exclude: int | None) -> None:
    errors: dict[str, list[str]] = {}
    try:
        _line(data.title, 200, _("titre"))
    except ValidationError as exc:
        errors["title"] = exc.messages
    if not data.title.strip():
        errors["title"] = [_("Le titre est obligatoire.")]
    if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", data.slug or "") or len(data.slug) > 80:
        errors["slug"] = [_("Adresse courte : lettres minuscules, chiffres et tirets.")]
    elif (
        Event.objects.filter(organisation=organisation, slug=data.slug)
        .exclude(pk=exclude or 0)
        .exists()
    ):
        errors["slug"] = [_("Un autre événement de votre organisation utilise cette adresse.")]
    if not (bounds.year_ok(data.starts_on) and bounds.year_ok(data.ends_on)):
        errors["starts_on"] = [
            _("Les dates doivent être comprises entre %(a)d et %(b)d.")
            % {"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR}
        ]
    elif data.ends_on < data.starts_on:
        errors["ends_on"] = [_("Le dernier jour suit le premier.")]
    elif (data.ends_on - data.starts_on).days > 31:
        errors["ends_on"] = [_("Un événement dure 32 jours au plus.")]
    if "\x00" in data.description or len(data.description) > 5000:
        errors["description"] = [_("Description trop longue ou caractère invalide.")]
    limit = data.max_workshops_per_visitor
    if limit is not None and not 1 <= limit <= MAX_WORKSHOPS_PER_VISITOR:
        errors["max_workshops_per_visitor"] = [
            _("Entre 1 et %(n)d ateliers.") % {"n": MAX_WORKSHOPS_PER_VISITOR}
        ]
    if len(data.site_ids) > 50 or (
        Site.objects.filter(pk__in=list(data.site_ids), organisation=organisation).count()
        != len(set(data.site_ids))
    ):
        errors["sites"] = [_("Choisissez des sites de votre organisation.")]
    module_id = data.default_module_id
    if module_id is not None and not _modules(organisation).filter(pk=module_id).exists():
        errors["default_module"] = [_("Choisissez un module de votre organisation ou publié.")]
    if errors:
        raise ValidationError(errors)


def _modules(organisation: Organisation) -> QuerySet[Module]:
    return Module.objects.filter(
        Q(organisation=organisation) | Q(status=Module.Status.PUBLISHED)
    ).exclude(status=Module.Status.ARCHIVED)


def create_event(*, actor: Actor, organisation: Organisation, data: EventData) -> Event:
    require_role(actor, organisation, MANAGERS)
    _check_event(organisation, data, exclude=None)
    with write_transaction():
        event = Event.objects.create(
            organisation=organisation,
            title=data.title.strip(),
            slug=data.slug,
            description=data.description.strip(),
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            is_public=data.is_public,
            allows_light_registration=data.allows_light_registration,
            max_workshops_per_visitor=data.max_workshops_per_visitor,
            default_module_id=data.default_module_id,
            created_by=actor.user,
        )
        event.sites.set(list(data.site_ids))
        audit.record(
            "event.create", actor=actor.user, organisation=organisation, obj=event, changes={}
        )
    return event


def update_event(*, actor: Actor, event: Event, data: EventData) -> Event:
    require_role(actor, event.organisation_id, MANAGERS)
    _check_event(event.organisation, data, exclude=event.pk)
    with write_transaction():
        for name in (
            "title",
            "slug",
            "description",
            "starts_on",
            "ends_on",
            "is_public",
            "allows_light_registration",
            "max_workshops_per_visitor",
            "default_module_id",
        ):
            value = getattr(data, name)
            setattr(event, name, value.strip() if isinstance(value, str) else value)
        event.save()
        event.sites.set(list(data.site_ids))
        audit.record("event.update", actor=actor.user, organisation=event.organisation, obj=event)
    return event


def add_track(*, actor: Actor, event: Event, name: str, room_id: int | None = None) -> Track:
    require_role(actor, event.organisation_id, MANAGERS)
    name = _line(name, 100, _("nom"))
    if not name:
        raise ValidationError({"name": [_("Le nom est obligatoire.")]})
    if event.tracks.filter(name__iexact=name).exists():
        raise ValidationError({"name": [_("Cet événement a déjà une piste de ce nom.")]})
    room = None
    if room_id is not None:
        room = Resource.objects.filter(
            pk=room_id, organisation_id=event.organisation_id, kind=Resource.Kind.ROOM
        ).first()
        if room is None:
            raise ValidationError({"room": [_("Choisissez une salle de votre organisation.")]})
    with write_transaction():
        track = Track.objects.create(
            event=event, name=name, room=room, position=event.tracks.count()
        )
        audit.record(
            "event.track.create", actor=actor.user, organisation=event.organisation, obj=track
        )
    return track


# --- Workshops from a grid or a file -----------------------------------------------------------


@dataclass
class WorkshopRow:
    """One workshop as typed in the grid or read from a file: text, checked by ``check_rows``."""

    line: int
    day: str
    start: str
    end: str
    track: str
    title: str
    module: str = ""
    capacity: str = ""


@dataclass
class CheckedRow:
    row: WorkshopRow
    errors: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    track: Track | None = None
    module: Module | None = None
    capacity: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


_TIME = re.compile(r"^(\d{1,2})[:hH.](\d{2})$")


def parse_day(text: str) -> dt.date | None:
    """``2026-03-12`` or ``12/03/2026`` (or ``12-03-2026``, ``12.03.2026``)."""
    text = (text or "").strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a date only
        except ValueError:
            continue
    return None


def parse_time(text: str) -> dt.time | None:
    """``9:30``, ``09:30``, ``9h30``, ``09.30``."""
    match = _TIME.match((text or "").strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return dt.time(hours, minutes)


def _local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time).replace(tzinfo=BRUSSELS)


def check_rows(event: Event, rows: Sequence[WorkshopRow]) -> list[CheckedRow]:
    """What would be created, and what is refused and why (French messages); writes nothing.

    Refused: a day outside the event, times that do not parse or end before they start, an
    unknown track, no title, an unknown module (and no default module), a capacity outside
    1..10,000, two workshops of one track (or one room) at the same time, in the rows or with
    what the programme already has, and a room already booked by someone else.
    """
    tracks = {t.name.lower(): t for t in event.tracks.select_related("room")}
    modules = {
        m.code.lower(): m
        for m in _modules(event.organisation).filter(
            code__in=[r.module.strip() for r in rows if r.module.strip()][:MAX_ROWS]
        )
    }
    default = event.default_module
    checked: list[CheckedRow] = []
    for row in rows[:MAX_ROWS]:
        result = CheckedRow(row=row)
        day = parse_day(row.day)
        start, end = parse_time(row.start), parse_time(row.end)
        if day is None:
            result.errors.append(_("Date illisible (attendu : 12/03/2026)."))
        elif not event.starts_on <= day <= event.ends_on:
            result.errors.append(_("Ce jour n'est pas un jour de l'événement."))
        if start is None or end is None:
            result.errors.append(_("Heure illisible (attendu : 09:30)."))
        elif end <= start:
            result.errors.append(_("L'atelier doit finir après son début."))
        if day is not None and start is not None and end is not None and end > start:
            result.start, result.end = _local(day, start), _local(day, end)
        track_name = row.track.strip().lower()
        if track_name:
            result.track = tracks.get(track_name)
            if result.track is None:
                result.errors.append(
                    _("Piste inconnue : « %(t)s ».") % {"t": row.track.strip()[:100]}
                )
        elif tracks:
            result.errors.append(_("Indiquez la piste (la salle) de l'atelier."))
        title = row.title.strip()
        if not title:
            result.errors.append(_("Le titre est obligatoire."))
        elif len(title) > 200 or _CONTROL.search(title):
            result.errors.append(_("Titre trop long (200 caractères) ou caractère invalide."))
        code = row.module.strip().lower()
        result.module = modules.get(code) if code else default
        if result.module is None:
            result.errors.append(
                _("Module inconnu : « %(m)s ».") % {"m": row.module.strip()[:40]}
                if code
                else _("Indiquez un module, ou choisissez le module des ateliers à titre libre.")
            )
        capacity = row.capacity.strip()
        if not capacity.isdigit() or not 1 <= int(capacity) <= bounds.MAX_CAPACITY:
            result.errors.append(
                _("Places : un nombre entre 1 et %(n)d.") % {"n": bounds.MAX_CAPACITY}
            )
        else:
            result.capacity = int(capacity)
            room = result.track.room if result.track else None
            if room is not None and room.capacity and result.capacity > room.capacity:
                result.errors.append(
                    _("La salle %(r)s accueille au plus %(n)d personnes.")
                    % {"r": room.name, "n": room.capacity}
                )
        checked.append(result)
    _check_clashes(event, checked)
    return checked


def _check_clashes(event: Event, checked: list[CheckedRow]) -> None:
    """Two workshops in one track (or room) at once, within the rows or with the programme;
    a room already booked (active reservations, with their set-up and clean-up buffers)."""
    placed = [c for c in checked if c.start and c.end and c.track is not None]
    for a, b in itertools.combinations(placed, 2):
        if a.track == b.track and a.start < b.end and b.start < a.end:  # type: ignore[operator]
            b.errors.append(_("Même piste et même heure que la ligne %(n)d.") % {"n": a.row.line})
    existing = list(
        SessionSlot.objects.filter(session__workshop__event=event)
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("session__workshop__track_id", "start", "end", "session__workshop__title")
    )
    for row in placed:
        if row.track is None or row.start is None or row.end is None:
            continue
        for track_id, start, end, title in existing:
            if track_id == row.track.pk and start < row.end and row.start < end:
                row.errors.append(
                    _("La piste a déjà un atelier à cette heure : « %(t)s ».") % {"t": title}
                )
                break
        if row.track.room_id is not None:
            taken = (
                Reservation.objects.active()
                .overlapping(row.start, row.end)
                .filter(resource_id=row.track.room_id)
                .select_related("booking")
                .first()
            )
            if taken is not None and taken.booking.organisation_id == event.organisation_id:
                row.errors.append(
                    _("La salle %(r)s est déjà réservée : « %(t)s ».")
                    % {"r": row.track.room.name, "t": taken.booking.title}  # type: ignore[union-attr]
                )
            elif taken is not None:
                row.errors.append(
                    _("La salle %(r)s est déjà réservée à cette heure.")
                    % {"r": row.track.room.name}  # type: ignore[union-attr]
                )


def _next_code(event: Event) -> itertools.count[int]:
    taken = Session.objects.filter(
        organisation_id=event.organisation_id, code__startswith=f"EV{event.pk}-"
    ).count()
    return itertools.count(taken + 1)


def create_workshops(
    *, actor: Actor, event: Event, rows: Sequence[WorkshopRow], publish: bool = True
) -> list[Workshop]:
    """Create the rows that pass ``check_rows`` (the refused ones are left out, as the preview
    said), each a session of the event, published; one transaction. A room taken in between
    (someone booked it after the preview) refuses the whole lot: nothing is written."""
    require_role(actor, event.organisation_id, MANAGERS)
    if len(rows) > MAX_ROWS:
        raise _refuse(_("%(n)d ateliers au plus à la fois.") % {"n": MAX_ROWS})
    checked = [c for c in check_rows(event, rows) if c.ok]
    created: list[Workshop] = []
    with write_transaction():
        numbers = _next_code(event)
        for row in checked:
            if row.start is None or row.end is None or row.module is None:
                continue
            room = row.track.room if row.track else None
            data = enrolment.SessionData(
                module_id=row.module.pk,
                code=f"EV{event.pk}-{next(numbers):03d}",
                capacity=row.capacity,
                slots=[(row.start, row.end)],
                label=row.row.title.strip(),
                site_id=room.site_id if room else _event_site(event),
                room_id=room.pk if room else None,
                cancellation_deadline_hours=0,
            )
            try:
                session = enrolment.create_session(
                    actor=actor, organisation=event.organisation, data=data
                )
            except ValidationError as exc:
                raise _refuse(
                    _("Ligne %(n)d : %(m)s") % {"n": row.row.line, "m": " ".join(exc.messages)}
                ) from exc
            if publish:
                session = enrolment.set_session_status(
                    actor=actor, session=session, status=SessionStatus.PUBLISHED
                )
            created.append(
                Workshop.objects.create(
                    event=event, session=session, track=row.track, title=row.row.title.strip()
                )
            )
        audit.record(
            "event.workshops.create",
            actor=actor.user,
            organisation=event.organisation,
            obj=event,
            changes={"count": len(created)},
        )
    return created


def _event_site(event: Event) -> int | None:
    site = event.sites.order_by("pk").first()
    if site is None:
        raise _refuse(_("Indiquez au moins un site de l'événement, ou des pistes avec salle."))
    return site.pk


def update_workshop(*, actor: Actor, workshop: Workshop, title: str, capacity: int) -> Workshop:
    """Rename a workshop or change its places (never below the seats taken: the session's
    rule; a larger capacity promotes from the waitlist)."""
    require_role(actor, workshop.event.organisation_id, MANAGERS)
    title = _line(title, 200, _("titre"))
    if not title:
        raise ValidationError({"title": [_("Le titre est obligatoire.")]})
    session = workshop.session
    slots = list(session.slots.order_by("start").values_list("start", "end"))
    data = enrolment.SessionData(
        module_id=session.module_id,
        code=session.code,
        capacity=capacity,
        slots=slots,
        label=title,
        site_id=session.site_id,
        room_id=session.room_id,
        online_url=session.online_url,
        access_notes=session.access_notes,
        enrolment_opens=session.enrolment_opens,
        enrolment_closes=session.enrolment_closes,
        cancellation_deadline_hours=session.cancellation_deadline_hours,
        audience=session.audience,
        requires_approval=session.requires_approval,
        trainer_ids=list(session.trainers.values_list("pk", flat=True)),
    )
    with write_transaction():
        enrolment.update_session(actor=actor, session=session, data=data)
        workshop.title = title
        workshop.save(update_fields=["title"])
    return workshop


def cancel_workshop(*, actor: Actor, workshop: Workshop) -> Workshop:
    """Cancel a workshop: its session is cancelled, which cancels every registration to it and
    tells each person (the enrolment app's cancellation e-mail) and frees its room."""
    require_role(actor, workshop.event.organisation_id, MANAGERS)
    enrolment.set_session_status(
        actor=actor, session=workshop.session, status=SessionStatus.CANCELLED
    )
    return workshop


# --- Registration ------------------------------------------------------------------------------


@dataclass
class RegistrationResult:
    registration: Registration
    confirmed: list[Workshop] = field(default_factory=list)
    waitlisted: list[Workshop] = field(default_factory=list)


def _ranges(workshops: Sequence[Workshop]) -> dict[int, list[tuple[dt.datetime, dt.datetime]]]:
    ranges: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for session_id, start, end in SessionSlot.objects.filter(
        session_id__in=[w.session_id for w in workshops]
    ).values_list("session_id", "start", "end"):
        ranges.setdefault(session_id, []).append((start, end))
    return ranges


def overlapping_pair(
    ranges: dict[int, list[tuple[dt.datetime, dt.datetime]]],
) -> tuple[int, int] | None:
    """Two chosen sessions whose slots overlap (half-open ranges: one may start when the other
    ends), or None. Pure: ``ranges`` maps a session id to its slots."""
    items = sorted(
        (start, end, session_id) for session_id, slots in ranges.items() for start, end in slots
    )
    latest: tuple[dt.datetime, int] | None = None
    for start, end, session_id in items:
        if latest is not None and start < latest[0] and session_id != latest[1]:
            return latest[1], session_id
        if latest is None or end > latest[0]:
            latest = (end, session_id)
    return None


def _chosen(
    event: Event, session_ids: Iterable[int], *, allow_empty: bool = False
) -> list[Workshop]:
    """The chosen workshops of this event (ids deduplicated, bounded), checked: open to
    registration, within the visitor's limit, no two at the same time."""
    ids = sorted({i for i in session_ids if isinstance(i, int) and 1 <= i <= bounds.MAX_ID})
    if not ids:
        if allow_empty:
            return []
        raise _refuse(_("Choisissez au moins un atelier."), "empty")
    limit = event.max_workshops_per_visitor or MAX_CHOICES
    if len(ids) > limit:
        raise _refuse(
            _("%(n)d ateliers au plus par visiteur pour cet événement.") % {"n": limit}, "limit"
        )
    workshops = list(
        Workshop.objects.filter(event=event, session_id__in=ids).select_related("session")
    )
    if len(workshops) != len(ids):
        raise _refuse(_("Un atelier choisi ne fait pas partie de cet événement."), "invalid")
    by_session = {w.session_id: w for w in workshops}
    pair = overlapping_pair(_ranges(workshops))
    if pair is not None:
        a, b = by_session[pair[0]], by_session[pair[1]]
        raise _refuse(
            _("« %(a)s » et « %(b)s » ont lieu en même temps : choisissez l'un des deux.")
            % {"a": a.title, "b": b.title},
            "overlap",
        )
    for workshop in workshops:
        if workshop.session.status == SessionStatus.CANCELLED:
            raise _refuse(_("L'atelier « %(t)s » est annulé.") % {"t": workshop.title}, "closed")
    return sorted(workshops, key=lambda w: w.session_id)


def _enrol_all(
    event: Event,
    person: User,
    workshops: list[Workshop],
    now: dt.datetime,
    *,
    actor: Actor | None = None,
    pending: bool = False,
) -> tuple[list[Workshop], list[Workshop]]:
    """Inside the caller's transaction: enrol ``person`` in every workshop, or raise (and the
    caller's transaction undoes everything). ``enrolment.enrol_in_sessions`` applies
    ``enrol``'s rules to all the sessions at once (one locked read of the sessions in id
    order, then the person's row; bulk writes): a constant number of queries whatever the
    number of workshops. ``pending``: a visitor without an account whose e-mail is not yet
    confirmed: the seats are held, nobody is told until the link is opened (and the seats are
    released if it is not: ``expire_pending``)."""
    if not person.is_active:  # the organisation's sign-up policy may be waived, not this
        raise _refuse(_("Ce compte est désactivé."), "policy")
    if not workshops:
        return [], []
    by_session = {w.session_id: w for w in workshops}
    actor = actor if actor is not None and actor.user.pk == person.pk else Actor.of(person)
    try:
        with enrolment.batched_events(background=True):
            made = enrolment.enrol_in_sessions(
                actor=actor,
                learner=person,
                sessions=[w.session for w in workshops],
                source=Enrolment.Source.SELF,
                now=now,
                policy_waived=event.allows_light_registration,
                email_checked=pending,
                announce=not pending,
            )
    except ValidationError as exc:
        workshop = by_session.get(getattr(exc, "session_id", 0))
        if workshop is None:
            raise
        raise _refuse(
            _("« %(t)s » : %(m)s") % {"t": workshop.title, "m": " ".join(exc.messages)},
            exc.code or "invalid",
        ) from exc
    confirmed = [by_session[e.session_id] for e in made if e.status == EnrolmentStatus.CONFIRMED]
    waitlisted = [by_session[e.session_id] for e in made if e.status != EnrolmentStatus.CONFIRMED]
    return confirmed, waitlisted


def _open_for(event: Event, actor: Actor | None) -> None:
    if event.is_public:
        return
    if actor is not None and actor.has_role(event.organisation_id, *DOOR_STAFF):
        return
    raise PermissionDenied(_("Cet événement n'est pas ouvert aux inscriptions."))


def register(
    *,
    actor: Actor,
    event: Event,
    session_ids: Iterable[int],
    now: dt.datetime | None = None,
) -> RegistrationResult:
    """A signed-in person registers for several workshops in one go: all or nothing. Each
    workshop confirms a seat while there is one, else puts the person on its waitlist."""
    _open_for(event, actor)
    workshops = _chosen(event, session_ids)
    person = actor.user
    now = now or timezone.now()
    with write_transaction():
        registration = (
            Registration.objects.select_for_update()
            .filter(event=event, person=person)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        held: list[Enrolment] = []
        if registration is not None and registration.status == Registration.Status.PENDING:
            # Seats held by an earlier request without an account (same address): kept, and
            # announced now that the person is signed in.
            held = _active_seats(registration)
        held_ids = {e.session_id for e in held}
        _check_limit(event, person, workshops)
        confirmed, waitlisted = _enrol_all(
            event, person, [w for w in workshops if w.session_id not in held_ids], now, actor=actor
        )
        if held:
            with enrolment.batched_events(background=True):
                enrolment.announce(held)
            by_session = {w.session_id: w for w in _workshops_of(event, held_ids)}
            for seat in held:
                (confirmed if seat.status in SEAT_HOLDING else waitlisted).append(
                    by_session[seat.session_id]
                )
        if registration is None:
            registration = Registration.objects.create(
                event=event, person=person, status=Registration.Status.CONFIRMED, confirmed_at=now
            )
            _mail_ticket(registration.pk)
        elif registration.status == Registration.Status.PENDING:
            registration.status = Registration.Status.CONFIRMED
            registration.confirmed_at = now
            registration.confirm_hash = ""
            registration.wanted = []
            registration.save(update_fields=["status", "confirmed_at", "confirm_hash", "wanted"])
            _mail_ticket(registration.pk)
        audit.record(
            "event.register",
            actor=person,
            organisation=event.organisation,
            obj=registration,
            changes={"sessions": [w.session_id for w in workshops]},
        )
    return RegistrationResult(registration, confirmed, waitlisted)


def _check_limit(event: Event, person: User, workshops: list[Workshop]) -> None:
    if event.max_workshops_per_visitor is None:
        return
    already = (
        Enrolment.objects.filter(learner=person, session__workshop__event=event, status__in=ACTIVE)
        .exclude(session_id__in=[w.session_id for w in workshops])
        .count()
    )
    if already + len(workshops) > event.max_workshops_per_visitor:
        raise _refuse(
            _("%(n)d ateliers au plus par visiteur pour cet événement.")
            % {"n": event.max_workshops_per_visitor},
            "limit",
        )


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass
class VisitorData:
    email: str
    first_name: str
    last_name: str


def _light_person(event: Event, data: VisitorData) -> User:
    """The person with this e-mail, or a light account: no usable password, the e-mail
    verified when they open the confirmation link; an invitation of the organisation lets
    them set a password later (the access flow of accounts)."""
    person = User.objects.filter(email__iexact=data.email).first()
    if person is not None:
        return person
    try:
        with transaction.atomic():
            return create_user(
                email=data.email,
                password=None,
                first_name=data.first_name,
                last_name=data.last_name,
                actor=None,
            )
    except IntegrityError:  # the same visitor twice at the same moment
        return User.objects.get(email__iexact=data.email)


def request_registration(
    *, event: Event, data: VisitorData, session_ids: Iterable[int]
) -> Registration:
    """A visitor without an account: their choices are kept (no seat yet) and a confirmation
    link is e-mailed (single use; only its hash is stored). Opening it registers them."""
    if not (event.is_public and event.allows_light_registration):
        raise PermissionDenied(_("Cet événement demande de se connecter pour s'inscrire."))
    errors: dict[str, list[str]] = {}
    email = (data.email or "").strip().lower()
    try:
        validate_email(email)
        if len(email) > 254:
            raise ValidationError("long")
    except ValidationError:
        errors["email"] = [_("Adresse e-mail invalide.")]
    names = {}
    for name, label in (("first_name", _("prénom")), ("last_name", _("nom"))):
        try:
            names[name] = _line(getattr(data, name), 150, label)
            if not names[name]:
                errors[name] = [_("Ce champ est obligatoire.")]
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    workshops = _chosen(event, session_ids)
    secret = secrets.token_urlsafe(32)
    with write_transaction():
        person = _light_person(event, VisitorData(email, names["first_name"], names["last_name"]))
        registration = (
            Registration.objects.select_for_update()
            .filter(event=event, person=person)
            .exclude(status=Registration.Status.CANCELLED)
            .first()
        )
        wanted = [w.session_id for w in workshops]
        if registration is None or registration.status == Registration.Status.PENDING:
            # Pending: the seats are held now (nobody is told yet) and released if the
            # e-mail is not confirmed in time (``expire_pending``); new choices replace the
            # old ones.
            held = _active_seats(registration) if registration is not None else []
            _lock_sessions(sorted({e.session_id for e in held} | set(wanted)))
            for seat in held:
                if seat.session_id not in wanted:
                    _cancel_seat(seat, Actor.of(person), _("Choix remplacés."), quiet=True)
            kept = {e.session_id for e in held if e.session_id in wanted}
            _check_limit(event, person, workshops)
            _enrol_all(
                event,
                person,
                [w for w in workshops if w.session_id not in kept],
                timezone.now(),
                pending=True,
            )
        if registration is None:
            registration = Registration.objects.create(
                event=event,
                person=person,
                status=Registration.Status.PENDING,
                wanted=wanted,
                confirm_hash=_hash(secret),
            )
        else:
            # Confirmed already: the new choices are added on confirmation (the same link
            # proves the mailbox again).
            registration.wanted = wanted
            registration.confirm_hash = _hash(secret)
            registration.save(update_fields=["wanted", "confirm_hash"])
        audit.record(
            "event.register.request",
            actor=None,
            organisation=event.organisation,
            obj=registration,
            changes={"sessions": wanted},
        )
        _mail_confirmation(registration.pk, secret)
    return registration


def confirm_url(secret: str) -> str:
    return absolute_url(reverse("events:confirm", args=[secret]))


def _mail_confirmation(registration_id: int, secret: str) -> None:
    def send() -> None:
        registration = (
            Registration.objects.select_related("event", "person")
            .filter(pk=registration_id)
            .first()
        )
        if registration is None:
            return
        person = registration.person
        with translation.override(person.language or settings.LANGUAGE_CODE):
            context = {"event": registration.event, "person": person, "link": confirm_url(secret)}
            subject = render_to_string("events/email/confirm_subject.txt", context)
            body = render_to_string("events/email/confirm_body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [person.email])

    transaction.on_commit(send)


def _mail_ticket(registration_id: int) -> None:
    """After commit: the ticket's link by e-mail (a task), so that a visitor without an account
    keeps it."""

    def enqueue() -> None:
        from parcours.events import tasks

        tasks.send_ticket.enqueue(registration_id)

    transaction.on_commit(enqueue)


def find_pending(secret: str) -> Registration | None:
    secret = (secret or "")[:100]
    if not secret:
        return None
    return (
        Registration.objects.select_related("event", "event__organisation", "person")
        .filter(confirm_hash=_hash(secret))
        .first()
    )


def confirm_registration(*, secret: str, now: dt.datetime | None = None) -> RegistrationResult:
    """The visitor opened their link: the e-mail is verified, the workshops they chose are
    registered (all or nothing), the link stops working."""
    registration = find_pending(secret)
    if registration is None:
        raise _refuse(_("Ce lien de confirmation n'est pas valable ou a déjà servi."), "unknown")
    event = registration.event
    person = registration.person
    now = now or timezone.now()
    workshops = _chosen(event, registration.wanted, allow_empty=True)
    with write_transaction():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.confirm_hash != _hash(secret):
            raise _refuse(
                _("Ce lien de confirmation n'est pas valable ou a déjà servi."), "unknown"
            )
        invitations.mark_email_verified(person)
        held = _active_seats(registration)
        held_ids = {e.session_id for e in held}
        missing = [w for w in workshops if w.session_id not in held_ids]
        _check_limit(event, person, missing)
        confirmed, waitlisted = _enrol_all(event, person, missing, now)
        if registration.status == Registration.Status.PENDING and held:
            # The seats held while pending: announced now, with their current status.
            by_session = {w.session_id: w for w in _workshops_of(event, held_ids)}
            with enrolment.batched_events(background=True):
                enrolment.announce(held)
            for seat in held:
                workshop = by_session[seat.session_id]
                (confirmed if seat.status in SEAT_HOLDING else waitlisted).append(workshop)
        registration.status = Registration.Status.CONFIRMED
        registration.confirmed_at = registration.confirmed_at or now
        registration.confirm_hash = ""
        registration.wanted = []
        registration.save(update_fields=["status", "confirmed_at", "confirm_hash", "wanted"])
        _mail_ticket(registration.pk)
        audit.record(
            "event.register.confirm",
            actor=person,
            organisation=event.organisation,
            obj=registration,
            changes={"sessions": [w.session_id for w in workshops]},
        )
    return RegistrationResult(registration, confirmed, waitlisted)


# --- Cancelling and expiry ---------------------------------------------------------------------


def _lock_sessions(session_ids: list[int]) -> None:
    """Lock these sessions' rows in id order (the order every registration takes them) before
    cancelling some and enrolling others: no deadlock with another visitor."""
    if session_ids and connection.features.has_select_for_update:
        list(
            Session.objects.select_for_update()
            .filter(pk__in=session_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _active_seats(registration: Registration) -> list[Enrolment]:
    """The person's active enrolments in this event's workshops (seats or waitlist)."""
    return list(
        Enrolment.objects.filter(
            learner_id=registration.person_id,
            session__workshop__event_id=registration.event_id,
            status__in=ACTIVE,
        )
        .select_related("session", "learner")
        .order_by("session_id")
    )


def _workshops_of(event: Event, session_ids: Iterable[int]) -> list[Workshop]:
    return list(Workshop.objects.filter(event=event, session_id__in=list(session_ids)))


def _cancel_seat(seat: Enrolment, actor: Actor, reason: str, *, quiet: bool = False) -> None:
    """One enrolment cancelled through the enrolment app (seat freed, waitlist promoted); a
    refusal names the workshop."""
    try:
        enrolment.cancel(actor=actor, enrolment=seat, reason=reason, quiet=quiet)
    except ValidationError as exc:
        title = Workshop.objects.filter(session_id=seat.session_id).values_list(
            "title", flat=True
        ).first() or str(seat.session_id)
        raise _refuse(
            _("« %(t)s » : %(m)s") % {"t": title, "m": " ".join(exc.messages)},
            exc.code or "invalid",
        ) from exc


@dataclass
class Cancelled:
    """What a cancellation did: ``already`` when there was nothing left to cancel (idempotent:
    pressing the button twice changes nothing)."""

    registration: Registration
    workshops: list[Workshop] = field(default_factory=list)
    already: bool = False


def _cancel(
    registration: Registration,
    actor: Actor,
    *,
    session_id: int | None,
    reason: str,
    action: str,
    audit_actor: User | None,
) -> Cancelled:
    with write_transaction():
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("event", "event__organisation", "person")
            .get(pk=registration.pk)
        )
        if registration.status == Registration.Status.CANCELLED:
            return Cancelled(registration, already=True)
        seats = _active_seats(registration)
        if session_id is not None:
            seats = [e for e in seats if e.session_id == session_id]
            if not seats:
                return Cancelled(registration, already=True)
        _lock_sessions([e.session_id for e in seats])
        # Nothing was announced while the e-mail was not confirmed: no cancellation message.
        quiet = registration.status == Registration.Status.PENDING
        for seat in seats:
            _cancel_seat(seat, actor, reason, quiet=quiet)
        if session_id is None:
            registration.status = Registration.Status.CANCELLED
            registration.confirm_hash = ""
            registration.save(update_fields=["status", "confirm_hash"])
        audit.record(
            action,
            actor=audit_actor,
            organisation=registration.event.organisation,
            obj=registration,
            changes={"sessions": [e.session_id for e in seats], "reason": reason},
        )
    cancelled = _workshops_of(registration.event, [e.session_id for e in seats])
    return Cancelled(registration, cancelled)


def cancel_by_visitor(*, registration: Registration, session_id: int | None = None) -> Cancelled:
    """The visitor cancels one workshop (``session_id``) or their whole registration, from
    their ticket page (the signed ticket link is their credential). Each seat goes through
    the enrolment app's cancellation (its deadline, the waitlist's promotion, its e-mail)."""
    return _cancel(
        registration,
        Actor.of(registration.person),
        session_id=session_id,
        reason=_("Annulé par le visiteur."),
        action="event.register.cancel" if session_id is None else "event.workshop.cancel",
        audit_actor=registration.person,
    )


def cancel_ticket(*, actor: Actor, registration: Registration, reason: str) -> Cancelled:
    """Staff (coordinators of the organisation) cancel a ticket, with a reason (audited);
    every seat is freed as a coordinator would (until the workshop ends)."""
    require_role(actor, registration.event.organisation_id, MANAGERS)
    reason = _line(reason, 300, _("motif"))
    if not reason:
        raise ValidationError({"reason": [_("Indiquez le motif de l'annulation.")]})
    return _cancel(
        registration,
        actor,
        session_id=None,
        reason=reason,
        action="event.ticket.cancel",
        audit_actor=actor.user,
    )


def pending_hours() -> int:
    """How long a visitor without an account has to confirm their e-mail (setting
    ``EVENTS_PENDING_HOURS``, 48 by default)."""
    return max(1, int(getattr(settings, "EVENTS_PENDING_HOURS", 48)))


def pending_deadline(
    created_at: dt.datetime, event_start: dt.datetime | None, hours: int | None = None
) -> dt.datetime:
    """When a pending registration's seats are released: ``hours`` after the request, or the
    event's start if that comes sooner (a request made once the event runs keeps its hours).
    Pure."""
    deadline = created_at + dt.timedelta(hours=hours or pending_hours())
    if event_start is not None and created_at < event_start < deadline:
        return event_start
    return deadline


def expire_pending(*, now: dt.datetime | None = None, dry_run: bool = False) -> list[int]:
    """Release the pending registrations whose e-mail was not confirmed in time: their held
    seats are cancelled (quietly: nothing was announced; the waitlist is promoted as usual),
    the registration is cancelled and its link stops working. Returns their ids. Idempotent;
    ``manage.py expire_event_registrations`` runs it (periodic job ``events.expire_pending``,
    every 15 minutes)."""
    from django.db.models import Min

    now = now or timezone.now()
    hours = pending_hours()
    candidates = (
        Registration.objects.filter(status=Registration.Status.PENDING)
        .annotate(first_start=Min("event__workshops__session__starts_at"))
        .values_list("pk", "created_at", "first_start")
    )
    due = [
        pk
        for pk, created_at, first_start in candidates
        if pending_deadline(created_at, first_start, hours) <= now
    ]
    if dry_run:
        return due
    expired: list[int] = []
    for pk in due:
        with write_transaction():
            registration = (
                Registration.objects.select_for_update(of=("self",))
                .select_related("event", "event__organisation", "person")
                .filter(pk=pk, status=Registration.Status.PENDING)
                .first()
            )
            if registration is None:  # confirmed or cancelled in between
                continue
            seats = _active_seats(registration)
            _lock_sessions([e.session_id for e in seats])
            actor = Actor.of(registration.person)
            for seat in seats:
                with contextlib.suppress(ValidationError, PermissionDenied):
                    # A workshop already over keeps its row (nothing to free any more).
                    enrolment.cancel(
                        actor=actor,
                        enrolment=seat,
                        reason=_("E-mail non confirmé dans le délai."),
                        quiet=True,
                    )
            registration.status = Registration.Status.CANCELLED
            registration.confirm_hash = ""
            registration.save(update_fields=["status", "confirm_hash"])
            audit.record(
                "event.register.expire",
                actor=None,
                organisation=registration.event.organisation,
                obj=registration,
                changes={"sessions": [e.session_id for e in seats], "hours": hours},
            )
        expired.append(pk)
    return expired


# --- Tickets and check-in ----------------------------------------------------------------------


def ticket_token(registration: Registration) -> str:
    return signing.dumps({"r": registration.pk}, salt=TICKET_SALT, compress=True)


def registration_from_ticket(token: str) -> Registration | None:
    try:
        value = signing.loads((token or "")[:200], salt=TICKET_SALT)
    except signing.BadSignature:
        return None
    pk = value.get("r") if isinstance(value, dict) else None
    if not isinstance(pk, int) or not 1 <= pk <= bounds.MAX_ID:
        return None
    return (
        Registration.objects.select_related("event", "event__organisation", "person")
        .filter(pk=pk)
        .first()
    )


def ticket_url(registration: Registration) -> str:
    return absolute_url(reverse("events:ticket", args=[ticket_token(registration)]))


@dataclass
class CheckIn:
    """What the door staff see after a scan: ``outcome`` is ``ok``, ``already``,
    ``wrong_event``, ``cancelled``, ``pending``, ``not_registered``, ``waitlisted``,
    ``unknown`` or ``refused``."""

    outcome: str
    message: str
    registration: Registration | None = None
    recorded_at: dt.datetime | None = None


def normalise_code(text: str) -> str:
    return "".join(c for c in (text or "").upper()[:64] if c.isalnum())


def check_in(
    *, actor: Actor, event: Event, workshop: Workshop, code: str, now: dt.datetime | None = None
) -> CheckIn:
    """Staff scan a ticket (or type its code) at a workshop's door: the person is marked
    present through the enrolment app's attendance action (idempotent)."""
    require_role(actor, event.organisation_id, DOOR_STAFF)
    if workshop.event_id != event.pk:
        raise PermissionDenied
    from parcours.lib.dates import format_time

    now = now or timezone.now()
    code = normalise_code(code)
    registration = (
        Registration.objects.select_related("person", "event").filter(ticket_code=code).first()
        if code
        else None
    )
    if registration is None:
        return CheckIn("unknown", _("Billet inconnu : vérifiez le code."))
    if registration.event_id != event.pk:
        # Another organisation's event is not named.
        other = (
            registration.event.title
            if registration.event.organisation_id == event.organisation_id
            else _("un autre événement")
        )
        return CheckIn(
            "wrong_event",
            _("Ce billet est pour %(e)s, pas pour cet événement.") % {"e": other},
        )
    name = registration.person.get_full_name() or registration.person.email
    if registration.status == Registration.Status.CANCELLED:
        return CheckIn("cancelled", _("Billet annulé (%(p)s).") % {"p": name}, registration)
    if registration.status == Registration.Status.PENDING:
        return CheckIn(
            "pending",
            _("Inscription non confirmée (%(p)s) : l'e-mail n'a pas été confirmé.") % {"p": name},
            registration,
        )
    seat = (
        Enrolment.objects.filter(session_id=workshop.session_id, learner_id=registration.person_id)
        .order_by("-pk")
        .first()
    )
    if seat is None or seat.status in (EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED):
        return CheckIn(
            "not_registered",
            _("%(p)s n'est pas inscrit·e à cet atelier.") % {"p": name},
            registration,
        )
    if seat.status not in SEAT_HOLDING:
        return CheckIn(
            "waitlisted",
            _("%(p)s est en liste d'attente pour cet atelier, sans place.") % {"p": name},
            registration,
        )
    slot = _slot_now(workshop.session_id, now)
    if slot is None:
        return CheckIn("refused", _("Cet atelier n'a pas de créneau."), registration)
    try:
        result = enrolment.record_presence(
            actor=actor, enrolment=seat, slot=slot, early=CHECKIN_EARLY, now=now
        )
    except ValidationError as exc:
        return CheckIn("refused", " ".join(exc.messages), registration)
    when = result.attendance.recorded_at
    if result.already:
        return CheckIn(
            "already",
            _("Déjà enregistré à %(t)s : %(p)s.") % {"t": format_time(when), "p": name},
            registration,
            when,
        )
    return CheckIn("ok", _("Présence enregistrée : %(p)s.") % {"p": name}, registration, when)


def _slot_now(session_id: int, now: dt.datetime) -> SessionSlot | None:
    """The slot being run (or the next one), else the last one."""
    slots = list(SessionSlot.objects.filter(session_id=session_id).order_by("start"))
    for slot in slots:
        if now < slot.end:
            return slot
    return slots[-1] if slots else None
