"""English journey (issue #2): on a phone, a learner switches to English and reads what is left
on the AI-referent pathway in English; the module titles (French data) stay as entered."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue
from parcours.catalogue.models import Module
from parcours.pathways import actions as pathways
from parcours.pathways.models import Pathway
from tests.browser import login

TITLES = {
    "M1A": "Introduction à l'IA pour les enseignants",
    "M1B": "Introduction à l'IA pour les directions",
    "O1": "Apprentissage personnalisé",
    "O2": "Éthique et regard critique",
    "O3": "Apprendre par le jeu",
    "CLOT": "Module de clôture",
}


def publish(actor: Actor, org: Organisation, code: str, title: str) -> Module:
    data = {"code": code, "title_fr": title, "summary_fr": f"{title}.", "duration_hours": "12"}
    module = catalogue.create_module(actor=actor, organisation=org, data=data)
    return catalogue.publish_module(actor=actor, module=module)


def test_a_learner_reads_her_progress_in_english_on_a_phone(
    phone_page: Page, live_url: str, org: Organisation, coordinator: User, learner: User
) -> None:
    actor = Actor.of(coordinator)
    modules = {code: publish(actor, org, code, title) for code, title in TITLES.items()}
    pathway = pathways.create_pathway(
        actor=actor,
        organisation=org,
        data=pathways.PathwayData(
            code="REF-IA",
            title_fr="Référent IA",
            title_en="AI referent",
            rule_text="(M1A | M1B) & 2 of (O1, O2, O3) & CLOT",
        ),
    )
    pathways.set_pathway_status(actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED)
    for code in ("M1A", "O1"):
        pathways.record_completion(learner=learner, module=modules[code])

    page = login(phone_page, live_url, learner.email, PASSWORD)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(f"{live_url}/parcours/mes-parcours/")

    expect(page.get_by_role("heading", level=1)).to_have_text("My pathways")
    expect(page.get_by_role("heading", name="AI referent")).to_be_visible()
    expect(page.get_by_text("2 of 4 requirements met")).to_be_visible()
    expect(
        page.get_by_text("1 more optional module from: Éthique et regard critique")
    ).to_be_visible()
    expect(page.get_by_text("Required module: Module de clôture")).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(
        page.get_by_text("Encore 1 module optionnel parmi : Éthique et regard critique")
    ).to_be_visible()
