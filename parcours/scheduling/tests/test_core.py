"""The pure scheduling maths, on its own (hypothesis)."""

from __future__ import annotations

import datetime as dt
import itertools
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.scheduling import core

BRUSSELS = ZoneInfo("Europe/Brussels")
BASE = dt.datetime(2031, 3, 12, 0, 0, tzinfo=dt.UTC)


def minutes(n: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=n)


intervals = st.lists(
    st.tuples(st.integers(0, 1440), st.integers(1, 240)).map(
        lambda t: (minutes(t[0]), minutes(t[0] + t[1]))
    ),
    max_size=12,
)


def test_half_open_intervals_touching_do_not_overlap() -> None:
    assert not core.overlaps(minutes(0), minutes(60), minutes(60), minutes(120))
    assert core.overlaps(minutes(0), minutes(61), minutes(60), minutes(120))


@given(intervals)
def test_merge_is_sorted_disjoint_and_covers_the_same_instants(busy) -> None:
    merged = core.merge(busy)
    for (_a0, a1), (b0, _b1) in itertools.pairwise(merged):
        assert a1 < b0
    for minute in range(0, 1700, 7):
        t = minutes(minute)
        assert any(s <= t < e for s, e in busy) == any(s <= t < e for s, e in merged)


@given(intervals)
def test_free_gaps_are_exactly_the_uncovered_part_of_the_window(busy) -> None:
    w0, w1 = minutes(300), minutes(1200)
    gaps = core.free_gaps(w0, w1, busy)
    for minute in range(300, 1200, 5):
        t = minutes(minute)
        covered = any(s <= t < e for s, e in busy)
        assert covered != any(s <= t < e for s, e in gaps)


@settings(max_examples=200)
@given(
    intervals,
    st.integers(0, 1300),
    st.integers(15, 240),
    st.integers(0, 60),
    st.integers(0, 60),
)
def test_suggested_slots_are_free_in_the_window_and_on_the_grid(
    busy, wanted, duration, setup, cleanup
) -> None:
    window = (minutes(480), minutes(1080))
    slots = core.nearest_free_slots(
        wanted_start=minutes(wanted),
        duration=dt.timedelta(minutes=duration),
        busy=busy,
        windows=[window],
        setup=dt.timedelta(minutes=setup),
        cleanup=dt.timedelta(minutes=cleanup),
        limit=5,
    )
    distances = []
    for s, e in slots:
        assert e - s == dt.timedelta(minutes=duration)
        assert window[0] <= s and e <= window[1]
        assert core.is_free(
            s - dt.timedelta(minutes=setup), e + dt.timedelta(minutes=cleanup), busy
        )
        assert ((s - minutes(wanted)).total_seconds() / 60) % 15 == 0
        distances.append(abs((s - minutes(wanted)).total_seconds()))
    assert distances == sorted(distances)


def test_the_nearest_slot_after_a_booking_starts_when_it_ends() -> None:
    busy = [(minutes(540), minutes(720))]  # 9:00-12:00
    slots = core.nearest_free_slots(
        wanted_start=minutes(660),
        duration=dt.timedelta(hours=2),
        busy=busy,
        windows=[(minutes(480), minutes(1080))],
        limit=1,
    )
    assert slots == [(minutes(720), minutes(840))]


def test_local_times_are_kept_across_daylight_saving_changes() -> None:
    occurrences = core.expand_weekly(
        first_date=dt.date(2026, 3, 22),
        until=dt.date(2026, 11, 1),
        weekdays=[6],  # Sundays, to land on both change days
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        tz=BRUSSELS,
    )
    days = [o.day for o in occurrences]
    assert dt.date(2026, 3, 29) in days and dt.date(2026, 10, 25) in days
    for o in occurrences:
        assert o.start.astimezone(BRUSSELS).time() == dt.time(9, 0)
        assert o.end.astimezone(BRUSSELS).time() == dt.time(12, 0)
    by_day = {o.day: o for o in occurrences}
    assert by_day[dt.date(2026, 3, 22)].start.astimezone(dt.UTC).hour == 8  # CET
    assert by_day[dt.date(2026, 3, 29)].start.astimezone(dt.UTC).hour == 7  # CEST
    assert by_day[dt.date(2026, 10, 25)].start.astimezone(dt.UTC).hour == 8  # CET again


def test_a_wall_time_skipped_by_the_spring_change_moves_forward() -> None:
    moment = core.local_datetime(dt.date(2026, 3, 29), dt.time(2, 30), BRUSSELS)
    assert moment.astimezone(BRUSSELS).time() == dt.time(3, 30)


@given(
    st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)),
    st.integers(0, 120),
    st.sets(st.integers(0, 6), min_size=1),
    st.integers(1, 3),
)
def test_weekly_dates_fall_on_the_chosen_weekdays_and_interval(
    first, span, weekdays, interval
) -> None:
    until = first + dt.timedelta(days=span)
    dates = core.weekly_dates(
        first_date=first, until=until, weekdays=weekdays, interval_weeks=interval
    )
    origin = first - dt.timedelta(days=first.weekday())
    for d in dates:
        assert first <= d <= until
        assert d.weekday() in weekdays
        assert ((d - origin).days // 7) % interval == 0
    assert dates == sorted(set(dates))


def test_dates_in_ranges_are_clipped() -> None:
    got = core.dates_in_ranges(
        [(dt.date(2026, 2, 14), dt.date(2026, 2, 22))], dt.date(2026, 2, 20), dt.date(2026, 3, 1)
    )
    assert got == {dt.date(2026, 2, 20), dt.date(2026, 2, 21), dt.date(2026, 2, 22)}


def test_distance_between_liege_and_charleroi() -> None:
    assert 80 < core.haversine_km(50.6326, 5.5797, 50.4108, 4.4446) < 88
