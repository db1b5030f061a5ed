"""Orientation explorer on a tablet, with the keyboard only: a world, a job sheet, then the
upcoming session of a training that leads to the occupation."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import Page, expect

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days
from parcours.orientation import actions
from parcours.orientation.models import Occupation
from parcours.orientation.tests.test_esco import make_source

TABLET = {"width": 820, "height": 1180}


def _explorer(org: Organisation, coordinator: User, trainer: User, tmp_path: Path) -> Session:
    actor = Actor.of(coordinator)
    actions.import_esco(make_source(tmp_path))
    module = Module.objects.create(
        organisation=org,
        code="ELEC-1",
        title_fr="Câbler une maison",
        duration_hours=Decimal("6"),
        status=Module.Status.PUBLISHED,
    )
    site = account_actions.create_site(
        organisation=org, name="Atelier", city="Liège", street="Rue 1", postcode="4000", actor=None
    )
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code="ELEC-STAGE",
            capacity=12,
            slots=full_days(timezone.localdate() + dt.timedelta(days=14)),
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    enrolment_actions.set_session_status(actor=actor, session=session, status="published")
    for slug, name in (("atominatis", "Atominatis"), ("eletroworld", "Eletroworld")):
        actions.save_world(
            actor=actor,
            organisation=org,
            data={"slug": slug, "name_fr": name, "colour": "#e0a100", "is_published": True},
        )
    world = org.orientation_worlds.get(slug="eletroworld")
    actions.save_job_sheet(
        actor=actor,
        organisation=org,
        data={
            "world": world.pk,
            "slug": "electricien",
            "title_fr": "Électricien",
            "summary_fr": "Il amène le courant partout, en sécurité.",
            "work_fr": "Il installe prises, câbles et tableaux.",
            "occupation": Occupation.objects.get(code="7411.1").pk,
            "is_published": True,
        },
        links=actions.SheetLinks(module_ids=[module.pk]),
    )
    return session


def _tab_to(page: Page, pattern: str, limit: int = 40) -> None:
    """Press Tab until the focused element's text matches ``pattern``."""
    wanted = re.compile(pattern)
    for _ in range(limit):
        page.keyboard.press("Tab")
        text = page.evaluate("document.activeElement ? document.activeElement.innerText : ''")
        if wanted.search(text or ""):
            return
    raise AssertionError(f"no focusable element matching {pattern!r}")


def test_a_pupil_explores_on_a_tablet_with_the_keyboard(
    new_page, live_url: str, org: Organisation, coordinator: User, trainer: User, tmp_path: Path
) -> None:
    session = _explorer(org, coordinator, trainer, tmp_path)
    page: Page = new_page(viewport=TABLET, has_touch=True, is_mobile=True)
    page.goto(f"{live_url}/orientation/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Les mondes des métiers")
    card = page.get_by_role("link", name=re.compile("Eletroworld"))
    box = card.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44

    _tab_to(page, "Eletroworld")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Eletroworld")

    _tab_to(page, "Électricien")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Électricien")
    expect(page.get_by_text("ESCO, European Commission")).to_be_visible()
    expect(page.get_by_text("électricien/électricienne")).to_be_visible()
    trainings = page.get_by_role("region", name="Se former près de chez toi")
    expect(
        trainings.get_by_role("link", name=re.compile("Câbler une maison")).first
    ).to_be_visible()

    _tab_to(page, "Câbler une maison")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/sessions/{session.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Câbler une maison")
