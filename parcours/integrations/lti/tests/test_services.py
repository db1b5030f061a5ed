"""NRPS and AGS against the local platform: the platform issues access tokens only to a client
assertion that verifies against Parcours' published key set (served by the live server)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from functools import partial

import pytest
from django.test import Client
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.slots import full_days
from parcours.integrations.lti import actions as lti_actions
from parcours.integrations.lti import keys
from parcours.integrations.lti.tests import helpers
from parcours.integrations.lti.tests.platform import INSTRUCTOR, Platform
from parcours.integrations.models import (
    LtiContext,
    LtiLaunchLog,
    LtiPersonLink,
    LtiScore,
    LtiServiceFailure,
)
from parcours.pathways.actions import record_completion

pytestmark = pytest.mark.django_db(transaction=True)

LEARNER_ROLE = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
TEACHER_ROLE = ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]


@pytest.fixture
def live_platform(live_server, org: Organisation, settings) -> Iterator[Platform]:
    settings.SITE_URL = live_server.url
    keys.tool_key(org)
    found = Platform(tool_base=live_server.url)
    found.trust_tool_keyset(f"{live_server.url}/integrations/lti/cles/{org.slug}.json")
    yield found
    found.stop()


@pytest.fixture
def module(org: Organisation) -> Module:
    return Module.objects.create(
        organisation=org,
        code="IA-101",
        title_fr="Introduction à l'IA",
        duration_hours=Decimal("12"),
        status=Module.Status.PUBLISHED,
    )


def _session(org: Organisation, coordinator: User, module: Module, capacity: int) -> Session:
    day = timezone.localdate() + dt.timedelta(days=20)
    data = enrolment_actions.SessionData(
        module_id=module.pk,
        code="IA-101-S1",
        capacity=capacity,
        slots=full_days(day),
        online_url="https://classe.example.test/ia",
    )
    actor = Actor.of(coordinator)
    session = enrolment_actions.create_session(actor=actor, organisation=org, data=data)
    return enrolment_actions.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )


def _member(i: int, roles: list[str] = LEARNER_ROLE, status: str = "Active") -> dict:
    return {
        "user_id": f"moodle-{i}",
        "email": f"eleve{i}@ecole.test",
        "given_name": f"Élève{i}",
        "family_name": "Dupont",
        "roles": roles,
        "status": status,
    }


def test_a_coordinator_enrols_the_course_members_in_one_action(
    live_platform: Platform,
    org: Organisation,
    coordinator: User,
    module: Module,
    as_user,
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    session = _session(org, coordinator, module, capacity=2)
    # A teacher launches the session's link: Parcours learns the course and its services.
    launched = helpers.launch(
        Client(),
        live_platform,
        sub="prof",
        email="prof@ecole.test",
        role=INSTRUCTOR,
        custom={"parcours_type": "session", "parcours_id": str(session.pk)},
    )
    assert launched.status_code == 302
    context = LtiContext.objects.get()
    assert context.memberships_url == live_platform.base + "/memberships"
    live_platform.members = [
        _member(1),
        _member(2),
        {**_member(3), "roles": TEACHER_ROLE},
        _member(4),
        _member(5, status="Inactive"),
    ]
    client = as_user(coordinator)
    page = client.get(f"/sessions/gestion/{session.pk}/").content.decode()
    assert "Inscrire les membres du cours" in page
    response = client.post(
        f"/integrations/lti/sessions/{session.pk}/membres/", {"context": context.pk}, follow=True
    )
    text = response.content.decode()
    assert "2 inscrits, 1 en liste d&#x27;attente, 0 déjà inscrits, 2 ignorés" in text
    statuses = dict(
        Enrolment.objects.filter(session=session).values_list("learner__email", "status")
    )
    assert statuses == {
        "eleve1@ecole.test": "confirmed",
        "eleve2@ecole.test": "confirmed",
        "eleve4@ecole.test": "waitlisted",
    }
    assert live_platform.tokens_issued >= 1  # the client assertion verified against our JWKS
    again = client.post(
        f"/integrations/lti/sessions/{session.pk}/membres/", {"context": context.pk}, follow=True
    )
    assert "0 inscrits, 0 en liste d&#x27;attente, 3 déjà inscrits" in again.content.decode()


def test_the_sessions_trainer_enrols_the_course_members_from_their_sessions_page(
    live_platform: Platform,
    org: Organisation,
    coordinator: User,
    trainer: User,
    module: Module,
    as_user,
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    session = _session(org, coordinator, module, capacity=5)
    helpers.launch(
        Client(),
        live_platform,
        sub="prof",
        email="prof@ecole.test",
        role=INSTRUCTOR,
        custom={"parcours_type": "session", "parcours_id": str(session.pk)},
    )
    context = LtiContext.objects.get()
    live_platform.members = [_member(1), _member(2)]
    client = as_user(trainer)
    # Not one of this session's trainers: refused, nothing enrolled, no button shown.
    assert (
        "Inscrire les membres du cours" not in client.get("/sessions/formateur/").content.decode()
    )
    refused = client.post(
        f"/integrations/lti/sessions/{session.pk}/membres/", {"context": context.pk}
    )
    assert refused.status_code == 403
    assert not Enrolment.objects.filter(session=session).exists()
    # Once they teach it, their sessions page offers the course and the enrolment works.
    session.trainers.add(trainer)
    assert "Inscrire les membres du cours" in client.get("/sessions/formateur/").content.decode()
    response = client.post(
        f"/integrations/lti/sessions/{session.pk}/membres/", {"context": context.pk}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/sessions/formateur/"
    assert "2 inscrits, 0 en liste d&#x27;attente" in response.content.decode()
    assert set(Enrolment.objects.filter(session=session).values_list("source", flat=True)) == {
        Enrolment.Source.LMS
    }


def test_a_learner_may_not_enrol_course_members(
    live_platform: Platform,
    org: Organisation,
    coordinator: User,
    learner: User,
    module: Module,
    as_user,
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    session = _session(org, coordinator, module, capacity=5)
    response = as_user(learner).post(
        f"/integrations/lti/sessions/{session.pk}/membres/", {"context": "1"}
    )
    assert response.status_code == 403


def test_a_completion_goes_to_the_gradebook_and_a_refusal_is_shown(
    live_platform: Platform, org: Organisation, module: Module, as_user
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    custom = {"parcours_type": "module", "parcours_id": str(module.pk)}
    helpers.launch(Client(), live_platform, sub="moodle-1", email="a@ecole.test", custom=custom)
    helpers.launch(Client(), live_platform, sub="moodle-2", email="b@ecole.test", custom=custom)
    # The module's line item was created in the course (found again by its tag afterwards).
    assert [item["tag"] for item in live_platform.lineitems] == [f"parcours-module-{module.pk}"]
    first = User.objects.get(email="a@ecole.test")
    record_completion(learner=first, module=module)
    score = live_platform.scores[0]
    assert score["userId"] == "moodle-1"
    assert (score["scoreGiven"], score["scoreMaximum"]) == (1.0, 1.0)
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    assert LtiScore.objects.get(user=first).state == "sent"
    # The platform refuses the next one: recorded and shown, the completion stands.
    live_platform.score_status = 422
    second = User.objects.get(email="b@ecole.test")
    result = record_completion(learner=second, module=module)
    assert result is not None
    assert second.completions.filter(module=module).exists()
    assert LtiScore.objects.get(user=second).state == "refused"
    assert LtiServiceFailure.objects.get().status_code == 422
    journal = as_user(admin).get("/integrations/lti/journal/").content.decode()
    assert "Refusé par la plateforme" in journal


def test_a_platform_that_is_down_gets_the_score_later(
    live_platform: Platform, org: Organisation, module: Module
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    custom = {"parcours_type": "module", "parcours_id": str(module.pk)}
    helpers.launch(Client(), live_platform, sub="moodle-9", email="c@ecole.test", custom=custom)
    live_platform.score_status = 503
    learner = User.objects.get(email="c@ecole.test")
    record_completion(learner=learner, module=module)
    score = LtiScore.objects.get(user=learner)
    assert (score.state, score.attempts) == ("pending", 1)  # to be tried again (back-off)
    assert "503" in score.last_error
    live_platform.score_status = 200
    assert lti_actions.send_score(score.pk) == "sent"
    assert lti_actions.send_score(score.pk) == "sent"  # idempotent: not sent twice
    assert [s["userId"] for s in live_platform.scores] == ["moodle-9"]


def test_concurrent_posts_of_one_launch_and_first_launches_of_one_person(
    live_platform: Platform, org: Organisation, run_concurrently
) -> None:
    """Threads released together: the same id_token posted 6 times is accepted once; two
    first launches of the same LMS user (two tabs) make one person and one link."""
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    browser = Client()
    auth = helpers.login_step(browser, live_platform.prepare(sub="twin", email="t@ecole.test"))
    message = live_platform.answer_auth(auth)

    def post_again() -> int:
        client = Client()
        client.cookies = browser.cookies
        return client.post(helpers.LAUNCH, message).status_code

    run = run_concurrently(post_again, 6)
    run.raise_first()
    assert sorted(run.results) == [302, 400, 400, 400, 400, 400]
    assert LtiLaunchLog.objects.filter(cause="replayed").count() == 5

    tabs = []
    for _ in range(2):
        tab = Client()
        params = live_platform.prepare(sub="newcomer", email="new@ecole.test")
        tabs.append((tab, live_platform.answer_auth(helpers.login_step(tab, params))))
    run = run_concurrently.each([partial(tab.post, helpers.LAUNCH, msg) for tab, msg in tabs])
    run.raise_first()
    assert [r.status_code for r in run.results] == [302, 302]
    assert User.objects.filter(email="new@ecole.test").count() == 1
    assert LtiPersonLink.objects.filter(sub="newcomer").count() == 1


def test_attendance_goes_to_the_gradebook_as_work_in_progress(
    live_platform: Platform, org: Organisation, coordinator: User, module: Module
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    helpers.register(live_platform, org, admin)
    custom = {"parcours_type": "module", "parcours_id": str(module.pk)}
    helpers.launch(Client(), live_platform, sub="moodle-7", email="d@ecole.test", custom=custom)
    learner = User.objects.get(email="d@ecole.test")
    session = _session(org, coordinator, module, capacity=5)
    enrolment_actions.enrol(
        actor=Actor.of(coordinator),
        session=session,
        learner=learner,
        source=Enrolment.Source.COORDINATOR,
    )
    slots = list(session.slots.order_by("start"))
    enrolment_actions.record_roll_call(
        actor=Actor.of(coordinator), slot=slots[0], now=slots[0].start + dt.timedelta(minutes=5)
    )
    sent = live_platform.scores[-1]
    assert sent["userId"] == "moodle-7"
    assert sent["scoreGiven"] == pytest.approx(round(1 / len(slots), 2))
    assert (sent["activityProgress"], sent["gradingProgress"]) == ("InProgress", "Pending")
    # The completion replaces it; a later roll call correction never lowers a completed score.
    record_completion(learner=learner, module=module)
    assert live_platform.scores[-1]["activityProgress"] == "Completed"
    count = len(live_platform.scores)
    enrolment_actions.record_roll_call(
        actor=Actor.of(coordinator), slot=slots[0], now=slots[0].start + dt.timedelta(minutes=9)
    )
    assert len(live_platform.scores) == count
    assert LtiScore.objects.get(user=learner).activity_progress == "Completed"
