"""Withdrawing a completion: the coordinator's choice revokes the badges it earned (the
module's, and the pathways' the learner no longer completes), through ``revoke_credential``."""

from __future__ import annotations

import json

import pytest

from parcours.accounts.models import AuditEntry
from parcours.accounts.permissions import Actor
from parcours.credentials.core import statuslist
from parcours.credentials.models import IssuedCredential, StatusList
from parcours.credentials.states import CredentialStatus
from parcours.credentials.tests.conftest import complete, make_achievement
from parcours.pathways import actions as pathway_actions
from parcours.pathways.models import Completion
from parcours.pathways.signals import completion_withdrawn

pytestmark = pytest.mark.usefixtures("no_network")

EARNING = ("M1A", "O1", "O3", "CLOT")


@pytest.fixture
def earned(coordinator, org, learner, ai_modules, ai_badge, django_capture_on_commit_callbacks):
    """The learner holds the pathway's badge and the O3 module's badge."""
    module_badge = make_achievement(coordinator, org, module=ai_modules["O3"])
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, *EARNING)
    assert IssuedCredential.objects.filter(learner=learner).count() == 2
    return {"pathway": ai_badge, "module": module_badge}


def withdraw(learner, module, coordinator, capture, *, revoke: bool, reason="Erreur d'encodage"):
    completion = Completion.objects.get(learner=learner, module=module)
    with capture(execute=True):
        return pathway_actions.withdraw_completion(
            actor=Actor.of(coordinator),
            completion=completion,
            reason=reason,
            revoke_credentials=revoke,
        )


def published_bit(credential: IssuedCredential) -> bool:
    document = json.loads(StatusList.objects.get(pk=credential.status_list_id).document)
    return statuslist.get_bit(
        statuslist.decode(document["credentialSubject"]["encodedList"]), credential.status_index
    )


def test_withdrawing_a_required_module_revokes_its_badge_and_the_pathway_badge(
    coordinator, learner, ai_modules, ai_pathway, earned, django_capture_on_commit_callbacks
):
    lost = withdraw(
        learner, ai_modules["O3"], coordinator, django_capture_on_commit_callbacks, revoke=True
    )
    assert lost == [ai_pathway]
    credentials = list(IssuedCredential.objects.filter(learner=learner))
    assert {c.status for c in credentials} == {CredentialStatus.REVOKED}
    for credential in credentials:
        assert "Erreur d'encodage" in credential.revocation_reason
        assert credential.revoked_by == coordinator
        assert published_bit(credential)
    assert AuditEntry.objects.filter(action="credentials.revoke").count() == 2


def test_a_pathway_still_completed_keeps_its_badge(
    coordinator,
    learner,
    ai_modules,
    ai_pathway,
    earned,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O2")  # "2 parmi" still holds without O3
    lost = withdraw(
        learner, ai_modules["O3"], coordinator, django_capture_on_commit_callbacks, revoke=True
    )
    assert lost == []
    module_badge = IssuedCredential.objects.get(learner=learner, achievement=earned["module"])
    pathway_badge = IssuedCredential.objects.get(learner=learner, achievement=earned["pathway"])
    assert module_badge.status == CredentialStatus.REVOKED
    assert pathway_badge.status == CredentialStatus.ISSUED
    assert not published_bit(pathway_badge)


def test_without_the_choice_badges_stay(
    coordinator, learner, ai_modules, earned, django_capture_on_commit_callbacks
):
    withdraw(
        learner, ai_modules["O3"], coordinator, django_capture_on_commit_callbacks, revoke=False
    )
    assert not Completion.objects.filter(learner=learner, module=ai_modules["O3"]).exists()
    assert set(IssuedCredential.objects.values_list("status", flat=True)) == {"issued"}
    entry = AuditEntry.objects.get(action="completion.withdraw")
    assert entry.changes["revoke_credentials"] is False


def test_other_learners_badges_are_untouched(
    coordinator,
    learner,
    ai_modules,
    earned,
    make_learners,
    django_capture_on_commit_callbacks,
):
    (other,) = make_learners(1)
    with django_capture_on_commit_callbacks(execute=True):
        complete(other, ai_modules, *EARNING)
    withdraw(
        learner, ai_modules["O3"], coordinator, django_capture_on_commit_callbacks, revoke=True
    )
    assert set(IssuedCredential.objects.filter(learner=other).values_list("status", flat=True)) == {
        "issued"
    }


def test_the_signal_is_sent_after_commit_with_the_lost_pathways(
    coordinator, learner, ai_modules, ai_pathway, earned, django_capture_on_commit_callbacks
):
    received: list[dict[str, object]] = []

    def listen(sender: object, **kwargs: object) -> None:
        received.append(kwargs)

    completion_withdrawn.connect(listen)
    try:
        completion = Completion.objects.get(learner=learner, module=ai_modules["CLOT"])
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            pathway_actions.withdraw_completion(
                actor=Actor.of(coordinator), completion=completion, reason="Doublon"
            )
        assert received == []  # nothing before commit
        for callback in callbacks:
            callback()
    finally:
        completion_withdrawn.disconnect(listen)
    (kwargs,) = received
    assert kwargs["learner_id"] == learner.pk
    assert kwargs["module_id"] == ai_modules["CLOT"].pk
    assert kwargs["pathway_ids"] == [ai_pathway.pk]
    assert kwargs["revoke_credentials"] is False
    assert kwargs["reason"] == "Doublon"
