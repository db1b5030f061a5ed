"""What the candidates actions share: roles, limits, refusals, the audit of many rows at once,
the lock on a call's applications, e-mails queued after commit."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from parcours.accounts.models import AuditEntry, Role
from parcours.accounts.permissions import Actor, require_role
from parcours.candidates.models import (
    Application,
    Call,
    Stage,
)

MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.CAREER_MANAGER)
MAX_BATCH = 2000
MAX_TEXT = 5000
REAPPLY_SALT = "parcours.candidates.reapply"
REAPPLY_MAX_AGE = 60 * 60 * 24 * 180  # seconds: the invitation to re-apply lasts six months

DEFAULT_STAGES: tuple[tuple[str, str], ...] = (
    (gettext_noop("Réception"), ""),
    (gettext_noop("Séance d'information"), Stage.Milestone.INFORMATION),
    (gettext_noop("Tests"), Stage.Milestone.TESTS),
    (gettext_noop("Entretien"), Stage.Milestone.INTERVIEW),
    (gettext_noop("Décision"), Stage.Milestone.DECISION),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def _plain(text: str, limit: int, label: str) -> str:
    text = (text or "").strip()
    if _CONTROL.search(text):
        raise _refuse(_("Caractère invalide dans « %(f)s ».") % {"f": label}, "invalid")
    if len(text) > limit:
        raise _refuse(
            _("« %(f)s » compte %(n)s caractères au plus.") % {"f": label, "n": limit}, "invalid"
        )
    return text


def _queue(message_ids: list[int]) -> None:
    if not message_ids:
        return

    def enqueue() -> None:
        from parcours.candidates import tasks

        tasks.send_messages.enqueue(message_ids)

    transaction.on_commit(enqueue)


# --- Reading -----------------------------------------------------------------------------------


def require_reader(actor: Actor, call: Call) -> None:
    require_role(actor, call.organisation_id, READERS)


def manages(actor: Actor, organisation_id: int) -> bool:
    """Whether the actor may change the organisation's calls (stages, decisions…), not only
    read them as career managers do."""
    return actor.is_platform_admin or actor.has_role(organisation_id, *MANAGERS)


def _bulk_audit(
    action: str,
    actor: Actor,
    organisation_id: int,
    applications: Sequence[Application],
    changes: dict[str, Any],
) -> None:
    now = timezone.now()
    AuditEntry.objects.bulk_create(
        AuditEntry(
            at=now,
            action=action,
            actor=actor.user,
            organisation_id=organisation_id,
            object_type="candidates.application",
            object_id=str(a.pk),
            object_repr=str(a)[:300],
            changes=changes,
        )
        for a in applications
    )


def _locked(call: Call, ids: Iterable[int]) -> list[Application]:
    wanted = sorted(set(ids))
    if not wanted:
        raise _refuse(_("Choisissez au moins une candidature."), "invalid")
    if len(wanted) > MAX_BATCH:
        raise _refuse(_("%(n)s candidatures au plus à la fois.") % {"n": MAX_BATCH}, "invalid")
    rows = list(
        Application.objects.select_for_update()
        .filter(call=call, pk__in=wanted, purged_at=None)
        .order_by("pk")
    )
    if len(rows) != len(wanted):
        raise _refuse(_("Une des candidatures n'appartient pas à cet appel."), "invalid")
    return rows


def permission_denied() -> PermissionDenied:
    return PermissionDenied(_("Vous n'avez pas le rôle requis dans cette organisation."))


def staff_calls(actor: Actor) -> Q:
    """Calls whose candidates the actor may see."""
    if actor.is_platform_admin:
        return Q()
    return Q(organisation_id__in=actor.orgs_with_role(*READERS))
