"""Webinar fixtures: an online session of Technofutur TIC tomorrow 10:00-12:00 (Brussels),
four people enrolled (three with a seat, one on the waitlist), its webinar details; and a
helper that writes a Teams-like attendance report (UTF-16, tabs, summary block first)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Enrolment, Session
from parcours.lib import dates
from parcours.webinars import actions
from parcours.webinars.models import Webinar

ZONE = dates.platform_zone()


def at(session: Session, hour: int, minute: int = 0) -> dt.datetime:
    assert session.starts_at is not None
    day = dates.local(session.starts_at).date()
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=ZONE)


@pytest.fixture
def module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="IA-CLASSE",
        title_fr="L'IA en classe",
        duration_hours=Decimal("2"),
        status=Module.Status.PUBLISHED,
    )


@pytest.fixture
def session(org: Organisation, coordinator: User, module: Module) -> Session:
    day = timezone.localdate() + dt.timedelta(days=1)
    start = dt.datetime.combine(day, dt.time(10), tzinfo=ZONE)
    data = enrolment.SessionData(
        module_id=module.pk,
        code="WEB-IA-1",
        capacity=3,
        slots=[(start, start + dt.timedelta(hours=2))],
        online_url="https://teams.example.test/l/meetup-join/abc",
    )
    actor = Actor.of(coordinator)
    created = enrolment.create_session(actor=actor, organisation=org, data=data)
    return enrolment.set_session_status(actor=actor, session=created, status="published")


@pytest.fixture
def people(org: Organisation, session: Session, coordinator: User) -> list[User]:
    """Ana, Ben, Cleo (seats) and Dan (waitlisted)."""
    actor = Actor.of(coordinator)
    out = []
    for first in ("Ana", "Ben", "Cleo", "Dan"):
        person = make_person(org, Role.LEARNER, f"{first.lower()}@exemple.test", first, "Test")
        enrolment.enrol(actor=actor, session=session, learner=person, source="coordinator")
        out.append(person)
    statuses = dict(
        Enrolment.objects.filter(session=session).values_list("learner__first_name", "status")
    )
    assert statuses["Dan"] == "waitlisted"
    return out


@pytest.fixture
def webinar(session: Session, coordinator: User) -> Webinar:
    return actions.save_webinar(
        actor=Actor.of(coordinator),
        session=session,
        data=actions.WebinarData(
            provider="teams", live_url="https://teams.example.test/l/meetup-join/abc"
        ),
    )


def stamp(value: dt.datetime) -> str:
    """How an English Teams report writes a time: ``1/15/24, 9:58:12 AM``."""
    local = dates.local(value)
    hour = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    return (
        f"{local.month}/{local.day}/{local.year % 100}, {hour}:{local.minute:02d}:"
        f"{local.second:02d} {half}"
    )


Joins = Sequence[tuple[str, str, dt.datetime, dt.datetime]]


def teams_report(joins: Joins, *, title: str = "L'IA en classe") -> bytes:
    """A Teams attendance report (new format): summary, participants, in-meeting activities;
    UTF-16 with its BOM, tab-separated. ``joins``: (name, e-mail, join, leave)."""
    lines = [
        "1. Summary",
        f"Meeting title\t{title}",
        f"Attended participants\t{len({j[1] for j in joins})}",
        f"Start time\t{stamp(min(j[2] for j in joins))}" if joins else "Start time\t",
        f"End time\t{stamp(max(j[3] for j in joins))}" if joins else "End time\t",
        "Meeting duration\t2h",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    first: dict[str, tuple[str, dt.datetime, dt.datetime]] = {}
    for name, email, join, leave in joins:
        known = first.get(email)
        first[email] = (
            name,
            min(join, known[1]) if known else join,
            max(leave, known[2]) if known else leave,
        )
    for email, (name, join, leave) in first.items():
        minutes = int((leave - join).total_seconds() // 60)
        lines.append(
            f"{name}\t{stamp(join)}\t{stamp(leave)}\t{minutes // 60}h {minutes % 60}m\t"
            f"{email}\t{email}\tAttendee"
        )
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    for name, email, join, leave in joins:
        seconds = int((leave - join).total_seconds())
        lines.append(
            f"{name}\t{stamp(join)}\t{stamp(leave)}\t{seconds // 60}m {seconds % 60}s\t"
            f"{email}\tAttendee"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-16")


@pytest.fixture
def report_of() -> Callable[..., bytes]:
    return teams_report
