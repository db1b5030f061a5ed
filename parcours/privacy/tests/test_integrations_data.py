"""A person's xAPI data (integrations.personal_data) in their export, and gone with their
erasure."""

from __future__ import annotations

import pytest

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions as enrolment_actions

# Sessions and learners as the enrolment tests build them.
from parcours.enrolment.tests.conftest import make_session, module, site  # noqa: F401
from parcours.integrations.models import XapiPseudonym, XapiStatement
from parcours.integrations.xapi import actions
from parcours.privacy import actions as privacy_actions
from parcours.privacy import export

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_gives_the_pseudonym_and_erasure_removes_the_statements(
    org: Organisation,
    learner: User,
    make_session,  # noqa: F811 - the fixture imported above
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "ada@technofutur.test", "Ada", "Admin")
    actions.save_config(
        actor=Actor.of(admin),
        organisation=org,
        data=actions.LrsData(endpoint="https://lrs.example.test/xAPI/", key="k", secret="s"),
    )
    enrolment_actions.enrol(actor=Actor.of(learner), session=make_session(), learner=learner)
    pseudonym = XapiPseudonym.objects.get(person=learner)

    (entry,) = export.collect(learner)["xapi"]
    assert entry["xapi_actor_name"] == str(pseudonym.name)
    (statement,) = entry["statements"]
    assert statement["status"] == "pending"
    assert statement["statement"]["actor"]["account"]["name"] == str(pseudonym.name)

    privacy_actions.erase_person(actor=Actor.of(learner), person=learner, reason="self")
    assert not XapiStatement.objects.filter(person=learner).exists()
    assert not XapiPseudonym.objects.filter(person=learner).exists()
    assert not XapiStatement.objects.exists()
