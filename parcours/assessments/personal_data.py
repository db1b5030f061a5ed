"""The assessments' part of a person's data export and erasure (called by ``privacy``)."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction

from parcours.accounts.models import User
from parcours.assessments import uploads
from parcours.assessments.models import Submission


def export(person: User) -> list[dict[str, Any]]:
    """Every version of every project the person handed in, with its review (the files are
    named, not copied: the learner downloads them from their project page)."""
    rows = (
        Submission.objects.filter(learner=person)
        .select_related("module", "reviewer")
        .prefetch_related("criterion_results")
        .order_by("module_id", "version")
    )
    return [
        {
            "module": f"{s.module.code} — {s.module.title_fr}",
            "version": s.version,
            "text": s.text,
            "link": s.link,
            "file": s.file_name,
            "file_sha256": s.file_sha256,
            "evidence_consent": s.evidence_consent,
            "submitted_at": s.submitted_at.isoformat(),
            "status": s.status,
            "reviewed_at": s.reviewed_at.isoformat() if s.reviewed_at else None,
            "reviewer": s.reviewer.get_full_name() if s.reviewer else None,
            "feedback": s.feedback,
            "criteria": [
                {"criterion": r.criterion_text, "met": r.met, "comment": r.comment}
                for r in s.criterion_results.all()
            ],
        }
        for s in rows
    ]


def erase(person: User) -> int:
    """Inside the erasure's transaction: the person's projects (texts, links, reviews) are
    deleted, and their files once the transaction commits. Completions stay (anonymous counts
    of the reports). Returns the number of versions deleted."""
    rows = Submission.objects.filter(learner=person)
    names = [n for n in rows.values_list("stored_name", flat=True) if n]
    count = rows.count()
    rows.delete()
    if names:
        transaction.on_commit(partial(uploads.delete, names))
    return count
