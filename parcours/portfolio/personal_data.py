"""The portfolio's part of a person's data export and erasure (called by ``privacy``)."""

from __future__ import annotations

from typing import Any

from parcours.accounts.models import User
from parcours.portfolio.models import PublicItem, ShareLink


def export(person: User) -> dict[str, Any]:
    """What the person made public and their share links (never a token: only hashes exist)."""
    return {
        "public_items": [
            {"kind": kind, "ref": ref}
            for kind, ref in PublicItem.objects.filter(person=person)
            .order_by("kind", "ref")
            .values_list("kind", "ref")
        ],
        "share_links": [
            {
                "created_at": link.created_at.isoformat(),
                "revoked_at": link.revoked_at.isoformat() if link.revoked_at else None,
            }
            for link in ShareLink.objects.filter(person=person).order_by("created_at")
        ],
    }


def erase(person: User) -> None:
    """Inside the erasure's transaction: the public choices and the links go (the shared page
    answers 404)."""
    PublicItem.objects.filter(person=person).delete()
    ShareLink.objects.filter(person=person).delete()
