"""The integrations' part of a person's data export and erasure (called by ``privacy``).

xAPI: the person's pseudonym in each organisation's statements, and the statements about them
still in Parcours' outbox. Erasure deletes both: statements not yet sent are never sent, and
the pseudonym no longer leads back to anyone. Statements already stored in an organisation's
LRS are outside Parcours: the export gives the pseudonym the organisation needs to find them.
"""

from __future__ import annotations

import json
from typing import Any

from parcours.accounts.models import User
from parcours.integrations.models import XapiPseudonym, XapiStatement


def export(person: User) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pseudonyms = XapiPseudonym.objects.filter(person=person).select_related("organisation")
    for pseudonym in pseudonyms.order_by("pk"):
        rows = XapiStatement.objects.filter(
            organisation_id=pseudonym.organisation_id, person=person
        ).order_by("pk")
        out.append(
            {
                "organisation": pseudonym.organisation.name,
                "xapi_actor_name": str(pseudonym.name),
                "statements": [
                    {
                        "kind": row.kind,
                        "status": row.status,
                        "created_at": row.created_at.isoformat(),
                        "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                        "statement": json.loads(row.payload),
                    }
                    for row in rows
                ],
            }
        )
    return out


def erase(person: User) -> int:
    """Inside the erasure's transaction. Returns the statements deleted."""
    deleted, _detail = XapiStatement.objects.filter(person=person).delete()
    XapiPseudonym.objects.filter(person=person).delete()
    return deleted
