"""Real concurrent writers (threads, own connections), on SQLite and PostgreSQL: the same event
recorded at once by several receivers is one statement under one pseudonym; senders working on
the same outbox at once leave every statement stored once in the LRS."""

from __future__ import annotations

import pytest

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions as enrolment_actions
from parcours.integrations.models import LrsConfig, XapiPseudonym, XapiStatement
from parcours.integrations.xapi import outbox
from parcours.integrations.xapi.delivery import deliver
from parcours.integrations.xapi.tests.conftest import Lrs
from parcours.integrations.xapi.tests.test_delivery import configure

pytestmark = pytest.mark.django_db(transaction=True)


def test_eight_receivers_of_the_same_registration_store_one_statement(
    org: Organisation, learner: User, make_session, run_concurrently
) -> None:
    from conftest import make_person
    from parcours.accounts.models import Role

    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    configure(admin, org, "https://lrs.example.test/xAPI/", "k", "s", enabled=False)
    enrolment = enrolment_actions.enrol(
        actor=Actor.of(learner), session=make_session(), learner=learner
    )
    XapiStatement.objects.all().delete()
    XapiPseudonym.objects.all().delete()

    run = run_concurrently(outbox.record_enrolments, 8, "registered", [enrolment.pk])
    run.raise_first()

    assert XapiStatement.objects.filter(kind="registered").count() == 1
    assert XapiPseudonym.objects.filter(organisation=org, person=learner).count() == 1


def test_four_senders_at_once_store_every_statement_once(
    org: Organisation, make_session, make_learner, ralph: Lrs, run_concurrently
) -> None:
    from conftest import make_person
    from parcours.accounts.models import Role

    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    configure(admin, org, ralph.endpoint, ralph.username, ralph.password, enabled=False)
    session = make_session(capacity=30)
    for i in range(12):
        person = make_learner(i)
        enrolment_actions.enrol(actor=Actor.of(person), session=session, learner=person)
    LrsConfig.objects.filter(organisation=org).update(enabled=True)

    run = run_concurrently(deliver, 4, org.pk, batch_size=5)
    run.raise_first()

    rows = XapiStatement.objects.filter(organisation=org)
    assert set(rows.values_list("status", flat=True)) == {XapiStatement.Status.SENT}
    for row in rows:
        assert len(ralph.get(statementId=str(row.statement_id))) == 1
    registrations = {
        r["context"]["registration"]
        for r in ralph.get(verb="http://adlnet.gov/expapi/verbs/registered", limit=1000)
        if r["id"] in {str(x.statement_id) for x in rows}
    }
    assert len(registrations) == 12
