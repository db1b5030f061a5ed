"""Moodle API, for the organisation's coordinators and administrators: the sync log (counts and
errors; the unmatched users' names and addresses stay on the pages) and "sync now"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from parcours.accounts.api import token_auth
from parcours.accounts.api_scope import chosen_organisation
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.integrations.models import MoodleSite, MoodleSyncCourse, MoodleSyncRun
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.client import describe_logged
from parcours.lib.ids import MAX_ID

router = Router(tags=["integrations"])
MAX_ROWS = 100


class SyncCourseOut(Schema):
    module: str
    site: str
    course_id: int
    resumed_from: int
    read: int
    matched: int
    recorded: int
    already: int
    pending: int
    unmatched: int
    finished: bool
    error_code: str
    error: str


class SyncRunOut(Schema):
    id: int
    started_at: str
    ended_at: str | None
    status: str
    started_by: str | None  # the person's e-mail; None for the planned sync
    courses: list[SyncCourseOut]


class SyncRequestOut(Schema):
    queued: bool


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _organisation(request: HttpRequest, slug: str | None) -> tuple[Actor, Organisation]:
    """The organisation asked (by slug) among those the caller coordinates; the only one when
    there is one. 403 when none; 404 for another."""
    actor = _actor(request)
    if actor.is_platform_admin:
        ids = list(Organisation.objects.values_list("pk", flat=True))
    else:
        ids = actor.orgs_with_role(*actions.LINKERS)
    if not ids:
        raise HttpError(403, "Réservé aux coordinateurs et administrateurs.")
    return actor, chosen_organisation(ids, slug)


def _course(course: MoodleSyncCourse) -> dict[str, Any]:
    return {
        "module": course.module_label,
        "site": course.site_name,
        "course_id": course.course_id,
        "resumed_from": course.resumed_from,
        "read": course.read,
        "matched": course.matched,
        "recorded": course.recorded,
        "already": course.already,
        "pending": course.pending,
        "unmatched": course.unmatched,
        "finished": course.finished,
        "error_code": course.error_code,
        "error": describe_logged(course.error_code, course.error),
    }


@router.get(
    "/integrations/moodle/runs",
    response=list[SyncRunOut],
    auth=token_auth,
    summary="Journal des synchronisations Moodle (les plus récentes d'abord)",
)
def runs(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    limit: int = Query(20, ge=1, le=MAX_ROWS),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)[1]
    found = (
        MoodleSyncRun.objects.filter(organisation=org)
        .select_related("started_by")
        .prefetch_related(Prefetch("courses", queryset=MoodleSyncCourse.objects.order_by("pk")))[
            :limit
        ]
    )
    return [
        {
            "id": run.pk,
            "started_at": run.started_at.isoformat(),
            "ended_at": run.ended_at.isoformat() if run.ended_at else None,
            "status": run.status,
            "started_by": run.started_by.email if run.started_by else None,
            "courses": [_course(c) for c in run.courses.all()],
        }
        for run in found
    ]


@router.post(
    "/integrations/moodle/sync",
    response={202: SyncRequestOut},
    auth=token_auth,
    summary="Lancer une synchronisation Moodle (en arrière-plan)",
)
def sync_now(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    site: int | None = Query(None, ge=1, le=MAX_ID),
) -> Status:
    actor, org = _organisation(request, organisation)
    chosen = None
    if site is not None:
        chosen = MoodleSite.objects.filter(pk=site, organisation=org).first()
        if chosen is None:
            raise HttpError(404, "Site Moodle inconnu.")
    try:
        with transaction.atomic():
            actions.request_sync(actor, org, site=chosen)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from exc
    except actions.SyncAlreadyRunning as exc:
        raise HttpError(409, " ".join(exc.messages)) from exc
    return Status(202, {"queued": True})
