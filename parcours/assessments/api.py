"""Assessments API: projects waiting for review (for the module's trainers and coordinators),
and the caller's own projects. Files are never in the API: their pages serve them."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.permissions import Actor
from parcours.assessments import permissions
from parcours.assessments.models import Submission, SubmissionStatus

router = Router(tags=["assessments"])
MAX_ROWS = 200


class SubmissionOut(Schema):
    id: int
    module_code: str
    learner_name: str
    version: int
    status: str
    submitted_at: dt.datetime
    reviewed_at: dt.datetime | None
    has_file: bool
    link: str
    feedback: str


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _out(s: Submission) -> SubmissionOut:
    return SubmissionOut(
        id=s.pk,
        module_code=s.module.code,
        learner_name=s.learner.get_full_name() or s.learner.email,
        version=s.version,
        status=s.status,
        submitted_at=s.submitted_at,
        reviewed_at=s.reviewed_at,
        has_file=bool(s.stored_name),
        link=s.link,
        feedback=s.feedback,
    )


@router.get(
    "/assessments/submissions",
    response=list[SubmissionOut],
    auth=token_auth,
    summary="Projets à revoir (formateurs du module et coordinateurs)",
)
def submissions(
    request: HttpRequest,
    status: SubmissionStatus = SubmissionStatus.SUBMITTED,
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[SubmissionOut]:
    actor = _actor(request)
    if not actor.orgs_with_role(*permissions.COORDINATORS) and not (
        permissions.trained_module_ids(actor.user)
    ):
        raise HttpError(403, "Réservé aux formateurs et aux coordinateurs.")
    rows = (
        Submission.objects.filter(permissions.reviewable_modules(actor), status=status)
        .select_related("module", "learner")
        .order_by("submitted_at", "pk")[offset : offset + limit]
    )
    return [_out(s) for s in rows]


@router.get(
    "/assessments/mine",
    response=list[SubmissionOut],
    auth=token_auth,
    summary="Mes projets remis (toutes les versions)",
)
def mine(request: HttpRequest) -> list[SubmissionOut]:
    rows = (
        Submission.objects.filter(learner_id=request.user.pk)
        .select_related("module", "learner")
        .order_by("module_id", "version")[:MAX_ROWS]
    )
    return [_out(s) for s in rows]
