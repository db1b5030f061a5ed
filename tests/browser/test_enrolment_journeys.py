"""Enrolment journeys: a learner enrols from the catalogue and finds the session in "Mes
sessions"; a trainer takes attendance on a phone."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.slots import full_days
from tests.browser import login


def _session(org: Organisation, coordinator: User, trainer: User, slots, **extra) -> Session:
    module = Module.objects.create(
        organisation=org,
        code="M1A",
        title_fr="Introduction à l'IA (enseignants)",
        duration_hours=Decimal("12"),
        status=Module.Status.PUBLISHED,
    )
    site = account_actions.create_site(
        organisation=org,
        name="Technofutur TIC",
        city="Gosselies",
        street="Avenue Jean Mermoz 18",
        postcode="6041",
        actor=None,
    )
    session = actions.create_session(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.SessionData(
            module_id=module.pk,
            code="M1A-GOS-01",
            capacity=20,
            slots=slots,
            site_id=site.pk,
            trainer_ids=[trainer.pk],
            **extra,
        ),
    )
    return actions.set_session_status(
        actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
    )


def test_learner_enrols_and_sees_it_in_my_sessions(
    page: Page, live_url: str, org: Organisation, coordinator: User, trainer: User, learner: User
) -> None:
    today = timezone.localdate()
    session = _session(
        org,
        coordinator,
        trainer,
        full_days(today + dt.timedelta(days=14), today + dt.timedelta(days=15)),
    )
    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/catalogue/{org.slug}/M1A/")
    # The catalogue's module page loads the upcoming sessions (htmx fragment).
    upcoming = page.get_by_role("region", name="Prochaines sessions")
    expect(upcoming).to_contain_text("20 places restantes")
    upcoming.get_by_role("link", name=re.compile("Introduction")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Introduction à l'IA")
    expect(page.locator("address")).to_contain_text("Avenue Jean Mermoz 18, 6041 Gosselies")
    page.get_by_role("button", name="M'inscrire").click()
    expect(page).to_have_url(f"{live_url}/sessions/mes-sessions/")
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est confirmée.")
    mine = page.get_by_test_id("upcoming-sessions")
    expect(mine).to_contain_text("Introduction à l'IA")
    expect(mine).to_contain_text("Confirmée")
    assert Enrolment.objects.get(session=session, learner=learner).status == "confirmed"


def test_trainer_takes_attendance_on_a_phone(
    phone_page: Page, live_url: str, org: Organisation, coordinator: User, trainer: User
) -> None:
    start = timezone.now() - dt.timedelta(minutes=20)
    session = _session(org, coordinator, trainer, [(start, start + dt.timedelta(hours=3))])
    people = [
        make_person(org, Role.LEARNER, f"p{i}@exemple.test", f"Prénom{i}", f"Nom{i}")
        for i in range(3)
    ]
    for person in people:
        actions.enrol(
            actor=Actor.of(coordinator),
            session=session,
            learner=person,
            source=Enrolment.Source.COORDINATOR,
        )
    page = phone_page
    login(page, live_url, trainer.email, PASSWORD)
    page.goto(f"{live_url}/sessions/formateur/")
    page.get_by_role("link", name="Faire l'appel").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Présences")
    boxes = page.get_by_role("checkbox")
    expect(boxes).to_have_count(3)
    # Each checkbox says whom it is about and what is recorded (its accessible name).
    expect(
        page.get_by_role("checkbox", name="Prénom0 Nom0 est absent·e (pas encore noté·e)")
    ).to_be_visible()
    for i in range(3):
        expect(boxes.nth(i)).not_to_be_checked()
    page.get_by_label(re.compile("Prénom1 Nom1")).check()
    # Nothing sticks out of a 390 px wide screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="Enregistrer les présences").click()
    expect(page.get_by_role("status")).to_contain_text("2 personnes présentes, 1 absente")
    marks = dict(Attendance.objects.values_list("enrolment__learner__email", "present"))
    assert marks == {"p0@exemple.test": True, "p1@exemple.test": False, "p2@exemple.test": True}
    expect(page.get_by_label(re.compile("Prénom1 Nom1"))).to_be_checked()
    expect(
        page.get_by_role("checkbox", name="Prénom1 Nom1 est absent·e (noté·e absent·e)")
    ).to_be_checked()
    expect(
        page.get_by_role("checkbox", name="Prénom2 Nom2 est absent·e (noté·e présent·e)")
    ).not_to_be_checked()
    # The slot is still running: nobody is completed before it ends (issue #9).
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"confirmed"}


def test_learner_cancels_after_confirming_in_a_dialog(
    page: Page, live_url: str, org: Organisation, coordinator: User, trainer: User, learner: User
) -> None:
    today = timezone.localdate()
    session = _session(org, coordinator, trainer, full_days(today + dt.timedelta(days=14)))
    enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
    login(page, live_url, learner.email, PASSWORD)
    page.goto(f"{live_url}/sessions/mes-sessions/")
    opener = page.get_by_role("link", name=re.compile("^Annuler"))
    opener.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", name="Annuler mon inscription ?")).to_be_focused()
    # Changing one's mind closes the dialog, and nothing is cancelled.
    dialog.get_by_role("button", name="Fermer").click()
    expect(dialog).to_be_hidden()
    expect(opener).to_be_focused()
    assert Enrolment.objects.get(pk=enrolment.pk).status == "confirmed"
    opener.click()
    page.get_by_role("button", name="Oui, annuler l'inscription").click()
    expect(page.get_by_role("status")).to_contain_text("L'inscription est annulée.")
    assert Enrolment.objects.get(pk=enrolment.pk).status == "cancelled"
    expect(page.get_by_test_id("upcoming-sessions")).to_have_count(0)
