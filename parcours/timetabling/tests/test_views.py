"""The planning pages: describe, solve, review, pin, commit; other organisations see 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.test import Client
from django.urls import reverse

from parcours.accounts.models import Organisation, Site, User
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.timetabling import adapter
from parcours.timetabling.models import Campaign, CampaignStatus
from parcours.timetabling.tests.conftest import make_truck, next_monday


def test_a_coordinator_describes_solves_reviews_and_commits(
    as_user: Any,
    coordinator: User,
    org: Organisation,
    sites: list[Site],
    rooms: list[Any],
    modules: list[Module],
    profile: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    client: Client = as_user(coordinator)
    start = next_monday()
    response = client.post(
        reverse("timetabling:create"),
        {
            "name": "Référent IA",
            "code": "RIA",
            "introduction": [modules[0].pk],
            "options": [modules[1].pk],
            "sites": [s.pk for s in sites],
            "groups_per_site": 1,
            "group_size": 12,
            "start": start.isoformat(),
            "end": (start + dt.timedelta(days=20)).isoformat(),
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
        },
    )
    campaign = Campaign.objects.get(organisation=org)
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("timetabling:solve", args=[campaign.pk]))
    page = client.get(reverse("timetabling:detail", args=[campaign.pk]))
    html = page.content.decode()
    assert "Plan proposé" in html
    assert "Coût de chaque souhait" in html
    assert html.count('data-testid="calendar"') == 2  # one table per site
    by_trainer = client.get(reverse("timetabling:detail", args=[campaign.pk]) + "?vue=formateur")
    assert by_trainer.content.decode().count('data-testid="calendar"') == 1
    by_room = client.get(reverse("timetabling:detail", args=[campaign.pk]) + "?vue=salle")
    assert by_room.content.decode().count('data-testid="calendar"') == 2
    campaign.refresh_from_db()
    first = adapter.plan_of(campaign)[0]
    client.post(reverse("timetabling:pin", args=[campaign.pk]), {"session": first.session})
    campaign.refresh_from_db()
    assert campaign.pins == [first.session]
    done = client.post(reverse("timetabling:commit", args=[campaign.pk]), follow=True)
    assert "4 sessions créées avec leurs réservations de salle." in done.content.decode()
    assert Session.objects.filter(organisation=org).count() == 4


def test_progress_fragment_polls_while_solving(
    as_user: Any, coordinator: User, campaign: Campaign
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(
        status=CampaignStatus.SOLVING,
        progress={"score": 12, "bound": 7, "seconds": 2.5, "solutions": 3},
    )
    html = as_user(coordinator).get(reverse("timetabling:progress", args=[campaign.pk])).content
    text = html.decode()
    assert 'hx-trigger="every 1s"' in text
    assert "coût 12 (borne inférieure 7)" in text
    assert "Arrêter et garder le meilleur plan" in text


def test_an_invalid_campaign_fails_in_place(
    as_user: Any, coordinator: User, sites: list[Site]
) -> None:
    response = as_user(coordinator).post(
        reverse("timetabling:create"), {"name": "", "code": "x y", "sites": [sites[0].pk]}
    )
    assert response.status_code == 422
    assert "error-summary" in response.content.decode()
    assert not Campaign.objects.exists()


def test_other_organisations_get_404_and_others_403(
    as_user: Any,
    campaign: Campaign,
    outsider: User,
    other_org: Organisation,
    trainer: User,
) -> None:
    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role

    account_actions.grant_role(
        user=outsider, organisation=other_org, role=Role.COORDINATOR, actor=None
    )
    client = as_user(outsider)
    for name in ("detail", "progress"):
        assert client.get(reverse(f"timetabling:{name}", args=[campaign.pk])).status_code == 404
    for name in ("solve", "stop", "pin", "commit"):
        assert client.post(reverse(f"timetabling:{name}", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("timetabling:trainer_edit", args=[trainer.pk])).status_code == 404
    assert client.get("/planification/99999999999999999999/").status_code == 404
    trainer_client = as_user(trainer)
    assert trainer_client.get(reverse("timetabling:list")).status_code == 403


def test_a_trainer_profile_is_saved_from_its_page(
    as_user: Any, coordinator: User, trainer: User, modules: list[Module], sites: list[Site]
) -> None:
    client = as_user(coordinator)
    url = reverse("timetabling:trainer_edit", args=[trainer.pk])
    bad = client.post(url, {"unavailable": "demain"})
    assert bad.status_code == 422
    ok = client.post(
        url,
        {
            "modules": [modules[0].pk],
            "home_site": sites[0].pk,
            "max_days_per_week": 3,
            "unavailable": "2027-02-01\n2027-02-02",
        },
    )
    assert ok.status_code == 302
    listing = client.get(reverse("timetabling:trainers")).content.decode()
    assert "M1A" in listing


def test_the_campaign_page_counts_the_rooms_and_the_mobile_units_apart(
    as_user: Any, coordinator: User, logistics: User, campaign: Campaign, sites: list[Site]
) -> None:
    page = as_user(coordinator).get(reverse("timetabling:detail", args=[campaign.pk]))
    assert "2 salles sur ces sites." in page.content.decode()
    assert "unité mobile" not in page.content.decode()
    make_truck(logistics, sites[0])
    page = as_user(coordinator).get(reverse("timetabling:detail", args=[campaign.pk]))
    text = page.content.decode()
    assert "2 salles sur ces sites." in text
    assert "1 unité mobile peut venir sur ces sites" in text
