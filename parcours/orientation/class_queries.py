"""Reads of class mode: the class's anonymous summary (live, or kept after deletion)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Sum
from django.http import HttpRequest

from parcours.accounts.models import STAFF_ROLES
from parcours.accounts.permissions import Actor
from parcours.orientation.class_models import ClassAnswer, ClassVisit, Pupil
from parcours.orientation.scoring import ClassSummary


def live_summary(visit: ClassVisit) -> ClassSummary:
    """Counts per world and job sheet, from the answers (two queries), or the summary kept
    when the pupils' data was deleted."""
    if visit.purged_at is not None:
        return ClassSummary.from_json(visit.summary)
    summary = ClassSummary(participants=Pupil.objects.filter(visit=visit).count())
    rows = (
        ClassAnswer.objects.filter(visit=visit)
        .values("kind", "world_id", "job_sheet_id")
        .annotate(pupils=Count("pupil_id", distinct=True), times=Count("id"), points=Sum("value"))
        .order_by()
    )
    for row in rows:
        kind, world, sheet = row["kind"], row["world_id"], row["job_sheet_id"]
        if kind == ClassAnswer.Kind.WORLD and world is not None:
            summary.world_likes[world] = row["pupils"]
        elif kind == ClassAnswer.Kind.QUIZ and world is not None:
            summary.quiz_tops[world] = row["pupils"]
        elif kind == ClassAnswer.Kind.OCCUPATION and sheet is not None:
            summary.occupations_opened[sheet] = row["pupils"]
        elif kind == ClassAnswer.Kind.GAME and world is not None:
            summary.games_played[world] = row["times"]
            summary.game_points[world] = max(0, row["points"] or 0)
    return summary


def visits_for(actor: Actor, organisation_id: int) -> list[ClassVisit]:
    if not (actor.is_platform_admin or actor.has_role(organisation_id, *STAFF_ROLES)):
        return []
    return list(
        ClassVisit.objects.filter(organisation_id=organisation_id).select_related(
            "outreach", "outreach__activity"
        )[:200]
    )


def outreach_class_visits(request: HttpRequest, activity: Any) -> dict[str, Any] | None:
    """The section on an outreach request's page (slot ``scheduling.outreach``): its class
    visits and a link to open one, for the staff of the organisation that runs the activity."""
    from parcours.lib.ids import parse_id
    from parcours.scheduling.models import OutreachRequest

    actor = getattr(request, "actor", None)
    match = request.resolver_match
    pk = parse_id(str(match.kwargs.get("pk", ""))) if match else None
    if actor is None or pk is None:
        return None
    outreach = OutreachRequest.objects.filter(pk=pk, activity=activity).first()
    if outreach is None or not (
        actor.is_platform_admin or actor.has_role(outreach.organisation_id, *STAFF_ROLES)
    ):
        return None
    visits = list(ClassVisit.objects.filter(outreach=outreach).order_by("-opened_at")[:20])
    return {"outreach": outreach, "visits": visits}
