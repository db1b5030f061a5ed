"""Schemas of the scheduling API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


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
    item: str  # slug of the catering item
    count: int
    serve_at: dt.time | None = None
    note: str = ""


class CateringLineOut(Schema):
    item: str
    label: str
    count: int
    serve_at: dt.time | None = None
    note: str = ""


class BookingIn(Schema):
    resources: list[int]
    start: dt.datetime
    end: dt.datetime
    title: str
    purpose: str = "meeting"
    setup_minutes: int | None = None
    cleanup_minutes: int | None = None
    participants: int | None = None
    notes: str = ""
    catering: list[CateringLineIn] = []
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
    resource: int
    borrower: str  # e-mail of the borrower
    start: dt.datetime
    due: dt.datetime
    condition_out: str = ""


class LoanReturnIn(Schema):
    returned_at: dt.datetime | None = None
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
