"""End to end with the enrolment app: a learner attends a session (trainer's roll call), the
module is completed, the badge is issued with the session attended as evidence."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from parcours.accounts import actions as account_actions
from parcours.accounts.permissions import Actor
from parcours.credentials import verification
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import make_achievement, make_module
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days

pytestmark = pytest.mark.usefixtures("no_network")


def test_the_session_attended_is_the_evidence(
    coordinator, trainer, org, learner, django_capture_on_commit_callbacks
):
    module = make_module(org, "O2", "Éthique et regard critique", hours="13")
    make_achievement(coordinator, org, module=module)
    site = account_actions.create_site(
        organisation=org, name="Technofutur TIC Gosselies", city="Gosselies", actor=None
    )
    first_day = timezone.localdate() + dt.timedelta(days=5)
    session = enrolment.create_session(
        actor=Actor.of(coordinator),
        organisation=org,
        data=enrolment.SessionData(
            module_id=module.pk,
            code="O2-GOS-1",
            capacity=10,
            slots=full_days(first_day, first_day + dt.timedelta(days=1)),
            site_id=site.pk,
            trainer_ids=[trainer.pk],
        ),
    )
    session = enrolment.set_session_status(
        actor=Actor.of(coordinator), session=session, status=Session.Status.PUBLISHED
    )
    enrolment.enrol(actor=Actor.of(learner), session=session, learner=learner)
    slots = list(session.slots.order_by("start"))
    after = slots[-1].end + dt.timedelta(minutes=10)  # completion follows the end of the slots
    with django_capture_on_commit_callbacks(execute=True):
        for slot in slots:
            enrolment.record_roll_call(actor=Actor.of(trainer), slot=slot, now=after)
    credential = IssuedCredential.objects.get(learner=learner)
    (evidence,) = json.loads(credential.document)["evidence"]
    assert evidence["name"] == "O2 — Éthique et regard critique"
    assert evidence["description"].startswith("Session O2-GOS-1 suivie le ")
    assert f"{first_day:%d/%m/%Y}" in evidence["description"]
    assert "à Gosselies" in evidence["description"]
    assert evidence["id"].endswith("/catalogue/technofutur-tic/O2/#session-O2-GOS-1")
    assert verification.verify_input(credential.document).valid
