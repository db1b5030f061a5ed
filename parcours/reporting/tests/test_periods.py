"""Periods: pure values (hypothesis on the previous-year shift and the bounds)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.reporting.periods import Period, PeriodError

days = st.dates(dt.date(2001, 1, 1), dt.date(2099, 12, 31))


@given(days, st.integers(0, 900))
def test_previous_is_one_year_earlier_and_never_longer(first: dt.date, length: int) -> None:
    last = min(first + dt.timedelta(days=length), dt.date(2099, 12, 31))
    period = Period.between(first, last)
    before = period.previous()
    assert before.first.year == first.year - 1
    assert (before.last - before.first).days in {
        (last - first).days,
        (last - first).days - 1,
        (last - first).days + 1,
    }
    start, end = period.bounds()
    assert start.tzinfo is not None and start.hour == 0
    assert (end - start).days in {(last - first).days, (last - first).days + 1}


def test_school_year_and_calendar_year() -> None:
    assert Period.school_year(2025).first == dt.date(2025, 9, 1)
    assert Period.school_year(2025).last == dt.date(2026, 8, 31)
    assert Period.school_year(2025).label == "2025-2026"
    assert Period.calendar_year(2024).previous() == Period.calendar_year(2023)
    start, _end = Period.calendar_year(2025).bounds()
    assert start.utcoffset() == dt.timedelta(hours=1)  # midnight in Brussels is 23:00 UTC
    assert Period.between(dt.date(2024, 2, 29), dt.date(2024, 2, 29)).previous().first == dt.date(
        2023, 2, 28
    )


@pytest.mark.parametrize(
    ("first", "last"),
    [
        (dt.date(2025, 2, 1), dt.date(2025, 1, 1)),
        (dt.date(1999, 1, 1), dt.date(2000, 1, 1)),
        (dt.date(2020, 1, 1), dt.date(2024, 1, 1)),
    ],
)
def test_refused_periods(first: dt.date, last: dt.date) -> None:
    with pytest.raises(PeriodError):
        Period.between(first, last)
