"""The administrator's xAPI page: configuration, connection test, queue, retry; others refused."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.xapi import actions

URL = "/integrations/xapi/"
S = XapiStatement.Status


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")


def failed_statement(org: Organisation, n: int = 1) -> XapiStatement:
    import uuid

    return XapiStatement.objects.create(
        organisation=org,
        statement_id=uuid.uuid4(),
        kind=XapiStatement.Kind.REGISTERED,
        payload="{}",
        status=S.FAILED,
        attempts=n,
        last_status=400,
        last_error="HTTP 400 : statement invalide",
    )


def test_the_administrator_configures_the_lrs_and_never_sees_the_secret_again(
    admin: User, org: Organisation, as_user
) -> None:
    client: Client = as_user(admin)
    assert client.get(URL).status_code == 200
    response = client.post(
        URL,
        {"endpoint": "https://lrs.example.test/xAPI/", "key": "parcours", "secret": "s3cr3t!"},
    )
    assert response.status_code == 302
    config = LrsConfig.objects.get(organisation=org)
    assert (config.endpoint, config.key, config.enabled) == (
        "https://lrs.example.test/xAPI/",
        "parcours",
        False,
    )
    page = client.get(URL).content.decode()
    assert "s3cr3t!" not in page
    assert config.sealed_secret not in page
    assert "Un secret est enregistré (chiffré)." in page
    assert "Envoi désactivé" in page


def test_bad_input_is_refused_in_place_and_nothing_is_saved(
    admin: User, org: Organisation, as_user
) -> None:
    response = as_user(admin).post(
        URL, {"endpoint": "ftp://lrs.example.test/", "key": "a:b", "secret": ""}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Rien n'a été enregistré" in page
    assert "Indiquez le secret" in page
    assert not LrsConfig.objects.exists()


def test_failures_are_listed_with_their_cause_and_can_be_retried(
    admin: User, org: Organisation, other_org: Organisation, as_user
) -> None:
    mine = failed_statement(org)
    theirs = failed_statement(other_org)
    client = as_user(admin)
    page = client.get(URL).content.decode()
    assert "HTTP 400 : statement invalide" in page
    assert 'data-testid="count-failed">1<' in page

    response = client.post(URL + "relancer/", {"statement": str(theirs.pk)})
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == S.FAILED  # another organisation's: untouched

    client.post(URL + "relancer/", {"statement": str(mine.pk)})
    mine.refresh_from_db()
    assert (mine.status, mine.attempts, mine.last_error) == (S.PENDING, 0, "")

    assert client.post(URL + "relancer/", {"statement": "9" * 30}).status_code == 302


def test_the_connection_test_reports_an_lrs_that_does_not_answer(
    admin: User, org: Organisation, as_user
) -> None:
    from scripts.ralph_lrs import free_port

    actions.save_config(
        actor=Actor.of(admin),
        organisation=org,
        data=actions.LrsData(endpoint=f"http://127.0.0.1:{free_port()}/xAPI/", key="k", secret="s"),
    )
    client = as_user(admin)
    response = client.post(URL + "tester/", follow=True)
    assert "Le LRS ne répond pas" in response.content.decode()
    config = LrsConfig.objects.get(organisation=org)
    assert config.check_ok is False


def test_the_card_on_the_integrations_page(admin: User, org: Organisation, as_user) -> None:
    failed_statement(org)
    LrsConfig.objects.create(organisation=org, endpoint="https://lrs.example.test/xAPI/", key="k")
    page = as_user(admin).get("/integrations/").content.decode()
    assert "Traces xAPI (LRS)" in page
    assert "LRS désactivé ; 1 trace(s) en échec." in page


def test_other_staff_and_other_organisations_are_refused(
    coordinator: User, trainer: User, outsider: User, as_user, org: Organisation
) -> None:
    for person in (coordinator, trainer):
        client = as_user(person)
        assert client.get(URL).status_code == 403
        assert client.post(URL + "relancer/").status_code == 403
        assert client.post(URL, {"endpoint": "https://x.test/", "key": "k"}).status_code == 403
    with pytest.raises(Exception, match="rôle"):
        actions.retry_failed(actor=Actor.of(outsider), organisation=org)
