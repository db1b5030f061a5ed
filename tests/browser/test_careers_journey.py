"""Career journeys: a career manager logs a follow-up and an outcome; a coordinator creates a
four-month session from a weekly pattern, unticking a date in the preview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.careers import actions as careers
from parcours.careers.models import FollowUp, Outcome
from parcours.catalogue.models import Module
from parcours.enrolment import pattern
from parcours.enrolment.models import Session
from tests.browser import login


def _module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="PREP-RUCHE",
        title_fr="Préparation aux formations qualifiantes",
        duration_hours=Decimal("480"),
        status=Module.Status.PUBLISHED,
    )


def test_career_manager_logs_a_follow_up_and_an_outcome(
    page: Page, live_url: str, org: Organisation, coordinator: User, learner: User
) -> None:
    manager = make_person(org, Role.CAREER_MANAGER, "carla@technofutur.test", "Carla", "Delvaux")
    file = careers.assign(
        actor=Actor.of(coordinator), organisation=org, person=learner, manager=manager
    )
    careers.set_training_dates(
        actor=Actor.of(manager), file=file, start=dt.date(2025, 9, 1), end=dt.date(2025, 12, 19)
    )
    login(page, live_url, manager.email, PASSWORD)
    page.goto(f"{live_url}/suivi/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes personnes suivies")
    page.get_by_role("link", name="Chloé Renard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Chloé Renard")

    journal = page.get_by_role("region", name="Journal de suivi")
    journal.get_by_label("Type").select_option("call")
    journal.get_by_label("Note (visible des seul·es chargé·es de suivi)").fill(
        "Appel : deux candidatures envoyées, un entretien chez un intégrateur à Charleroi."
    )
    journal.get_by_label("Prochaine action").fill("Préparer l'entretien ensemble")
    journal.get_by_label("Pour le").fill("2031-01-15")
    journal.get_by_role("button", name="Ajouter au journal").click()
    expect(page.get_by_role("status")).to_contain_text("Suivi enregistré.")
    expect(page.get_by_role("region", name="Journal de suivi")).to_contain_text(
        "un entretien chez un intégrateur"
    )

    steps = page.get_by_role("region", name="Étapes et situation")
    steps.get_by_label("Jalon").select_option("m6")
    steps.get_by_label("Situation").select_option("employed")
    steps.get_by_role("button", name="Enregistrer la situation").click()
    # Employed without a contract type: refused in place, nothing written.
    expect(page.get_by_role("alert").first).to_contain_text("Indiquez le type de contrat.")
    assert not Outcome.objects.exists()
    steps = page.get_by_role("region", name="Étapes et situation")
    steps.get_by_label("Type de contrat (si emploi)").select_option("permanent")
    steps.get_by_role("button", name="Enregistrer la situation").click()
    expect(page.get_by_role("status")).to_contain_text("Situation enregistrée.")
    row = page.get_by_role("row", name="6 mois après")
    expect(row).to_contain_text("19/06/2026")
    expect(row).to_contain_text("En emploi (CDI)")
    assert FollowUp.objects.get(file=file).next_due == dt.date(2031, 1, 15)


def test_coordinator_creates_a_long_session_from_a_weekly_pattern(
    page: Page, live_url: str, org: Organisation, coordinator: User
) -> None:
    module = _module(org)
    site = account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/sessions/gestion/nouvelle/")
    page.get_by_role("link", name="créez-la à partir d'un rythme hebdomadaire").click()
    page.get_by_label("Module").select_option(str(module.pk))
    page.get_by_label("Code de la session").fill("PREPA-2031")
    page.get_by_label("Premier jour").fill("2031-09-01")
    page.get_by_label("Dernier jour").fill("2031-12-18")
    page.get_by_label("Site", exact=True).select_option(str(site.pk))
    page.locator("#id_capacity").fill("30")
    page.get_by_role("button", name="Aperçu des dates").click()
    preview = page.get_by_role("region", name="Aperçu")
    expect(preview).to_contain_text("Jour férié (Armistice)")
    expect(page.get_by_label("mardi 11 novembre 2031")).not_to_be_checked()
    page.get_by_label("mardi 2 septembre 2031").uncheck()
    page.get_by_role("button", name="Créer la session avec les dates cochées").click()
    expect(page.get_by_role("status")).to_contain_text("Session créée (brouillon)")
    session = Session.objects.get(code="PREPA-2031")
    days = {s.start.astimezone(pattern.BRUSSELS).date() for s in session.slots.all()}
    assert dt.date(2031, 9, 2) not in days and dt.date(2031, 11, 11) not in days
    assert dt.date(2031, 9, 1) in days and len(days) * 2 == session.slots.count()
