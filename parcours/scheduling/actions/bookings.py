"""Booking one or more resources, deciding, cancelling, moving, lobby visibility."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.lib.ids import MAX_ID
from parcours.lib.transactions import write_transaction
from parcours.scheduling import planning, tasks
from parcours.scheduling.actions.base import (
    CateringRequest,
    _activate_reservations,
    _Clash,
    _conflict,
    _get_open,
    _retrying_deadlocks,
    _write_reservations,
)
from parcours.scheduling.actions.catering import _resolve_catering, _write_catering
from parcours.scheduling.bounds import check_buffer, check_count, check_date
from parcours.scheduling.models import (
    Booking,
    BookingSeries,
    ClosurePeriod,
    Resource,
)
from parcours.scheduling.permissions import (
    booking_status_for,
    can_change,
    can_decide,
    is_logistics,
)
from parcours.scheduling.states import HOLDING, OPEN, BookingStatus, can_transition

MAX_BOOKING_DAYS = 366


# --- Booking -----------------------------------------------------------------------------------


def _load_resources(resources: Iterable[Resource | int]) -> list[Resource]:
    ids: list[int] = []
    for r in resources:
        rid = r if isinstance(r, int) else r.pk
        if not isinstance(rid, int) or not 1 <= rid <= MAX_ID:
            raise ValidationError({"resources": [_("Ressource introuvable.")]})
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
    check_date(start, "start")
    check_date(end, "end")
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
        check_count(participants, "participants", minimum=1)
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
    check_buffer(setup_minutes, "setup_minutes")
    check_buffer(cleanup_minutes, "cleanup_minutes")
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
    check_buffer(setup_minutes, "setup_minutes")
    check_buffer(cleanup_minutes, "cleanup_minutes")
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
