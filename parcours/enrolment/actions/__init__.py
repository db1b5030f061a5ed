"""Every write to sessions, enrolments and attendance goes through here.

One module per subject, every public action re-exported here (callers write
``from parcours.enrolment import actions`` then ``actions.enrol(...)``):

- ``pattern``: a long session from a weekly pattern (preview, then create);
- ``sessions``: create, update, publish/cancel, duplicate a session; its room and QR secrets;
- ``enrolments``: enrol, enrol by e-mail, cancel, approve, reject, the learner's audience;
- ``bulk``: many people enrolled by a coordinator at once (a webinar's registrations);
- ``several``: one person enrolled in several sessions at once (an event's workshops);
- ``waitlist``: seats and promotions from the waitlist;
- ``imports``: enrolment lists from CSV / Excel;
- ``attendance``: roll call and QR check-in;
- ``completion``: the module's attendance rule and the completions it records;
- ``_base``: what they share (roles, refusals, events after commit, the session lock).

Concurrency: each action that can change who holds a seat locks the session row first
(``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the
database's write lock), then reads the seat counter and the queue, decides and writes in the
same transaction. Promotions happen inside the cancellation's transaction, so two racing
cancellations promote two different people, in waitlist order. ``Session.seats_taken`` has a
CHECK constraint (``seats_taken <= capacity``) as a last line of defence.

Validation errors are ``django.core.exceptions.ValidationError`` with a French message and a
``code`` (``full``, ``overlap``, ``closed``, ``audience``, ``duplicate``, ``deadline``,
``state``, ``not_enrolled``, ``future_slot``, ``not_running``, ``invalid``) that the API maps
to an HTTP status.
"""

from __future__ import annotations

from parcours.enrolment.actions._base import batched_events
from parcours.enrolment.actions.attendance import (
    CheckInResult,
    PresenceResult,
    RollCallResult,
    check_in,
    record_presence,
    record_roll_call,
)
from parcours.enrolment.actions.bulk import BulkEnrolment, enrol_many
from parcours.enrolment.actions.completion import complete_due
from parcours.enrolment.actions.enrolments import (
    PROFILE_FIELDS,
    approve,
    cancel,
    create_invited_learner,
    enrol,
    enrol_person,
    find_or_create_learner,
    reject,
    set_learner_audience,
    update_learner_profile,
)
from parcours.enrolment.actions.imports import ImportReport, import_enrolments
from parcours.enrolment.actions.pattern import (
    PatternPreview,
    create_session_from_pattern,
    preview_pattern,
)
from parcours.enrolment.actions.sessions import (
    ROOM_SOURCE,
    SessionData,
    create_session,
    duplicate_session,
    room_bookings,
    rotate_checkin_secret,
    set_session_status,
    update_session,
)
from parcours.enrolment.actions.several import announce, enrol_in_sessions

__all__ = [
    "PROFILE_FIELDS",
    "ROOM_SOURCE",
    "BulkEnrolment",
    "CheckInResult",
    "ImportReport",
    "PatternPreview",
    "PresenceResult",
    "RollCallResult",
    "SessionData",
    "announce",
    "approve",
    "batched_events",
    "cancel",
    "check_in",
    "complete_due",
    "create_invited_learner",
    "create_session",
    "create_session_from_pattern",
    "duplicate_session",
    "enrol",
    "enrol_in_sessions",
    "enrol_many",
    "enrol_person",
    "find_or_create_learner",
    "import_enrolments",
    "preview_pattern",
    "record_presence",
    "record_roll_call",
    "reject",
    "room_bookings",
    "rotate_checkin_secret",
    "set_learner_audience",
    "set_session_status",
    "update_learner_profile",
    "update_session",
]
