"""xAPI journey: an organisation's administrator connects its LRS (a real Ralph), tests the
connection, switches sending on, and sees a learner's registration reach the LRS."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from conftest import PASSWORD, make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days
from parcours.integrations.models import XapiStatement
from parcours.integrations.xapi.tests.conftest import Lrs, ralph  # noqa: F401 - the fixture
from tests.browser import login


def _session(org: Organisation, coordinator: User, trainer: User) -> Session:
    module = Module.objects.create(
        organisation=org,
        code="IA-INTRO",
        title_fr="Introduction à l'IA",
        duration_hours=Decimal("6"),
        status=Module.Status.PUBLISHED,
    )
    site = account_actions.create_site(
        organisation=org, name="Gosselies", city="Gosselies", postcode="6041", actor=None
    )
    day = timezone.localdate() + dt.timedelta(days=10)
    session = enrolment.create_session(
        actor=Actor.of(coordinator),
        organisation=org,
        data=enrolment.SessionData(
            module_id=module.pk,
            code="IA-1",
            capacity=10,
            slots=full_days(day),
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    return enrolment.set_session_status(
        actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
    )


def test_administrator_connects_the_lrs_and_a_registration_reaches_it(
    page: Page,
    live_url: str,
    org: Organisation,
    coordinator: User,
    trainer: User,
    learner: User,
    ralph: Lrs,  # noqa: F811 - the fixture imported above
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    login(page, live_url, admin.email, PASSWORD)
    page.goto(f"{live_url}/integrations/")
    page.get_by_role("link", name="Traces xAPI (LRS)").click()

    form = page.get_by_test_id("lrs-form")
    form.get_by_label("Adresse xAPI du LRS").fill("pas une adresse")
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("alert").first).to_contain_text("Rien n'a été enregistré")

    form = page.get_by_test_id("lrs-form")
    form.get_by_label("Adresse xAPI du LRS").fill(ralph.endpoint)
    form.get_by_label("Identifiant (clé)").fill(ralph.username)
    form.get_by_label("Secret (mot de passe)").fill(ralph.password)
    form.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Configuration du LRS enregistrée.")
    expect(page.get_by_test_id("lrs-state")).to_contain_text("Envoi désactivé")

    page.get_by_role("button", name="Tester la connexion").click()
    expect(page.get_by_role("status")).to_contain_text("Connexion réussie")

    page.get_by_label("Envoyer les traces au LRS").check()
    page.get_by_test_id("lrs-form").get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_test_id("lrs-state")).to_contain_text("Envoi activé.")

    session = _session(org, coordinator, trainer)
    enrolment.enrol(actor=Actor.of(learner), session=session, learner=learner)

    page.reload()
    expect(page.get_by_test_id("count-sent")).to_have_text("1")
    expect(page.get_by_test_id("count-failed")).to_have_text("0")
    row = XapiStatement.objects.get()
    stored = ralph.by_id(str(row.statement_id))
    assert stored is not None
    assert stored["verb"]["id"] == "http://adlnet.gov/expapi/verbs/registered"


def test_the_failures_page_fits_a_phone_and_retries(
    phone_page: Page, live_url: str, org: Organisation
) -> None:
    import uuid

    from parcours.integrations.models import LrsConfig

    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    LrsConfig.objects.create(organisation=org, endpoint="https://lrs.example.test/xAPI/", key="k")
    XapiStatement.objects.create(
        organisation=org,
        statement_id=uuid.uuid4(),
        kind=XapiStatement.Kind.ATTENDED,
        payload="{}",
        status=XapiStatement.Status.FAILED,
        attempts=1,
        last_status=400,
        last_error="HTTP 400 : 'actor' is required — une cause longue " + "x" * 120,
    )
    login(phone_page, live_url, admin.email, PASSWORD)
    phone_page.goto(f"{live_url}/integrations/xapi/")
    failed = phone_page.get_by_test_id("failed")
    expect(failed).to_contain_text("'actor' is required")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone_page.get_by_role("button", name="Relancer toutes les traces en échec").click()
    expect(phone_page.get_by_role("status")).to_contain_text(
        "Traces remises dans la file d'envoi : 1."
    )
    expect(phone_page.get_by_test_id("count-pending")).to_have_text("1")
