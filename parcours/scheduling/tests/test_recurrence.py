"""Recurring bookings: every Tuesday until June except the site's school holidays, 9:00 local
across the daylight-saving changes, per-occurrence exceptions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, planning
from parcours.scheduling.actions import BookingConflict
from parcours.scheduling.models import Booking, Resource

from .conftest import at


def test_weekly_series_keeps_9am_local_across_both_dst_changes(lea: Actor, room: Resource) -> None:
    # Sundays (the site is closed on Sundays for requesters, but logistics may book).
    result = actions.book_series(
        actor=lea,
        resources=[room],
        first_date=dt.date(2026, 3, 22),
        until=dt.date(2026, 11, 1),
        weekdays=[6],
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        title="Club du dimanche",
    )
    by_day = {b.occurrence_date: b for b in result.bookings}
    for day in (dt.date(2026, 3, 22), dt.date(2026, 3, 29), dt.date(2026, 10, 25)):
        local = by_day[day].start.astimezone(planning.TZ)
        assert (local.date(), local.time()) == (day, dt.time(9, 0))
        assert by_day[day].end.astimezone(planning.TZ).time() == dt.time(12, 0)

    def utc(day: dt.date) -> dt.datetime:
        return by_day[day].start.astimezone(dt.UTC)

    # One week apart in local time is 7 days minus/plus the hour gained or lost.
    assert utc(dt.date(2026, 3, 29)) - utc(dt.date(2026, 3, 22)) == dt.timedelta(days=7, hours=-1)
    assert utc(dt.date(2026, 10, 25)) - utc(dt.date(2026, 10, 18)) == dt.timedelta(days=7, hours=1)
    assert utc(dt.date(2026, 11, 1)) - utc(dt.date(2026, 10, 25)) == dt.timedelta(days=7)


def test_every_tuesday_until_june_except_school_holidays(lea: Actor, room: Resource) -> None:
    site = room.site
    actions.add_closure(
        actor=lea,
        site=site,
        start=dt.date(2031, 2, 24),
        end=dt.date(2031, 3, 7),
        kind="holiday",
        reason="Congé de détente",
    )
    actions.add_closure(
        actor=lea, site=site, start=dt.date(2031, 4, 1), end=dt.date(2031, 4, 1), kind="closed"
    )
    result = actions.book_series(
        actor=lea,
        resources=[room],
        first_date=dt.date(2031, 2, 1),
        until=dt.date(2031, 6, 30),
        weekdays=[1],
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        title="Atelier du mardi",
        except_dates=[dt.date(2031, 5, 13)],
    )
    dates = [b.occurrence_date for b in result.bookings]
    assert dt.date(2031, 2, 25) not in dates and dt.date(2031, 3, 4) not in dates  # holidays
    assert dt.date(2031, 4, 1) not in dates  # closed day
    assert dt.date(2031, 5, 13) not in dates  # chosen exception
    assert dt.date(2031, 3, 11) in dates
    assert all(d is not None and d.weekday() == 1 for d in dates)
    assert result.skipped == [
        dt.date(2031, 2, 25),
        dt.date(2031, 3, 4),
        dt.date(2031, 4, 1),
        dt.date(2031, 5, 13),
    ]
    assert len(dates) == 21 - 4


def test_series_is_all_or_nothing_unless_asked(lea: Actor, room: Resource) -> None:
    actions.book(
        actor=lea,
        resources=[room],
        start=at("2031-03-18", "10:00"),
        end=at("2031-03-18", "11:00"),
        title="Déjà là",
    )
    kwargs: dict[str, Any] = {
        "actor": lea,
        "resources": [room],
        "first_date": dt.date(2031, 3, 11),
        "until": dt.date(2031, 4, 1),
        "weekdays": [1],
        "start_time": dt.time(9, 0),
        "end_time": dt.time(12, 0),
        "title": "Série",
    }
    with pytest.raises(BookingConflict, match="Déjà là"):
        actions.book_series(**kwargs)
    assert not Booking.objects.filter(title="Série").exists()
    result = actions.book_series(**kwargs, skip_conflicts=True)
    assert result.conflicted == [dt.date(2031, 3, 18)]
    assert len(result.bookings) == 3


def test_one_occurrence_can_be_cancelled_or_moved(lea: Actor, room: Resource) -> None:
    result = actions.book_series(
        actor=lea,
        resources=[room],
        first_date=dt.date(2031, 3, 11),
        until=dt.date(2031, 4, 1),
        weekdays=[1],
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        title="Série",
    )
    first, second, *_ = result.bookings
    actions.cancel_booking(actor=lea, booking=first)
    moved = actions.move_booking(
        actor=lea, booking=second, start=at("2031-03-19", "13:00"), end=at("2031-03-19", "16:00")
    )
    first.refresh_from_db()
    assert first.status == "cancelled" and first.is_exception
    assert moved.is_exception and moved.series_id == result.series.pk
    # The freed slot is bookable; the others still hold theirs.
    actions.book(
        actor=lea,
        resources=[room],
        start=at("2031-03-11", "09:00"),
        end=at("2031-03-11", "12:00"),
        title="À la place",
    )
    with pytest.raises(BookingConflict):
        actions.book(
            actor=lea,
            resources=[room],
            start=at("2031-03-25", "09:00"),
            end=at("2031-03-25", "12:00"),
            title="Non",
        )
    assert actions.cancel_series(actor=lea, series=result.series) == 3


def test_requests_for_a_series_need_approval_per_occurrence(school_contact, room: Resource) -> None:
    result = actions.book_series(
        actor=Actor.of(school_contact),
        resources=[room],
        first_date=dt.date(2031, 3, 11),
        until=dt.date(2031, 3, 25),
        weekdays=[1],
        start_time=dt.time(9, 0),
        end_time=dt.time(12, 0),
        title="Réunions de parents",
    )
    assert {b.status for b in result.bookings} == {"requested"}
    with pytest.raises(ValidationError):
        actions.book_series(
            actor=Actor.of(school_contact),
            resources=[room],
            first_date=dt.date(2031, 3, 11),
            until=dt.date(2031, 3, 25),
            weekdays=[1],
            start_time=dt.time(17, 0),
            end_time=dt.time(20, 0),
            title="Trop tard",
        )
