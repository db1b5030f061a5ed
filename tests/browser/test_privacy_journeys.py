"""Personal data journeys (issue #10): a learner downloads "my data" from their space and the
ZIP holds their sections and documents; an administrator erases a learner, after which the
session's figures, the pathway's population and the badge's verification are unchanged."""

from __future__ import annotations

import json
import zipfile

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts.models import User
from parcours.credentials import verification
from parcours.credentials.models import IssuedCredential
from parcours.enrolment.models import Session
from parcours.pathways.evaluation import evaluate_population

# ruff: noqa: F811  (the privacy scenario's fixtures are imported, then requested by name)
from parcours.privacy.tests.conftest import admin, attend, other_learner, world  # noqa: F401
from tests.browser import login


def test_a_learner_downloads_their_data(
    page: Page, live_url: str, learner, other_learner, attend, tmp_path
) -> None:
    attend(learner, other_learner)
    login(page, live_url, learner.email, PASSWORD)
    page.get_by_role("link", name="Mes données").last.click()
    expect(page.get_by_role("heading", level=1, name="Mes données")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_test_id("download-my-data").click()
    path = tmp_path / "mes-donnees.zip"
    download_info.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        data = json.loads(archive.read("donnees.json"))
    assert data["profile"]["email"] == learner.email
    assert [e["session"] for e in data["enrolments"]] == ["M1A-GOS-001"]
    assert any(n.startswith("badges/") for n in names)
    assert any(n.startswith("attestations/") and n.endswith(".pdf") for n in names)
    assert other_learner.email not in json.dumps(data)


def test_an_administrator_erases_a_learner_and_the_figures_stay(
    page: Page, live_url: str, admin, learner, other_learner, attend, world
) -> None:
    attend(learner, other_learner)
    seats = Session.objects.get(pk=world.session.pk).seats_taken
    population = evaluate_population(world.pathway)
    credential = IssuedCredential.objects.get(learner=learner)

    login(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/mes-donnees/apprenants/")
    page.get_by_label("Adresse e-mail de l'apprenant").fill(learner.email)
    page.get_by_role("button", name="Chercher").click()
    expect(page.get_by_role("heading", name="Effacer les données d'un apprenant")).to_be_visible()
    expect(page.get_by_text(learner.email).first).to_be_visible()
    page.get_by_label("Votre mot de passe").fill("pas le bon")
    page.get_by_label("Je comprends que cet effacement est définitif.").check()
    page.get_by_role("button", name="Effacer définitivement ses données").click()
    expect(page.get_by_role("alert")).to_contain_text("Mot de passe incorrect")
    page.get_by_label("Votre mot de passe").fill(PASSWORD)
    page.get_by_label("Je comprends que cet effacement est définitif.").check()
    page.get_by_role("button", name="Effacer définitivement ses données").click()
    expect(page.get_by_text("Les données de l'apprenant ont été effacées.")).to_be_visible()

    erased = User.objects.get(pk=learner.pk)
    assert erased.erased_at is not None and erased.email.endswith("@invalid")
    assert Session.objects.get(pk=world.session.pk).seats_taken == seats
    assert evaluate_population(world.pathway) == population
    credential.refresh_from_db()
    report = verification.verify_document(json.loads(credential.document))
    assert report.valid, report.reason_codes
    # The public verification page says the same.
    page.goto(f"{live_url}/badges/verifier/{credential.uuid}/")
    expect(page.get_by_role("heading", name="Badge authentique et valide")).to_be_visible()
