"""Documents journeys (issue #3): a learner downloads the attestation PDF of a session they
attended (its text is checked) and an employer verifies it without an account; on a phone, a
learner subscribes their calendar and the secret address serves their sessions."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from django.utils import timezone
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.documents import ical
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from tests.browser import login

BRUSSELS = ZoneInfo("Europe/Brussels")


def a_session(org: Organisation, coordinator: User, trainer: User, days: list[dt.date]) -> Session:
    actor = Actor.of(coordinator)
    module = catalogue_actions.create_module(
        actor=actor,
        organisation=org,
        data={
            "code": "M1A",
            "title_fr": "Introduction à l'IA pour les enseignants",
            "summary_fr": "Deux journées pour découvrir l'IA en classe.",
            "duration_hours": "13",
        },
    )
    site = account_actions.create_site(
        organisation=org, name="Gosselies", city="Gosselies", postcode="6041", actor=None
    )
    slots = [
        (dt.datetime.combine(day, a, BRUSSELS), dt.datetime.combine(day, b, BRUSSELS))
        for day in days
        for a, b in ((dt.time(9), dt.time(12, 30)), (dt.time(13, 30), dt.time(16, 30)))
    ]
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code="M1A-GOS-01",
            capacity=12,
            slots=slots,
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    return enrolment_actions.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )


def enrol(coordinator: User, session: Session, learner: User) -> Enrolment:
    assert session.starts_at is not None
    return enrolment_actions.enrol(
        actor=Actor.of(coordinator),
        session=session,
        learner=learner,
        source=Enrolment.Source.COORDINATOR,
        now=min(timezone.now(), session.starts_at - dt.timedelta(days=2)),
    )


def test_learner_downloads_the_attestation_and_an_employer_verifies_it(
    page: Page,
    new_page: Callable[..., Page],
    live_url: str,
    tmp_path: Path,
    org: Organisation,
    coordinator: User,
    trainer: User,
    learner: User,
) -> None:
    today = timezone.localdate()
    session = a_session(org, coordinator, trainer, [today - dt.timedelta(days=8)])
    enrol(coordinator, session, learner)
    for slot in session.slots.order_by("start"):
        enrolment_actions.record_roll_call(actor=Actor.of(trainer), slot=slot)

    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/attestations/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes attestations")
    row = page.get_by_role("row", name=re.compile("Introduction à l'IA pour les enseignants"))
    with page.expect_download() as download_info:
        row.get_by_role("link", name=re.compile("Télécharger le PDF")).click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(saved.read_bytes())).pages).split()
    )
    assert "Attestation de participation" in text
    assert "Chloé Renard" in text
    assert "Introduction à l'IA pour les enseignants" in text
    assert "6,5 h sur 6,5 h prévues" in text
    assert "Technofutur TIC" in text
    assert "/attestations/verifier/" in text
    match = re.search(r"Code de vérification : ([A-Z2-7]{32})", text)
    assert match is not None, text

    employer = new_page()  # no account: scans the QR code, i.e. opens the verification page
    employer.goto(f"{live_url}/attestations/verifier/{match.group(1)}/")
    expect(employer.get_by_role("status")).to_contain_text("Attestation authentique")
    expect(employer.get_by_text("Chloé Renard")).to_be_visible()


def test_learner_subscribes_their_calendar_on_a_phone(
    phone_page: Page,
    live_url: str,
    org: Organisation,
    coordinator: User,
    trainer: User,
    learner: User,
) -> None:
    session = a_session(org, coordinator, trainer, [timezone.localdate() + dt.timedelta(days=12)])
    enrol(coordinator, session, learner)
    page = phone_page
    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("S'abonner à mon agenda")
    page.get_by_role("button", name=re.compile("Créer l'adresse d'abonnement")).click()
    field = page.get_by_label("Adresse de l'agenda (à copier maintenant)")
    expect(field).to_be_visible()
    address = field.input_value()
    assert "/agenda/flux/" in address
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"

    response = page.request.get(address.replace("http://127.0.0.1:8000", live_url))
    assert response.status == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    events = ical.parse(response.body())
    assert [e.summary for e in events] == ["Introduction à l'IA pour les enseignants"] * 2
