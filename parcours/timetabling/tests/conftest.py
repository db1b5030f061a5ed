"""A small campaign built by the real actions: two sites with a room each, an introduction
and an option, one group per site, one trainer who teaches both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Resource
from parcours.timetabling import actions
from parcours.timetabling.models import Campaign, CampaignModule


def next_monday(weeks: int = 2) -> dt.date:
    today = timezone.localdate()
    return today + dt.timedelta(days=7 * weeks - today.weekday())


def make_module(org: Organisation, code: str, hours: str = "13") -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr=f"Module {code}",
        duration_hours=Decimal(hours),
        status=Module.Status.PUBLISHED,
    )


@pytest.fixture
def sites(org: Organisation) -> list[Site]:
    return [
        account_actions.create_site(organisation=org, name=name, city=name, actor=None)
        for name in ("Gosselies", "Liège")
    ]


@pytest.fixture
def rooms(sites: list[Site], logistics: User) -> list[Resource]:
    return [
        scheduling_actions.create_resource(
            actor=Actor.of(logistics),
            site=site,
            name=f"Salle {site.name}",
            code=f"R-{site.pk}",
            capacity=16,
            requires_approval=False,  # coordinators book it directly: a commit holds it
        )
        for site in sites
    ]


def make_truck(logistics: User, site: Site, **fields: Any) -> Resource:
    """A mobile unit of the organisation, homed at ``site``, that coordinators book directly."""
    return scheduling_actions.create_resource(
        actor=Actor.of(logistics),
        site=site,
        name="Camion numérique",
        code="TRUCK",
        capacity=16,
        kind=Resource.Kind.MOBILE_UNIT,
        requires_approval=False,
        **fields,
    )


@pytest.fixture
def modules(org: Organisation) -> list[Module]:
    return [make_module(org, "M1A"), make_module(org, "OPT")]


@pytest.fixture
def profile(org: Organisation, coordinator: User, trainer: User, modules: list[Module]) -> None:
    actions.save_trainer_profile(
        actor=Actor.of(coordinator), organisation=org, user=trainer, modules=modules
    )


def campaign_data(
    sites: list[Site], modules: list[Module], **changes: object
) -> actions.CampaignData:
    start = next_monday()
    data = actions.CampaignData(
        name="Référent IA 2027",
        code="RIA27",
        start=start,
        end=start + dt.timedelta(days=20),
        sites=sites,
        modules=[
            actions.ModuleChoice(modules[0], CampaignModule.Phase.INTRODUCTION),
            actions.ModuleChoice(modules[1], CampaignModule.Phase.OPTION),
        ],
        seconds=3,
    )
    for key, value in changes.items():
        setattr(data, key, value)
    return data


@pytest.fixture
def campaign(
    org: Organisation,
    coordinator: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    profile: None,
) -> Campaign:
    return actions.create_campaign(
        actor=Actor.of(coordinator), organisation=org, data=campaign_data(sites, modules)
    )
