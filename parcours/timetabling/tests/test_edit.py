"""A campaign changed after its creation (its stale plan dropped), groups whose sites the
solver chooses, equipment per module, and rooms that need logistics' approval."""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.scheduling.models import Feature, Resource
from parcours.timetabling import actions, adapter
from parcours.timetabling import campaign as pure
from parcours.timetabling.models import Campaign, CampaignModule, CampaignStatus
from parcours.timetabling.tests.conftest import campaign_data
from parcours.timetabling.tests.test_actions import solved


def test_changing_a_planned_campaign_drops_its_plan_and_the_new_plan_answers_the_change(
    campaign: Campaign,
    coordinator: User,
    sites: list[Site],
    django_capture_on_commit_callbacks: Any,
) -> None:
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    assert len(adapter.plan_of(campaign)) == 4
    actions.toggle_pin(
        actor=Actor.of(coordinator), campaign=campaign, session=adapter.plan_of(campaign)[0].session
    )
    data = actions.data_of(campaign)
    data.groups_per_site = 2
    data.sites = [sites[1]]
    data.name = "Référent IA 2027 (deux groupes)"
    campaign = actions.update_campaign(actor=Actor.of(coordinator), campaign=campaign, data=data)
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert (campaign.plan, campaign.pins, campaign.costs) == ([], [], {})
    assert campaign.name == "Référent IA 2027 (deux groupes)"
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    placements = adapter.plan_of(campaign)
    assert len(placements) == 4  # two modules x two groups, at Liège only
    assert {p.site for p in placements} == {str(sites[1].pk)}
    assert pure.check(adapter.describe(campaign), placements) == []


def test_modules_removed_added_and_kept_with_their_settings(
    campaign: Campaign, coordinator: User, modules: list[Module], org: Organisation
) -> None:
    CampaignModule.objects.filter(campaign=campaign, module=modules[1]).update(half_days=2)
    closing = Module.objects.create(
        organisation=org, code="CLO", title_fr="Clôture", duration_hours=7
    )
    data = actions.data_of(campaign)
    kept = [c for c in data.modules if c.module == modules[1]]
    data.modules = [*kept, actions.ModuleChoice(closing, CampaignModule.Phase.CLOSING)]
    actions.update_campaign(actor=Actor.of(coordinator), campaign=campaign, data=data)
    rows = {m.module.code: m for m in campaign.modules.select_related("module")}
    assert set(rows) == {"OPT", "CLO"}
    assert rows["OPT"].half_days == 2  # kept as it was set
    assert rows["CLO"].phase == CampaignModule.Phase.CLOSING
    assert rows["CLO"].half_days == 2  # from its 7 hours


def test_changes_are_refused_while_solving_once_committed_and_when_invalid(
    campaign: Campaign,
    coordinator: User,
    trainer: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with pytest.raises(ValidationError) as error:
        data = actions.data_of(campaign)
        data.groups_total = 0
        actions.update_campaign(actor=Actor.of(coordinator), campaign=campaign, data=data)
    assert "groups_total" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.update_module(
            actor=Actor.of(coordinator),
            campaign=campaign,
            module_id=campaign.modules.first().module_id,  # type: ignore[union-attr]
            half_days=4,
            consecutive=True,
            features=["no-such-equipment"],
        )
    assert "Un équipement requis est inconnu." in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        actions.update_module(
            actor=Actor.of(coordinator),
            campaign=campaign,
            module_id=999999,
            half_days=4,
            consecutive=True,
            features=[],
        )
    with pytest.raises(PermissionDenied):
        actions.update_campaign(
            actor=Actor.of(trainer), campaign=campaign, data=actions.data_of(campaign)
        )
    campaign.refresh_from_db()
    assert campaign.groups_total is None
    with django_capture_on_commit_callbacks(execute=False):
        actions.start_solving(actor=Actor.of(coordinator), campaign=campaign)
    with pytest.raises(ValidationError, match="calcul est en cours"):
        actions.update_campaign(
            actor=Actor.of(coordinator), campaign=campaign, data=actions.data_of(campaign)
        )
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.DRAFT)
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    with pytest.raises(ValidationError, match="déjà créées"):
        actions.update_campaign(
            actor=Actor.of(coordinator), campaign=campaign, data=actions.data_of(campaign)
        )


def test_groups_in_total_go_where_the_solver_puts_them(
    org: Organisation,
    coordinator: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    profile: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    campaign = actions.create_campaign(
        actor=Actor.of(coordinator),
        organisation=org,
        data=campaign_data(sites, modules, groups_total=3),
    )
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    placements = adapter.plan_of(campaign)
    assert len(placements) == 6  # three groups x two modules
    assert pure.check(adapter.describe(campaign), placements) == []
    by_group: dict[str, set[str]] = {}
    for p in placements:
        by_group.setdefault(p.cohort, set()).add(p.site)
    assert len(by_group) == 3
    assert all(len(group_sites) == 1 for group_sites in by_group.values())
    actions.commit_plan(actor=Actor.of(coordinator), campaign=campaign)
    names = {s.name for s in sites}
    for session in Session.objects.filter(organisation=org):
        site, _sep, group = session.label.partition(" — ")
        assert site in names and group.startswith("groupe ")


def test_a_module_needing_equipment_goes_to_a_room_that_has_it(
    org: Organisation,
    coordinator: User,
    sites: list[Site],
    rooms: list[Resource],
    modules: list[Module],
    profile: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    screen = Feature.objects.create(slug="ecran-interactif", label_fr="Écran interactif")
    rooms[1].features.add(screen)  # only the Liège room
    campaign = actions.create_campaign(
        actor=Actor.of(coordinator),
        organisation=org,
        data=campaign_data(sites, modules, groups_total=1),
    )
    actions.update_module(
        actor=Actor.of(coordinator),
        campaign=campaign,
        module_id=modules[1].pk,
        half_days=4,
        consecutive=True,
        features=["ecran-interactif"],
    )
    campaign = solved(campaign, coordinator, django_capture_on_commit_callbacks)
    assert campaign.status == CampaignStatus.PLANNED
    for p in adapter.plan_of(campaign):
        assert p.room == str(rooms[1].pk)  # the group follows both modules at Liège


def test_the_pages_edit_a_campaign_and_flag_rooms_that_need_approval(
    as_user: Any,
    campaign: Campaign,
    coordinator: User,
    rooms: list[Resource],
    modules: list[Module],
    outsider: User,
    other_org: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client = as_user(coordinator)
    Resource.objects.filter(pk__in=[r.pk for r in rooms]).update(requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("timetabling:solve", args=[campaign.pk]))
    detail = reverse("timetabling:detail", args=[campaign.pk])
    html = client.get(detail).content.decode()
    assert html.count('data-testid="approval"') == 4  # every planned session's room
    assert "4 sessions sont dans des salles soumises à l'accord de la logistique" in html
    edit = reverse("timetabling:edit", args=[campaign.pk])
    page = client.get(edit)
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="Référent IA 2027"' in text
    assert f'value="{campaign.start.isoformat()}"' in text  # what a date picker can read
    assert 'data-testid="stale-warning"' in text
    form = {
        "name": "Référent IA 2027 bis",
        "code": "RIA27",
        "introduction": [modules[0].pk],
        "options": [modules[1].pk],
        "sites": [r.site_id for r in rooms],
        "groups_per_site": 1,
        "groups_total": "",
        "group_size": 10,
        "start": campaign.start.isoformat(),
        "end": campaign.end.isoformat(),
        "weekdays": [0, 1, 2, 3, 4],
        "mornings": "on",
        "afternoons": "on",
        "consecutive": "on",
        "min_gap_days": 1,
        "options_per_group": 0,
        "spread_weight": 1,
        "monthly_weight": 1,
        "trips_weight": 1,
        "preferred_weight": 0,
        "seconds": 3,
    }
    bad = client.post(edit, {**form, "groups_total": 500})
    assert bad.status_code == 422 and "error-summary" in bad.content.decode()
    done = client.post(edit, form, follow=True)
    assert "le plan précédent est écarté, relancez le calcul" in done.content.decode()
    campaign.refresh_from_db()
    assert (campaign.name, campaign.group_size, campaign.plan) == ("Référent IA 2027 bis", 10, [])
    module_url = reverse("timetabling:module", args=[campaign.pk])
    client.post(module_url, {"module": modules[1].pk, "half_days": 2})
    row = campaign.modules.get(module=modules[1])
    assert (row.half_days, row.consecutive) == (2, False)
    refused = client.post(module_url, {"module": modules[1].pk, "half_days": 99}, follow=True)
    assert refused.status_code == 200
    assert campaign.modules.get(module=modules[1]).half_days == 2
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("timetabling:solve", args=[campaign.pk]))
    committed = client.post(reverse("timetabling:commit", args=[campaign.pk]), follow=True)
    text = unescape(committed.content.decode())
    assert "attendent l'accord de la logistique" in text
    assert 'data-testid="pending"' in text
    assert 'data-testid="edit"' not in text  # a committed campaign no longer changes
    assert client.get(edit, follow=True).redirect_chain
    from parcours.accounts import actions as account_actions

    account_actions.grant_role(
        user=outsider, organisation=other_org, role=Role.COORDINATOR, actor=None
    )
    stranger = as_user(outsider)
    assert stranger.get(edit).status_code == 404
    assert stranger.post(module_url, {"module": modules[1].pk}).status_code == 404
