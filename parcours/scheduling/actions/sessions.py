"""Room reservations made for training sessions (called by the enrolment app)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.permissions import Actor
from parcours.lib.transactions import write_transaction
from parcours.scheduling.actions.base import _Clash, _conflict
from parcours.scheduling.actions.bookings import (
    _check_rules,
    _clean_title,
    _create_booking,
    _load_resources,
    _notify,
    _requester_org,
    _validate_times,
)
from parcours.scheduling.models import (
    Booking,
    Reservation,
    Resource,
)
from parcours.scheduling.permissions import (
    booking_status_for,
    can_change,
)
from parcours.scheduling.states import BookingStatus

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
