"""Fixtures for reporting tests: a module, a site and past sessions built with the real actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.tests.conftest import make_module
from parcours.lib.dates import platform_zone
from parcours.reporting import partials

Slots = list[tuple[dt.datetime, dt.datetime]]


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=platform_zone())


def day_slots(*days: dt.date) -> Slots:
    """9:00-12:30 and 13:30-16:30 local on each day (3.5 + 3 hours)."""
    out: Slots = []
    for day in days:
        out.append(
            (local(day.year, day.month, day.day, 9), local(day.year, day.month, day.day, 12, 30))
        )
        out.append(
            (
                local(day.year, day.month, day.day, 13, 30),
                local(day.year, day.month, day.day, 16, 30),
            )
        )
    return out


@pytest.fixture
def module(org: Organisation) -> Module:
    return make_module(
        org, "M1A", title_fr="Introduction à l'IA", audience=Module.Audience.TEACHERS
    )


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )


@pytest.fixture
def make_session(
    coordinator: User, org: Organisation, module: Module, site: Site
) -> Callable[..., Session]:
    counter = iter(range(1, 10_000))

    def make(
        *, slots: Slots, capacity: int = 20, module_: Module | None = None, **extra: Any
    ) -> Session:
        data = actions.SessionData(
            module_id=(module_ or module).pk,
            code=extra.pop("code", f"R{next(counter)}"),
            capacity=capacity,
            slots=slots,
            site_id=extra.pop("site_id", site.pk),
            **extra,
        )
        actor = Actor.of(coordinator)
        session = actions.create_session(actor=actor, organisation=org, data=data)
        actions.set_session_status(actor=actor, session=session, status=Session.Status.PUBLISHED)
        return Session.objects.get(pk=session.pk)

    return make


@pytest.fixture
def make_learner(org: Organisation) -> Callable[[int], User]:
    def make(i: int) -> User:
        return make_person(org, Role.LEARNER, f"l{i}@exemple.test", f"L{i}", f"Apprenant{i}")

    return make


@pytest.fixture
def enrol(coordinator: User) -> Callable[[Session, User], Enrolment]:
    def run(session: Session, learner: User) -> Enrolment:
        # The day before it starts (the sessions of these tests are in the past).
        assert session.starts_at is not None
        return actions.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=learner,
            source=Enrolment.Source.COORDINATOR,
            now=session.starts_at - dt.timedelta(days=1),
        )

    return run


@pytest.fixture
def roll_call(trainer: User, coordinator: User) -> Callable[..., None]:
    def run(session: Session, absent: tuple[Enrolment, ...] = ()) -> None:
        for slot in session.slots.order_by("start"):
            actions.record_roll_call(
                actor=Actor.of(coordinator), slot=slot, absent=[e.pk for e in absent]
            )

    return run


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    """Reports keep measures and open data in the cache (and the monthly partials in a
    per-process memo too): each test starts without them."""
    cache.clear()
    partials.forget()
    yield
    cache.clear()
    partials.forget()
