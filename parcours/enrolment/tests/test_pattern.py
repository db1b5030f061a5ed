"""A long session from a weekly pattern: the pure expansion (hypothesis) and the action."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions
from parcours.enrolment import pattern as core
from parcours.enrolment.actions.pattern import create_session_from_pattern, preview_pattern
from parcours.enrolment.models import Session
from parcours.scheduling.models import Booking, ClosurePeriod

MORNING = (dt.time(9, 0), dt.time(12, 30))
AFTERNOON = (dt.time(13, 30), dt.time(16, 30))


# --- Pure core --------------------------------------------------------------------------------


def test_belgian_holidays_of_2026() -> None:
    days = core.belgian_holidays(2026)
    assert len(days) == 10
    assert dt.date(2026, 4, 6) in days  # Easter Monday (Easter: 5 April 2026)
    assert dt.date(2026, 5, 14) in days  # Ascension
    assert dt.date(2026, 5, 25) in days  # Whit Monday
    assert dt.date(2026, 7, 21) in days and dt.date(2026, 11, 11) in days


@pytest.mark.parametrize(
    ("year", "sunday"),
    [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2027, dt.date(2027, 3, 28))],
)
def test_easter(year: int, sunday: dt.date) -> None:
    assert core.easter(year) == sunday


patterns = st.builds(
    lambda first, length, days, two: core.WeeklyPattern(
        first=first,
        last=first + dt.timedelta(days=length),
        weekdays=frozenset(days),
        ranges=(MORNING, AFTERNOON) if two else (MORNING,),
    ),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31)),
    st.integers(min_value=0, max_value=200),
    st.sets(st.integers(min_value=0, max_value=6), min_size=1),
    st.booleans(),
)


@settings(max_examples=150, deadline=None)
@given(pattern=patterns, closed=st.sets(st.integers(min_value=0, max_value=200), max_size=10))
def test_expansion_properties(pattern: core.WeeklyPattern, closed: set[int]) -> None:
    closures = {pattern.first + dt.timedelta(days=n): (core.CLOSED, "") for n in closed}
    expansion = core.expand(pattern, closures=closures)
    holidays = core.holidays_between(pattern.first, pattern.last)
    kept = expansion.kept
    for day in kept:
        # within the range, on the pattern's weekdays, never a holiday nor a closed day
        assert pattern.first <= day.day <= pattern.last
        assert day.day.weekday() in pattern.weekdays
        assert day.day not in holidays and day.day not in closures
        # every slot at the same local wall-clock times, whatever the daylight-saving period
        for (start, end), (a, b) in zip(day.slots, sorted(pattern.ranges), strict=True):
            local_start, local_end = start.astimezone(core.BRUSSELS), end.astimezone(core.BRUSSELS)
            assert (local_start.time(), local_end.time()) == (a, b)
            assert local_start.date() == day.day
            assert end > start
    # nothing of the pattern is lost: every weekday date is either kept or skipped with a reason
    expected = [
        pattern.first + dt.timedelta(days=n)
        for n in range((pattern.last - pattern.first).days + 1)
        if (pattern.first + dt.timedelta(days=n)).weekday() in pattern.weekdays
    ]
    assert [d.day for d in expansion.days] == expected
    assert all(d.reason for d in expansion.skipped)
    # the preview's choice: ticking every date keeps holidays too; unticking one drops it
    every = [d.day for d in expansion.days]
    assert [d.day for d in core.choose(expansion, keep=every)] == every
    if every:
        assert every[0] not in [d.day for d in core.choose(expansion, keep=every[1:])]


def test_slots_keep_local_times_across_the_october_change() -> None:
    pattern = core.WeeklyPattern(
        first=dt.date(2026, 10, 19),
        last=dt.date(2026, 11, 6),
        weekdays=frozenset({0}),
        ranges=(MORNING,),
    )
    days = core.expand(pattern).kept
    offsets = {d.slots[0][0].utcoffset() for d in days}
    assert offsets == {dt.timedelta(hours=2), dt.timedelta(hours=1)}
    assert {d.slots[0][0].astimezone(core.BRUSSELS).time() for d in days} == {dt.time(9, 0)}


def test_bad_patterns_are_named() -> None:
    bad = core.WeeklyPattern(
        first=dt.date(2026, 2, 1),
        last=dt.date(2026, 1, 1),
        weekdays=frozenset(),
        ranges=((dt.time(12), dt.time(9)),),
    )
    assert set(bad.problems()) == {"order", "weekdays", "range_order"}


# --- The action -------------------------------------------------------------------------------

FIRST = dt.date(2031, 9, 1)  # a Monday, far enough in the future for every test run
LAST = dt.date(2031, 12, 19)


def four_months() -> core.WeeklyPattern:
    return core.WeeklyPattern(
        first=FIRST, last=LAST, weekdays=frozenset({0, 1, 2, 3}), ranges=(MORNING, AFTERNOON)
    )


@pytest.fixture
def room(org, site, logistics):
    from parcours.scheduling import actions as scheduling

    return scheduling.create_resource(
        actor=Actor.of(logistics),
        site=site,
        name="Salle Lovelace",
        code="LOVELACE",
        capacity=24,
        requires_approval=False,
    )


def _data(module, site, room=None, code: str = "PREPA-MONS") -> actions.SessionData:
    return actions.SessionData(
        module_id=module.pk,
        code=code,
        capacity=15,
        slots=[],
        site_id=site.pk,
        room_id=room.pk if room else None,
    )


def test_a_four_month_session_skips_holidays_and_closures_and_books_its_room(
    org, coordinator, logistics, module, site, room
) -> None:
    from parcours.scheduling import actions as scheduling

    scheduling.add_closure(
        actor=Actor.of(logistics),
        site=site,
        start=dt.date(2031, 10, 27),
        end=dt.date(2031, 10, 31),
        kind=ClosurePeriod.Kind.CLOSED,
        reason="Congé d'automne",
    )
    actor = Actor.of(coordinator)
    preview = preview_pattern(
        actor=actor, organisation=org, pattern=four_months(), site_id=site.pk, room_id=room.pk
    )
    skipped = {d.day: d.reason for d in preview.skipped}
    assert skipped[dt.date(2031, 11, 11)] == core.HOLIDAY  # Armistice, a Tuesday
    assert skipped[dt.date(2031, 10, 27)] == core.CLOSED
    assert preview.conflicts == []
    session = create_session_from_pattern(
        actor=actor, organisation=org, data=_data(module, site, room), pattern=four_months()
    )
    days = {s.start.astimezone(core.BRUSSELS).date() for s in session.slots.all()}
    assert len(days) == len(preview.kept)
    assert dt.date(2031, 11, 11) not in days and dt.date(2031, 10, 28) not in days
    assert session.slots.count() == 2 * len(days)
    assert len(actions.room_bookings(session)) == session.slots.count()


def test_an_exception_ticked_in_the_preview_is_kept_and_an_unticked_date_dropped(
    org, coordinator, module, site
) -> None:
    actor = Actor.of(coordinator)
    preview = preview_pattern(actor=actor, organisation=org, pattern=four_months())
    keep = [d.day for d in preview.kept if d.day != dt.date(2031, 9, 2)] + [dt.date(2031, 11, 11)]
    session = create_session_from_pattern(
        actor=actor, organisation=org, data=_data(module, site), pattern=four_months(), keep=keep
    )
    days = {s.start.astimezone(core.BRUSSELS).date() for s in session.slots.all()}
    assert dt.date(2031, 11, 11) in days
    assert dt.date(2031, 9, 2) not in days


def test_a_taken_room_is_reported_in_the_preview_and_nothing_is_written(
    org, coordinator, module, site, room
) -> None:
    from parcours.scheduling import actions as scheduling

    actor = Actor.of(coordinator)
    taken = scheduling.book(
        actor=actor,
        resources=[room],
        start=core.local(dt.date(2031, 10, 8), dt.time(10)),
        end=core.local(dt.date(2031, 10, 8), dt.time(11)),
        title="Jury d'examen",
    )
    preview = preview_pattern(
        actor=actor, organisation=org, pattern=four_months(), site_id=site.pk, room_id=room.pk
    )
    assert preview.conflict_days == {dt.date(2031, 10, 8)}
    assert preview.conflicts[0].title == "Jury d'examen"
    sessions, bookings = Session.objects.count(), Booking.objects.count()
    with pytest.raises(ValidationError) as exc:
        create_session_from_pattern(
            actor=actor, organisation=org, data=_data(module, site, room), pattern=four_months()
        )
    assert "08/10/2031" in str(exc.value.message_dict["room"])
    assert (Session.objects.count(), Booking.objects.count()) == (sessions, bookings)
    assert taken.pk


def test_bad_patterns_are_refused_in_french(org, coordinator, module, site) -> None:
    actor = Actor.of(coordinator)
    bad = core.WeeklyPattern(
        first=LAST, last=FIRST, weekdays=frozenset({0}), ranges=(AFTERNOON, MORNING)
    )
    with pytest.raises(ValidationError) as exc:
        preview_pattern(actor=actor, organisation=org, pattern=bad)
    assert "last" in exc.value.message_dict
    too_long = core.WeeklyPattern(
        first=FIRST,
        last=FIRST + dt.timedelta(days=800),
        weekdays=frozenset({0}),
        ranges=(MORNING,),
    )
    with pytest.raises(ValidationError):
        preview_pattern(actor=actor, organisation=org, pattern=too_long)


def test_only_coordinators_of_the_organisation(org, trainer, outsider, module, site) -> None:
    from django.core.exceptions import PermissionDenied

    for person in (trainer, outsider):
        with pytest.raises(PermissionDenied):
            preview_pattern(actor=Actor.of(person), organisation=org, pattern=four_months())


def test_another_organisations_room_is_refused(org, other_org, coordinator, module, site) -> None:
    with pytest.raises(ValidationError) as exc:
        preview_pattern(
            actor=Actor.of(coordinator),
            organisation=org,
            pattern=four_months(),
            site_id=site.pk,
            room_id=10**6,
        )
    assert "room" in exc.value.message_dict


# --- The page ---------------------------------------------------------------------------------


def _post(module, site, **extra):
    return {
        "module": module.pk,
        "code": "PREPA-HORNU",
        "first": "2031-09-01",
        "last": "2031-12-19",
        "weekdays": ["0", "1", "2", "3"],
        "morning_start": "09:00",
        "morning_end": "12:30",
        "afternoon_start": "13:30",
        "afternoon_end": "16:30",
        "site": site.pk,
        "capacity": "15",
        "cancellation_deadline_hours": "48",
        **extra,
    }


def test_the_page_previews_then_creates_with_the_ticked_dates(
    as_user, coordinator, module, site
) -> None:
    from django.urls import reverse

    client = as_user(coordinator)
    url = reverse("enrolment:manage_create_pattern")
    assert client.get(url).status_code == 200
    page = client.post(url, _post(module, site, preview="1"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Jour férié" in html and "Armistice" in html
    assert not Session.objects.exists()
    signature = re.search(r'name="previewed" value="([^"]+)"', html)
    assert signature
    kept = re.findall(r'name="keep" value="([\d-]+)" id="keep-\d+" checked', html)
    assert "2031-11-11" not in kept
    kept = [d for d in kept if d != "2031-09-02"]
    response = client.post(
        url, _post(module, site, create="1", previewed=signature.group(1), keep=kept)
    )
    assert response.status_code == 302
    session = Session.objects.get(code="PREPA-HORNU")
    assert session.slots.count() == 2 * len(kept)


def test_creating_without_a_preview_only_previews(as_user, coordinator, module, site) -> None:
    from django.urls import reverse

    page = as_user(coordinator).post(
        reverse("enrolment:manage_create_pattern"), _post(module, site, create="1")
    )
    assert page.status_code == 200
    assert not Session.objects.exists()


def test_a_bad_pattern_fails_in_place(as_user, coordinator, module, site) -> None:
    from django.urls import reverse

    page = as_user(coordinator).post(
        reverse("enrolment:manage_create_pattern"),
        _post(module, site, last="2031-08-01", afternoon_end="", preview="1"),
    )
    assert page.status_code == 422
    html = page.content.decode()
    assert "ou aucun des deux" in html
