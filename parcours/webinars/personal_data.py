"""The webinars' part of a person's data export and erasure (called by ``privacy``)."""

from __future__ import annotations

from typing import Any

from parcours.accounts.models import User
from parcours.webinars.models import ParticipantMinutes, ReplayView, ReportUpload


def export(person: User) -> dict[str, list[dict[str, Any]]]:
    """The minutes imported for the person (with their connection intervals) and the replay
    viewings counted for them."""
    minutes = (
        ParticipantMinutes.objects.filter(learner=person)
        .select_related("webinar__session__module", "webinar__organisation")
        .order_by("pk")
    )
    views = ReplayView.objects.filter(viewer=person).select_related("replay").order_by("pk")
    return {
        "webinar_attendance": [
            {
                "organisation": m.webinar.organisation.name,
                "session": m.webinar.session.code,
                "module": m.webinar.session.module.title,
                "minutes": m.minutes,
                "present": m.present,
                "intervals": m.intervals,
            }
            for m in minutes
        ],
        "replay_views": [
            {
                "replay": v.replay.title,
                "date": v.viewed_on.isoformat(),
                "seconds": v.seconds,
                "source": v.source,
            }
            for v in views
        ],
    }


def erase(person: User) -> int:
    """Inside the erasure's transaction: the connection times are cleared (the minutes and the
    presence stay, anonymous counts of the reports on the pseudonymous account), the replay
    viewings are detached from the person, their pending uploads deleted. Returns the rows
    changed."""
    changed = ParticipantMinutes.objects.filter(learner=person).update(intervals=[])
    changed += ReplayView.objects.filter(viewer=person).update(viewer=None)
    deleted, _detail = ReportUpload.objects.filter(uploaded_by=person).delete()
    return changed + deleted
