"""The credentials app's state machines, in one place (docs/credentials.md draws them and a
test checks the drawing against these mappings)."""

from __future__ import annotations

from collections.abc import Mapping

from django.db import models
from django.utils.translation import gettext_lazy as _


class AchievementStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    ACTIVE = "active", _("Actif")
    ARCHIVED = "archived", _("Archivé")


class CredentialStatus(models.TextChoices):
    ISSUED = "issued", _("Délivré")
    REVOKED = "revoked", _("Révoqué")


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    COMPLETED = "completed", _("Terminé")
    FAILED = "failed", _("Interrompu")


#: Achievement: only an active achievement is issued (automatically or by hand).
ACHIEVEMENT_TRANSITIONS: Mapping[str, frozenset[str]] = {
    AchievementStatus.DRAFT: frozenset({AchievementStatus.ACTIVE}),
    AchievementStatus.ACTIVE: frozenset({AchievementStatus.ARCHIVED}),
    AchievementStatus.ARCHIVED: frozenset({AchievementStatus.ACTIVE}),
}

#: Issued credential: revocation is final (a new credential cannot reuse the slot either).
CREDENTIAL_TRANSITIONS: Mapping[str, frozenset[str]] = {
    CredentialStatus.ISSUED: frozenset({CredentialStatus.REVOKED}),
    CredentialStatus.REVOKED: frozenset(),
}

#: Bulk issuance batch: a failed (or killed) batch is resumed by running it again; resuming
#: a batch still marked running is allowed too (its worker may have been killed).
BATCH_TRANSITIONS: Mapping[str, frozenset[str]] = {
    BatchStatus.PENDING: frozenset({BatchStatus.RUNNING}),
    BatchStatus.RUNNING: frozenset(
        {BatchStatus.RUNNING, BatchStatus.COMPLETED, BatchStatus.FAILED}
    ),
    BatchStatus.FAILED: frozenset({BatchStatus.RUNNING}),
    BatchStatus.COMPLETED: frozenset(),
}

MACHINES: Mapping[str, Mapping[str, frozenset[str]]] = {
    "Achievement": ACHIEVEMENT_TRANSITIONS,
    "IssuedCredential": CREDENTIAL_TRANSITIONS,
    "IssuanceBatch": BATCH_TRANSITIONS,
}


def can_transition(machine: Mapping[str, frozenset[str]], source: str, target: str) -> bool:
    return target in machine.get(source, frozenset())


def mermaid(name: str) -> str:
    """The state diagram of one machine in Mermaid syntax (as written in the docs)."""
    lines = ["stateDiagram-v2"]
    for source, targets in MACHINES[name].items():
        lines.extend(f"    {source} --> {target}" for target in sorted(targets))
    return "\n".join(lines)
