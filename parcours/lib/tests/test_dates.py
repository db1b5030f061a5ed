from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from parcours.lib import dates

UTC = dt.UTC
BXL = ZoneInfo("Europe/Brussels")


@pytest.fixture(autouse=True)
def _french() -> object:
    with translation.override("fr"):
        yield


def test_aware_utc_is_shown_in_brussels_time() -> None:
    # 12:00 UTC in winter is 13:00 in Brussels: the approval message bug of issue #9.
    moment = dt.datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    assert dates.format_time(moment) == "13:00"
    assert dates.format_datetime(moment) == "lundi 14 décembre 2026 à 13:00"
    with translation.override("en"):
        assert dates.format_datetime(moment) == "Monday 14 December 2026 at 13:00"


def test_styles() -> None:
    day = dt.date(2026, 12, 14)
    assert dates.format_date(day) == "lundi 14 décembre 2026"
    assert dates.format_date(day, "medium") == "14 décembre 2026"
    assert dates.format_date(day, "short") == "14/12/2026"
    assert dates.format_date(day, "day") == "lundi 14 décembre"
    with pytest.raises(ValueError):
        dates.format_date(day, "weird")


def test_french_first_of_the_month() -> None:
    assert dates.format_date(dt.date(2026, 12, 1)) == "mardi 1er décembre 2026"
    with translation.override("en"):
        assert dates.format_date(dt.date(2026, 12, 1)) == "Tuesday 1 December 2026"


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Spring forward: 29 March 2026, 02:00 → 03:00.
        (dt.datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "01:59"),
        (dt.datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "03:00"),
        # Fall back: 25 October 2026, 03:00 → 02:00.
        (dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC), "02:30"),
        (dt.datetime(2026, 10, 25, 1, 30, tzinfo=UTC), "02:30"),
        (dt.datetime(2026, 10, 25, 2, 0, tzinfo=UTC), "03:00"),
    ],
)
def test_dst_changes(utc: dt.datetime, expected: str) -> None:
    assert dates.format_time(utc) == expected


def test_midnight_belongs_to_the_local_day() -> None:
    # 23:30 UTC on New Year's Eve is already 1 January in Brussels.
    moment = dt.datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert dates.format_date(moment) == "vendredi 1er janvier 2027"
    assert dates.local_date(moment) == dt.date(2027, 1, 1)


def test_span_on_one_day_and_over_midnight() -> None:
    start = dt.datetime(2026, 12, 14, 14, 0, tzinfo=BXL)
    assert (
        dates.format_span(start, start.replace(hour=22))
        == "lundi 14 décembre 2026, 14:00\u201322:00"
    )
    midnight = dt.datetime(2026, 12, 15, 0, 0, tzinfo=BXL)
    assert dates.format_span(start, midnight) == "lundi 14 décembre 2026, 14:00\u201324:00"
    two_days = dt.datetime(2026, 12, 15, 17, 0, tzinfo=BXL)
    assert dates.format_span(start, two_days) == (
        "lundi 14 décembre 2026 à 14:00 \u2013 mardi 15 décembre 2026 à 17:00"
    )


def test_days_with_an_exclusive_end_show_the_last_day() -> None:
    # An outreach booking stored as [14 Dec, 17 Dec) covers 14, 15 and 16 December.
    assert (
        dates.format_days(dt.date(2026, 12, 14), dt.date(2026, 12, 17), end_exclusive=True)
        == "du 14 au 16 décembre 2026"
    )
    end = dt.datetime(2026, 12, 17, 0, 0, tzinfo=BXL)
    assert dates.last_day(end) == dt.date(2026, 12, 16)
    assert dates.last_day(end.replace(hour=13)) == dt.date(2026, 12, 17)
    assert dates.format_days(dt.date(2026, 11, 30), dt.date(2026, 12, 2)) == (
        "du 30 novembre au 2 décembre 2026"
    )
    assert dates.format_days(dt.date(2026, 12, 30), dt.date(2027, 1, 2)) == (
        "du 30 décembre 2026 au 2 janvier 2027"
    )
    assert dates.format_days(dt.date(2026, 12, 14), dt.date(2026, 12, 14)) == (
        "lundi 14 décembre 2026"
    )
    with translation.override("en"):
        assert dates.format_days(dt.date(2026, 12, 14), dt.date(2026, 12, 16)) == (
            "14\u201316 December 2026"
        )


def test_template_filters(settings: object) -> None:
    from django.template import Context, Template

    moment = dt.datetime(2026, 12, 14, 12, 0, tzinfo=UTC)
    out = Template(
        "{% load parcours %}{{ m|fdate }}|{{ m|ftime }}|{{ m|fdatetime:'short' }}|"
        "{% fspan m m %}|{{ nothing|fdate }}"
    ).render(Context({"m": moment, "nothing": None}))
    assert (
        out
        == "lundi 14 décembre 2026|13:00|14/12/2026 13:00|lundi 14 décembre 2026, 13:00\u201313:00|"
    )
