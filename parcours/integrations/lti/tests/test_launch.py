"""Launches signed by Open edX's LTI consumer (the platform side of lti-consumer-xblock),
through Parcours' login initiation and launch endpoints."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import jwt
import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Membership, Organisation, Role, User
from parcours.catalogue.models import Module
from parcours.integrations.lti import signals
from parcours.integrations.lti.tests import helpers
from parcours.integrations.lti.tests.platform import ADMINISTRATOR, INSTRUCTOR, Platform
from parcours.integrations.models import LtiLaunchLog, LtiPersonLink


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")


def make_module(org: Organisation, code: str = "IA-101") -> Module:
    return Module.objects.create(
        organisation=org,
        code=code,
        title_fr="Introduction à l'IA",
        duration_hours=Decimal("12"),
        status=Module.Status.PUBLISHED,
    )


@pytest.fixture
def module(org: Organisation) -> Module:
    return make_module(org)


def _roles(user: User, org: Organisation) -> set[str]:
    return set(
        Membership.objects.filter(user=user, organisation=org).values_list("role", flat=True)
    )


def test_a_learner_is_created_signed_in_and_sent_to_the_module(
    client: Client,
    platform: Platform,
    org: Organisation,
    admin: User,
    module: Module,
    django_capture_on_commit_callbacks,
) -> None:
    helpers.register(platform, org, admin)
    seen: list[dict] = []
    signals.lti_launched.connect(lambda **kw: seen.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = helpers.launch(
                client,
                platform,
                sub="moodle-user-7",
                email="lea.lambert@ecole.test",
                name="Léa Lambert",
                custom={"parcours_type": "module", "parcours_id": str(module.pk)},
            )
    finally:
        signals.lti_launched.disconnect(dispatch_uid="t")
    assert response.status_code == 302
    assert response["Location"] == f"/catalogue/{org.slug}/{module.code}/"
    person = User.objects.get(email="lea.lambert@ecole.test")
    assert not person.has_usable_password()
    assert _roles(person, org) == {Role.LEARNER}
    assert client.get(response["Location"]).wsgi_request.user == person
    assert [kw["person"] for kw in seen] == [person]
    assert LtiLaunchLog.objects.get().outcome == "accepted"


def test_the_second_launch_finds_the_person_by_sub(
    client: Client, platform: Platform, org: Organisation, admin: User, module: Module
) -> None:
    helpers.register(platform, org, admin)
    custom = {"parcours_type": "module", "parcours_id": str(module.pk)}
    helpers.launch(client, platform, sub="u-1", email="a@ecole.test", custom=custom)
    other = Client()
    response = helpers.launch(other, platform, sub="u-1", email="changed@ecole.test", custom=custom)
    assert response.status_code == 302
    assert User.objects.filter(email__in=["a@ecole.test", "changed@ecole.test"]).count() == 1
    assert LtiPersonLink.objects.get().user.email == "a@ecole.test"


def test_roles_map_instructor_to_trainer_and_administrator_per_switch(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    registration = helpers.register(platform, org, admin)
    helpers.launch(client, platform, sub="t-1", email="prof@ecole.test", role=INSTRUCTOR)
    assert _roles(User.objects.get(email="prof@ecole.test"), org) == {Role.TRAINER}
    helpers.launch(Client(), platform, sub="a-1", email="lmsadmin@ecole.test", role=ADMINISTRATOR)
    assert _roles(User.objects.get(email="lmsadmin@ecole.test"), org) == {Role.TRAINER}
    registration.admin_as_coordinator = True
    registration.save()
    helpers.launch(Client(), platform, sub="a-2", email="lmsadmin2@ecole.test", role=ADMINISTRATOR)
    assert _roles(User.objects.get(email="lmsadmin2@ecole.test"), org) == {
        Role.TRAINER,
        Role.COORDINATOR,
    }


def test_a_verified_email_links_an_existing_learner(
    client: Client, platform: Platform, org: Organisation, admin: User, learner: User
) -> None:
    helpers.register(platform, org, admin)
    assert EmailAddress.objects.filter(user=learner, verified=True).exists()
    response = helpers.launch(client, platform, sub="s-9", email=learner.email.upper())
    assert response.status_code == 302
    assert LtiPersonLink.objects.get().user == learner


def test_an_unverified_email_or_another_organisations_staff_is_never_taken_over(
    client: Client,
    platform: Platform,
    org: Organisation,
    admin: User,
    learner: User,
    outsider: User,
) -> None:
    helpers.register(platform, org, admin)
    EmailAddress.objects.filter(user=learner).update(verified=False)
    response = helpers.launch(client, platform, sub="s-1", email=learner.email)
    assert response.status_code == 403
    assert "ne peut pas être relié automatiquement" in response.content.decode()
    assert EmailAddress.objects.filter(user=outsider, verified=True).exists()  # staff elsewhere
    response = helpers.launch(Client(), platform, sub="s-2", email=outsider.email)
    assert response.status_code == 403
    assert not LtiPersonLink.objects.exists()
    assert list(LtiLaunchLog.objects.values_list("cause", flat=True)) == [
        "account_conflict",
        "account_conflict",
    ]


def test_a_replayed_id_token_is_refused(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    helpers.register(platform, org, admin)
    auth = helpers.login_step(client, platform.prepare(sub="r-1", email="r@ecole.test"))
    message = platform.answer_auth(auth)
    assert client.post(helpers.LAUNCH, message).status_code == 302
    replay = client.post(helpers.LAUNCH, message)
    assert replay.status_code == 400
    assert "déjà été utilisé" in replay.content.decode()
    assert LtiLaunchLog.objects.filter(cause="replayed").exists()


def test_an_expired_id_token_is_refused(
    client: Client,
    platform: Platform,
    org: Organisation,
    admin: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    helpers.register(platform, org, admin)
    auth = helpers.login_step(client, platform.prepare(sub="e-1", email="e@ecole.test"))
    message = platform.answer_auth(auth)  # valid one hour

    class TwoHoursLater(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> TwoHoursLater:
            return super().now(tz) + dt.timedelta(hours=2)

    monkeypatch.setattr(jwt.api_jwt, "datetime", TwoHoursLater)  # Parcours' clock only
    response = client.post(helpers.LAUNCH, message)
    assert response.status_code == 400
    assert "expiré" in response.content.decode()
    assert LtiLaunchLog.objects.get().cause == "expired"
    assert not User.objects.filter(email="e@ecole.test").exists()


def test_an_unknown_deployment_is_refused(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    helpers.register(platform, org, admin, deployment_ids=["other-deployment"])
    response = helpers.launch(client, platform, sub="d-1", email="d@ecole.test")
    assert response.status_code == 400
    assert "déploiement" in response.content.decode()
    log = LtiLaunchLog.objects.get()
    assert (log.cause, log.organisation) == ("unknown_deployment", org)


def test_an_unknown_issuer_is_refused_at_login(client: Client, platform: Platform) -> None:
    response = client.post(helpers.LOGIN, platform.prepare(sub="x", email="x@ecole.test"))
    assert response.status_code == 403
    assert "son enregistrement est désactivé" in response.content.decode()
    assert LtiLaunchLog.objects.get().cause == "unknown_issuer"


def test_a_bad_signature_is_refused(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    helpers.register(platform, org, admin)
    auth = helpers.login_step(client, platform.prepare(sub="b-1", email="b@ecole.test"))
    message = platform.answer_auth(auth)
    head, body, signature = message["id_token"].split(".")
    forged = signature[:-6] + ("AAAAAA" if not signature.endswith("AAAAAA") else "BBBBBB")
    response = client.post(helpers.LAUNCH, {**message, "id_token": f"{head}.{body}.{forged}"})
    assert response.status_code == 400
    assert LtiLaunchLog.objects.get().cause == "bad_signature"


def test_a_key_set_that_cannot_be_fetched_gives_a_clear_error(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    helpers.register(platform, org, admin)
    platform.keyset_down = True
    response = helpers.launch(client, platform, sub="k-1", email="k@ecole.test")
    assert response.status_code == 400
    assert "clés publiques de la plateforme" in response.content.decode()
    assert LtiLaunchLog.objects.get().cause == "keyset_unavailable"


def test_a_missing_state_is_refused(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    helpers.register(platform, org, admin)
    auth = helpers.login_step(client, platform.prepare(sub="m-1", email="m@ecole.test"))
    message = platform.answer_auth(auth)
    response = Client().post(helpers.LAUNCH, {"id_token": message["id_token"]})
    assert response.status_code == 400
    assert LtiLaunchLog.objects.get().cause == "missing_state"


def test_a_disabled_registration_refuses_launches(
    client: Client, platform: Platform, org: Organisation, admin: User
) -> None:
    registration = helpers.register(platform, org, admin)
    registration.is_active = False
    registration.save()
    response = client.post(helpers.LOGIN, platform.prepare(sub="z", email="z@ecole.test"))
    assert response.status_code == 403


def test_a_target_of_another_organisation_is_refused(
    client: Client, platform: Platform, org: Organisation, admin: User, other_org: Organisation
) -> None:
    foreign = make_module(other_org, "HX-1")
    helpers.register(platform, org, admin)
    response = helpers.launch(
        client,
        platform,
        sub="f-1",
        email="f@ecole.test",
        custom={"parcours_type": "module", "parcours_id": str(foreign.pk)},
    )
    assert response.status_code == 400
    assert LtiLaunchLog.objects.get().cause == "bad_target"


@pytest.mark.parametrize(
    "data",
    [{}, {"state": "state-x", "id_token": "a.b.c"}, {"state": "s", "id_token": "%%%"}],
)
def test_garbage_launch_posts_get_a_400_page(client: Client, db: None, data: dict) -> None:
    response = client.post(helpers.LAUNCH, data)
    assert response.status_code == 400
    assert LtiLaunchLog.objects.get().outcome == "refused"
