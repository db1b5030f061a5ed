"""Every write to resources, bookings, loans and outreach requests goes through here.

No double booking, ever:

- Every booking writes one ``Reservation`` per resource with the blocked range
  ``[start - setup, end + cleanup)``; only ``active`` reservations (approved bookings) block.
- The check for overlapping active reservations and the insert happen in one transaction.
  On SQLite the transaction begins with ``BEGIN IMMEDIATE`` (settings), so writers are
  serialised and check-then-insert is race-free (writers queue: ``parcours.lib.transactions``).
  On PostgreSQL writers of a resource queue on its advisory lock (``base._lock_resources``, in id
  order), then insert, and the exclusion constraint refuses an overlap (SQLSTATE 23P01),
  turned into the same ``BookingConflict`` with the conflicting booking found by a query; a
  deadlock that still happens is replayed (``base._retrying_deadlocks``).
- ``BookingConflict`` names the conflicting bookings and carries suggestions (nearest free
  slots the same day, other free resources at this site then at nearby sites).

The package is split by subject (``base``: the shared write path; ``bookings``, ``recurrence``,
``catering``, ``sessions``, ``loans``, ``outreach``, ``resources``); every public function is
re-exported here, so ``from parcours.scheduling import actions; actions.book(...)`` is the way in.
"""

from __future__ import annotations

from parcours.scheduling.actions.base import (
    ATTEMPTS,
    EXCLUSION_VIOLATION,
    RESOURCE_LOCK_CLASS,
    RETRYABLE,
    BookingConflict,
    CateringRequest,
    _retrying_deadlocks,
)
from parcours.scheduling.actions.bookings import (
    MAX_BOOKING_DAYS,
    approve_booking,
    book,
    cancel_booking,
    move_booking,
    refuse_booking,
    set_lobby_visibility,
)
from parcours.scheduling.actions.catering import (
    catering_cutoff,
    create_catering_item,
    set_catering,
    set_catering_item_active,
)
from parcours.scheduling.actions.loans import (
    LOAN_DUE,
    LOAN_START,
    checkout_loan,
    lend,
    loan_times,
    remind_loan,
    return_loan,
    send_loan_reminders,
)
from parcours.scheduling.actions.outreach import (
    SETUP_DAYS_BEFORE,
    TRAVEL_DAYS_AFTER,
    create_outreach_activity,
    outreach_blocked_range,
    request_outreach,
    request_outreach_checked,
)
from parcours.scheduling.actions.recurrence import (
    MAX_OCCURRENCES,
    SeriesResult,
    book_series,
    cancel_series,
)
from parcours.scheduling.actions.resources import (
    POLICY_FIELDS,
    RESOURCE_FIELDS,
    SITE_FIELDS,
    add_closure,
    add_site,
    create_feature,
    create_resource,
    remove_closure,
    rotate_feed_token,
    set_opening_hours,
    update_resource,
    update_site,
    update_site_policy,
)
from parcours.scheduling.actions.sessions import release_for_session, reserve_for_session

__all__ = [
    "ATTEMPTS",
    "EXCLUSION_VIOLATION",
    "LOAN_DUE",
    "LOAN_START",
    "MAX_BOOKING_DAYS",
    "MAX_OCCURRENCES",
    "POLICY_FIELDS",
    "RESOURCE_FIELDS",
    "RESOURCE_LOCK_CLASS",
    "RETRYABLE",
    "SETUP_DAYS_BEFORE",
    "SITE_FIELDS",
    "TRAVEL_DAYS_AFTER",
    "BookingConflict",
    "CateringRequest",
    "SeriesResult",
    "_retrying_deadlocks",
    "add_closure",
    "add_site",
    "approve_booking",
    "book",
    "book_series",
    "cancel_booking",
    "cancel_series",
    "catering_cutoff",
    "checkout_loan",
    "create_catering_item",
    "create_feature",
    "create_outreach_activity",
    "create_resource",
    "lend",
    "loan_times",
    "move_booking",
    "outreach_blocked_range",
    "refuse_booking",
    "release_for_session",
    "remind_loan",
    "remove_closure",
    "request_outreach",
    "request_outreach_checked",
    "reserve_for_session",
    "return_loan",
    "rotate_feed_token",
    "send_loan_reminders",
    "set_catering",
    "set_catering_item_active",
    "set_lobby_visibility",
    "set_opening_hours",
    "update_resource",
    "update_site",
    "update_site_policy",
]
