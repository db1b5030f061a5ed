"""The one way to write the audit log. Actions call ``record`` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from parcours.accounts.models import AuditEntry, Organisation, User


def record(
    action: str,
    *,
    actor: User | None,
    organisation: Organisation | None = None,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    entry = AuditEntry(
        action=action,
        actor=actor if actor is not None and actor.is_authenticated else None,
        organisation=organisation,
        changes=changes or {},
    )
    if obj is not None:
        entry.object_type = obj._meta.label_lower
        entry.object_id = str(obj.pk)
        entry.object_repr = str(obj)[:300]
    entry.save()
    return entry
