"""Recognition of prior learning: a coordinator records a completion with a reason; withdrawing
one is audited too; both go through the one completion action (its signals)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parcours.accounts.models import AuditEntry
from parcours.accounts.permissions import Actor
from parcours.pathways import actions
from parcours.pathways.models import Completion
from parcours.pathways.signals import module_completed


def test_coordinator_records_prior_learning_with_a_reason(
    coordinator, learner, ai_modules, django_capture_on_commit_callbacks
):
    seen: list[int] = []

    def listener(sender, **kwargs):
        seen.append(kwargs["module_id"])

    module_completed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = actions.record_prior_learning(
                actor=Actor.of(coordinator),
                learner=learner,
                module=ai_modules["O1"],
                reason="Formation équivalente suivie à l'université",
            )
    finally:
        module_completed.disconnect(listener)
    assert result.completion.source == Completion.Source.RECOGNITION
    assert seen == [ai_modules["O1"].pk]
    entry = AuditEntry.objects.get(action="completion.record")
    assert entry.changes["reason"] == "Formation équivalente suivie à l'université"
    assert entry.actor == coordinator


def test_prior_learning_needs_reason_role_and_membership(
    coordinator, trainer, learner, outsider, ai_modules
):
    module = ai_modules["O1"]
    with pytest.raises(ValidationError) as exc:
        actions.record_prior_learning(
            actor=Actor.of(coordinator), learner=learner, module=module, reason="  "
        )
    assert "reason" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.record_prior_learning(
            actor=Actor.of(trainer), learner=learner, module=module, reason="RAF"
        )
    with pytest.raises(ValidationError) as exc:
        actions.record_prior_learning(
            actor=Actor.of(coordinator), learner=outsider, module=module, reason="RAF"
        )
    assert "learner" in exc.value.message_dict
    assert not Completion.objects.exists()


def test_withdrawal_is_audited_and_progress_goes_back(coordinator, trainer, learner, ai_modules):
    completion = actions.record_completion(learner=learner, module=ai_modules["O1"]).completion
    with pytest.raises(PermissionDenied):
        actions.withdraw_completion(actor=Actor.of(trainer), completion=completion, reason="x")
    with pytest.raises(ValidationError):
        actions.withdraw_completion(actor=Actor.of(coordinator), completion=completion, reason="")
    actions.withdraw_completion(
        actor=Actor.of(coordinator), completion=completion, reason="Encodée par erreur"
    )
    assert not Completion.objects.exists()
    entry = AuditEntry.objects.get(action="completion.withdraw")
    assert entry.changes["reason"] == "Encodée par erreur"
    assert entry.changes["learner"] == learner.pk
