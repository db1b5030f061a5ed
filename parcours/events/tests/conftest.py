"""Event fixtures: Technofutur TIC's jobs day with two tracks (rooms) and a few workshops,
built with the real actions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.slots import BRUSSELS
from parcours.events import actions
from parcours.events.models import Event, Track, Workshop
from parcours.scheduling.models import Resource


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )


@pytest.fixture
def module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="ATELIER",
        title_fr="Atelier découverte",
        duration_hours=Decimal("1"),
        status=Module.Status.PUBLISHED,
    )


def make_room(org: Organisation, site: Site, code: str) -> Resource:
    return Resource.objects.create(
        organisation=org,
        site=site,
        name=f"Salle {code}",
        code=code,
        capacity=30,
        requires_approval=False,
    )


@pytest.fixture
def day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=10)


@pytest.fixture
def event(org: Organisation, coordinator: User, site: Site, module: Module, day: dt.date) -> Event:
    return actions.create_event(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.EventData(
            title="Jobs day",
            slug="jobs-day",
            starts_on=day,
            ends_on=day + dt.timedelta(days=1),
            site_ids=[site.pk],
            is_public=True,
            allows_light_registration=True,
            default_module_id=module.pk,
        ),
    )


@pytest.fixture
def tracks(event: Event, coordinator: User, org: Organisation, site: Site) -> list[Track]:
    actor = Actor.of(coordinator)
    return [
        actions.add_track(
            actor=actor, event=event, name=name, room_id=make_room(org, site, code).pk
        )
        for name, code in (("Salle A", "A"), ("Salle B", "B"))
    ]


def row(line: int, day: dt.date, start: str, end: str, track: str, title: str, cap: int = 2):
    return actions.WorkshopRow(
        line=line,
        day=day.isoformat(),
        start=start,
        end=end,
        track=track,
        title=title,
        capacity=str(cap),
    )


@pytest.fixture
def workshops(event: Event, tracks: list[Track], coordinator: User, day: dt.date) -> list[Workshop]:
    """09:00 A "CV", 09:00 B "Entretien" (same time), 10:00 A "LinkedIn"; 2 places each."""
    rows = [
        row(1, day, "09:00", "10:00", "Salle A", "Rédiger son CV"),
        row(2, day, "09:00", "10:00", "Salle B", "Préparer un entretien"),
        row(3, day, "10:00", "11:00", "Salle A", "Soigner son profil LinkedIn"),
    ]
    return actions.create_workshops(actor=Actor.of(coordinator), event=event, rows=rows)


def local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute)).replace(tzinfo=BRUSSELS)
