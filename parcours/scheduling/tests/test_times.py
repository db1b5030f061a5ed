# ruff: noqa: RUF001 - the pages write time spans with an en dash
"""Issue #9: every date and time shown in logistics is local (Europe/Brussels), through
parcours.lib.dates — around DST change days and midnight — and periods stored with an exclusive
end (outreach days) show their last day, not the day after."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Booking, OutreachActivity, Resource

from .test_ui_outreach import robots, truck  # noqa: F401 - fixtures

SPRING = dt.date(2031, 3, 30)  # last Sunday of March: 02:00 → 03:00
AUTUMN = dt.date(2031, 10, 26)  # last Sunday of October: 03:00 → 02:00
WINTER = dt.date(2031, 12, 3)


def local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return core.local_datetime(day, dt.time(hh, mm), planning.TZ)


@pytest.mark.parametrize("day", [SPRING, AUTUMN, WINTER, SPRING + dt.timedelta(days=1)])
def test_a_13_00_booking_reads_13_00_everywhere(
    as_user,
    django_capture_on_commit_callbacks,
    lea: Actor,
    logistics: User,
    school_contact: User,
    room: Resource,
    day: dt.date,
) -> None:
    actions.set_opening_hours(  # open on Sundays too (both DST change days are Sundays)
        actor=lea, site=room.site, hours={d: (dt.time(8), dt.time(20)) for d in range(7)}
    )
    booking = actions.book(
        actor=Actor.of(school_contact),
        resources=[room],
        start=local(day, 13),
        end=local(day, 15),
        title="Conseil",
    )
    assert str(booking).endswith(f"{day:%d/%m/%Y} 13:00)")
    mail.outbox.clear()
    client = as_user(logistics)
    with django_capture_on_commit_callbacks(execute=True):
        approved = client.post(reverse("scheduling:approve", args=[booking.pk]), follow=True)
    page = approved.content.decode()
    assert "12:00" not in page and "11:00" not in page
    panel = client.get(reverse("scheduling:booking", args=[booking.pk])).content.decode()
    assert "13:00–15:00" in panel
    assert any("13:00–15:00" in m.body for m in mail.outbox), [m.body for m in mail.outbox]
    assert all("12:00" not in m.body and "11:00" not in m.body for m in mail.outbox)


def test_the_request_confirmation_message_is_local(
    as_user, logistics: User, room: Resource
) -> None:
    response = as_user(logistics).post(
        reverse("scheduling:request"),
        {
            "resource": room.pk,
            "day": "2031-07-02",
            "start_time": "13:00",
            "end_time": "14:00",
            "title": "Jury",
            "participants": 3,
        },
        follow=True,
    )
    text = response.content.decode()
    assert "Jury (02/07/2031 13:00)" in text, text[:2000]


def test_a_booking_until_midnight_ends_at_24_00(
    as_user, lea: Actor, logistics: User, room: Resource
) -> None:
    booking = actions.book(
        actor=lea,
        resources=[room],
        start=local(AUTUMN, 22),
        end=local(AUTUMN + dt.timedelta(days=1), 0),
        title="Veille",
    )
    panel = as_user(logistics).get(reverse("scheduling:booking", args=[booking.pk]))
    assert "dimanche 26 octobre 2031, 22:00–24:00" in panel.content.decode()


def test_outreach_lists_show_the_last_day_not_the_day_after(
    as_user,
    logistics: User,
    school_contact: User,
    robots: OutreachActivity,  # noqa: F811
) -> None:
    monday = dt.date(2031, 3, 17)
    actions.request_outreach_checked(
        actor=Actor.of(school_contact),
        activity=robots,
        first_day=monday,
        last_day=monday + dt.timedelta(days=2),
        school_name="École A",
        school_city="Jumet",
        pupil_counts={"P5": 20},
    )
    mine = as_user(school_contact).get(reverse("scheduling:outreach_mine")).content.decode()
    assert "du 17 au 19 mars 2031" in mine and "20 mars" not in mine
    queue = as_user(logistics).get(reverse("scheduling:outreach_queue")).content.decode()
    assert "du 17 au 19 mars 2031" in queue and "20 mars" not in queue
    assert Booking.objects.get().end == local(monday + dt.timedelta(days=3), 0)
