"""Candidates journeys (issue #13): a person applies without an account with a CV; a
coordinator moves candidates through the board and the list (keyboard, no dragging); a
candidate not selected is referred to the preparatory programme and, at its end, applies again
with their previous answers pre-filled."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import ConsoleMessage, Page, expect

from conftest import PASSWORD
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions
from parcours.candidates.models import Application, Call

# ruff: noqa: F811  (the candidates' fixtures are imported, then requested by name)
from parcours.candidates.tests.conftest import (  # noqa: F401
    _private_files,
    apply_to,
    call,
    call_data,
    pdf_bytes,
)
from tests.browser import login


@pytest.fixture
def csp_violations(page: Page, settings) -> Iterator[list[str]]:
    """The production Content-Security-Policy, and what the console says against it."""
    settings.CONTENT_SECURITY_POLICY = settings.CSP_POLICY
    seen: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            seen.append(message.text)

    page.on("console", watch)
    yield seen


def test_apply_without_an_account_with_a_cv(
    page: Page, live_url: str, call: Call, tmp_path: Path, csp_violations: list[str]
) -> None:
    cv = tmp_path / "cv-nadia.pdf"
    cv.write_bytes(pdf_bytes())
    page.goto(f"{live_url}/candidatures/{call.organisation.slug}/{call.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(call.title)
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label(re.compile(r"^Nom")).fill("Benali")
    page.get_by_label("E-mail").fill("nadia.benali@exemple.test")
    page.get_by_label("Pourquoi cette formation ?").fill("Je veux devenir développeuse web.")
    page.get_by_label("Disponible à temps plein ?").select_option("oui")
    page.get_by_label("Vous êtes").select_option(label="Demandeurs d'emploi")
    page.get_by_label("CV").set_input_files(str(cv))
    consent = page.get_by_label(re.compile("J'accepte que Technofutur TIC"))
    expect(page.get_by_text("365 jours après la clôture")).to_be_visible()
    consent.check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.get_by_role("heading", level=1, name="Candidature reçue")).to_be_visible()
    application = Application.objects.get(email="nadia.benali@exemple.test")
    assert application.files.get().original_name == "cv-nadia.pdf"
    subjects = [m.subject for m in mail.outbox if "nadia.benali@exemple.test" in m.to]
    assert any("Candidature reçue" in s for s in subjects)
    # The same form sent again (back, then send): recognised, not duplicated.
    page.go_back()
    page.get_by_label("Prénom").fill("Nadia")
    page.get_by_label(re.compile(r"^Nom")).fill("Benali")
    page.get_by_label("E-mail").fill("nadia.benali@exemple.test")
    page.get_by_label("Pourquoi cette formation ?").fill("Encore.")
    page.get_by_label("Disponible à temps plein ?").select_option("oui")
    page.get_by_label("Vous êtes").select_option(label="Demandeurs d'emploi")
    page.get_by_label(re.compile("J'accepte que Technofutur TIC")).check()
    page.get_by_role("button", name="Envoyer ma candidature").click()
    expect(page.get_by_role("alert")).to_contain_text("déjà été reçue")
    assert Application.objects.filter(email="nadia.benali@exemple.test").count() == 1
    assert csp_violations == []


def test_move_candidates_through_the_board(
    page: Page,
    live_url: str,
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    inès = apply_to(first_name="Inès", last_name="Moreau")
    others = [apply_to(first_name=f"Marc{i}", last_name="Petit") for i in range(2)]
    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/candidatures/gestion/{call.pk}/")
    expect(page.get_by_role("heading", level=2, name=re.compile("Réception"))).to_be_visible()
    # One card, with the keyboard: choose the stage, then press the button.
    page.get_by_label("Étape de Inès Moreau").select_option(label="Tests")
    card = page.locator("li.board-card", has_text="Inès Moreau")
    card.get_by_role("button", name="Déplacer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("1 candidature déplacée vers « Tests »")
    tests_column = page.locator(
        "section.board-column", has=page.get_by_role("heading", name=re.compile("^Tests"))
    )
    expect(tests_column).to_contain_text("Inès Moreau")
    inès.refresh_from_db()
    assert inès.stage.label == "Tests" and inès.tested_at is not None
    # Many at once from the list.
    page.get_by_role("link", name="Liste").click()
    for other in others:
        page.get_by_label(f"Choisir {other.first_name} {other.last_name}").check()
    page.get_by_label("Vers l'étape").select_option(label="Entretien")
    page.get_by_role("button", name="Déplacer").click()
    expect(page.locator(".messages")).to_contain_text("2 candidatures déplacées vers « Entretien »")
    assert Application.objects.filter(call=call, stage__label="Entretien").count() == 2


def test_refer_to_the_programme_then_apply_again(
    page: Page,
    live_url: str,
    call: Call,
    org,
    coordinator: User,
    apply_to: Callable[..., Application],
    new_page: Callable[..., Page],
) -> None:
    actor = Actor.of(coordinator)
    programme = actions.open_call(
        actor=actor,
        organisation=org,
        data=call_data("le-nid", kind="preparatory", questions=[], title="Le NID", places=60),
    )
    next_round = actions.open_call(
        actor=actor, organisation=org, data=call_data("tic-2028", title="Formation 2028")
    )
    Call.objects.filter(pk=call.pk).update(referral_call=programme)
    Call.objects.filter(pk=programme.pk).update(followup_call=next_round)
    first = apply_to(first_name="Rayan", last_name="El Amrani")
    actions.decide(
        actor=actor,
        call=call,
        application_ids=[first.pk],
        decision="not_selected",
        subject="s",
        body="b",
    )

    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/candidatures/gestion/{call.pk}/candidats/{first.pk}/")
    page.get_by_role("button", name="Orienter et envoyer l'e-mail").click()
    expect(page.get_by_role("status")).to_contain_text("Candidature orientée vers « Le NID »")
    referred = Application.objects.get(call=programme)
    assert referred.previous == first

    # The programme ends: invite its people to apply again.
    page.goto(f"{live_url}/candidatures/gestion/{programme.pk}/liste/")
    page.get_by_label("Choisir Rayan El Amrani").check()
    page.get_by_role("button", name="Inviter à postuler à nouveau").click()
    page.get_by_role("button", name="Envoyer les invitations").click()
    expect(page.locator(".messages")).to_contain_text("1 invitation à postuler à nouveau")
    body = [m.body for m in mail.outbox if first.email in m.to and "reprise=" in m.body][-1]
    link = re.search(r"https?://[^/\s]+(/\S+)", str(body))
    assert link

    visitor = new_page()
    visitor.goto(f"{live_url}{link.group(1)}")
    expect(visitor.get_by_label("Prénom")).to_have_value("Rayan")
    expect(visitor.get_by_label("Pourquoi cette formation ?")).to_have_value(
        "Je veux changer de métier."
    )
    visitor.get_by_label("Disponible à temps plein ?").select_option("oui")
    visitor.get_by_label("Vous êtes").select_option(label="Demandeurs d'emploi")
    visitor.get_by_label(re.compile("J'accepte que")).check()
    visitor.get_by_role("button", name="Envoyer ma candidature").click()
    expect(visitor.get_by_role("heading", level=1, name="Candidature reçue")).to_be_visible()
    again = Application.objects.get(call=next_round)
    assert again.previous == referred and again.previous.previous == first


def test_the_form_and_the_board_fit_a_phone(
    phone_page: Page,
    live_url: str,
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    apply_to(first_name="Maximilienne-Alexandrine", last_name="De Vleeschauwer-Vandenbroucke")
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    phone_page.goto(f"{live_url}/candidatures/{call.organisation.slug}/{call.slug}/")
    expect(phone_page.get_by_role("button", name="Envoyer ma candidature")).to_be_visible()
    assert phone_page.evaluate(fits)
    login(phone_page, live_url, coordinator.email, PASSWORD)
    phone_page.goto(f"{live_url}/candidatures/gestion/{call.pk}/")
    expect(phone_page.get_by_label(re.compile("Étape de Maximilienne"))).to_be_visible()
    assert phone_page.evaluate(fits)
    phone_page.goto(f"{live_url}/candidatures/gestion/{call.pk}/liste/")
    expect(phone_page.get_by_role("button", name="Déplacer")).to_be_visible()
    assert phone_page.evaluate(fits)
