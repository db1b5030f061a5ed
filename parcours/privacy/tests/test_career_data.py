"""The career follow-up in a person's export and erasure."""

from __future__ import annotations

import datetime as dt

from conftest import make_person
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.careers import actions as careers
from parcours.careers.models import FollowUp, Outcome
from parcours.privacy import actions
from parcours.privacy.export import collect


def _followed(org, coordinator, learner):
    manager = make_person(org, Role.CAREER_MANAGER, "carla@technofutur.test", "Carla", "D")
    file = careers.assign(
        actor=Actor.of(coordinator), organisation=org, person=learner, manager=manager
    )
    careers.log_followup(
        actor=Actor.of(manager),
        file=file,
        kind=FollowUp.Kind.MEETING,
        happened_on=dt.date(2026, 2, 3),
        note="Souhaite travailler dans le support IT à Mons.",
    )
    careers.record_outcome(
        actor=Actor.of(manager),
        file=file,
        milestone="m6",
        status="employed",
        contract="permanent",
        note="Helpdesk chez un intégrateur",
    )
    return file


def test_the_export_holds_the_career_file(org, coordinator, learner) -> None:
    _followed(org, coordinator, learner)
    data = collect(learner)
    [file] = data["career_follow_up"]
    assert file["followups"][0]["note"] == "Souhaite travailler dans le support IT à Mons."
    assert file["outcomes"][0]["status"] == "employed"


def test_erasure_deletes_the_log_and_keeps_the_anonymous_outcome(org, coordinator, learner) -> None:
    file = _followed(org, coordinator, learner)
    actions.erase_person(actor=Actor.of(learner), person=learner, reason=actions.Reason.SELF)
    assert not FollowUp.objects.filter(file=file).exists()
    outcome = Outcome.objects.get(file=file)
    assert (outcome.status, outcome.note) == ("employed", "")
