"""Journey: a school contact requests a room (on a phone), sees the conflict and takes a
suggestion; logistics approve it in the approvals queue. (The planning grid, lobby and catering
parts of the journey are in the scheduling UI tests.)"""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import Booking, Feature
from tests.browser import login

DAY = dt.date(2031, 3, 12)


def at(time: str) -> dt.datetime:
    return core.local_datetime(DAY, dt.time.fromisoformat(time), planning.TZ)


def test_school_contact_requests_and_logistics_approve(
    phone_page: Page,
    page: Page,
    live_url: str,
    org: Organisation,
    logistics: User,
    school_contact: User,
) -> None:
    lea = Actor.of(logistics)
    Feature.objects.create(slug="projector", label_fr="Projecteur", label_en="Projector")
    site = account_actions.create_site(
        organisation=org,
        name="Liège",
        city="Liège",
        latitude=50.63,
        longitude=5.58,
        actor=logistics,
    )
    meuse = actions.create_resource(
        actor=lea, site=site, name="Salle Meuse", code="M", capacity=24, features=["projector"]
    )
    actions.create_resource(
        actor=lea, site=site, name="Salle Vesdre", code="V", capacity=30, features=["projector"]
    )
    actions.update_resource(actor=lea, resource=meuse, requires_approval=False)
    actions.book(actor=lea, resources=[meuse], start=at("09:00"), end=at("12:00"), title="Jury")
    # The school contact is also a trainer here, so Salle Meuse is booked directly and checked.
    account_actions.grant_role(user=school_contact, organisation=org, role="trainer", actor=None)

    phone = phone_page
    login(phone, live_url, school_contact.email, PASSWORD)
    phone.goto(f"{live_url}/logistique/demander/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Demander une salle")
    phone.get_by_label("Ressource").select_option(label="Liège · Salle Meuse — 24 pers.")
    phone.get_by_label("Date").fill(DAY.isoformat())
    phone.get_by_label("Heure de début").fill("10:00")
    phone.get_by_label("Heure de fin").fill("11:30")
    phone.get_by_label("Objet").fill("Réunion de parents")
    phone.get_by_label("Participants").fill("20")
    phone.get_by_role("button", name="Envoyer la demande").click()

    conflict = phone.get_by_role("alert")
    expect(conflict).to_contain_text("« Salle Meuse » est déjà réservé")
    expect(conflict).to_contain_text("Jury")
    # Take the other free room at the same time (the suggestion needs approval).
    suggestion = conflict.get_by_role("listitem").filter(has_text="Salle Vesdre")
    suggestion.get_by_role("button", name="Demander ce créneau").click()
    expect(phone).to_have_url(f"{live_url}/logistique/mes-demandes/")
    expect(phone.get_by_role("status")).to_contain_text("Demande envoyée")
    expect(phone.get_by_role("row", name="Réunion de parents")).to_contain_text("Demandée")
    booking = Booking.objects.get(title="Réunion de parents")
    assert booking.status == "requested" and booking.participants == 20

    login(page, live_url, logistics.email, PASSWORD)
    page.goto(f"{live_url}/logistique/demandes/")
    card = page.locator(f"#demande-{booking.pk}")
    expect(card).to_contain_text("Salle Vesdre")
    expect(card).to_contain_text("Sam Lejeune")
    card.get_by_role("button", name="Approuver « Réunion de parents »").click()
    expect(page.get_by_role("status")).to_contain_text("Demande approuvée")
    expect(page.get_by_text("Aucune demande en attente.")).to_be_visible()
    booking.refresh_from_db()
    assert booking.status == "approved"

    phone.goto(f"{live_url}/logistique/mes-demandes/")
    expect(phone.get_by_role("row", name="Réunion de parents")).to_contain_text("Confirmée")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
