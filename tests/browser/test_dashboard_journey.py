"""Mon espace on a phone (390 px): the learner's and the trainer's panels fit, with headings."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from tests.browser import login
from tests.test_dashboard import make_module, site_of

if TYPE_CHECKING:
    from playwright.sync_api import Page


def _session_today(org: Organisation, coordinator: User, trainer: User) -> Session:
    now = timezone.localtime()
    actor = Actor.of(coordinator)
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=org,
        data=enrolment_actions.SessionData(
            module_id=make_module(org, "IA-PHONE").pk,
            code="PHONE-1",
            capacity=12,
            slots=[(now - dt.timedelta(minutes=10), now + dt.timedelta(hours=2))],
            site_id=site_of(org, "Gosselies Aéropole").pk,
            trainer_ids=[trainer.pk],
        ),
    )
    return enrolment_actions.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )


def _fits(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_learner_and_trainer_home_pages_fit_a_phone(
    phone_page: Page,
    live_url: str,
    org: Organisation,
    coordinator: User,
    trainer: User,
    learner: User,
) -> None:
    session = _session_today(org, coordinator, trainer)
    enrolment_actions.enrol(
        actor=Actor.of(coordinator), session=session, learner=learner, source="coordinator"
    )

    login(phone_page, live_url, learner.email, PASSWORD)
    phone_page.get_by_role("heading", name="Ma prochaine session").wait_for()
    panel = phone_page.get_by_role("region", name="Ma prochaine session")
    assert "En cours" in panel.inner_text()
    assert "Gosselies Aéropole" in panel.inner_text()
    assert phone_page.get_by_role("heading", name="Mes parcours", level=2).count() == 1
    assert _fits(phone_page)
    phone_page.screenshot(path="var/screenshots/dashboard-learner-390.png", full_page=True)

    phone_page.context.clear_cookies()
    login(phone_page, live_url, trainer.email, PASSWORD)
    region = phone_page.get_by_role("region", name="Mes créneaux de formateur")
    region.get_by_role("link", name="Prendre les présences (créneau en cours)").click()
    phone_page.wait_for_url(f"**/creneaux/{session.slots.get().pk}/presences/")
    phone_page.go_back()
    assert _fits(phone_page)
    phone_page.screenshot(path="var/screenshots/dashboard-trainer-390.png", full_page=True)
