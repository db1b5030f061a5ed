from __future__ import annotations

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import Field

from parcours.enrolment import bounds

Id = Annotated[int, Field(ge=1, le=bounds.MAX_ID)]


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
    learner_email: str | None = Field(None, max_length=254)
    first_name: str = Field("", max_length=150)
    last_name: str = Field("", max_length=150)
    audience: str = Field("", max_length=20)


class CancelIn(Schema):
    reason: str = Field("", max_length=300)


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
    absent: list[Id] = Field(default_factory=list, max_length=bounds.MAX_CAPACITY)


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
    token: str = Field(max_length=200)


class CheckInOut(Schema):
    slot_id: int
    session_id: int
    present: bool
