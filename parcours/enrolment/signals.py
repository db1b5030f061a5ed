"""Domain events raised by enrolment, always **after commit**. Higher apps (credentials,
notifications, calendars) connect receivers; this app's own e-mails do too (receivers.py).

Every enrolment event has kwargs ``enrolment_id: int`` and ``session_id: int``.
"""

from __future__ import annotations

from django.dispatch import Signal

# A place is confirmed: directly, or by a coordinator's approval. (Promotions: see below.)
enrolment_confirmed = Signal()
# A waitlisted person got a seat because someone cancelled (or the capacity grew).
enrolment_promoted = Signal()
# The session was full: the person is in the queue. Extra kwarg: ``position: int`` (1 = next).
enrolment_waitlisted = Signal()
# The session needs approval: a coordinator must approve or reject the request.
enrolment_requested = Signal()
# Rejected by a coordinator. Extra kwarg ``reason: str``.
enrolment_rejected = Signal()
# Cancelled by the learner or by staff, or because the session was cancelled.
# Extra kwargs ``by_learner: bool``, ``reason: str``.
enrolment_cancelled = Signal()
# The attendance rule is met: the module's completion was recorded (pathways updated).
# Extra kwarg ``hours: str`` (decimal hours attended).
enrolment_completed = Signal()
# The same for a whole roll call (or check-in), once, after each enrolment's own
# ``enrolment_completed``: for receivers that work on the batch (one task, not one per person).
# kwargs: ``session_id: int``, ``enrolment_ids: list[int]``.
enrolments_completed = Signal()
# Attendance marks were recorded for one slot (a roll call, or a QR check-in), after commit.
# kwargs: ``session_id: int``, ``slot_id: int``, ``present: list[int]`` (the enrolment ids marked
# present by this call; a roll call repeated as a correction sends them again).
attendance_recorded = Signal()
# A session's dates, place, trainers or status changed. kwargs: ``session_id: int``,
# ``fields: list[str]`` (e.g. ["slots", "site", "status"]).
session_changed = Signal()
