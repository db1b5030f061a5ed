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


class ReportPersonOut(Schema):
    enrolment_id: int
    learner_id: int
    name: str
    email: str
    connections: int
    minutes: int
    minutes_before: int
    present: bool


class ReportIgnoredOut(Schema):
    line: int
    reason: str
    reason_text: str
    detail: str
    who: str


class ReportPreviewOut(Schema):
    upload_id: int
    filename: str
    provider: str
    recordable: bool
    already_imported: bool
    not_ended: bool
    error: str
    error_line: int
    mapping: dict[str, str]
    unknown_columns: list[str]
    rows: int
    people_count: int
    present_count: int
    ignored_count: int
    ignored_by_reason: dict[str, int]
    people: list[ReportPersonOut]
    ignored: list[ReportIgnoredOut]


class ReportConfirmIn(Schema):
    mapping: dict[str, str] | None = None


class ReportConfirmOut(Schema):
    written: bool
    already_imported: bool
    report_id: int | None
    people: int
    present: int
    completed: int
    badges_queued: int
