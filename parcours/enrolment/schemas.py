from __future__ import annotations

import datetime as dt

from ninja import Schema


class SlotOut(Schema):
    id: int
    start: dt.datetime
    end: dt.datetime


class PlaceOut(Schema):
    site_id: int | None
    name: str
    address: str
    city: str
    access_notes: str
    room: str | None
    online: bool


class SessionOut(Schema):
    id: int
    code: str
    title: str
    organisation: str
    module_id: int
    module_code: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    capacity: int
    seats_left: int
    audience: str
    requires_approval: bool
    enrolment_open: bool
    enrolment_opens: dt.datetime | None
    enrolment_closes: dt.datetime | None
    cancellation_deadline: dt.datetime | None
    place: PlaceOut
    trainers: list[str]
    slots: list[SlotOut]


class EnrolIn(Schema):
    learner_email: str | None = None
    first_name: str = ""
    last_name: str = ""
    audience: str = ""


class CancelIn(Schema):
    reason: str = ""


class EnrolmentOut(Schema):
    id: int
    session_id: int
    session_code: str
    session_title: str
    learner_id: int
    learner_email: str
    status: str
    source: str
    starts_at: dt.datetime | None
    waitlist_position: int | None
    hours_attended: float


class RollCallIn(Schema):
    absent: list[int] = []


class AttendanceRowOut(Schema):
    enrolment_id: int
    learner_id: int
    learner_name: str
    present: bool | None
    method: str | None


class RollCallOut(Schema):
    slot_id: int
    present: int
    absent: int
    completed: list[int]


class CheckInIn(Schema):
    token: str


class CheckInOut(Schema):
    slot_id: int
    session_id: int
    present: bool
