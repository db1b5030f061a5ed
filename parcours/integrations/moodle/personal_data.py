"""The Moodle part's share of a person's data export and erasure (called by ``privacy``): the
explicit links between Moodle users and the person, and the sync log's unmatched users who had
the person's address."""

from __future__ import annotations

from typing import Any

from parcours.accounts.models import User
from parcours.integrations.models import MoodleUnmatchedUser, MoodleUserLink


def export(person: User) -> dict[str, list[dict[str, Any]]]:
    links = MoodleUserLink.objects.filter(person=person).select_related("site").order_by("pk")
    unmatched = (
        MoodleUnmatchedUser.objects.filter(email__iexact=person.email)
        .select_related("course__run")
        .order_by("pk")[:1000]
        if person.email
        else []
    )
    return {
        "moodle_accounts": [
            {
                "site": link.site.name,
                "moodle_user_id": link.moodle_user_id,
                "linked_at": link.created_at.isoformat(),
            }
            for link in links
        ],
        "moodle_unmatched": [
            {
                "site": row.course.site_name,
                "course": row.course.course_id,
                "sync_started_at": row.course.run.started_at.isoformat(),
                "moodle_user_id": row.moodle_user_id,
                "fullname": row.fullname,
                "email": row.email,
                "reason": row.reason,
            }
            for row in unmatched
        ],
    }


def erase(person: User, old_email: str) -> int:
    """Inside the erasure's transaction: the person's Moodle links and the log's rows with
    their address are deleted. Returns the rows deleted."""
    deleted, _detail = MoodleUserLink.objects.filter(person=person).delete()
    if old_email:
        more, _detail = MoodleUnmatchedUser.objects.filter(email__iexact=old_email).delete()
        deleted += more
    return deleted
