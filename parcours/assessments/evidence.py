"""The credentials' evidence provider: a passed project the learner agreed to show."""

from __future__ import annotations

from django.urls import reverse

from parcours.assessments.models import Submission, SubmissionStatus
from parcours.credentials.documents import EvidenceItem
from parcours.lib.urls import absolute_url


def project_evidence(
    learner_ids: list[int], module_ids: list[int]
) -> dict[tuple[int, int], list[EvidenceItem]]:
    found: dict[tuple[int, int], list[EvidenceItem]] = {}
    rows = Submission.objects.filter(
        learner_id__in=learner_ids,
        module_id__in=module_ids,
        status=SubmissionStatus.PASSED,
        evidence_consent=True,
    ).select_related("module")
    for submission in rows:
        found.setdefault((submission.learner_id, submission.module_id), []).append(
            EvidenceItem(
                name=f"Projet — {submission.module.code} — {submission.module.title_fr}",
                description=(
                    f"Projet réussi, revu le {submission.reviewed_at:%d/%m/%Y}."
                    if submission.reviewed_at
                    else "Projet réussi."
                ),
                url=absolute_url(reverse("assessments:evidence", args=[submission.uuid])),
            )
        )
    return found
