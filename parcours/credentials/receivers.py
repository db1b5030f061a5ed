"""Issue credentials when learners earn them (connected in apps.CredentialsConfig.ready).

- ``pathways.signals.pathway_completed`` (sent once per learner and pathway, after commit)
  → one ``issue_credential_task`` per active achievement linked to that pathway.
- ``pathways.signals.module_completed`` (sent once per new completion, after commit, by
  ``record_completion`` and ``record_completions``) → one ``issue_credential_task`` per active
  achievement linked to that single module.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from parcours.credentials.models import Achievement, SigningKey, StatusList
from parcours.pathways.signals import module_completed, pathway_completed


def _enqueue(achievement_id: int, learner_id: int) -> None:
    from parcours.credentials.tasks import issue_credential_task

    issue_credential_task.enqueue(achievement_id, learner_id)


@receiver(pathway_completed, dispatch_uid="credentials.pathway_completed")
def on_pathway_completed(sender: Any, *, learner_id: int, pathway_id: int, **kwargs: Any) -> None:
    for achievement_id in Achievement.objects.for_pathway(pathway_id).values_list("pk", flat=True):
        transaction.on_commit(partial(_enqueue, achievement_id, learner_id))


@receiver(module_completed, dispatch_uid="credentials.module_completed")
def on_module_completed(sender: Any, *, learner_id: int, module_id: int, **kwargs: Any) -> None:
    for achievement_id in Achievement.objects.for_module(module_id).values_list("pk", flat=True):
        transaction.on_commit(partial(_enqueue, achievement_id, learner_id))


@receiver(post_save, sender=SigningKey, dispatch_uid="credentials.key_saved")
@receiver(post_save, sender=StatusList, dispatch_uid="credentials.list_saved")
def on_key_or_list_saved(sender: Any, **kwargs: Any) -> None:
    from parcours.credentials.verification import clear_caches

    clear_caches()
