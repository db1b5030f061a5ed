"""Schemas of the webinar API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class WebinarOut(Schema):
    id: int
    session_id: int
    session_code: str
    title: str
    provider: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    capacity: int
    seats_taken: int
    presence_percent: int
    reports: int


class AttendanceOut(Schema):
    enrolment_id: int
    learner_id: int
    email: str
    minutes: int
    present: bool


class ReplayHoursOut(Schema):
    replay_id: int
    title: str
    hours_player: Decimal
    hours_imported: Decimal


class ViewingHoursOut(Schema):
    organisation: str
    first: dt.date
    last: dt.date
    hours: Decimal
    replays: list[ReplayHoursOut]
