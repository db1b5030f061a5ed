"""Schemas of the events API."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class WorkshopOut(Schema):
    id: int  # the session's id: what a registration chooses
    title: str
    track: str
    start: dt.datetime | None
    end: dt.datetime | None
    capacity: int
    seats_left: int
    cancelled: bool


class ProgrammeOut(Schema):
    title: str
    organisation: str
    starts_on: dt.date
    ends_on: dt.date
    allows_light_registration: bool
    max_workshops_per_visitor: int | None
    workshops: list[WorkshopOut]


class SeatOut(Schema):
    workshop: int
    status: str


class RegistrationOut(Schema):
    ticket_code: str
    first_name: str
    last_name: str
    email: str
    status: str
    created_at: dt.datetime
    confirmed_at: dt.datetime | None
    seats: list[SeatOut]
