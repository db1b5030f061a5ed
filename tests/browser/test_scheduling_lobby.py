"""Issue #9: the lobby screen fits 1280x720 and 1920x1080 TVs (they cannot scroll): the Wi-Fi
block is on screen, the page is no taller than the screen, every room shown is visible, and the
screen refreshes by a static script (no meta refresh), rotating pages when rooms do not fit."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Site, User
from parcours.accounts.permissions import Actor
from parcours.scheduling import actions, core, planning
from parcours.scheduling.models import SitePolicy

DAY = dt.date(2031, 3, 12)


@pytest.fixture
def screen(org: Organisation, logistics: User) -> str:
    lea = Actor.of(logistics)
    site: Site = account_actions.create_site(
        organisation=org,
        name="Maison provinciale de la formation",
        city="Seraing",
        actor=logistics,
    )
    actions.update_site_policy(
        actor=lea,
        site=site,
        wifi_name="Province-Invites",
        wifi_password="Bienvenue2031",
        lobby_message=(
            "Accueil au rez-de-chaussée, ascenseur à gauche. Bonne journée à toutes et à tous !"
        ),
    )
    start = core.local_datetime(DAY, dt.time(9), planning.TZ)
    for i in range(12):
        room = actions.create_resource(
            actor=lea,
            site=site,
            name=f"Salle de formation {i + 1:02d}",
            code=f"R{i:02d}",
            capacity=20,
            location=f"Bâtiment B, étage {i % 3}",
        )
        actions.book(
            actor=lea,
            resources=[room],
            start=start,
            end=start + dt.timedelta(hours=3),
            title=f"Atelier numérique pour demandeurs d'emploi {i + 1}",
        )
        actions.book(
            actor=lea,
            resources=[room],
            start=start + dt.timedelta(hours=4),
            end=start + dt.timedelta(hours=6),
            title="Conseil d'administration",
        )
    return f"/logistique/ecran/{SitePolicy.objects.get(site=site).display_token}/"


@pytest.mark.parametrize("size", [(1280, 720), (1920, 1080)])
def test_lobby_fits_the_tv(new_page, live_url: str, screen: str, size: tuple[int, int]) -> None:
    width, height = size
    tv = new_page(viewport={"width": width, "height": height})
    tv.goto(f"{live_url}{screen}?at={DAY}T10:00")
    tv.wait_for_load_state("networkidle")
    wifi = tv.get_by_role("contentinfo")
    expect(wifi).to_contain_text("Province-Invites")
    box = wifi.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert tv.evaluate("document.documentElement.scrollHeight") <= height
    assert tv.evaluate("document.body.scrollHeight") <= height
    # Every room row shown is entirely on screen (none hidden under the Wi-Fi block).
    main = tv.locator(".lobby-main").bounding_box()
    assert main is not None
    rows = tv.locator(".lobby-rooms tbody tr")
    assert rows.count() >= 4
    for i in range(rows.count()):
        r = rows.nth(i).bounding_box()
        assert r is not None and r["y"] + r["height"] <= main["y"] + main["height"] + 1, (i, r)
    # The rooms that did not fit are on other pages, shown in turn.
    if rows.count() < 12:
        assert "rotate=1" in tv.url
    # No meta refresh; the refresh comes from the static script.
    assert tv.locator("meta[http-equiv=refresh]").count() == 0
    assert tv.locator("script:not([src])").count() == 0
    size_px = tv.locator(".lobby-title").first.evaluate(
        "e => parseFloat(getComputedStyle(e).fontSize)"
    )
    assert size_px >= (36 if height >= 1080 else 22)
