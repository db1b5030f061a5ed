"""Scheduling fixtures: two sites of Technofutur TIC (Liège, Charleroi), rooms with features,
opening hours, built with the real actions. ``at("2026-03-12", "09:00")`` makes an aware
Europe/Brussels datetime."""

from __future__ import annotations

import datetime as dt

import pytest

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Feature, Resource

FUTURE_DAY = "2031-03-12"  # a Wednesday, safely in the future


def at(day: str | dt.date, time: str) -> dt.datetime:
    d = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return core.local_datetime(d, dt.time.fromisoformat(time), planning.TZ)


@pytest.fixture
def features(db: None) -> dict[str, Feature]:
    rows = [
        ("projector", "Projecteur", "Projector"),
        ("interactive-screen", "Écran interactif", "Interactive screen"),
        ("pcs", "Ordinateurs", "PCs"),
    ]
    return {
        slug: Feature.objects.get_or_create(slug=slug, label_fr=fr, label_en=en)[0]
        for slug, fr, en in rows
    }


@pytest.fixture
def lea(logistics: User) -> Actor:
    return Actor.of(logistics)


@pytest.fixture
def liege(org: Organisation, logistics: User) -> Site:
    site = account_actions.create_site(
        organisation=org,
        name="Liège",
        city="Liège",
        latitude=50.6326,
        longitude=5.5797,
        actor=logistics,
    )
    actions.set_opening_hours(
        actor=Actor.of(logistics),
        site=site,
        hours={d: (dt.time(8, 0), dt.time(18, 0)) for d in range(5)},
    )
    return site


@pytest.fixture
def charleroi(org: Organisation, logistics: User) -> Site:
    return account_actions.create_site(
        organisation=org,
        name="Charleroi",
        city="Charleroi",
        latitude=50.4108,
        longitude=4.4446,
        actor=logistics,
    )


@pytest.fixture
def room(liege: Site, lea: Actor, features: dict[str, Feature]) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=liege,
        name="Salle Meuse",
        code="LG-MEUSE",
        capacity=24,
        features=["projector"],
        accessible=True,
    )


@pytest.fixture
def small_room(liege: Site, lea: Actor, features: dict[str, Feature]) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=liege,
        name="Salle Ourthe",
        code="LG-OURTHE",
        capacity=12,
        features=["projector"],
    )


@pytest.fixture
def other_room(liege: Site, lea: Actor, features: dict[str, Feature]) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=liege,
        name="Salle Vesdre",
        code="LG-VESDRE",
        capacity=30,
        features=["projector", "pcs"],
    )


@pytest.fixture
def far_room(charleroi: Site, lea: Actor, features: dict[str, Feature]) -> Resource:
    return actions.create_resource(
        actor=lea,
        site=charleroi,
        name="Salle Sambre",
        code="CH-SAMBRE",
        capacity=40,
        features=["projector"],
    )
