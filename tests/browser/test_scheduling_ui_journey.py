"""The issue's journey: a school contact requests a room, logistics approves it in the planning
grid, the lobby screen shows it when its time comes (test clock), the catering list counts it.
And the lobby screen on a 1920x1080 TV, and the grid usable with the keyboard on a phone."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from conftest import PASSWORD
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions
from parcours.scheduling.models import Booking, Resource, SitePolicy
from tests.browser import login

DAY = "2031-03-12"  # a Wednesday, in the future


@pytest.fixture
def liege(org: Organisation, logistics: User) -> Site:
    lea = Actor.of(logistics)
    site = account_actions.create_site(
        organisation=org, name="Liège", city="Liège", actor=logistics
    )
    actions.set_opening_hours(
        actor=lea, site=site, hours={d: (dt.time(8, 0), dt.time(18, 0)) for d in range(5)}
    )
    actions.update_site_policy(
        actor=lea, site=site, wifi_name="Province-Invites", wifi_password="Bienvenue2031"
    )
    actions.create_catering_item(actor=lea, organisation=org, slug="cafe", label_fr="Café")
    return site


@pytest.fixture
def meuse(liege: Site, logistics: User) -> Resource:
    return actions.create_resource(
        actor=Actor.of(logistics), site=liege, name="Salle Meuse", code="LG-MEUSE", capacity=24
    )


def test_request_approve_lobby_catering(
    page: Page,
    new_page,
    live_url: str,
    school_contact: User,
    logistics: User,
    liege: Site,
    meuse: Resource,
) -> None:
    # 1. The school secretary asks for the room, with coffee for 12.
    login(page, live_url, school_contact.email, PASSWORD)
    page.goto(
        f"{live_url}/logistique/demander/?resource={meuse.pk}&day={DAY}"
        "&start_time=10:00&end_time=12:00"
    )
    page.locator("#id_title").fill("Conseil de participation")
    page.locator("#id_participants").fill("12")
    page.get_by_label("Café").fill("12")
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("status").first).to_contain_text("Demande envoyée")
    booking = Booking.objects.get(title="Conseil de participation")
    assert booking.status == "requested"

    # 2. Logistics opens the week grid, sees the pending block, approves it in the dialog.
    desk = new_page()
    login(desk, live_url, logistics.email, PASSWORD)
    desk.goto(f"{live_url}/logistique/planning/{liege.pk}/semaine/?date={DAY}")
    block = desk.get_by_role("link", name=re.compile("Demandée.*Conseil de participation"))
    expect(block).to_be_visible()
    block.click()
    dialog = desk.get_by_role("dialog")
    expect(dialog.get_by_role("heading", name="Conseil de participation")).to_be_focused()
    dialog.get_by_role("button", name="Approuver").click()
    expect(desk).to_have_url(re.compile(rf"/logistique/planning/{liege.pk}/\?date={DAY}"))
    expect(desk.get_by_role("status").first).to_contain_text("Demande approuvée")
    expect(
        desk.get_by_role("link", name=re.compile("Confirmée.*Conseil de participation"))
    ).to_be_visible()

    # 3. The lobby screen, on the test clock: next at 09:00, now at 10:30, gone at 12:00.
    token = SitePolicy.objects.get(site=liege).display_token
    tv = new_page(viewport={"width": 1920, "height": 1080})
    tv.goto(f"{live_url}/logistique/ecran/{token}/?at={DAY}T09:00")
    row = tv.get_by_role("row", name=re.compile("Salle Meuse"))
    expect(row).to_contain_text("Libre")
    expect(row).to_contain_text("Conseil de participation à partir de 10:00")
    tv.goto(f"{live_url}/logistique/ecran/{token}/?at={DAY}T10:30")
    row = tv.get_by_role("row", name=re.compile("Salle Meuse"))
    expect(row).to_contain_text("Conseil de participation jusqu'à 12:00")
    expect(tv.get_by_role("contentinfo")).to_contain_text("Province-Invites")
    expect(tv.get_by_role("contentinfo")).to_contain_text("Bienvenue2031")
    # Large type for a screen read from across the hall.
    size = tv.locator(".lobby-title").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size >= 36
    tv.goto(f"{live_url}/logistique/ecran/{token}/?at={DAY}T12:00")
    expect(tv.get_by_role("row", name=re.compile("Salle Meuse"))).not_to_contain_text(
        "Conseil de participation"
    )

    # 4. The catering list of that day counts the coffees.
    desk.goto(f"{live_url}/logistique/catering/{liege.pk}/?date={DAY}")
    line = desk.get_by_role("row", name=re.compile("Conseil de participation"))
    expect(line).to_contain_text("10:00")
    expect(line).to_contain_text("Salle Meuse")
    expect(line).to_contain_text("Café")
    expect(line.get_by_role("cell", name="12", exact=True).first).to_be_visible()


def test_grid_by_keyboard_on_a_phone(
    new_page, live_url: str, logistics: User, liege: Site, meuse: Resource
) -> None:
    phone = new_page(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True)
    login(phone, live_url, logistics.email, PASSWORD)
    phone.goto(f"{live_url}/logistique/planning/{liege.pk}/?date={DAY}")
    free = phone.get_by_role("link", name="Réserver Salle Meuse à 14:00")
    free.focus()
    phone.keyboard.press("Enter")
    dialog = phone.get_by_role("dialog")
    expect(dialog.get_by_role("heading", level=2)).to_be_focused()
    expect(dialog.locator("#id_start_time")).to_have_value("14:00")
    dialog.locator("#id_title").fill("Réunion d'équipe")
    dialog.get_by_role("button", name="Réserver").click()
    expect(
        phone.get_by_role("link", name=re.compile("Confirmée.*Réunion d'équipe"))
    ).to_be_visible()
    # The page does not scroll sideways as a whole: only the grid region does.
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
