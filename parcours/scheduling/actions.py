"""Every write to resources, bookings, loans and outreach requests goes through here.

No double booking, ever:

- Every booking writes one ``Reservation`` per resource with the blocked range
  ``[start - setup, end + cleanup)``; only ``active`` reservations (approved bookings) block.
- The check for overlapping active reservations and the insert happen in one transaction.
  On SQLite the transaction begins with ``BEGIN IMMEDIATE`` (settings), so writers are
  serialised and check-then-insert is race-free (writers queue: ``parcours.lib.transactions``).
  On PostgreSQL writers of a resource queue on its advisory lock (``_lock_resources``, in id
  order), then insert, and the exclusion constraint refuses an overlap (SQLSTATE 23P01),
  turned into the same ``BookingConflict`` with the conflicting booking found by a query; a
  deadlock that still happens is replayed (``_retrying_deadlocks``).
- ``BookingConflict`` names the conflicting bookings and carries suggestions (nearest free
  slots the same day, other free resources at this site then at nearby sites).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.lib.transactions import write_transaction
from parcours.scheduling import core, planning, tasks
from parcours.scheduling.models import (
    Booking,
    BookingSeries,
    CateringItem,
    CateringLine,
    ClosurePeriod,
    Feature,
    Loan,
    OpeningHours,
    OutreachActivity,
    OutreachPupilCount,
    OutreachRequest,
    Reservation,
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import (
    booking_status_for,
    can_change,
    can_decide,
    is_logistics,
    require_logistics,
)
from parcours.scheduling.planning import Conflict, Suggestion
from parcours.scheduling.querysets import LONG_SPAN
from parcours.scheduling.states import HOLDING, OPEN, BookingStatus, can_transition

MAX_OCCURRENCES = 400
MAX_BOOKING_DAYS = 366
EXCLUSION_VIOLATION = "23P01"
T = TypeVar("T")

# --- Conflicts ---------------------------------------------------------------------------------


def _fmt_range(start: dt.datetime, end: dt.datetime) -> str:
    s, e = timezone.localtime(start), timezone.localtime(end)
    if s.date() == e.date():
        return _("le %(day)s de %(start)s à %(end)s") % {
            "day": formats.date_format(s, "l j F Y"),
            "start": s.strftime("%H:%M"),
            "end": e.strftime("%H:%M"),
        }
    return _("du %(start)s au %(end)s") % {
        "start": formats.date_format(s, "j F Y H:i"),
        "end": formats.date_format(e, "j F Y H:i"),
    }


class BookingConflict(Exception):
    """The resources are taken. ``conflicts`` name the bookings in the way (titles of bookings
    the actor may not see are masked); ``suggestions`` propose the nearest free slots and other
    free resources."""

    def __init__(
        self,
        conflicts: Sequence[Conflict],
        suggestions: Sequence[Suggestion] = (),
        *,
        actor: Actor | None = None,
    ) -> None:
        self.conflicts = list(conflicts)
        self.suggestions = list(suggestions)
        self.visible_titles = _visible_titles(actor, self.conflicts)
        super().__init__(self.message)

    def title_of(self, conflict: Conflict) -> str:
        return self.visible_titles.get(conflict.booking_id) or _("une autre réservation")

    @property
    def message(self) -> str:
        if not self.conflicts:
            return _("Ce créneau vient d'être réservé par quelqu'un d'autre.")
        first = self.conflicts[0]
        text = _("« %(resource)s » est déjà réservé %(when)s (« %(title)s »).") % {
            "resource": first.resource_name,
            "when": _fmt_range(first.blocked_start, first.blocked_end),
            "title": self.title_of(first),
        }
        others = len({c.booking_id for c in self.conflicts}) - 1
        if others > 0:
            text += " " + _("%(n)d autre(s) réservation(s) chevauche(nt) ce créneau.") % {
                "n": others
            }
        return text

    def as_dict(self) -> dict[str, Any]:
        return {
            "conflicts": [
                {
                    "booking_id": c.booking_id,
                    "title": self.title_of(c),
                    "resource_id": c.resource_id,
                    "resource": c.resource_name,
                    "start": c.start.isoformat(),
                    "end": c.end.isoformat(),
                    "blocked_start": c.blocked_start.isoformat(),
                    "blocked_end": c.blocked_end.isoformat(),
                }
                for c in self.conflicts
            ],
            "suggestions": [
                {
                    "kind": s.kind,
                    "resource_id": s.resource_id,
                    "resource": s.resource_name,
                    "site_id": s.site_id,
                    "site": s.site_name,
                    "start": s.start.isoformat(),
                    "end": s.end.isoformat(),
                    "distance_km": s.distance_km,
                    "capacity": s.capacity,
                }
                for s in self.suggestions
            ],
        }


def _visible_titles(actor: Actor | None, conflicts: Sequence[Conflict]) -> dict[int, str]:
    if not conflicts:
        return {}
    ids = {c.booking_id for c in conflicts}
    qs = Booking.objects.filter(pk__in=ids).visible_to(actor)
    return dict(qs.values_list("pk", "title"))


class _Clash(Exception):
    """The resources are taken. Raised inside the write transaction; pass ``conflicts`` when
    they are known, else ``lookup`` (resource ids, blocked range, booking to leave out): they
    are then looked up on first use of ``conflicts``, which every caller does after the
    transaction (or the savepoint) was rolled back, since on PostgreSQL the refused insert
    aborted it."""

    def __init__(
        self,
        conflicts: list[Conflict] | None = None,
        *,
        lookup: tuple[list[int], dt.datetime, dt.datetime, int | None] | None = None,
    ) -> None:
        self._conflicts = conflicts
        self._lookup = lookup
        super().__init__("clash")

    @property
    def conflicts(self) -> list[Conflict]:
        if self._conflicts is None:
            ids, b0, b1, exclude = self._lookup or ([], timezone.now(), timezone.now(), None)
            self._conflicts = planning.find_conflicts(ids, b0, b1, exclude_booking_id=exclude)
        return self._conflicts


#: PostgreSQL: deadlock detected, serialisation failure. Writers of one resource queue on its
#: lock (``_lock_resources``); a transaction that locks two sets of resources one after the
#: other (a move across rooms) can still meet another in a cycle, and is then replayed.
RETRYABLE = frozenset({"40P01", "40001"})
ATTEMPTS = 3


def _retrying_deadlocks(write: Callable[[], T]) -> T:
    """Run ``write`` in ``write_transaction()``; on PostgreSQL, run it again (up to
    ``ATTEMPTS`` times) when the transaction was aborted by a deadlock, whose replay then sees
    the other writer's committed booking and reports a normal conflict. Inside an outer
    transaction there is nothing to replay: the error goes up."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with write_transaction():
                return write()
        except OperationalError as exc:
            retry = (
                attempt < ATTEMPTS
                and not connection.in_atomic_block
                and getattr(exc.__cause__, "sqlstate", None) in RETRYABLE
            )
            if not retry:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


#: First key of the transaction-level advisory locks taken per resource on PostgreSQL.
RESOURCE_LOCK_CLASS = 0x5043  # "PC"


def _lock_resources(resource_ids: Sequence[int]) -> None:
    """PostgreSQL: take the resources' writer locks (advisory, released at commit), in id
    order, before making reservations block. Two writers of overlapping reservations then
    queue instead of each waiting on the other's index entry of the exclusion constraint (a
    deadlock, which PostgreSQL resolves by aborting one of them); the constraint still says
    whether the second one's reservation fits. SQLite: writers are already serialised."""
    if connection.vendor != "postgresql" or not resource_ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, k) FROM unnest(%s::int[]) AS k",
            [RESOURCE_LOCK_CLASS, sorted(set(resource_ids))],
        )


def _is_exclusion_violation(exc: IntegrityError) -> bool:
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) == EXCLUSION_VIOLATION or (
        "scheduling_reservation_no_overlap" in str(exc)
    )


def _write_reservations(
    booking: Booking, resources: Sequence[Resource], *, active: bool
) -> list[Reservation]:
    """Insert the reservations of a booking; raise _Clash when an active one would overlap.

    SQLite: check, then insert, under the write lock (``BEGIN IMMEDIATE``). PostgreSQL: insert
    straight away and let the exclusion constraint refuse an overlap (it also catches the race
    a check cannot); the refused insert aborts the transaction, so the callers roll back (every
    caller writes inside ``write_transaction()`` or a savepoint) and the conflicts are looked up
    afterwards (``_Clash.conflicts``): one statement, where a check first took five.
    """
    ids = [r.pk for r in resources]
    b0, b1 = booking.blocked_start, booking.blocked_end
    rows = [
        Reservation(
            booking=booking,
            resource=r,
            blocked_start=b0,
            blocked_end=b1,
            active=active,
            long_span=b1 - b0 > LONG_SPAN,
        )
        # In resource order: two multi-resource inserts never wait on each other crosswise.
        for r in sorted(resources, key=lambda r: r.pk)
    ]
    if connection.vendor != "postgresql":
        if active:
            conflicts = planning.find_conflicts(ids, b0, b1, exclude_booking_id=booking.pk)
            if conflicts:
                raise _Clash(conflicts)
        return Reservation.objects.bulk_create(rows)
    if active:
        _lock_resources(ids)
    try:
        return Reservation.objects.bulk_create(rows)
    except IntegrityError as exc:
        if not _is_exclusion_violation(exc):
            raise
        raise _Clash(lookup=(ids, b0, b1, booking.pk)) from exc


def _activate_reservations(booking: Booking) -> None:
    reservations = list(booking.reservations.select_related("resource"))
    ids = [r.resource_id for r in reservations]
    conflicts = planning.find_conflicts(
        ids, booking.blocked_start, booking.blocked_end, exclude_booking_id=booking.pk
    )
    if conflicts:
        raise _Clash(conflicts)
    _lock_resources(ids)
    try:
        with transaction.atomic():
            booking.reservations.update(active=True)
    except IntegrityError as exc:
        if not _is_exclusion_violation(exc):
            raise
        raise _Clash(
            planning.find_conflicts(
                ids, booking.blocked_start, booking.blocked_end, exclude_booking_id=booking.pk
            )
        ) from exc


def _conflict(
    actor: Actor | None,
    clash: _Clash,
    resources: Sequence[Resource],
    start: dt.datetime,
    end: dt.datetime,
    setup: int,
    cleanup: int,
    participants: int | None,
    exclude_booking_id: int | None = None,
) -> BookingConflict:
    suggestions = planning.suggest_alternatives(
        resources=resources,
        start=start,
        end=end,
        setup=dt.timedelta(minutes=setup),
        cleanup=dt.timedelta(minutes=cleanup),
        participants=participants,
        exclude_booking_id=exclude_booking_id,
    )
    return BookingConflict(clash.conflicts, suggestions, actor=actor)


# --- Booking -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CateringRequest:
    """One catering line asked for: an item (instance, id or slug), how many, when served."""

    item: CateringItem | int | str
    count: int
    serve_at: dt.time | None = None
    note: str = ""


def _load_resources(resources: Iterable[Resource | int]) -> list[Resource]:
    ids: list[int] = []
    for r in resources:
        rid = r if isinstance(r, int) else r.pk
        if rid not in ids:
            ids.append(rid)
    if not ids:
        raise ValidationError({"resources": [_("Choisissez au moins une ressource.")]})
    loaded = {
        r.pk: r
        # The site's policy is only read for requests from other organisations (lazily).
        for r in Resource.objects.filter(pk__in=ids)
        .select_related("site", "organisation")
        .order_by()
    }
    missing = [i for i in ids if i not in loaded]
    if missing:
        raise ValidationError({"resources": [_("Ressource introuvable.")]})
    items = [loaded[i] for i in ids]
    if len({r.site_id for r in items}) > 1:
        raise ValidationError(
            {"resources": [_("Une réservation porte sur les ressources d'un seul site.")]}
        )
    inactive = [r.name for r in items if not r.is_active]
    if inactive:
        raise ValidationError(
            {"resources": [_("« %(name)s » n'est pas réservable.") % {"name": inactive[0]}]}
        )
    return items


def _validate_times(start: dt.datetime, end: dt.datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise ValidationError({"start": [_("Les heures doivent préciser leur fuseau horaire.")]})
    if end <= start:
        raise ValidationError({"end": [_("La fin doit être après le début.")]})
    if end - start > dt.timedelta(days=MAX_BOOKING_DAYS):
        raise ValidationError({"end": [_("Une réservation dure au plus un an.")]})


def _check_rules(
    actor: Actor,
    resources: Sequence[Resource],
    start: dt.datetime,
    end: dt.datetime,
    participants: int | None,
    *,
    calendar: planning.SiteCalendar | None = None,
) -> None:
    """Capacity, opening hours and past dates (logistics may override the last two)."""
    if participants is not None:
        if participants < 1:
            raise ValidationError({"participants": [_("Indiquez au moins un participant.")]})
        for r in resources:
            if r.kind == Resource.Kind.ROOM and r.capacity and participants > r.capacity:
                raise ValidationError(
                    {
                        "participants": [
                            _("« %(name)s » accueille au plus %(n)d personnes.")
                            % {"name": r.name, "n": r.capacity}
                        ]
                    }
                )
    if is_logistics(actor, resources[0].organisation_id):
        return
    if end <= timezone.now():
        raise ValidationError({"start": [_("Ce créneau est déjà passé.")]})
    if any(r.kind in (Resource.Kind.ROOM, Resource.Kind.PARKING) for r in resources):
        site = resources[0].site
        day = planning.local_day(start)
        cal = calendar or planning.SiteCalendar.load(site, day, day)
        if not cal.allows(start, end):
            if cal.is_closed(day):
                closure = cal.closure_on(day, ClosurePeriod.Kind.CLOSED)
                reason = f" ({closure.reason})" if closure and closure.reason else ""
                raise ValidationError({"start": [_("Le site est fermé ce jour-là.") + reason]})
            raise ValidationError(
                {"start": [_("Ce créneau est en dehors des heures d'ouverture du site.")]}
            )


def _notify(booking: Booking, previous: str | None) -> None:
    """Queue the e-mails a status change calls for, after commit."""
    status = booking.status
    booking_id = booking.pk
    if status == BookingStatus.REQUESTED and previous != BookingStatus.REQUESTED:
        transaction.on_commit(lambda: tasks.notify_new_request.enqueue(booking_id))
    elif previous == BookingStatus.REQUESTED and status in (
        BookingStatus.APPROVED,
        BookingStatus.REFUSED,
    ):
        transaction.on_commit(lambda: tasks.send_decision_email.enqueue(booking_id))


def _create_booking(
    *,
    actor: Actor,
    resources: Sequence[Resource],
    status: str,
    start: dt.datetime,
    end: dt.datetime,
    title: str,
    purpose: str,
    setup: int,
    cleanup: int,
    participants: int | None,
    notes: str,
    source: str,
    source_id: str,
    requester_organisation: Organisation | None,
    series: BookingSeries | None = None,
    occurrence_date: dt.date | None = None,
    hide_from_lobby: bool = False,
) -> Booking:
    """Insert the booking and its reservations (inside the caller's transaction)."""
    now = timezone.now()
    auto = status == BookingStatus.APPROVED
    booking = Booking.objects.create(
        organisation_id=resources[0].organisation_id,
        site_id=resources[0].site_id,
        title=title,
        purpose=purpose,
        status=status,
        requester=actor.user,
        requester_organisation=requester_organisation,
        decided_by=actor.user if auto else None,
        decided_at=now if auto else None,
        start=start,
        end=end,
        setup_minutes=setup,
        cleanup_minutes=cleanup,
        participants=participants,
        notes=notes,
        source=source,
        source_id=source_id,
        series=series,
        occurrence_date=occurrence_date,
        hide_from_lobby=hide_from_lobby,
    )
    _write_reservations(booking, resources, active=status in HOLDING)
    return booking


def _requester_org(actor: Actor, resources: Sequence[Resource]) -> Organisation | None:
    org_id = resources[0].organisation_id
    if org_id in actor.roles_by_org:
        return resources[0].organisation
    own = sorted(actor.roles_by_org)
    return Organisation.objects.filter(pk=own[0]).first() if own else None


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": [_("Donnez un objet à la réservation.")]})
    return title[:200]


def book(
    *,
    actor: Actor,
    resources: Iterable[Resource | int],
    start: dt.datetime,
    end: dt.datetime,
    title: str,
    purpose: str = Booking.Purpose.MEETING,
    setup_minutes: int | None = None,
    cleanup_minutes: int | None = None,
    participants: int | None = None,
    catering: Sequence[CateringRequest] = (),
    notes: str = "",
    source: str = "",
    source_id: str = "",
    hide_from_lobby: bool = False,
) -> Booking:
    """Book (logistics, or direct bookers of resources without approval) or request
    (everyone else allowed) resources of one site for ``[start, end)``.

    Buffers default to the largest default of the resources. Raises ``BookingConflict`` when an
    active booking of one of the resources overlaps the blocked range (only for bookings that
    would hold the slot: a request holds none until approved), ``ValidationError`` for bad
    input, ``PermissionDenied`` when the actor may not book these resources.
    ``hide_from_lobby`` keeps the title off the lobby screens (the room shows as busy).
    """
    items = _load_resources(resources)
    _validate_times(start, end)
    title = _clean_title(title)
    if purpose not in Booking.Purpose.values:
        raise ValidationError({"purpose": [_("Motif inconnu.")]})
    status = booking_status_for(actor, items)
    setup = setup_minutes if setup_minutes is not None else max(r.setup_minutes for r in items)
    cleanup = (
        cleanup_minutes if cleanup_minutes is not None else max(r.cleanup_minutes for r in items)
    )
    _check_rules(actor, items, start, end, participants)
    lines = _resolve_catering(items[0].organisation_id, catering)

    def write() -> Booking:
        booking = _create_booking(
            actor=actor,
            resources=items,
            status=status,
            start=start,
            end=end,
            title=title,
            purpose=purpose,
            setup=setup,
            cleanup=cleanup,
            participants=participants,
            notes=notes,
            source=source,
            source_id=source_id,
            requester_organisation=_requester_org(actor, items),
            hide_from_lobby=hide_from_lobby,
        )
        if lines:
            _write_catering(booking, lines)
        audit.record(
            "booking.create",
            actor=actor.user,
            organisation=items[0].organisation,
            obj=booking,
            changes={"status": status, "resources": [r.code for r in items]},
        )
        _notify(booking, None)
        return booking

    try:
        booking = _retrying_deadlocks(write)
    except _Clash as clash:
        raise _conflict(actor, clash, items, start, end, setup, cleanup, participants) from None
    return booking


def _get_open(booking: Booking | int) -> Booking:
    pk = booking if isinstance(booking, int) else booking.pk
    return Booking.objects.select_for_update().select_related("organisation").get(pk=pk)


def _transition(booking: Booking, new: str) -> str:
    previous = booking.status
    if not can_transition(previous, new):
        raise ValidationError(
            _("Impossible de passer de « %(old)s » à « %(new)s ».")
            % {
                "old": BookingStatus(previous).label,
                "new": BookingStatus(new).label,
            }
        )
    booking.status = new
    return previous


def approve_booking(*, actor: Actor, booking: Booking | int) -> Booking:
    """Approve a request after re-checking availability (a request held no slot)."""
    try:
        with write_transaction():
            booking = _get_open(booking)
            if not can_decide(actor, booking):
                raise PermissionDenied(_("Seule la logistique peut approuver cette demande."))
            previous = _transition(booking, BookingStatus.APPROVED)
            _activate_reservations(booking)
            booking.decided_by = actor.user
            booking.decided_at = timezone.now()
            booking.refusal_reason = ""
            booking.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
            audit.record(
                "booking.approve", actor=actor.user, organisation=booking.organisation, obj=booking
            )
            _notify(booking, previous)
    except _Clash as clash:
        if not isinstance(booking, Booking):  # pragma: no cover - _Clash comes after loading
            raise
        resources = list(
            Resource.objects.filter(reservations__booking=booking)
            .select_related("site")
            .prefetch_related("features")
        )
        raise _conflict(
            actor,
            clash,
            resources,
            booking.start,
            booking.end,
            booking.setup_minutes,
            booking.cleanup_minutes,
            booking.participants,
            exclude_booking_id=booking.pk,
        ) from None
    return booking


def refuse_booking(*, actor: Actor, booking: Booking | int, reason: str) -> Booking:
    """Refuse a request with a reason the requester will read."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Indiquez le motif du refus.")]})
    with write_transaction():
        booking = _get_open(booking)
        if not can_decide(actor, booking):
            raise PermissionDenied(_("Seule la logistique peut refuser cette demande."))
        previous = _transition(booking, BookingStatus.REFUSED)
        booking.reservations.update(active=False)
        booking.decided_by = actor.user
        booking.decided_at = timezone.now()
        booking.refusal_reason = reason
        booking.save(update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
        audit.record(
            "booking.refuse",
            actor=actor.user,
            organisation=booking.organisation,
            obj=booking,
            changes={"reason": reason},
        )
        _notify(booking, previous)
    return booking


def cancel_booking(*, actor: Actor, booking: Booking | int, reason: str = "") -> Booking:
    """Cancel a request or a confirmed booking (its requester or logistics). Frees the slot.
    Cancelling one occurrence of a series makes it an exception of the series."""
    with write_transaction():
        booking = _get_open(booking)
        if not can_change(actor, booking):
            raise PermissionDenied(_("Vous ne pouvez pas annuler cette réservation."))
        _transition(booking, BookingStatus.CANCELLED)
        booking.reservations.update(active=False)
        booking.cancel_reason = (reason or "").strip()
        booking.is_exception = booking.series_id is not None
        booking.save(update_fields=["status", "cancel_reason", "is_exception", "updated_at"])
        audit.record(
            "booking.cancel",
            actor=actor.user,
            organisation=booking.organisation,
            obj=booking,
            changes={"reason": booking.cancel_reason},
        )
        if booking.requester_id != actor.user.pk:
            booking_id = booking.pk
            transaction.on_commit(lambda: tasks.send_decision_email.enqueue(booking_id))
    return booking


def set_lobby_visibility(*, actor: Actor, booking: Booking | int, hidden: bool) -> Booking:
    """Show or hide an open booking on the lobby screens (its requester or logistics). A hidden
    booking still makes its room "busy" there, without its title."""
    with write_transaction():
        booking = _get_open(booking)
        if not can_change(actor, booking):
            raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
        if booking.status not in OPEN:
            raise ValidationError(_("Cette réservation n'est plus modifiable."))
        if booking.hide_from_lobby != hidden:
            booking.hide_from_lobby = hidden
            booking.save(update_fields=["hide_from_lobby", "updated_at"])
            audit.record(
                "booking.lobby_visibility",
                actor=actor.user,
                organisation=booking.organisation,
                obj=booking,
                changes={"hide_from_lobby": hidden},
            )
    return booking


def move_booking(
    *,
    actor: Actor,
    booking: Booking | int,
    start: dt.datetime,
    end: dt.datetime,
    resources: Iterable[Resource | int] | None = None,
    setup_minutes: int | None = None,
    cleanup_minutes: int | None = None,
) -> Booking:
    """Change the times (and optionally the resources) of an open booking, with the same
    conflict check as ``book``. Logistics keep its status; a requester who needs approval
    sends a confirmed booking back to the queue. Moving one occurrence of a series makes it
    an exception."""
    _validate_times(start, end)
    current = Booking.objects.select_related("organisation").get(
        pk=booking if isinstance(booking, int) else booking.pk
    )
    if resources is None:
        items = list(
            Resource.objects.filter(reservations__booking=current)
            .select_related("site__policy", "organisation")
            .prefetch_related("features")
        )
    else:
        items = _load_resources(resources)
    if items[0].organisation_id != current.organisation_id:
        raise ValidationError(
            {"resources": [_("Les ressources doivent appartenir à la même organisation.")]}
        )
    setup = current.setup_minutes if setup_minutes is None else setup_minutes
    cleanup = current.cleanup_minutes if cleanup_minutes is None else cleanup_minutes
    if not can_change(actor, current):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
    _check_rules(actor, items, start, end, current.participants)
    try:
        with write_transaction():
            locked = _get_open(current)
            if locked.status not in OPEN:
                raise ValidationError(_("Cette réservation n'est plus modifiable."))
            previous = locked.status
            if not is_logistics(actor, locked.organisation_id):
                wanted = booking_status_for(actor, items)
                if wanted == BookingStatus.REQUESTED and previous == BookingStatus.APPROVED:
                    _transition(locked, BookingStatus.REQUESTED)
            before = {
                "start": locked.start.isoformat(),
                "end": locked.end.isoformat(),
                "resources": sorted(locked.reservations.values_list("resource_id", flat=True)),
            }
            locked.start, locked.end = start, end
            locked.setup_minutes, locked.cleanup_minutes = setup, cleanup
            locked.site_id = items[0].site_id
            locked.is_exception = locked.series_id is not None
            locked.save()
            locked.reservations.all().delete()
            _write_reservations(locked, items, active=locked.status in HOLDING)
            audit.record(
                "booking.move",
                actor=actor.user,
                organisation=locked.organisation,
                obj=locked,
                changes={"before": before, "start": start.isoformat(), "end": end.isoformat()},
            )
            _notify(locked, previous)
    except _Clash as clash:
        raise _conflict(
            actor,
            clash,
            items,
            start,
            end,
            setup,
            cleanup,
            current.participants,
            exclude_booking_id=current.pk,
        ) from None
    return locked


# --- Catering ----------------------------------------------------------------------------------


def catering_cutoff(booking: Booking) -> dt.datetime:
    """The moment after which the catering of a booking can no longer be changed (by default
    the day before at 10:00, local time; per site in ``SitePolicy``)."""
    policy = SitePolicy.objects.filter(site_id=booking.site_id).first()
    days = policy.catering_cutoff_days if policy else 1
    at = policy.catering_cutoff_time if policy else dt.time(10, 0)
    day = planning.local_day(booking.start) - dt.timedelta(days=days)
    return core.local_datetime(day, at, planning.TZ)


def _resolve_catering(
    organisation_id: int, lines: Sequence[CateringRequest]
) -> list[tuple[CateringItem, CateringRequest]]:
    out: list[tuple[CateringItem, CateringRequest]] = []
    seen: set[int] = set()
    for line in lines:
        if line.count < 0:
            raise ValidationError({"catering": [_("Les quantités sont positives.")]})
        item = line.item
        if not isinstance(item, CateringItem):
            qs = CateringItem.objects.filter(organisation_id=organisation_id, is_active=True)
            found = (
                qs.filter(pk=item).first()
                if isinstance(item, int)
                else qs.filter(slug=item).first()
            )
            if found is None:
                raise ValidationError({"catering": [_("Article de catering inconnu.")]})
            item = found
        elif item.organisation_id != organisation_id:
            raise ValidationError({"catering": [_("Article de catering inconnu.")]})
        if item.pk in seen:
            raise ValidationError({"catering": [_("Un article figure deux fois.")]})
        seen.add(item.pk)
        out.append((item, line))
    return out


def _write_catering(
    booking: Booking, lines: Sequence[tuple[CateringItem, CateringRequest]]
) -> None:
    booking.catering_lines.all().delete()
    CateringLine.objects.bulk_create(
        [
            CateringLine(
                booking=booking,
                item=item,
                count=line.count,
                serve_at=line.serve_at,
                note=line.note[:200],
            )
            for item, line in lines
            if line.count > 0
        ]
    )


def set_catering(
    *, actor: Actor, booking: Booking | int, lines: Sequence[CateringRequest]
) -> Booking:
    """Replace the catering lines of an open booking. Refused after the cut-off, except for
    logistics (who phone the caterer)."""
    with write_transaction():
        booking = _get_open(booking)
        if not can_change(actor, booking):
            raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
        if booking.status not in OPEN:
            raise ValidationError(_("Cette réservation n'est plus modifiable."))
        cutoff = catering_cutoff(booking)
        if timezone.now() > cutoff and not is_logistics(actor, booking.organisation_id):
            raise ValidationError(
                {
                    "catering": [
                        _("Le catering ne peut plus être modifié depuis le %(when)s.")
                        % {"when": formats.date_format(timezone.localtime(cutoff), "j F Y H:i")}
                    ]
                }
            )
        resolved = _resolve_catering(booking.organisation_id, lines)
        _write_catering(booking, resolved)
        audit.record(
            "booking.catering",
            actor=actor.user,
            organisation=booking.organisation,
            obj=booking,
            changes={"lines": {item.slug: line.count for item, line in resolved}},
        )
    return booking


# --- Recurring bookings ------------------------------------------------------------------------


@dataclass
class SeriesResult:
    series: BookingSeries
    bookings: list[Booking]
    skipped: list[dt.date] = field(default_factory=list)  # dates left out by closures/holidays
    conflicted: list[dt.date] = field(default_factory=list)  # with skip_conflicts=True


def book_series(
    *,
    actor: Actor,
    resources: Iterable[Resource | int],
    first_date: dt.date,
    until: dt.date,
    weekdays: Iterable[int],
    start_time: dt.time,
    end_time: dt.time,
    title: str,
    purpose: str = Booking.Purpose.MEETING,
    interval_weeks: int = 1,
    skip_holidays: bool = True,
    except_dates: Iterable[dt.date] = (),
    skip_conflicts: bool = False,
    setup_minutes: int | None = None,
    cleanup_minutes: int | None = None,
    participants: int | None = None,
    notes: str = "",
    source: str = "",
    source_id: str = "",
) -> SeriesResult:
    """A weekly booking ("every Tuesday 9:00-12:00 until June"), one ``Booking`` per date, each
    at the same local times in Europe/Brussels whatever the daylight-saving changes.

    Left out: the site's closed days, its school holidays (``skip_holidays``), and
    ``except_dates``. All or nothing: when an occurrence is taken, ``BookingConflict`` lists
    every conflict and nothing is written — unless ``skip_conflicts``, which books the free
    dates and reports the others in ``SeriesResult.conflicted``.
    """
    items = _load_resources(resources)
    title = _clean_title(title)
    days = sorted(set(weekdays))
    if not days:
        raise ValidationError({"weekdays": [_("Choisissez au moins un jour de la semaine.")]})
    if until < first_date:
        raise ValidationError({"until": [_("La date de fin doit suivre la date de début.")]})
    if end_time <= start_time:
        raise ValidationError({"end_time": [_("La fin doit être après le début.")]})
    status = booking_status_for(actor, items)
    setup = setup_minutes if setup_minutes is not None else max(r.setup_minutes for r in items)
    cleanup = (
        cleanup_minutes if cleanup_minutes is not None else max(r.cleanup_minutes for r in items)
    )
    site = items[0].site
    calendar = planning.SiteCalendar.load(site, first_date, until)
    all_dates = core.weekly_dates(
        first_date=first_date, until=until, weekdays=days, interval_weeks=interval_weeks
    )
    excluded = set(except_dates)
    skip = {
        d
        for d in all_dates
        if d in excluded
        or calendar.closure_on(d, ClosurePeriod.Kind.CLOSED) is not None
        or (skip_holidays and calendar.closure_on(d, ClosurePeriod.Kind.HOLIDAY) is not None)
    }
    occurrences = core.expand_weekly(
        first_date=first_date,
        until=until,
        weekdays=days,
        start_time=start_time,
        end_time=end_time,
        tz=planning.TZ,
        interval_weeks=interval_weeks,
        skip=skip,
    )
    if not occurrences:
        raise ValidationError({"until": [_("Aucune date ne correspond à cette récurrence.")]})
    if len(occurrences) > MAX_OCCURRENCES:
        raise ValidationError(
            {"until": [_("Au plus %(n)d dates par série.") % {"n": MAX_OCCURRENCES}]}
        )
    for occ in occurrences:
        _check_rules(actor, items, occ.start, occ.end, participants, calendar=calendar)
    requester_org = _requester_org(actor, items)
    clashes: list[tuple[core.Occurrence, _Clash]] = []
    try:
        with write_transaction():
            series = BookingSeries.objects.create(
                organisation_id=items[0].organisation_id,
                title=title,
                weekdays=days,
                interval_weeks=interval_weeks,
                first_date=first_date,
                until=until,
                start_time=start_time,
                end_time=end_time,
                timezone=str(planning.TZ),
                skip_holidays=skip_holidays,
                except_dates=sorted(d.isoformat() for d in excluded),
                created_by=actor.user,
            )
            bookings: list[Booking] = []
            for occ in occurrences:
                try:
                    with transaction.atomic():
                        bookings.append(
                            _create_booking(
                                actor=actor,
                                resources=items,
                                status=status,
                                start=occ.start,
                                end=occ.end,
                                title=title,
                                purpose=purpose,
                                setup=setup,
                                cleanup=cleanup,
                                participants=participants,
                                notes=notes,
                                source=source,
                                source_id=source_id,
                                requester_organisation=requester_org,
                                series=series,
                                occurrence_date=occ.day,
                            )
                        )
                except _Clash as clash:
                    clashes.append((occ, clash))
            if clashes and not skip_conflicts:
                raise _Clash([c for _occ, clash in clashes for c in clash.conflicts])
            if not bookings:
                raise _Clash([c for _occ, clash in clashes for c in clash.conflicts])
            audit.record(
                "booking_series.create",
                actor=actor.user,
                organisation=items[0].organisation,
                obj=series,
                changes={
                    "status": status,
                    "occurrences": len(bookings),
                    "skipped": sorted(d.isoformat() for d in skip),
                    "conflicted": [occ.day.isoformat() for occ, _c in clashes],
                },
            )
            if status == BookingStatus.REQUESTED:
                _notify(bookings[0], None)
    except _Clash as clash:
        first = clashes[0][0] if clashes else occurrences[0]
        raise _conflict(
            actor, clash, items, first.start, first.end, setup, cleanup, participants
        ) from None
    return SeriesResult(
        series=series,
        bookings=bookings,
        skipped=sorted(skip),
        conflicted=[occ.day for occ, _c in clashes],
    )


def cancel_series(
    *, actor: Actor, series: BookingSeries | int, from_date: dt.date | None = None, reason: str = ""
) -> int:
    """Cancel every open occurrence of a series (from a date on). Returns how many."""
    series_id = series if isinstance(series, int) else series.pk
    with write_transaction():
        occurrences = list(Booking.objects.open().filter(series_id=series_id).order_by("start"))
        if from_date is not None:
            occurrences = [
                b for b in occurrences if b.occurrence_date and b.occurrence_date >= from_date
            ]
        for occurrence in occurrences:
            cancel_booking(actor=actor, booking=occurrence, reason=reason)
            Booking.objects.filter(pk=occurrence.pk).update(is_exception=False)
    return len(occurrences)


# --- For the sessions app --------------------------------------------------------------------


def reserve_for_session(
    *,
    actor: Actor,
    room: Resource | int,
    slots: Sequence[tuple[dt.datetime, dt.datetime]],
    title: str,
    source: str,
    source_id: str,
    participants: int | None = None,
    setup_minutes: int | None = None,
    cleanup_minutes: int | None = None,
) -> list[Booking]:
    """Reserve ``room`` for every time slot of a session, replacing what this source held.

    Contract (for ``parcours.enrolment``):

    - ``source`` names the caller's kind of object (e.g. ``"enrolment.session"``) and
      ``source_id`` its id: together they identify the bookings this call owns.
    - One ``Booking`` (purpose "session") per slot, in slot order, is returned. Calling again
      with the same source replaces the previous bookings (they are cancelled and the new ones
      written in the same transaction), so editing a session's dates is one call.
    - All or nothing: when any slot is taken, ``BookingConflict`` is raised (``conflicts``
      for every slot, ``suggestions`` for the first taken slot) and nothing changes — the old
      bookings stay.
    - The status follows the usual rules: logistics (and coordinators/trainers for a room that
      does not require approval) get ``approved`` bookings that hold the room; otherwise the
      bookings are ``requested`` and hold nothing until logistics approve them. Check
      ``booking.status``.
    - ``ValidationError`` for bad input (empty or inverted slots, too many participants),
      ``PermissionDenied`` when the actor may not book the room.
    - Call it inside your own ``transaction.atomic()`` if you write your session in the same
      transaction; on PostgreSQL a conflict found by the database is turned into
      ``BookingConflict`` through a savepoint, so your transaction stays usable.
    """
    if not source or not source_id:
        raise ValidationError({"source": [_("Indiquez la source de la réservation.")]})
    if not slots:
        raise ValidationError({"slots": [_("Indiquez au moins un créneau.")]})
    items = _load_resources([room])
    title = _clean_title(title)
    ordered = sorted(slots)
    for s, e in ordered:
        _validate_times(s, e)
    for (_s0, e0), (s1, _e1) in itertools.pairwise(ordered):
        if s1 < e0:
            raise ValidationError({"slots": [_("Les créneaux se chevauchent.")]})
    status = booking_status_for(actor, items)
    setup = setup_minutes if setup_minutes is not None else items[0].setup_minutes
    cleanup = cleanup_minutes if cleanup_minutes is not None else items[0].cleanup_minutes
    for s, e in ordered:
        _check_rules(actor, items, s, e, participants)
    source_id = str(source_id)
    clashes: list[tuple[tuple[dt.datetime, dt.datetime], _Clash]] = []
    try:
        with write_transaction():
            _release(actor, source, source_id, reason=_("Créneaux de la session modifiés."))
            bookings: list[Booking] = []
            for s, e in ordered:
                try:
                    with transaction.atomic():
                        bookings.append(
                            _create_booking(
                                actor=actor,
                                resources=items,
                                status=status,
                                start=s,
                                end=e,
                                title=title,
                                purpose=Booking.Purpose.SESSION,
                                setup=setup,
                                cleanup=cleanup,
                                participants=participants,
                                notes="",
                                source=source,
                                source_id=source_id,
                                requester_organisation=_requester_org(actor, items),
                            )
                        )
                except _Clash as clash:
                    clashes.append(((s, e), clash))
            if clashes:
                raise _Clash([c for _slot, clash in clashes for c in clash.conflicts])
            audit.record(
                "booking.session_reserve",
                actor=actor.user,
                organisation=items[0].organisation,
                obj=items[0],
                changes={"source": source, "source_id": source_id, "slots": len(bookings)},
            )
            if status == BookingStatus.REQUESTED:
                _notify(bookings[0], None)
    except _Clash as clash:
        (s, e), _c = clashes[0]
        raise _conflict(actor, clash, items, s, e, setup, cleanup, participants) from None
    return bookings


def _release(actor: Actor, source: str, source_id: str, *, reason: str) -> int:
    open_bookings = list(
        Booking.objects.open().filter(source=source, source_id=source_id).select_for_update()
    )
    for b in open_bookings:
        if not can_change(actor, b):
            raise PermissionDenied(_("Vous ne pouvez pas modifier ces réservations."))
        b.status = BookingStatus.CANCELLED
        b.cancel_reason = reason
        b.save(update_fields=["status", "cancel_reason", "updated_at"])
    Reservation.objects.filter(booking__in=open_bookings).update(active=False)
    return len(open_bookings)


def release_for_session(*, actor: Actor, source: str, source_id: str, reason: str = "") -> int:
    """Cancel every open booking made by ``reserve_for_session`` for this source (the session
    was cancelled or moved online). Returns how many were cancelled; 0 is fine."""
    with write_transaction():
        count = _release(actor, source, str(source_id), reason=reason or _("Session annulée."))
        if count:
            audit.record(
                "booking.session_release",
                actor=actor.user,
                changes={"source": source, "source_id": str(source_id), "cancelled": count},
            )
    return count


# --- Loans -------------------------------------------------------------------------------------


def lend(
    *,
    actor: Actor,
    resource: Resource | int,
    borrower: User,
    start: dt.datetime,
    due: dt.datetime,
    condition_out: str = "",
    notes: str = "",
) -> Loan:
    """Lend equipment (logistics). The loan's booking holds the item until it is returned, so
    nobody can book it for those dates; a conflict raises ``BookingConflict``."""
    items = _load_resources([resource])
    item = items[0]
    require_logistics(actor, item.organisation_id)
    if item.kind != Resource.Kind.EQUIPMENT:
        raise ValidationError({"resource": [_("Seul le matériel se prête.")]})
    _validate_times(start, due)
    title = _("Prêt : %(item)s à %(who)s") % {"item": item.name, "who": borrower}
    try:
        with write_transaction():
            booking = _create_booking(
                actor=actor,
                resources=items,
                status=BookingStatus.APPROVED,
                start=start,
                end=due,
                title=title,
                purpose=Booking.Purpose.LOAN,
                setup=0,
                cleanup=0,
                participants=None,
                notes=notes,
                source="",
                source_id="",
                requester_organisation=item.organisation,
            )
            loan = Loan.objects.create(
                organisation_id=item.organisation_id,
                resource=item,
                booking=booking,
                borrower=borrower,
                lent_by=actor.user,
                start=start,
                due=due,
                condition_out=condition_out[:300],
            )
            audit.record(
                "loan.create",
                actor=actor.user,
                organisation=item.organisation,
                obj=loan,
                changes={"due": due.isoformat(), "borrower": borrower.email},
            )
    except _Clash as clash:
        raise _conflict(actor, clash, items, start, due, 0, 0, None) from None
    return loan


def return_loan(
    *,
    actor: Actor,
    loan: Loan | int,
    returned_at: dt.datetime | None = None,
    condition_in: str = "",
) -> Loan:
    """Record that a loan came back; an early return frees the rest of the reserved time."""
    with write_transaction():
        record = (
            Loan.objects.select_for_update()
            .select_related("booking")
            .get(pk=loan if isinstance(loan, int) else loan.pk)
        )
        require_logistics(actor, record.organisation_id)
        if record.returned_at is not None:
            raise ValidationError(_("Ce prêt est déjà rendu."))
        when = returned_at or timezone.now()
        record.returned_at = when
        record.condition_in = condition_in[:300]
        record.save(update_fields=["returned_at", "condition_in"])
        booking = record.booking
        if when <= booking.start:
            booking.status = BookingStatus.CANCELLED
            booking.cancel_reason = _("Prêt rendu avant son début.")
            booking.save(update_fields=["status", "cancel_reason", "updated_at"])
            booking.reservations.update(active=False)
        elif when < booking.end:
            booking.end = when
            booking.save(update_fields=["end", "updated_at"])
            booking.reservations.update(blocked_end=when)
        audit.record(
            "loan.return",
            actor=actor.user,
            organisation=record.organisation,
            obj=record,
            changes={"returned_at": when.isoformat()},
        )
    return record


# --- Outreach ----------------------------------------------------------------------------------


def request_outreach(
    *,
    actor: Actor,
    activity: OutreachActivity | int,
    first_day: dt.date,
    last_day: dt.date,
    school_name: str,
    school_city: str,
    pupil_counts: Mapping[str, int],
    travel_days_before: int = 0,
    travel_days_after: int = 0,
    school_street: str = "",
    school_postcode: str = "",
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    notes: str = "",
) -> OutreachRequest:
    """A school asks for a mobile unit and an activity on some days, with pupil counts per year
    group (counts, never names). The unit is blocked over the days plus the travel / set-up
    days, so it is in one place at a time."""
    activity = (
        activity
        if isinstance(activity, OutreachActivity)
        else OutreachActivity.objects.select_related("unit").get(pk=activity)
    )
    if not activity.is_active:
        raise ValidationError({"activity": [_("Cette animation n'est plus proposée.")]})
    if last_day < first_day:
        raise ValidationError({"last_day": [_("Le dernier jour doit suivre le premier.")]})
    counts = {g: int(n) for g, n in pupil_counts.items() if int(n or 0) > 0}
    if any(g not in OutreachPupilCount.Grade.values for g in counts):
        raise ValidationError({"pupil_counts": [_("Année scolaire inconnue.")]})
    if not counts:
        raise ValidationError({"pupil_counts": [_("Indiquez le nombre d'élèves par année.")]})
    if not school_name.strip() or not school_city.strip():
        raise ValidationError({"school_name": [_("Indiquez l'école et sa localité.")]})
    start = core.local_datetime(first_day, dt.time(0), planning.TZ)
    end = core.local_datetime(last_day + dt.timedelta(days=1), dt.time(0), planning.TZ)
    before = core.local_datetime(
        first_day - dt.timedelta(days=travel_days_before), dt.time(0), planning.TZ
    )
    after = core.local_datetime(
        last_day + dt.timedelta(days=1 + travel_days_after), dt.time(0), planning.TZ
    )
    setup = int((start - before).total_seconds() // 60)
    cleanup = int((after - end).total_seconds() // 60)
    items = _load_resources([activity.unit_id])
    status = booking_status_for(actor, items)
    if not is_logistics(actor, items[0].organisation_id) and end <= timezone.now():
        raise ValidationError({"first_day": [_("Ces dates sont déjà passées.")]})
    title = f"{activity.title_fr} — {school_name.strip()}"[:200]
    try:
        with write_transaction():
            booking = _create_booking(
                actor=actor,
                resources=items,
                status=status,
                start=start,
                end=end,
                title=title,
                purpose=Booking.Purpose.OUTREACH,
                setup=setup,
                cleanup=cleanup,
                participants=sum(counts.values()),
                notes=notes,
                source="",
                source_id="",
                requester_organisation=_requester_org(actor, items),
            )
            outreach = OutreachRequest.objects.create(
                organisation_id=items[0].organisation_id,
                booking=booking,
                activity=activity,
                school_name=school_name.strip()[:200],
                school_street=school_street[:200],
                school_postcode=school_postcode[:10],
                school_city=school_city.strip()[:100],
                contact_name=contact_name[:150],
                contact_email=contact_email,
                contact_phone=contact_phone[:40],
                travel_days_before=travel_days_before,
                travel_days_after=travel_days_after,
                notes=notes,
            )
            OutreachPupilCount.objects.bulk_create(
                [OutreachPupilCount(request=outreach, grade=g, count=n) for g, n in counts.items()]
            )
            audit.record(
                "outreach.request",
                actor=actor.user,
                organisation=items[0].organisation,
                obj=outreach,
                changes={"pupils": counts, "status": status},
            )
            _notify(booking, None)
    except _Clash as clash:
        raise _conflict(actor, clash, items, start, end, setup, cleanup, None) from None
    return outreach


# --- Resources, calendars, site policy (logistics) ------------------------------------------


def _features(slugs: Iterable[str]) -> list[Feature]:
    wanted = sorted(set(slugs))
    found = list(Feature.objects.filter(slug__in=wanted))
    if len(found) != len(wanted):
        unknown = sorted(set(wanted) - {f.slug for f in found})
        raise ValidationError(
            {"features": [_("Équipement inconnu : %(slugs)s.") % {"slugs": ", ".join(unknown)}]}
        )
    return found


@transaction.atomic
def create_feature(*, actor: Actor, slug: str, label_fr: str, label_en: str = "") -> Feature:
    """A new equipment tag (shared by all organisations): logistics of any organisation."""
    if not (actor.is_platform_admin or actor.orgs_with_role("logistics")):
        raise PermissionDenied(_("Réservé à la logistique."))
    feature, _created = Feature.objects.get_or_create(
        slug=slug, defaults={"label_fr": label_fr, "label_en": label_en}
    )
    audit.record("feature.create", actor=actor.user, obj=feature)
    return feature


RESOURCE_FIELDS = (
    "kind",
    "name",
    "code",
    "description",
    "location",
    "capacity",
    "accessible",
    "inventory_number",
    "is_active",
    "requires_approval",
    "setup_minutes",
    "cleanup_minutes",
)


def _check_resource(resource: Resource) -> None:
    if resource.kind == Resource.Kind.ROOM and not resource.capacity:
        raise ValidationError({"capacity": [_("Indiquez la capacité de la salle.")]})
    if not resource.name.strip() or not resource.code.strip():
        raise ValidationError({"name": [_("Le nom et le code sont obligatoires.")]})
    clash = Resource.objects.filter(
        organisation_id=resource.organisation_id, code=resource.code
    ).exclude(pk=resource.pk)
    if clash.exists():
        raise ValidationError({"code": [_("Ce code est déjà utilisé.")]})


@transaction.atomic
def create_resource(
    *,
    actor: Actor,
    site: Site,
    name: str,
    code: str,
    kind: str = Resource.Kind.ROOM,
    features: Iterable[str] = (),
    **fields: Any,
) -> Resource:
    require_logistics(actor, site.organisation_id)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    resource = Resource(
        organisation_id=site.organisation_id,
        site=site,
        name=name.strip(),
        code=code.strip(),
        kind=kind,
        **fields,
    )
    _check_resource(resource)
    resource.save()
    resource.features.set(_features(features))
    SitePolicy.objects.get_or_create(site=site)
    audit.record("resource.create", actor=actor.user, organisation=site.organisation, obj=resource)
    return resource


@transaction.atomic
def update_resource(
    *,
    actor: Actor,
    resource: Resource,
    site: Site | None = None,
    features: Iterable[str] | None = None,
    **fields: Any,
) -> Resource:
    require_logistics(actor, resource.organisation_id)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(resource, name) != value:
            changes[name] = str(value)
            setattr(resource, name, value)
    if site is not None and site.pk != resource.site_id:
        if site.organisation_id != resource.organisation_id:
            raise ValidationError({"site": [_("Site inconnu.")]})
        if resource.reservations.active().filter(blocked_end__gt=timezone.now()).exists():
            raise ValidationError(
                {"site": [_("Cette ressource a des réservations à venir : déplacez-les d'abord.")]}
            )
        resource.site = site
        changes["site"] = site.slug
    _check_resource(resource)
    resource.save()
    if features is not None:
        resource.features.set(_features(features))
        changes["features"] = sorted(features)
    audit.record(
        "resource.update",
        actor=actor.user,
        organisation=resource.organisation,
        obj=resource,
        changes=changes,
    )
    return resource


@transaction.atomic
def set_opening_hours(
    *, actor: Actor, site: Site, hours: Mapping[int, tuple[dt.time, dt.time] | None]
) -> list[OpeningHours]:
    """Set the opening hours of the weekdays given (None = closed that day)."""
    require_logistics(actor, site.organisation_id)
    for weekday, span in hours.items():
        if not 0 <= weekday <= 6:
            raise ValidationError({"weekday": [_("Jour inconnu.")]})
        if span is not None and span[1] <= span[0]:
            raise ValidationError(
                {
                    "hours": [
                        _("La fermeture doit suivre l'ouverture (%(day)s).")
                        % {"day": OpeningHours.Weekday(weekday).label}
                    ]
                }
            )
    for weekday, span in hours.items():
        if span is None:
            OpeningHours.objects.filter(site=site, weekday=weekday).delete()
        else:
            OpeningHours.objects.update_or_create(
                site=site, weekday=weekday, defaults={"opens": span[0], "closes": span[1]}
            )
    audit.record(
        "site.opening_hours",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes={str(k): (f"{v[0]:%H:%M}-{v[1]:%H:%M}" if v else None) for k, v in hours.items()},
    )
    return list(OpeningHours.objects.filter(site=site))


@transaction.atomic
def add_closure(
    *, actor: Actor, site: Site, start: dt.date, end: dt.date, kind: str, reason: str = ""
) -> ClosurePeriod:
    """A closed day or period, or school holidays (recurring bookings skip them)."""
    require_logistics(actor, site.organisation_id)
    if end < start:
        raise ValidationError({"end": [_("La date de fin doit suivre la date de début.")]})
    if kind not in ClosurePeriod.Kind.values:
        raise ValidationError({"kind": [_("Type inconnu.")]})
    closure = ClosurePeriod.objects.create(
        site=site, start=start, end=end, kind=kind, reason=reason.strip()[:200]
    )
    audit.record("site.closure_add", actor=actor.user, organisation=site.organisation, obj=closure)
    return closure


@transaction.atomic
def remove_closure(*, actor: Actor, closure: ClosurePeriod) -> None:
    site = closure.site
    require_logistics(actor, site.organisation_id)
    audit.record(
        "site.closure_remove", actor=actor.user, organisation=site.organisation, obj=closure
    )
    closure.delete()


POLICY_FIELDS = (
    "accepts_external_requests",
    "catering_cutoff_days",
    "catering_cutoff_time",
    "wifi_name",
    "wifi_password",
    "lobby_message",
)


@transaction.atomic
def update_site_policy(*, actor: Actor, site: Site, **fields: Any) -> SitePolicy:
    require_logistics(actor, site.organisation_id)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    policy, _created = SitePolicy.objects.get_or_create(site=site)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    audit.record(
        "site.policy",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes={k: str(v) for k, v in fields.items() if k != "wifi_password"},
    )
    return policy


@transaction.atomic
def rotate_feed_token(*, actor: Actor, target: Resource | SitePolicy) -> str:
    """A new secret URL for a calendar feed (the old one stops working)."""
    from parcours.scheduling.models import new_token

    organisation_id = (
        target.organisation_id if isinstance(target, Resource) else target.site.organisation_id
    )
    require_logistics(actor, organisation_id)
    target.feed_token = new_token()
    target.save(update_fields=["feed_token"])
    audit.record("feed.rotate", actor=actor.user, obj=target)
    return target.feed_token


@transaction.atomic
def create_catering_item(
    *, actor: Actor, organisation: Organisation, slug: str, label_fr: str, label_en: str = ""
) -> CateringItem:
    require_logistics(actor, organisation)
    item, _created = CateringItem.objects.update_or_create(
        organisation=organisation,
        slug=slug,
        defaults={"label_fr": label_fr, "label_en": label_en, "is_active": True},
    )
    audit.record("catering_item.save", actor=actor.user, organisation=organisation, obj=item)
    return item
