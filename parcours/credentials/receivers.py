"""Issue credentials when learners earn them (connected in apps.CredentialsConfig.ready).

- ``pathways.signals.completions_recorded`` (sent once per batch of new completions, after
  commit, by ``record_completion`` and ``record_completions``; a roll call is one batch): for
  each (learner, pathway) newly completed, one ``issue_credential_task`` per active achievement
  linked to that pathway; for each (learner, module) newly completed, one per active
  achievement linked to that single module. One query for the whole batch.
- ``pathways.signals.completion_withdrawn`` (sent after commit by ``withdraw_completion``):
  when the coordinator chose to revoke the badges, every badge the learner holds for an
  achievement linked to the module, or to a pathway they no longer complete, is revoked with
  the withdrawal's reason through ``revoke_credential`` (status list republished, audited).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import receiver

from parcours.accounts.permissions import Actor
from parcours.credentials.models import Achievement, SigningKey, StatusList
from parcours.pathways.signals import completion_withdrawn, completions_recorded


def _enqueue(achievement_id: int, learner_id: int) -> None:
    from parcours.credentials.tasks import issue_credential_task

    issue_credential_task.enqueue(achievement_id, learner_id)


@receiver(completions_recorded, dispatch_uid="credentials.completions_recorded")
def on_completions_recorded(
    sender: Any,
    *,
    modules: list[tuple[int, int]],
    pathways: list[tuple[int, int]],
    **kwargs: Any,
) -> None:
    module_ids = {module_id for _learner, module_id in modules}
    pathway_ids = {pathway_id for _learner, pathway_id in pathways}
    by_module: dict[int, list[int]] = {}
    by_pathway: dict[int, list[int]] = {}
    linked = (
        Achievement.objects.active()
        .filter(Q(module_id__in=module_ids) | Q(pathway_id__in=pathway_ids))
        .order_by("pk")
        .values_list("pk", "module_id", "pathway_id")
    )
    for achievement_id, module_id, pathway_id in linked:
        if module_id in module_ids:
            by_module.setdefault(module_id, []).append(achievement_id)
        if pathway_id in pathway_ids:
            by_pathway.setdefault(pathway_id, []).append(achievement_id)
    for learner_id, pathway_id in pathways:
        for achievement_id in by_pathway.get(pathway_id, []):
            transaction.on_commit(partial(_enqueue, achievement_id, learner_id))
    for learner_id, module_id in modules:
        for achievement_id in by_module.get(module_id, []):
            transaction.on_commit(partial(_enqueue, achievement_id, learner_id))


@receiver(completion_withdrawn, dispatch_uid="credentials.completion_withdrawn")
def on_completion_withdrawn(
    sender: Any,
    *,
    learner_id: int,
    module_id: int,
    pathway_ids: list[int],
    revoke_credentials: bool,
    reason: str,
    actor: Actor,
    **kwargs: Any,
) -> None:
    if revoke_credentials:
        from parcours.credentials.actions import revoke_earned_by

        revoke_earned_by(
            actor=actor,
            learner_id=learner_id,
            module_id=module_id,
            pathway_ids=pathway_ids,
            reason=reason,
        )


@receiver(post_save, sender=SigningKey, dispatch_uid="credentials.key_saved")
@receiver(post_save, sender=StatusList, dispatch_uid="credentials.list_saved")
def on_key_or_list_saved(sender: Any, **kwargs: Any) -> None:
    from parcours.credentials.verification import clear_caches

    clear_caches()
