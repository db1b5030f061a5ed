"""The shared write path: conflicts, per-resource locks, deadlock retries (package docstring)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts.permissions import Actor
from parcours.lib.dates import format_date, format_datetime, format_time, local_date
from parcours.lib.transactions import write_transaction
from parcours.scheduling import planning
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    Reservation,
    Resource,
)
from parcours.scheduling.planning import Conflict, Suggestion
from parcours.scheduling.querysets import LONG_SPAN

EXCLUSION_VIOLATION = "23P01"
T = TypeVar("T")


# --- Conflicts ---------------------------------------------------------------------------------


def _fmt_range(start: dt.datetime, end: dt.datetime) -> str:
    if local_date(start) == local_date(end):
        return _("le %(day)s de %(start)s à %(end)s") % {
            "day": format_date(start),
            "start": format_time(start),
            "end": format_time(end),
        }
    return _("du %(start)s au %(end)s") % {
        "start": format_datetime(start, "medium"),
        "end": format_datetime(end, "medium"),
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
            text += " " + ngettext(
                "Une autre réservation chevauche ce créneau.",
                "%(n)d autres réservations chevauchent ce créneau.",
                others,
            ) % {"n": others}
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


@dataclass(frozen=True)
class CateringRequest:
    """One catering line asked for: an item (instance, id or slug), how many, when served."""

    item: CateringItem | int | str
    count: int
    serve_at: dt.time | None = None
    note: str = ""


def _get_open(booking: Booking | int) -> Booking:
    pk = booking if isinstance(booking, int) else booking.pk
    return Booking.objects.select_for_update().select_related("organisation").get(pk=pk)
