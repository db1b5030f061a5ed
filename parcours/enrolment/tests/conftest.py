"""Fixtures for enrolment tests: a published module, a site, sessions built by the actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days


def make_module(org: Organisation, code: str = "M1A", hours: str = "12", **extra: Any) -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=extra.pop("title_fr", f"Module {code}"),
        duration_hours=Decimal(hours),
        status=extra.pop("status", Module.Status.PUBLISHED),
        **extra,
    )


def days_from_now(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def module(org: Organisation) -> Module:
    return make_module(org, "M1A", title_fr="Introduction à l'IA")


@pytest.fixture
def site(org: Organisation) -> Site:
    return account_actions.create_site(
        organisation=org,
        name="Technofutur TIC Gosselies",
        city="Gosselies",
        street="Avenue Jean Mermoz 18",
        postcode="6041",
        access_notes="Bus 52 arrêt Aéropole ; parking P2.",
        actor=None,
    )


@pytest.fixture
def make_session(
    coordinator: User, org: Organisation, module: Module, site: Site, trainer: User
) -> Callable[..., Session]:
    counter = iter(range(1, 10_000))

    def make(
        *,
        capacity: int = 20,
        days: tuple[int, ...] = (10, 11),
        slots: list[tuple[dt.datetime, dt.datetime]] | None = None,
        publish: bool = True,
        module_: Module | None = None,
        site_: Site | None = None,
        **extra: Any,
    ) -> Session:
        data = actions.SessionData(
            module_id=(module_ or module).pk,
            code=extra.pop("code", f"S{next(counter)}"),
            capacity=capacity,
            slots=slots if slots is not None else full_days(*(days_from_now(d) for d in days)),
            site_id=(site_ or site).pk,
            trainer_ids=[trainer.pk],
            **extra,
        )
        session = actions.create_session(actor=Actor.of(coordinator), organisation=org, data=data)
        if publish:
            session = actions.set_session_status(
                actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
            )
        return Session.objects.get(pk=session.pk)

    return make


@pytest.fixture
def make_learner(org: Organisation) -> Callable[[int], User]:
    def make(i: int) -> User:
        return make_person(org, Role.LEARNER, f"learner{i}@exemple.test", f"L{i}", f"Apprenant{i}")

    return make
