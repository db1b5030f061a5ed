"""Timetabling journey (issue #16), on a phone: a coordinator describes a campaign, solves
it, reviews the plan per trainer, pins a session and commits: the sessions exist."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Session
from parcours.scheduling import actions as scheduling_actions
from parcours.timetabling import actions
from parcours.timetabling.models import Campaign
from parcours.timetabling.tests.conftest import make_module, next_monday
from tests.browser import login


def test_a_coordinator_plans_a_campaign_and_commits_it_on_a_phone(
    phone_page: Page,
    live_url: str,
    org: Organisation,
    coordinator: User,
    trainer: User,
    logistics: User,
) -> None:
    site = account_actions.create_site(
        organisation=org, name="Gosselies", city="Gosselies", actor=None
    )
    scheduling_actions.create_resource(
        actor=Actor.of(logistics),
        site=site,
        name="Salle Aéropole",
        code="GOS-A",
        capacity=16,
        requires_approval=False,
    )
    intro, option = make_module(org, "M1A"), make_module(org, "IA-ETHIQUE")
    actions.save_trainer_profile(
        actor=Actor.of(coordinator), organisation=org, user=trainer, modules=[intro, option]
    )
    start = next_monday()
    page = phone_page
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/planification/")
    page.get_by_role("link", name="Nouvelle campagne").click()
    page.get_by_label("Nom de la campagne").fill("Référent IA — printemps")
    page.get_by_label("Préfixe des codes de session").fill("RIA")
    page.get_by_role("group", name=re.compile("Modules d'introduction")).get_by_label(
        re.compile("M1A")
    ).check()
    page.get_by_role("group", name=re.compile("^Options")).get_by_label(
        re.compile("IA-ETHIQUE")
    ).check()
    page.get_by_label("Gosselies").check()
    page.get_by_label("Groupes par site").fill("2")
    page.locator("#id_start").fill(start.isoformat())
    page.locator("#id_end").fill(start.isoformat())
    page.get_by_label("Temps de calcul (secondes)").fill("3")
    page.get_by_role("button", name="Enregistrer la campagne").click()
    # A period of one day cannot hold two groups' modules: the page says why after solving.
    expect(page.get_by_role("heading", level=1)).to_have_text("Référent IA — printemps")
    page.get_by_role("button", name="Calculer le plan").click()
    expect(page.get_by_test_id("reasons")).to_contain_text("jours de formation")
    # The coordinator widens the period on the edit page, then solves again.
    page.get_by_role("link", name="Modifier la campagne").click()
    page.locator("#id_end").fill((start + dt.timedelta(days=20)).isoformat())
    page.get_by_role("button", name="Enregistrer la campagne").click()
    expect(page.get_by_text("Campagne modifiée")).to_be_visible()
    assert Campaign.objects.get(organisation=org).end == start + dt.timedelta(days=20)
    page.get_by_role("button", name="Calculer le plan").click()
    expect(page.get_by_role("heading", name="Plan proposé")).to_be_visible()
    expect(page.get_by_role("table", name="Coût de chaque souhait")).to_be_visible()
    page.get_by_role("link", name="Par formateur").click()
    calendar = page.get_by_role("table", name="Bruno Lambert")
    expect(calendar.get_by_role("row")).to_have_count(5)  # header + four sessions
    calendar.get_by_role("button", name=re.compile("Épingler")).first.click()
    expect(page.get_by_role("button", name=re.compile("Épinglée — libérer"))).to_have_count(1)
    page.get_by_role("button", name="Valider le plan et créer les sessions").press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        "4 sessions créées avec leurs réservations de salle."
    )
    assert Session.objects.filter(organisation=org).count() == 4
    # Nothing overflows the phone's width.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
