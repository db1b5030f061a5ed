"""The limits of what a person (or an API client) may give the enrolment app.

Every date, duration, count and id that comes in is checked against these at the edge (forms,
API schemas, query strings) and again by the actions, so that a wrong value is a clear 4xx and
never a 500 (a year-1 slot once broke every public list: ``dt.timedelta`` arithmetic overflowed).
"""

from __future__ import annotations

import datetime as dt

MIN_YEAR = 2000
MAX_YEAR = 2100
# A session's slots (half-days; 200 is a year of weekly evening classes, twice over).
MAX_SLOTS = 200
# The longest slot (an evening or a night shift is 8 hours; nothing lasts more than a day).
MAX_SLOT_HOURS = 24
MAX_CAPACITY = 10_000
MAX_DEADLINE_HOURS = 24 * 60
# Database ids are signed 64-bit integers.
MAX_ID = 2**63 - 1
# Lists a person can grow are paged.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def year_ok(value: dt.date | dt.datetime | None) -> bool:
    """``value`` is empty or falls within ``MIN_YEAR`` to ``MAX_YEAR``."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR


def parse_id(text: str | None) -> int | None:
    """A database id from a query string (``"12"`` → 12), or ``None`` for anything else
    (empty, not digits, zero, beyond 64 bits)."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None
