"""Pathways API: published pathways with their rule, and per-learner evaluation."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router
from ninja.errors import HttpError

from parcours.accounts.api import optional_actor, token_auth
from parcours.accounts.models import STAFF_ROLES, User
from parcours.accounts.permissions import Actor
from parcours.pathways import rules
from parcours.pathways.evaluation import evaluate_for_learner
from parcours.pathways.models import Pathway
from parcours.pathways.permissions import can_view_progress
from parcours.pathways.schemas import EvaluationOut, PathwayOut

router = Router(tags=["pathways"])


def _visible(actor: Actor | None):
    qs = Pathway.objects.select_related("organisation").prefetch_related(
        "memberships__module__organisation"
    )
    if actor is None:
        return qs.filter(status=Pathway.Status.PUBLISHED)
    if actor.is_platform_admin:
        return qs
    staff_orgs = actor.orgs_with_role(*STAFF_ROLES)
    return qs.filter(status=Pathway.Status.PUBLISHED) | qs.filter(organisation__in=staff_orgs)


def _out(pathway: Pathway) -> dict[str, object]:
    modules = [pm.module for pm in pathway.memberships.all()]
    ids = [m.pk for m in modules]
    empty = rules.evaluate(pathway.rule, {}, pathway_modules=ids)
    return {
        "id": pathway.pk,
        "code": pathway.code,
        "organisation": pathway.organisation.slug,
        "title": pathway.title,
        "title_fr": pathway.title_fr,
        "title_en": pathway.title_en,
        "summary": pathway.summary,
        "status": pathway.status,
        "rule": pathway.rule,
        "rule_text": rules.format_text(pathway.rule, {m.pk: m.code for m in modules}),
        "requirements": rules.explain(empty, {m.pk: m.title for m in modules}),
        "modules": [
            {
                "id": m.pk,
                "code": m.code,
                "title": m.title,
                "duration_hours": float(m.duration_hours),
                "organisation": m.organisation.slug,
            }
            for m in modules
        ],
    }


@router.get("/pathways", response=list[PathwayOut], summary="Parcours publiés")
def list_pathways(
    request: HttpRequest, organisation: str | None = None, status: str | None = None
) -> list[dict[str, object]]:
    qs = _visible(optional_actor(request))
    if organisation:
        qs = qs.filter(organisation__slug=organisation)
    if status:
        qs = qs.filter(status=status)
    return [_out(p) for p in qs.distinct().order_by("organisation__slug", "code")]


@router.get("/pathways/{pathway_id}", response=PathwayOut, summary="Un parcours et sa règle")
def get_pathway(request: HttpRequest, pathway_id: int) -> dict[str, object]:
    qs = _visible(optional_actor(request))
    pathway = qs.filter(pk=pathway_id).first()
    if pathway is None:
        raise HttpError(404, "Parcours introuvable.")
    return _out(pathway)


@router.get(
    "/pathways/{pathway_id}/evaluation",
    response=EvaluationOut,
    auth=token_auth,
    summary="Où en est un apprenant (soi-même par défaut)",
)
def evaluate(
    request: HttpRequest, pathway_id: int, learner: int | None = None
) -> dict[str, object]:
    actor = Actor.of(request.auth)  # type: ignore[attr-defined]
    pathway = get_object_or_404(Pathway.objects.select_related("organisation"), pk=pathway_id)
    person = actor.user if learner is None else User.objects.filter(pk=learner).first()
    if person is None or not can_view_progress(actor, person, pathway):
        raise HttpError(404, "Apprenant ou parcours introuvable.")
    if pathway.status != Pathway.Status.PUBLISHED and not actor.has_role(
        pathway.organisation_id, *STAFF_ROLES
    ):
        raise HttpError(404, "Apprenant ou parcours introuvable.")
    progress = evaluate_for_learner(pathway, person.pk)
    return {
        "pathway_id": pathway.pk,
        "learner_id": person.pk,
        "satisfied": progress.satisfied,
        "met": progress.evaluation.met,
        "total": progress.evaluation.total,
        "progress": progress.evaluation.progress,
        "missing": progress.explanation,
        "completed_modules": [s.module.code for s in progress.modules if s.done],
    }
