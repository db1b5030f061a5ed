"""Foundation journeys (issue #2): search the public catalogue in French; a coordinator creates
a module and the AI-referent pathway, then reads a learner's progress; switch to English."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue
from parcours.catalogue.models import Module
from parcours.pathways.actions import record_completion
from tests.browser import login

AI_TITLES = {
    "M1A": "Introduction à l'IA pour les enseignants",
    "M1B": "Introduction à l'IA pour les directions",
    "O1": "Apprentissage personnalisé",
    "O2": "Éthique et regard critique sur l'IA",
    "O3": "Apprendre par le jeu",
    "O4": "Soutien à l'apprentissage des langues",
    "O5": "Évaluation et IA",
    "O6": "Inclusion et accessibilité",
    "O7": "Créer ses ressources",
    "O8": "Données et vie privée",
}


def publish(actor: Actor, org: Organisation, code: str, title: str, hours: str = "12") -> Module:
    module = catalogue.create_module(
        actor=actor,
        organisation=org,
        data={
            "code": code,
            "title_fr": title,
            "summary_fr": f"{title} : deux journées de formation.",
            "duration_hours": hours,
        },
    )
    return catalogue.publish_module(actor=actor, module=module)


def test_public_catalogue_search_is_accent_insensitive(
    page: Page, live_url: str, org: Organisation, coordinator: User
) -> None:
    actor = Actor.of(coordinator)
    publish(actor, org, "EVAL-NUM", "Évaluation numérique des apprentissages")
    publish(actor, org, "CYBER", "Cybersécurité pour les PME")
    page.goto(f"{live_url}/catalogue/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Catalogue des formations")
    page.get_by_role("searchbox").fill("evaluation")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Évaluation numérique des apprentissages")).to_be_visible()
    expect(page.get_by_role("link", name="Cybersécurité pour les PME")).to_have_count(0)
    page.get_by_role("link", name="Évaluation numérique des apprentissages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Évaluation numérique des apprentissages"
    )


def test_coordinator_builds_the_ai_referent_pathway_and_reads_progress(
    page: Page, live_url: str, org: Organisation, coordinator: User, learner: User
) -> None:
    actor = Actor.of(coordinator)
    modules = {code: publish(actor, org, code, title) for code, title in AI_TITLES.items()}
    for code in ("M1A", "O1", "O3"):
        record_completion(learner=learner, module=modules[code])

    login(page, live_url, coordinator.email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Alice")

    # A new module: the closing module, created as a draft and published.
    page.goto(f"{live_url}/catalogue/gestion/nouveau/")
    page.locator("input[name=code]").fill("CLOT")
    page.locator("input[name=title_fr]").fill("Module de clôture")
    page.locator("textarea[name=summary_fr]").fill("Bilan et projet de référent IA.")
    page.locator("input[name=duration_hours]").fill("12")
    page.get_by_role("button", name="Créer le module (brouillon)").click()
    page.get_by_role("button", name="Publier").click()
    expect(page.get_by_text("Publié").first).to_be_visible()

    # The pathway with the AI-referent rule, previewed while typing.
    page.goto(f"{live_url}/parcours/gestion/nouveau/")
    page.locator("input[name=code]").fill("REF-IA")
    page.locator("input[name=title_fr]").fill("Référent IA pour l'école")
    page.get_by_label("Règle d'obtention").fill(
        "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOT"
    )
    expect(page.locator("#rule-preview")).to_contain_text("4 exigences")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Référent IA pour l'école")
    page.get_by_role("button", name="Publier").click()
    expect(page.locator("h1 .tag")).to_have_text("Publié")

    # Progress: Chloé is one requirement short and the page says which.
    page.get_by_role("link", name="Progression des apprenants").first.click()
    expect(page.get_by_text("à une exigence près").first).to_be_visible()
    page.get_by_role("link", name="Chloé Renard").click()
    expect(page.get_by_text("Module requis : Module de clôture")).to_be_visible()
    expect(page.get_by_text("3 exigences remplies sur 4")).to_be_visible()


def test_a_typo_in_the_rule_is_explained_before_saving(
    page: Page, live_url: str, org: Organisation, coordinator: User
) -> None:
    publish(Actor.of(coordinator), org, "M1A", AI_TITLES["M1A"])
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/parcours/gestion/nouveau/")
    page.get_by_label("Règle d'obtention").fill("M1A & M9Z")
    expect(page.locator("#rule-preview")).to_contain_text("M9Z")


def test_switch_language_to_english_and_back(page: Page, live_url: str, db: None) -> None:
    page.goto(f"{live_url}/catalogue/")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/catalogue/"))
    expect(page.get_by_role("button", name="Français")).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
