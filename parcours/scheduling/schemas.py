"""Schemas of the scheduling API."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils.translation import gettext
from ninja import Schema
from pydantic import AfterValidator, Field

from parcours.lib.ids import MAX_ID
from parcours.scheduling.bounds import MAX_BUFFER_MINUTES, MAX_COUNT, MAX_DATE, MIN_DATE


def _in_range(value: dt.date) -> dt.date:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValueError(
            gettext("Choisissez une date entre le 1er janvier 2000 et le 31 décembre 2100.")
        )
    return value


#: Bounded inputs (issue #9): ids fit the 64-bit database columns, dates stay within 2000-2100,
#: buffers within 0-240 minutes, counts within 10 000; anything else is a 422, never a 500.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Buffer = Annotated[int, Field(ge=0, le=MAX_BUFFER_MINUTES)]
Day = Annotated[dt.date, AfterValidator(_in_range)]
Moment = Annotated[dt.datetime, AfterValidator(_in_range)]


class FeatureOut(Schema):
    slug: str
    label: str


class ResourceOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    organisation: str
    site_id: int
    site: str
    capacity: int | None
    accessible: bool
    features: list[str]
    inventory_number: str
    requires_approval: bool
    setup_minutes: int
    cleanup_minutes: int


class OptionOut(Schema):
    resource: ResourceOut
    start: dt.datetime
    end: dt.datetime
    distance_km: float | None = None


class AvailabilityOut(Schema):
    free: list[OptionOut]
    other_times: list[OptionOut]
    other_sites: list[OptionOut]


class CateringLineIn(Schema):
    item: str = Field(max_length=60)  # slug of the catering item
    count: Count
    serve_at: dt.time | None = None
    note: str = ""


class CateringLineOut(Schema):
    item: str
    label: str
    count: int
    serve_at: dt.time | None = None
    note: str = ""


class BookingIn(Schema):
    resources: list[Id] = Field(max_length=20)
    start: Moment
    end: Moment
    title: str = Field(max_length=200)
    purpose: str = "meeting"
    setup_minutes: Buffer | None = None
    cleanup_minutes: Buffer | None = None
    participants: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    notes: str = Field("", max_length=2000)
    catering: list[CateringLineIn] = Field([], max_length=50)
    #: Keep the title off the lobby screens (the room shows as busy).
    hide_from_lobby: bool = False


class BookingOut(Schema):
    id: int
    title: str
    purpose: str
    status: str
    organisation: str
    site_id: int
    site: str
    resources: list[int]
    start: dt.datetime
    end: dt.datetime
    setup_minutes: int
    cleanup_minutes: int
    participants: int | None
    requester: str
    refusal_reason: str
    series_id: int | None
    source: str
    source_id: str
    hide_from_lobby: bool
    catering: list[CateringLineOut]


class RefuseIn(Schema):
    reason: str


class CancelIn(Schema):
    reason: str = ""


class ConflictOut(Schema):
    booking_id: int
    title: str
    resource_id: int
    resource: str
    start: dt.datetime
    end: dt.datetime
    blocked_start: dt.datetime
    blocked_end: dt.datetime


class SuggestionOut(Schema):
    kind: str
    resource_id: int
    resource: str
    site_id: int
    site: str
    start: dt.datetime
    end: dt.datetime
    distance_km: float | None = None
    capacity: int | None = None


class ConflictProblem(Schema):
    """409: the slot is taken (RFC 7807 problem+json with the conflicts and suggestions)."""

    type: str
    title: str
    status: int
    detail: str
    conflicts: list[ConflictOut]
    suggestions: list[SuggestionOut]


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str | None = None


class LoanIn(Schema):
    resource: Id
    borrower: str = Field(max_length=254)  # e-mail of the borrower
    start: Moment
    due: Moment
    condition_out: str = Field("", max_length=300)


class LoanReturnIn(Schema):
    returned_at: Moment | None = None
    condition_in: str = ""


class LoanOut(Schema):
    id: int
    resource_id: int
    resource: str
    inventory_number: str
    borrower: str
    start: dt.datetime
    due: dt.datetime
    returned_at: dt.datetime | None
    overdue: bool
    booking_id: int


class CateringItemIn(Schema):
    organisation: str = Field(max_length=100)  # the organisation's slug
    label_fr: str = Field(min_length=1, max_length=100)
    label_en: str = Field("", max_length=100)


class CateringItemOut(Schema):
    id: int
    organisation: str
    slug: str
    label_fr: str
    label_en: str
    is_active: bool


class CateringChangeIn(Schema):
    catering: list[CateringLineIn] = Field(max_length=50)


class SeriesIn(Schema):
    resources: list[Id] = Field(min_length=1, max_length=20)
    title: str = Field(max_length=200)
    first_date: Day
    until: Day
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    start_time: dt.time
    end_time: dt.time
    interval_weeks: Annotated[int, Field(ge=1, le=52)] = 1
    skip_holidays: bool = True
    skip_conflicts: bool = False
    participants: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None


class SeriesOut(Schema):
    id: int
    title: str
    first_date: dt.date
    until: dt.date
    weekdays: list[int]
    start_time: dt.time
    end_time: dt.time
    bookings: list[int]
    skipped: list[dt.date] = []
    conflicted: list[dt.date] = []


class OutreachActivityIn(Schema):
    unit: Id
    title_fr: str = Field(min_length=1, max_length=200)
    title_en: str = Field("", max_length=200)
    audience: str = Field("", max_length=200)
    max_pupils_per_day: Annotated[int, Field(ge=1, le=MAX_COUNT)] | None = None
    description_fr: str = Field("", max_length=10_000)
    description_en: str = Field("", max_length=10_000)


class OutreachActivityOut(Schema):
    id: int
    unit_id: int
    unit: str
    slug: str
    title: str
    audience: str
    max_pupils_per_day: int | None
    is_active: bool
