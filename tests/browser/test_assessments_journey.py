"""Assessed completions and the portfolio in the browser: a learner hands in a project, the
trainer asks for a revision, the learner hands in again, the trainer passes it from the group's
grid and the badge is issued; a learner shares their portfolio by a link, then revokes it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import FilePayload, Page, expect

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.assessments import actions as assessments
from parcours.assessments.tests.conftest import PDF, make_session, make_unit
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import make_achievement
from parcours.enrolment import actions as enrolment
from parcours.pathways.actions import record_completion
from tests.browser import login


def test_project_revised_then_passed_issues_the_badge(
    new_page: Callable[..., Page],
    live_url: str,
    settings,
    tmp_path: Path,
    org: Organisation,
    coordinator: User,
    trainer: User,
    learner: User,
) -> None:
    settings.ASSESSMENTS_FILES_ROOT = str(tmp_path / "projets")
    unit = make_unit(org)
    assessments.set_criteria(
        actor=Actor.of(coordinator),
        module=unit,
        texts=["Le scénario est décrit", "L'évaluation est alignée sur les objectifs"],
    )
    session = make_session(coordinator, org, unit, trainer)
    enrolment.enrol(actor=Actor.of(learner), session=session, learner=learner)
    make_achievement(coordinator, org, module=unit)

    # The learner hands in a PDF with a short text and agrees to show it as evidence.
    me = new_page()
    login(me, live_url, learner.email, PASSWORD)
    me.goto(f"{live_url}/evaluations/")
    me.get_by_role("link", name="UE2 — UE2 — Évaluation numérique").click()
    me.get_by_label("Présentation du projet").fill("Mon scénario d'évaluation en 5e année.")
    me.get_by_label("Fichier").set_input_files(
        files=[FilePayload(name="projet.pdf", mimeType="application/pdf", buffer=PDF)]
    )
    me.get_by_label("J'accepte que le badge obtenu renvoie vers ce projet").check()
    me.get_by_role("button", name="Remettre le projet").click()
    expect(me.get_by_role("status")).to_contain_text("Projet remis.")
    expect(me.get_by_role("region", name="Historique")).to_contain_text("En attente de revue")

    # The trainer asks for a revision, criterion by criterion.
    tutor = new_page()
    login(tutor, live_url, trainer.email, PASSWORD)
    tutor.goto(f"{live_url}/evaluations/a-revoir/")
    tutor.get_by_role("link", name=learner.get_full_name()).click()
    first = tutor.get_by_role("group", name="Le scénario est décrit")
    first.get_by_label("Atteint", exact=True).check()
    second = tutor.get_by_role("group", name="L'évaluation est alignée sur les objectifs")
    second.get_by_label("Non atteint").check()
    tutor.get_by_label("Résultat").select_option("to_revise")
    tutor.get_by_role("button", name="Enregistrer la revue").click()
    # Feedback is required: refused in place, nothing written.
    expect(tutor.get_by_role("alert").first).to_contain_text("le retour est requis")
    tutor.get_by_label("Retour à l'apprenant·e").fill("Ajoutez la grille critériée.")
    tutor.get_by_role("button", name="Enregistrer la revue").click()
    expect(tutor.get_by_role("status")).to_contain_text("Revue enregistrée.")

    # The learner reads the feedback and hands in a second version (a link).
    me.reload()
    history = me.get_by_role("region", name="Historique")
    expect(history).to_contain_text("À retravailler")
    expect(history).to_contain_text("Ajoutez la grille critériée.")
    me.get_by_label("Présentation du projet").fill("Version 2 avec la grille critériée.")
    me.get_by_label("Lien vers le projet").fill("https://exemple.test/projet-v2")
    me.get_by_role("button", name="Remettre le projet").click()
    expect(me.get_by_role("status")).to_contain_text("Projet remis.")

    # The trainer passes it from the group's grid, in the row (a wrong submit fails in place).
    tutor.goto(f"{live_url}/evaluations/sessions/{session.pk}/")
    row = tutor.get_by_role("row", name=learner.get_full_name())
    row.get_by_label("Résultat").select_option("failed")
    row.get_by_role("button", name="Enregistrer").click()
    row = tutor.get_by_role("row", name=learner.get_full_name())
    expect(row.get_by_role("alert")).to_contain_text("le retour est requis")
    row.get_by_label("Résultat").select_option("passed")
    row.get_by_role("button", name="Enregistrer").click()
    status = tutor.get_by_role("row", name=learner.get_full_name()).locator("[data-status]")
    expect(status).to_have_text("Réussi")

    # The badge is issued and the learner sees it.
    credential = IssuedCredential.objects.get(learner=learner)
    assert "/evaluations/preuves/" in credential.document
    me.goto(f"{live_url}/badges/")
    expect(me.get_by_role("main")).to_contain_text("Référent IA")  # the test badge's name


def test_portfolio_shared_by_link_then_revoked(
    new_page: Callable[..., Page],
    live_url: str,
    org: Organisation,
    coordinator: User,
    learner: User,
) -> None:
    unit = make_unit(org, "UE1", mode="attendance")
    make_achievement(coordinator, org, module=unit)
    record_completion(learner=learner, module=unit)
    assert IssuedCredential.objects.filter(learner=learner).exists()

    me = new_page()
    login(me, live_url, learner.email, PASSWORD)
    me.goto(f"{live_url}/portfolio/")
    expect(me.get_by_role("heading", level=1)).to_have_text("Mon portfolio")
    me.get_by_role("button", name="Rendre public — Référent IA").click()
    expect(me.get_by_role("status").first).to_contain_text("Votre choix est enregistré.")
    me.get_by_role("button", name="Créer un lien de partage").click()
    # The link is absolute (SITE_URL); the test server listens elsewhere: keep its path.
    link = live_url + urlsplit(me.get_by_test_id("portfolio-link").input_value()).path

    visitor = new_page()
    visitor.goto(link)
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("Portfolio de")
    expect(visitor.get_by_role("main")).to_contain_text("Référent IA")
    expect(visitor.get_by_role("main")).not_to_contain_text(learner.email)

    me.get_by_role("button", name="Révoquer le lien").click()
    expect(me.get_by_role("status").first).to_contain_text("Lien révoqué")
    response = visitor.goto(link)
    assert response is not None and response.status == 404
