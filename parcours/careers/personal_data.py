"""The career follow-up's part of a person's data export and erasure (called by ``privacy``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parcours.accounts.models import User
from parcours.careers.models import CareerFile, FollowUp, Outcome, OutcomeSurvey


def _when(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def export(person: User) -> list[dict[str, Any]]:
    """Every career file about the person, with its log (notes included: they are about the
    person), its outcomes and its surveys (never their tokens)."""
    out: list[dict[str, Any]] = []
    files = CareerFile.objects.filter(person=person).select_related("organisation", "manager")
    for file in files.order_by("pk"):
        out.append(
            {
                "organisation": file.organisation.name,
                "career_manager": file.manager.get_full_name() if file.manager else None,
                "training_start": _when(file.training_start),
                "training_end": _when(file.training_end),
                "opened_at": _when(file.opened_at),
                "closed_at": _when(file.closed_at),
                "followups": [
                    {
                        "kind": f.kind,
                        "date": _when(f.happened_on),
                        "note": f.note,
                        "next_action": f.next_action,
                        "next_due": _when(f.next_due),
                        "done_at": _when(f.done_at),
                    }
                    for f in FollowUp.objects.filter(file=file).order_by("happened_on", "pk")
                ],
                "outcomes": [
                    {
                        "milestone": o.milestone,
                        "status": o.status,
                        "contract": o.contract,
                        "note": o.note,
                        "source": o.source,
                        "recorded_at": _when(o.recorded_at),
                    }
                    for o in Outcome.objects.filter(file=file).order_by("milestone")
                ],
                "surveys": [
                    {
                        "sent_at": _when(s.sent_at),
                        "expires_at": _when(s.expires_at),
                        "answered_at": _when(s.answered_at),
                    }
                    for s in OutcomeSurvey.objects.filter(file=file).order_by("created_at")
                ],
            }
        )
    return out


def erase(person: User) -> int:
    """Inside the erasure's transaction: the follow-up log and the surveys about the person are
    deleted, the outcomes' free texts cleared; the outcomes' situations stay (anonymous counts
    of the reports, attached to the pseudonymous account). Returns the log entries deleted."""
    files = CareerFile.objects.filter(person=person)
    deleted, _detail = FollowUp.objects.filter(file__in=files).delete()
    OutcomeSurvey.objects.filter(file__in=files).delete()
    Outcome.objects.filter(file__in=files).exclude(note="").update(note="")
    files.update(manager=None)
    return deleted
