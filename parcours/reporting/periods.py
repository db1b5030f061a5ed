"""Periods and filters of the reports: plain values, no ORM.

A :class:`Period` is a range of *local days* (Europe/Brussels), first and last day inclusive.
Every figure counts what happened from 00:00 local time on the first day to 00:00 local time
on the day after the last one; :meth:`Period.bounds` gives those two instants as aware
datetimes, which is how a slot at 23:30 on 31 December counts in December even though it is
22:30 UTC, and why DST weeks need no special case (the zone does the arithmetic).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext as _

from parcours.lib import dates

PeriodKind = Literal["year", "school_year", "range"]

MIN_YEAR = 2000
MAX_YEAR = 2100
MAX_DAYS = 3 * 366  # a report spans at most three years


class PeriodError(ValueError):
    """A period a person asked for that cannot be reported on (message in their language)."""


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> 28 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    kind: PeriodKind = "range"

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise PeriodError(_("La fin de la période précède son début."))
        if not (MIN_YEAR <= self.first.year <= MAX_YEAR and MIN_YEAR <= self.last.year <= MAX_YEAR):
            raise PeriodError(
                _("Choisissez des dates entre %(min)s et %(max)s.")
                % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        if (self.last - self.first).days >= MAX_DAYS:
            raise PeriodError(_("Une période couvre au plus trois ans."))

    @classmethod
    def calendar_year(cls, year: int) -> Period:
        """1 January to 31 December."""
        cls._check_year(year)
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), "year")

    @classmethod
    def school_year(cls, start_year: int) -> Period:
        """1 September ``start_year`` to 31 August of the next year (Federation school year)."""
        cls._check_year(start_year)
        return cls(dt.date(start_year, 9, 1), dt.date(start_year + 1, 8, 31), "school_year")

    @classmethod
    def between(cls, first: dt.date, last: dt.date) -> Period:
        return cls(first, last, "range")

    @staticmethod
    def _check_year(year: int) -> None:
        if not MIN_YEAR <= year <= MAX_YEAR - 1:
            raise PeriodError(
                _("Choisissez une année entre %(min)s et %(max)s.")
                % {"min": MIN_YEAR, "max": MAX_YEAR - 1}
            )

    def previous(self) -> Period:
        """The same days one year earlier (29 February becomes 28 February)."""
        return Period(_shift_year(self.first, -1), _shift_year(self.last, -1), self.kind)

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        """``[start, end)``: local midnight of the first day, local midnight after the last."""
        zone = dates.platform_zone()
        start = dt.datetime.combine(self.first, dt.time(0), tzinfo=zone)
        end = dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
        return start, end

    def contains(self, day: dt.date) -> bool:
        return self.first <= day <= self.last

    def months(self) -> list[tuple[int, int]]:
        """Every (year, month) the period touches, in order."""
        out: list[tuple[int, int]] = []
        year, month = self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out

    @property
    def label(self) -> str:
        if self.kind == "year":
            return str(self.first.year)
        if self.kind == "school_year":
            return f"{self.first.year}-{self.last.year}"
        return dates.format_days(self.first, self.last)


@dataclass(frozen=True)
class Filters:
    """Narrow the training figures. Empty: everything of the organisations.

    ``site``, ``module``, ``pathway``: ids (the caller checks they belong to the organisation;
    the figures are computed inside the organisations anyway). ``audience``: a
    ``Module.Audience`` value, the public the *module* targets. ``format``: a ``Module.Format``
    value. Logistics figures honour ``site`` only.
    """

    site: int | None = None
    module: int | None = None
    pathway: int | None = None
    audience: str = ""
    format: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.site or self.module or self.pathway or self.audience or self.format)
