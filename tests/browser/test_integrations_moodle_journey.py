"""Moodle journey: an administrator registers the organisation's Moodle site (a local stand-in
answering like Moodle's web services), tests the connection, delivers a module as one of its
courses picked from the list, syncs, reads the log and links an unmatched Moodle user; the next
sync records that person's completion. Then the log on a phone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.catalogue.models import Module
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, completion, user
from parcours.pathways.models import Completion
from tests.browser import login

COURSE = 42
DONE_AT = int(dt.datetime(2026, 3, 12, 15, 0, tzinfo=dt.UTC).timestamp())


@pytest.fixture
def moodle(settings) -> Iterator[FakeMoodle]:
    settings.MOODLE_RETRY_DELAYS = (0, 0)
    fake = FakeMoodle().start()
    fake.add_course(COURSE, "Le numérique en classe", "NUM-CLASSE")
    fake.add_course(43, "Classe inversée", "INV")
    yield fake
    fake.stop()


def test_administrator_links_a_module_to_moodle_and_syncs_completions(
    page: Page, live_url: str, org: Organisation, learner: User, moodle: FakeMoodle
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    module = Module.objects.create(
        organisation=org,
        code="NUM1",
        title_fr="Le numérique en classe",
        duration_hours=Decimal("12"),
        status=Module.Status.PUBLISHED,
    )
    moodle.enrolled[COURSE] = [
        user(11, "Chloé", "Renard", "c.renard@ecole.test"),  # another address than in Parcours
        user(12, "Inconnu", "Anonyme", ""),
    ]
    moodle.statuses[(COURSE, 11)] = completion(True, DONE_AT)

    login(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/integrations/")
    page.get_by_role("link", name="Achèvements Moodle").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Achèvements Moodle")

    page.get_by_role("link", name="Ajouter un site Moodle").click()
    page.get_by_label("Nom").fill("Moodle-Technosphère")
    page.get_by_label("Adresse du site Moodle").fill("ftp://moodle")
    page.get_by_label("Jeton du service web").fill(moodle.token)
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert")).to_contain_text("Donnez l'adresse complète du site")
    page.get_by_label("Adresse du site Moodle").fill(moodle.url)
    page.get_by_label("Jeton du service web").fill(moodle.token)  # never sent back
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status").first).to_contain_text("Site « Moodle-Technosphère »")

    page.get_by_role("button", name="Tester la connexion à Moodle-Technosphère").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Connexion réussie : site « Moodle-Technosphère (essai) »"
    )

    modules = page.get_by_role("region", name="Modules suivis comme cours Moodle")
    modules.get_by_text("Lier un module à un cours Moodle").click()
    modules.get_by_role("link", name="NUM1 — Le numérique en classe").click()
    page.get_by_role("button", name="Afficher les cours du site").click()
    page.get_by_label("Le numérique en classe (NUM-CLASSE, n° 42)").check()
    page.get_by_role("button", name="Lier à ce cours").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Le module NUM1 est lié au cours « Le numérique en classe »."
    )

    page.get_by_role("button", name="Synchroniser maintenant").click()
    expect(page.get_by_role("status").first).to_contain_text("Synchronisation demandée")
    log = page.get_by_role("region", name="Synchronisation")
    log.get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Synchronisation du")
    expect(page.get_by_role("main")).to_contain_text("Moodle ne communique pas son adresse")
    page.get_by_label("Adresse dans Parcours de Chloé Renard").fill(learner.email)
    page.get_by_role("row", name="Chloé Renard").get_by_role("button", name="Lier").click()
    expect(page.get_by_role("status").first).to_contain_text("est lié à Chloé Renard")
    assert not Completion.objects.filter(learner=learner).exists()

    page.goto(f"{live_url}/integrations/moodle/")
    page.get_by_role("button", name="Synchroniser maintenant").click()
    done = Completion.objects.get(learner=learner, module=module)
    assert (done.source, done.completed_on) == ("moodle", dt.date(2026, 3, 12))
    first_row = page.get_by_role("region", name="Synchronisation").get_by_role("row").nth(1)
    expect(first_row).to_contain_text("1")

    page.goto(f"{live_url}/catalogue/{org.slug}/{module.code}/")
    expect(page.get_by_role("region", name="Cours Moodle")).to_contain_text(
        "Ce module se suit comme un cours Moodle : « Le numérique en classe »"
    )


def test_the_sync_log_reads_on_a_phone(
    phone_page: Page, live_url: str, org: Organisation, coordinator: User, moodle: FakeMoodle
) -> None:
    from parcours.accounts.permissions import Actor
    from parcours.integrations.moodle import actions

    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    site = actions.create_site(
        Actor.of(admin), org, name="Moodle", base_url=moodle.url, token=moodle.token
    )
    module = Module.objects.create(
        organisation=org, code="NUM1", title_fr="Le numérique", duration_hours=Decimal("3")
    )
    actions.link_module(Actor.of(coordinator), module, site, course_id=COURSE)
    moodle.token = "0" * 32  # revoked
    run = actions.sync(org)

    login(phone_page, live_url, coordinator.email, PASSWORD)
    phone_page.goto(f"{live_url}/integrations/moodle/journal/{run.pk}/")
    expect(phone_page.get_by_role("main")).to_contain_text("Moodle refuse le jeton du service web")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1
