"""Pathways API: published pathways with their rule, and per-learner evaluation."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts.api import optional_actor, token_auth
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.catalogue.bounds import MAX_ID, MAX_OFFSET, MAX_SLUG
from parcours.pathways import rules
from parcours.pathways.evaluation import evaluate_for_learner
from parcours.pathways.models import Pathway
from parcours.pathways.permissions import progress_learners
from parcours.pathways.querysets import PathwayQuerySet
from parcours.pathways.schemas import EvaluationOut, PathwayOut

router = Router(tags=["pathways"])


#: The most pathways one answer of the list holds (``limit``), as in the catalogue API.
MAX_LIMIT = 100


def _visible(actor: Actor | None) -> PathwayQuerySet:
    return (
        Pathway.objects.visible_to(actor)
        .select_related("organisation")
        .prefetch_related("memberships__module__organisation")
    )


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


class PathwayFilters(Schema):
    organisation: str = Field("", max_length=MAX_SLUG, description="Slug de l'organisation.")
    status: Pathway.Status | None = Field(
        None, description="draft et archived : seulement pour le personnel de l'organisation."
    )
    limit: int = Field(MAX_LIMIT, ge=1, le=MAX_LIMIT, description="Au plus 100 parcours.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


@router.get("/pathways", response=list[PathwayOut], summary="Parcours publiés")
def list_pathways(request: HttpRequest, filters: Query[PathwayFilters]) -> list[dict[str, object]]:
    """Les parcours visibles, par organisation et par code, ``limit`` à la fois (au plus 100)
    à partir de ``offset``."""
    qs = _visible(optional_actor(request))
    if filters.organisation:
        qs = qs.filter(organisation__slug=filters.organisation)
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = qs.order_by("organisation__slug", "code", "pk")[
        filters.offset : filters.offset + filters.limit
    ]
    return [_out(p) for p in page]


@router.get("/pathways/{pathway_id}", response=PathwayOut, summary="Un parcours et sa règle")
def get_pathway(
    request: HttpRequest, pathway_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, object]:
    qs = _visible(optional_actor(request))
    pathway = qs.filter(pk=pathway_id).first()
    if pathway is None:
        raise HttpError(404, _("Parcours introuvable."))
    return _out(pathway)


@router.get(
    "/pathways/{pathway_id}/evaluation",
    response=EvaluationOut,
    auth=token_auth,
    summary="Où en est un apprenant (soi-même par défaut)",
)
def evaluate(
    request: HttpRequest,
    pathway_id: int = Path(..., ge=1, le=MAX_ID),
    learner: int | None = Query(None, ge=1, le=MAX_ID),
) -> dict[str, object]:
    """Le parcours est cherché parmi ceux que l'appelant peut voir, l'apprenant parmi les
    personnes dont il peut voir la progression (soi-même ; pour un coordinateur, les membres de
    ses organisations et les apprenants de ses parcours) : un identifiant en dehors, ou que
    personne n'a, reçoit la même réponse 404."""
    actor = Actor.of(request.auth)  # type: ignore[attr-defined]
    visible = Pathway.objects.visible_to(actor).select_related("organisation")
    pathway = visible.filter(pk=pathway_id).first()
    if pathway is None:
        raise HttpError(404, _("Apprenant ou parcours introuvable."))
    if learner is None or learner == actor.user.pk:
        person: User | None = actor.user
    else:
        person = progress_learners(actor, pathway).filter(pk=learner).first()
    if person is None:
        raise HttpError(404, _("Apprenant ou parcours introuvable."))
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
