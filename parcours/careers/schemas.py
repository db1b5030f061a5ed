"""Schemas of the career API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class CaseloadOut(Schema):
    id: int
    organisation: str
    person_id: int
    name: str
    email: str
    manager_id: int | None
    session_code: str | None
    training_start: dt.date | None
    training_end: dt.date | None
    next_due: dt.date | None
    overdue: bool
    outcome_6m: str | None


class OutcomeCountOut(Schema):
    status: str
    label: str
    people: int
    rate: Decimal | None


class OutcomesOut(Schema):
    organisation: str
    first: dt.date
    last: dt.date
    people: int
    employed: int
    employment_rate: Decimal | None
    by_status: list[OutcomeCountOut]
