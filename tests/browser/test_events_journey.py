"""Events journey: a visitor without an account registers for three workshops on a phone,
confirms through the e-mailed link and opens the ticket; a coordinator checks them in at the
door by the ticket code (headless browsers have no camera: the code field is the way in; the
QR code's payload is that same code)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment.models import Attendance, Enrolment
from parcours.enrolment.slots import BRUSSELS
from parcours.events import actions
from parcours.events.models import Event, Registration
from parcours.events.views import qr_data_uri
from tests.browser import login

TITLES = ("Coder un petit robot", "Podcast scolaire", "Cartes mentales")


def _event(org: Organisation, coordinator: User) -> Event:
    site = account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )
    module = Module.objects.create(
        organisation=org,
        code="ATELIER",
        title_fr="Atelier",
        duration_hours=Decimal("1"),
        status=Module.Status.PUBLISHED,
    )
    # Three workshops of 45 minutes, one an hour from the next full hour on: registration is
    # open (they have not started) and the door is open (within 12 hours of the start).
    first = (timezone.now() + dt.timedelta(hours=1)).astimezone(BRUSSELS)
    first = first.replace(minute=0, second=0, microsecond=0)
    starts = [first + dt.timedelta(hours=i) for i in range(3)]
    actor = Actor.of(coordinator)
    event = actions.create_event(
        actor=actor,
        organisation=org,
        data=actions.EventData(
            title="Semaine du jeu",
            slug="semaine-du-jeu",
            starts_on=starts[0].date(),
            ends_on=starts[-1].date(),
            site_ids=[site.pk],
            is_public=True,
            allows_light_registration=True,
            default_module_id=module.pk,
        ),
    )
    rows = [
        actions.WorkshopRow(
            line=i + 1,
            day=start.date().isoformat(),
            start=f"{start:%H:%M}",
            end=f"{start + dt.timedelta(minutes=45):%H:%M}",
            track="",
            title=title,
            capacity="10",
        )
        for i, (start, title) in enumerate(zip(starts, TITLES, strict=True))
    ]
    assert len(actions.create_workshops(actor=actor, event=event, rows=rows)) == 3
    return event


def test_visitor_registers_without_an_account_and_is_checked_in(
    phone_page: Page, page: Page, live_url: str, org: Organisation, coordinator: User
) -> None:
    event = _event(org, coordinator)
    visitor = phone_page
    visitor.goto(f"{live_url}/evenements/{org.slug}/{event.slug}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Semaine du jeu")
    for title in TITLES:
        visitor.get_by_label(title).check()
    visitor.get_by_label("Prénom").fill("Nora")
    visitor.get_by_role("textbox", name="Nom", exact=True).fill("Lemaire")
    visitor.get_by_label("Adresse e-mail").fill("nora@exemple.test")
    visitor.get_by_role("button", name="M'inscrire").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Vérifiez votre boîte e-mail")

    messages = [m for m in mail.outbox if "nora@exemple.test" in m.to]
    assert messages
    link = re.search(r"https?://\S+/evenements/confirmer/[\w-]+/", str(messages[-1].body))
    assert link
    path = "/" + link.group(0).split("/", 3)[3]
    visitor.goto(f"{live_url}{path}")
    visitor.get_by_role("button", name="Je confirme mon inscription").click()
    expect(visitor.get_by_role("status")).to_contain_text(
        "Confirmé : Coder un petit robot, Podcast scolaire, Cartes mentales"
    )
    code = visitor.get_by_test_id("ticket-code").inner_text()
    registration = Registration.objects.get(ticket_code=code)
    assert registration.status == Registration.Status.CONFIRMED
    # The QR code shown carries the ticket code itself.
    qr = visitor.get_by_role("img", name=f"QR code du billet {code}")
    assert qr.get_attribute("src") == qr_data_uri(code)

    login(page, live_url, coordinator.email, PASSWORD)
    page.goto(f"{live_url}/evenements/gestion/{event.pk}/accueil/")
    option = page.locator("option", has_text="Podcast scolaire").get_attribute("value")
    assert option
    page.get_by_label("Atelier").select_option(option)
    page.get_by_role("button", name="Choisir").click()
    page.get_by_label("Code du billet").fill(code.lower())
    page.get_by_role("button", name="Enregistrer la présence").click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text(
        "Présence enregistrée : Nora Lemaire."
    )
    page.get_by_label("Code du billet").fill(code)
    page.get_by_role("button", name="Enregistrer la présence").click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("Déjà enregistré à")
    assert Attendance.objects.filter(present=True).count() == 1

    # The visitor gives up one workshop from their ticket, after a confirmation step.
    visitor.get_by_role("link", name="Annuler : Cartes mentales").click()
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Annuler un atelier")
    visitor.get_by_role("button", name="Oui, annuler cet atelier").click()
    expect(visitor.get_by_role("status")).to_contain_text("Atelier annulé : Cartes mentales.")
    seats = dict(
        Enrolment.objects.filter(learner=registration.person).values_list(
            "session__workshop__title", "status"
        )
    )
    assert seats["Cartes mentales"] == "cancelled"
    assert seats["Podcast scolaire"] == "confirmed"
