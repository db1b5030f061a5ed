"""The participant report's pure core: tables, times, durations, intervals (hypothesis)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from parcours.lib.tables import csv_table, decode_text
from parcours.webinars import report as core

ZONE = ZoneInfo("Europe/Brussels")
START = dt.datetime(2026, 2, 3, 10, tzinfo=ZONE)
SLOT = (START, START + dt.timedelta(hours=2))

minutes = st.integers(min_value=-120, max_value=300)
intervals = st.lists(
    st.tuples(minutes, st.integers(min_value=0, max_value=200)).map(
        lambda p: (
            START + dt.timedelta(minutes=p[0]),
            START + dt.timedelta(minutes=p[0] + p[1]),
        )
    ),
    max_size=12,
)


def _seconds(items: list[core.Interval]) -> float:
    return sum((b - a).total_seconds() for a, b in items)


@given(intervals)
def test_merge_is_a_disjoint_union_no_longer_than_the_parts(items: list[core.Interval]) -> None:
    merged = core.merge(items)
    assert _seconds(merged) <= _seconds(items)
    assert all(a < b for a, b in merged)
    assert all(merged[i][1] < merged[i + 1][0] for i in range(len(merged) - 1))
    assert core.merge(merged) == merged
    assert core.merge(list(reversed(items))) == merged
    # Every instant of an input interval is covered by the union.
    for a, b in items:
        if b > a:
            assert core.overlap(merged, a, b) == (b - a).total_seconds()


@given(intervals, intervals)
def test_merging_a_second_report_never_double_counts(
    first: list[core.Interval], second: list[core.Interval]
) -> None:
    both = core.clip(core.merge([*first, *second]), [SLOT])
    assert _seconds(both) <= (SLOT[1] - SLOT[0]).total_seconds()
    again = core.clip(core.merge([*both, *second]), [SLOT])
    assert again == both  # importing the second report again adds nothing


@given(st.integers(min_value=0, max_value=23), st.integers(0, 59), st.integers(0, 59))
def test_durations_read_in_every_spelling(h: int, m: int, s: int) -> None:
    expected = dt.timedelta(hours=h, minutes=m, seconds=s)
    assert core.read_duration(f"{h}h {m}m {s}s") == expected
    assert core.read_duration(f"{h:02d}:{m:02d}:{s:02d}") == expected
    assert core.read_duration(f"{h * 60 + m}") == dt.timedelta(minutes=h * 60 + m)


@given(st.text(max_size=30))
def test_any_duration_text_reads_or_is_refused(text: str) -> None:
    value = core.read_duration(text)
    assert value is None or dt.timedelta(0) <= value <= core.MAX_DURATION


@given(st.text(max_size=50))
def test_any_time_text_reads_or_is_refused(text: str) -> None:
    value = core.TimeReader(ZONE, START).read(text)
    assert value is None or value.tzinfo is not None


def test_day_and_month_order_follows_the_session() -> None:
    # 3 February: "2/3/26" is month/day (US Teams), "03/02/2026" day/month (French Teams).
    us = core.TimeReader(ZONE, START)
    assert us.read("2/3/26, 10:05:00 AM") == START + dt.timedelta(minutes=5)
    fr = core.TimeReader(ZONE, START)
    assert fr.read("03/02/2026 10:05:00") == START + dt.timedelta(minutes=5)
    assert fr.read("03/02/2026 11:00:00") == START + dt.timedelta(hours=1)
    assert core.TimeReader(ZONE, START).read("2026-02-03T09:05:00Z") == START + dt.timedelta(
        minutes=5
    )


def test_french_teams_report_uses_the_activities_block() -> None:
    text = "\r\n".join(
        [
            "1. Résumé",
            "Titre de la réunion\tWebinaire, IA",
            "Heure de début\t03/02/2026 09:58:00",
            "",
            "2. Participants",
            "Nom\tPremière participation\tDernier départ\tDurée de la réunion\tE-mail\tRôle",
            "Ana\t03/02/2026 10:00:00\t03/02/2026 11:50:00\t1 h 30 min\tana@x.test\tParticipant",
            "",
            "3. Activités de la réunion",
            "Nom\tHeure de participation\tHeure de départ\tDurée\tE-mail\tRôle",
            "Ana\t03/02/2026 10:00:00\t03/02/2026 10:30:00\t30 min\tana@x.test\tParticipant",
            "Ana\t03/02/2026 10:50:00\t03/02/2026 11:50:00\t1 h\tana@x.test\tParticipant",
        ]
    )
    decoded = decode_text(text.encode("utf-16"))
    assert decoded is not None
    read = core.read_report(csv_table(decoded, max_columns=40))
    assert not read.error
    assert [r.line for r in read.rows] == [11, 12]  # the activities, not the participants
    assert read.unknown_columns == ["Rôle"]
    registered = {"ana@x.test": core.Registered(1, 1, "Ana", on_roll=True)}
    analysis = core.analyse(read, slots=[SLOT], registered=registered, percent=75, zone=ZONE)
    (ana,) = analysis.people
    assert ana.minutes == 90 and analysis.present(ana)  # 90 of 120 minutes = 75 %


def test_zoom_durations_without_times_add_up() -> None:
    rows = [
        (1, ["Name (Original Name)", "User Email", "Duration (Minutes)"]),
        (2, ["Ana", "ana@x.test", "40"]),
        (3, ["Ana", "ana@x.test", "50"]),
        (4, ["Bob", "", "50"]),
    ]
    read = core.read_report(rows)
    registered = {"ana@x.test": core.Registered(1, 1, "Ana", on_roll=True)}
    analysis = core.analyse(read, slots=[SLOT], registered=registered, percent=75, zone=ZONE)
    assert [p.minutes for p in analysis.people] == [90]
    assert analysis.ignored_by_reason() == {"no_email": 1}


def test_saved_mapping_wins_over_the_guess() -> None:
    rows = [
        (1, ["Participant", "Mail pro", "Arrivée", "Sortie"]),
        (2, ["Ana", "ana@x.test", "2026-02-03 10:00", "2026-02-03 12:00"]),
    ]
    assert core.read_report(rows).error
    read = core.read_report(
        rows, mapping={"email": "Mail pro", "join": "Arrivée", "leave": "Sortie"}
    )
    assert not read.error and read.rows[0].leave == "2026-02-03 12:00"
