"""The LTI part of a person's data export and erasure (called by ``privacy``)."""

from __future__ import annotations

from typing import Any

from parcours.accounts.models import User
from parcours.integrations.models import LtiLaunchLog, LtiPersonLink, LtiScore


def export(person: User) -> dict[str, Any]:
    """The LMS identities linked to the person, their launches and the scores sent."""
    return {
        "lms_accounts": [
            {
                "platform": link.registration.name,
                "issuer": link.registration.issuer,
                "lms_user_id": link.sub,
                "linked_at": link.created_at.isoformat(),
            }
            for link in LtiPersonLink.objects.filter(user=person)
            .select_related("registration")
            .order_by("pk")
        ],
        "launches": [
            {
                "at": log.created_at.isoformat(),
                "platform": log.registration.name if log.registration else log.issuer,
                "target": log.target,
            }
            for log in LtiLaunchLog.objects.filter(user=person)
            .select_related("registration")
            .order_by("pk")
        ],
        "scores": [
            {
                "module": score.line_item.module.title_fr,
                "course": str(score.line_item.context),
                "score": f"{score.score_given}/{score.score_maximum}",
                "state": score.state,
                "at": score.timestamp.isoformat(),
            }
            for score in LtiScore.objects.filter(user=person)
            .select_related("line_item__module", "line_item__context")
            .order_by("pk")
        ],
    }


def erase(person: User) -> int:
    """Inside the erasure's transaction: the links to LMS accounts and the scores go (a later
    launch from the LMS makes a new person), the launch log keeps the event without the person.
    Returns the links deleted."""
    deleted, _detail = LtiPersonLink.objects.filter(user=person).delete()
    LtiScore.objects.filter(user=person).delete()
    LtiLaunchLog.objects.filter(user=person).update(user=None)
    return deleted
