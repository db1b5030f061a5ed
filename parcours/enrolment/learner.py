"""Reads for the learner space: my sessions, my pathways and the sessions that would complete
them (nearest site first when the learner gave a postcode)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from parcours.accounts.models import User
from parcours.enrolment import geo
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.states import ACTIVE, EnrolmentStatus
from parcours.pathways import rules
from parcours.pathways.evaluation import LearnerProgress, evaluate_for_learner
from parcours.pathways.models import Completion, Pathway

SUGGESTIONS_PER_PATHWAY = 5


@dataclass
class Suggestion:
    session: Session
    distance_km: float | None


@dataclass
class PathwayView:
    progress: LearnerProgress
    suggestions: list[Suggestion] = field(default_factory=list)


@dataclass
class LearnerSpace:
    upcoming: list[Enrolment]
    past: list[Enrolment]
    pathways: list[PathwayView]
    attestations: list[Enrolment]


def helpful_modules(missing: Iterable[rules.Missing], pool: Iterable[int]) -> set[int]:
    """Modules that appear in what is missing: completing any of them moves the learner on."""
    found: set[int] = set()
    pool_ids = set(pool)
    for item in missing:
        if item.kind == "hours" and not item.candidates:
            found |= pool_ids
        found.update(item.candidates)
        for option in item.options:
            found |= helpful_modules(option, pool_ids)
    return found


def site_point(session: Session) -> geo.Point | None:
    site = session.site
    if site is None:
        return None
    if site.latitude is not None and site.longitude is not None:
        return float(site.latitude), float(site.longitude)
    return geo.point_of_postcode(site.postcode)


def order_by_distance(sessions: Iterable[Session], postcode: str) -> list[Suggestion]:
    """Nearest first (online sessions count as nearest), then soonest; no postcode: soonest."""
    origin = geo.point_of_postcode(postcode)
    out = []
    for session in sessions:
        distance = None
        if origin is not None:
            if session.site_id is None:
                distance = 0.0
            else:
                point = site_point(session)
                distance = geo.distance_km(origin, point) if point else None
        out.append(Suggestion(session, None if distance is None else round(distance)))
    far = float("inf")
    out.sort(
        key=lambda s: (
            far if s.distance_km is None else s.distance_km,
            s.session.starts_at or timezone.now(),
        )
    )
    return out


def learner_space(learner: User, now: dt.datetime | None = None) -> LearnerSpace:
    now = now or timezone.now()
    enrolments = list(
        Enrolment.objects.of_learner(learner)
        .exclude(status__in=[EnrolmentStatus.CANCELLED, EnrolmentStatus.REJECTED])
        .for_listing()
        .order_by("session__starts_at")
    )
    upcoming = [e for e in enrolments if e.session.ends_at and e.session.ends_at > now]
    past = [e for e in enrolments if not (e.session.ends_at and e.session.ends_at > now)]
    past.reverse()
    attestations = [
        e for e in past if e.status in (EnrolmentStatus.COMPLETED, EnrolmentStatus.ATTENDED)
    ]
    return LearnerSpace(
        upcoming=upcoming,
        past=past,
        pathways=pathway_views(learner, enrolments, now),
        attestations=attestations,
    )


def pathway_views(
    learner: User, enrolments: list[Enrolment], now: dt.datetime
) -> list[PathwayView]:
    """Published pathways the learner has started (a completion or an enrolment in one of their
    modules), with the open sessions that would move them on."""
    started_modules = set(
        Completion.objects.filter(learner=learner).values_list("module_id", flat=True)
    ) | {e.session.module_id for e in enrolments}
    pathways = list(
        Pathway.objects.published()
        .filter(memberships__module_id__in=started_modules)
        .distinct()
        .select_related("organisation")
        .order_by("title_fr")
    )
    if not pathways:
        return []
    active_modules = {e.session.module_id for e in enrolments if e.status in ACTIVE}
    views: list[PathwayView] = []
    wanted: dict[int, set[int]] = {}
    for pathway in pathways:
        progress = evaluate_for_learner(pathway, learner.pk)
        views.append(PathwayView(progress))
        if progress.satisfied:
            continue
        pool = [state.module.pk for state in progress.modules]
        done = {state.module.pk for state in progress.modules if state.done}
        wanted[pathway.pk] = helpful_modules(progress.evaluation.missing, pool) - done
        wanted[pathway.pk] -= active_modules
    all_modules = set().union(*wanted.values()) if wanted else set()
    sessions = list(
        Session.objects.open_for_enrolment(now)
        .filter(module_id__in=all_modules)
        .for_listing()[:500]
    )
    for view in views:
        modules = wanted.get(view.progress.pathway.pk, set())
        candidates = [s for s in sessions if s.module_id in modules]
        view.suggestions = order_by_distance(candidates, learner.postcode)[:SUGGESTIONS_PER_PATHWAY]
    return views
