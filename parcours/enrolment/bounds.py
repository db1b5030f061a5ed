"""The limits of what a person (or an API client) may give the enrolment app.

Every date, duration, count and id that comes in is checked against these at the edge (forms,
API schemas, query strings) and again by the actions, so that a wrong value is a clear 4xx and
never a 500 (a year-1 slot once broke every public list: ``dt.timedelta`` arithmetic overflowed).
"""

from __future__ import annotations

import datetime as dt

from parcours.lib.ids import MAX_ID, parse_id  # noqa: F401 - the enrolment bounds, re-exported

MIN_YEAR = 2000
MAX_YEAR = 2100
# A session's slots (half-days; 200 is a year of weekly evening classes, twice over).
MAX_SLOTS = 200
# The longest slot (an evening or a night shift is 8 hours; nothing lasts more than a day).
MAX_SLOT_HOURS = 24
MAX_CAPACITY = 10_000
MAX_DEADLINE_HOURS = 24 * 60
# Lists a person can grow are paged.
PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def year_ok(value: dt.date | dt.datetime | None) -> bool:
    """``value`` is empty or falls within ``MIN_YEAR`` to ``MAX_YEAR``."""
    return value is None or MIN_YEAR <= value.year <= MAX_YEAR
