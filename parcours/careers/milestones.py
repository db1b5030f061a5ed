"""The milestones of a career follow-up, computed from the training's dates. Pure Python.

entry = the first day of the training, mid = halfway, end = the last day, then +3, +6 and +12
months after the end (same day of the month, or the month's last day when it has fewer days).
"""

from __future__ import annotations

import calendar
import datetime as dt

ENTRY, MID, END, M3, M6, M12 = "entry", "mid", "end", "m3", "m6", "m12"
ORDER = (ENTRY, MID, END, M3, M6, M12)
MONTHS_AFTER = {M3: 3, M6: 6, M12: 12}


def add_months(day: dt.date, months: int) -> dt.date:
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    month = month0 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_dates(start: dt.date | None, end: dt.date | None) -> dict[str, dt.date | None]:
    """When each milestone falls (``None`` when the training's dates are not known yet)."""
    out: dict[str, dt.date | None] = dict.fromkeys(ORDER)
    if start is not None:
        out[ENTRY] = start
    if end is not None:
        out[END] = end
        for key, months in MONTHS_AFTER.items():
            out[key] = add_months(end, months)
    if start is not None and end is not None and end >= start:
        out[MID] = start + (end - start) / 2
    return out


def follow_up_ends(end: dt.date | None) -> dt.date | None:
    """The last day of the follow-up: +12 months after the training."""
    return add_months(end, 12) if end is not None else None
