"""The adapter's actions: describe, solve in the background, pin, commit all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Booking, Resource
from parcours.timetabling import actions, adapter
from parcours.timetabling import campaign as pure
from parcours.timetabling.models import Campaign, CampaignStatus
from parcours.timetabling.tests.conftest import campaign_data, make_truck


def solved(campaign: Campaign, coordinator: User, capture: Callable[..., Any]) -> Campaign:
    with capture(execute=True):
        actions.start_solving(actor=Actor.of(coordinator), campaign=campaign)
    campaign.refresh_from_db()
    return campaign


def test_a_campaign_is_solved_into_a_plan_that_respects_every_rule(
    campaign: Campaign, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.PLANNED
    placements = adapter.plan_of(campaign)
    assert len(placements) == 4  # two modules x two sites
    assert pure.check(adapter.describe(campaign), placements) == []
    assert campaign.progress["score"] is not None
    assert set(campaign.costs) == {"spread", "monthly", "trips", "preferred_days"}


def test_an_existing_booking_is_avoided(
    campaign: Campaign,
    coordinator: User,
    logistics: User,
    rooms: list[Resource],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # The first week the Gosselies room is taken every day.
    for day in range(5):
        start = dt.datetime.combine(
            campaign.start + dt.timedelta(days=day), dt.time(8), adapter.BRUSSELS
        )
        scheduling_actions.book(
            actor=Actor.of(logistics),
            resources=[rooms[0]],
            start=start,
            end=start + dt.timedelta(hours=10),
            title="Jury",
        )
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    for p in adapter.plan_of(campaign):
        if p.room == str(rooms[0].pk):
            assert p.starts[0].day >= campaign.start + dt.timedelta(days=7)


def test_commit_creates_every_session_and_its_room_bookings(
    campaign: Campaign, coordinator: User, trainer: User, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    result = actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    assert len(result.sessions) == 4
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.COMMITTED
    sessions = Session.objects.filter(organisation=campaign.organisation)
    assert sessions.count() == 4
    for session in sessions:
        assert list(session.trainers.all()) == [trainer]
        assert session.slots.count() == 4  # two days, two half-days each
        held = Booking.objects.filter(source_id=str(session.pk), status="approved")
        assert held.count() == 4
    assert result.requested == 0
    with pytest.raises(ValidationError):
        actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)


def test_a_mobile_unit_stands_in_for_rooms_at_both_sites_and_is_booked_by_the_commit(
    campaign: Campaign,
    coordinator: User,
    logistics: User,
    sites: list[Site],
    rooms: list[Resource],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # No room at either site any more: the organisation's truck goes to both, with a day to
    # travel between a session at Gosselies and one at Liège.
    Resource.objects.filter(pk__in=[r.pk for r in rooms]).update(is_active=False)
    truck = make_truck(logistics, sites[0])
    assert adapter.names(campaign).rooms[str(truck.pk)] == "Camion numérique (unité mobile)"
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.PLANNED, campaign.reasons
    placements = adapter.plan_of(campaign)
    assert {p.room for p in placements} == {str(truck.pk)}
    assert {p.site for p in placements} == {str(s.pk) for s in sites}
    assert pure.check(adapter.describe(campaign), placements) == []
    result = actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    assert len(result.sessions) == 4
    sessions = list(Session.objects.filter(organisation=campaign.organisation))
    assert {s.room_id for s in sessions} == {truck.pk}
    assert {s.site_id for s in sessions} == {s.pk for s in sites}
    # the truck is held for every half-day of every session
    assert Booking.objects.filter(resources=truck, status="approved").count() == 16
    days = {
        s.site_id: {slot.start.astimezone(adapter.BRUSSELS).date() for slot in s.slots.all()}
        for s in sessions
    }
    gosselies, liege = days[sites[0].pk], days[sites[1].pk]
    assert all(abs((a - b).days) >= 2 for a in gosselies for b in liege)


def test_rooms_that_need_approval_are_requested_and_the_commit_says_so(
    campaign: Campaign,
    coordinator: User,
    rooms: list[Resource],
    django_capture_on_commit_callbacks: Any,
) -> None:
    Resource.objects.filter(pk__in=[r.pk for r in rooms]).update(requires_approval=True)
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    result = actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    assert result.requested == 16  # four sessions of four half-days, waiting for logistics


def test_commit_refuses_a_plan_overtaken_by_a_booking_and_writes_nothing(
    campaign: Campaign,
    coordinator: User,
    logistics: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    taken = adapter.plan_of(campaign)[-1]
    first = adapter.half_day_times(taken.starts[0])
    scheduling_actions.book(
        actor=Actor.of(logistics),
        resources=[int(taken.room)],
        start=first[0],
        end=first[1],
        title="Conseil d'administration",
    )
    with pytest.raises(ValidationError) as error:
        actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    text = " ".join(error.value.messages)
    assert "Rien n'a été créé" in text
    assert "réservée entre-temps" in text
    assert Session.objects.filter(organisation=campaign.organisation).count() == 0
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.PLANNED


def test_a_pinned_session_stays_when_solving_again(
    campaign: Campaign, coordinator: User, django_capture_on_commit_callbacks: Any
) -> None:
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    kept = adapter.plan_of(campaign)[0]
    actions.toggle_pin(actor=Actor.of(coordinator), campaign=campaign, session=kept.session)
    campaign.refresh_from_db()
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    again = {p.session: p for p in adapter.plan_of(campaign)}
    assert again[kept.session] == kept
    assert campaign.pins == [kept.session]


def test_no_plan_is_explained_in_words(
    org: Organisation,
    coordinator: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Nobody may teach the modules (no trainer profile).
    campaign = actions.create_campaign(
        actor=Actor.of(coordinator), organisation=org, data=campaign_data(sites, modules)
    )
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.INFEASIBLE
    names = adapter.names(campaign)
    texts = [adapter.reason_text(r["kind"], r["params"], names) for r in campaign.reasons]
    assert "Aucun formateur ne peut animer le module M1A (Module M1A)." in texts


def test_trainer_days_shortage_names_the_figures(
    org: Organisation,
    coordinator: User,
    trainer: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    django_capture_on_commit_callbacks: Any,
) -> None:
    actions.save_trainer_profile(
        actor=Actor.of(coordinator),
        organisation=org,
        user=trainer,
        modules=modules,
        max_days_per_week=1,
    )
    data = campaign_data(sites, modules, groups_per_site=3)
    campaign = actions.create_campaign(actor=Actor.of(coordinator), organisation=org, data=data)
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    names = adapter.names(campaign)
    texts = [adapter.reason_text(r["kind"], r["params"], names) for r in campaign.reasons]
    assert any(
        "Les 6 groupes du module M1A (Module M1A) demandent 12 jours" in t
        and "3 jours disponibles" in t
        for t in texts
    ), texts


def test_bad_input_is_refused_with_messages(
    org: Organisation, coordinator: User, sites: list[Site], modules: list[Module]
) -> None:
    data = campaign_data(sites, modules)
    data.end = data.start - dt.timedelta(days=1)
    data.groups_per_site = 99
    data.code = "=cmd"
    with pytest.raises(ValidationError) as error:
        actions.create_campaign(actor=Actor.of(coordinator), organisation=org, data=data)
    assert set(error.value.message_dict) == {"end", "groups_per_site", "code"}
    assert not Campaign.objects.exists()


def test_only_coordinators_of_the_organisation_may_plan(
    campaign: Campaign, outsider: User, trainer: User
) -> None:
    for person in (outsider, trainer):
        with pytest.raises(PermissionDenied):
            actions.start_solving(actor=Actor.of(person), campaign=campaign)
        with pytest.raises(PermissionDenied):
            actions.commit_plan(actor=Actor.of(person), campaign=campaign)
