"""Credentials journey (issues #4, #9): a learner completes the last module of the AI-referent
pathway, sees the new badge, downloads it; the verification page (no login) accepts the
downloaded file and rejects an edited copy with nothing ticked green."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import AI_TITLES, make_achievement, make_module
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Pathway
from tests.browser import login

RULE = "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOT"


def build_pathway(org: Organisation, coordinator: User) -> dict[str, Module]:
    modules = {code: make_module(org, code, title) for code, title in AI_TITLES.items()}
    actor = Actor.of(coordinator)
    pathway = pathway_actions.create_pathway(
        actor=actor,
        organisation=org,
        data=pathway_actions.PathwayData(code="REF-IA", title_fr="Référent IA", rule_text=RULE),
    )
    pathway_actions.set_pathway_status(
        actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    make_achievement(coordinator, org, pathway=pathway)
    return modules


def test_learner_gets_downloads_and_verifies_the_badge(
    page: Page, live_url: str, org: Organisation, coordinator: User, learner: User, tmp_path: Path
) -> None:
    modules = build_pathway(org, coordinator)
    for code in ("M1A", "O1", "O3"):
        pathway_actions.record_completion(learner=learner, module=modules[code])
    assert not IssuedCredential.objects.exists()
    # The last module: the pathway is satisfied, the badge is issued by the background task.
    pathway_actions.record_completion(learner=learner, module=modules["CLOT"])

    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/badges/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes badges")
    page.get_by_role("link", name="Référent IA").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Référent IA")
    expect(
        page.get_by_role("status").filter(has_text="Badge authentique et valide")
    ).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Le badge (JSON, Open Badges 3.0)").click()
    downloaded = tmp_path / "badge.json"
    download_info.value.save_as(downloaded)
    assert downloaded.read_text(encoding="utf-8") == IssuedCredential.objects.get().document

    with page.expect_download() as png_info:
        page.get_by_role("link", name="Image PNG contenant le badge").click()
    baked = tmp_path / "badge.png"
    png_info.value.save_as(baked)

    # The verifier: another browser context, not logged in.
    page.context.clear_cookies()
    page.goto(f"{live_url}/badges/verifier/")
    page.get_by_label("… ou choisir un fichier").set_input_files(str(downloaded))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    verdict = page.locator(".verdict")
    expect(verdict.get_by_role("heading")).to_have_text("Badge authentique et valide")
    expect(page.get_by_text("Identité protégée")).to_be_visible()
    expect(page.locator(".badge-facts")).to_contain_text("Technofutur TIC")

    page.goto(f"{live_url}/badges/verifier/")
    page.get_by_label("… ou choisir un fichier").set_input_files(str(baked))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.locator(".verdict").get_by_role("heading")).to_have_text(
        "Badge authentique et valide"
    )

    edited = tmp_path / "badge-modifie.json"
    edited.write_text(
        downloaded.read_text(encoding="utf-8").replace(
            '"Référent IA"', '"Référente IA experte"', 1
        ),
        encoding="utf-8",
    )
    page.goto(f"{live_url}/badges/verifier/")
    page.get_by_label("… ou choisir un fichier").set_input_files(str(edited))
    page.get_by_role("button", name="Vérifier", exact=True).click()
    expect(page.locator(".verdict").get_by_role("heading")).to_have_text("Badge non authentique")
    expect(page.get_by_text("le contenu a été modifié après signature")).to_be_visible()
    # Issue #9: nothing else is ticked green beside a failed signature.
    expect(page.locator(".verdict .check-ok")).to_have_count(0)
    expect(page.get_by_text("Ce que le document déclare (non vérifié)")).to_be_visible()


def test_badge_pages_fit_a_phone(
    phone_page: Page, live_url: str, org: Organisation, coordinator: User, learner: User
) -> None:
    modules = build_pathway(org, coordinator)
    for code in ("M1B", "O2", "O4", "CLOT"):
        pathway_actions.record_completion(learner=learner, module=modules[code])
    credential = IssuedCredential.objects.get()
    login(phone_page, live_url, learner.email, PASSWORD)
    for path in (f"/badges/{credential.uuid}/", f"/badges/verifier/{credential.uuid}/"):
        phone_page.goto(f"{live_url}{path}")
        expect(phone_page.locator(".verdict")).to_be_visible()
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, (path, overflow)
