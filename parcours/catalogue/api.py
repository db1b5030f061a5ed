"""Catalogue API: competence frameworks and modules (read-only).

Public: anyone sees published modules. With a token (or a session), staff of an organisation
also see its drafts and archived modules (``?status=draft``), exactly as on the web pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts.api import optional_actor
from parcours.catalogue import cache as catalogue_cache
from parcours.catalogue import suggestions
from parcours.catalogue.bounds import MAX_ID, MAX_OFFSET, MAX_SLUG
from parcours.catalogue.models import Competence, CompetenceArea, Framework, Module
from parcours.catalogue.schemas import (
    FrameworkDetailOut,
    FrameworkOut,
    ModuleListOut,
    ModuleOut,
)
from parcours.catalogue.search import search_modules
from parcours.lib.urls import absolute_url

router = Router(tags=["catalogue"])

MAX_LIMIT = 100


class ModuleFilters(Schema):
    q: str = Field(
        "",
        max_length=200,
        description="Recherche plein texte (accents ignorés, synonymes appliqués : IA ↔ "
        "intelligence artificielle).",
    )
    organisation: str = Field("", max_length=MAX_SLUG, description="Slug de l'organisation.")
    format: Module.Format | None = None
    audience: Module.Audience | None = None
    language: Module.Language | None = None
    completion_mode: Module.CompletionMode | None = Field(
        None, description="Comment le module est réussi : attendance, assessment ou both."
    )
    framework: str = Field(
        "", max_length=MAX_SLUG, description="Slug du référentiel de compétences."
    )
    competence: int | None = Field(
        None, ge=1, le=MAX_ID, description="Identifiant d'une compétence visée."
    )
    status: Module.Status = Field(
        Module.Status.PUBLISHED,
        description="draft et archived : seulement pour le personnel de l'organisation.",
    )
    limit: int = Field(settings.CATALOGUE_PAGE_SIZE, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _module_out(module: Module) -> dict[str, Any]:
    return {
        **{name: getattr(module, name) for name in ModuleOut.model_fields if hasattr(module, name)},
        "duration_hours": float(module.duration_hours),
        "organisation": module.organisation,
        "url": absolute_url(
            reverse("catalogue:detail", args=[module.organisation.slug, module.code])
        ),
        "competences": [
            {
                "competence": {
                    "id": link.competence.pk,
                    "code": link.competence.code,
                    "title_fr": link.competence.title_fr,
                    "title_en": link.competence.title_en,
                    "framework": link.competence.framework.slug,
                },
                "level": link.level,
            }
            for link in module.competence_links.all()
        ],
    }


@router.get("/frameworks", response=list[FrameworkOut], summary="Référentiels de compétences")
def list_frameworks(request: HttpRequest) -> list[Framework]:
    return list(Framework.objects.order_by("name"))


@router.get(
    "/frameworks/{slug}",
    response=FrameworkDetailOut,
    summary="Un référentiel : domaines, compétences et niveaux",
)
def get_framework(request: HttpRequest, slug: str = Path(..., max_length=MAX_SLUG)) -> Framework:
    competences = Competence.objects.order_by("order", "code")
    areas = CompetenceArea.objects.order_by("order", "code").prefetch_related(
        Prefetch("competences", queryset=competences)
    )
    framework = (
        Framework.objects.prefetch_related("levels", Prefetch("areas", queryset=areas))
        .filter(slug=slug)
        .first()
    )
    if framework is None:
        raise HttpError(404, _("Référentiel introuvable."))
    return framework


@router.get("/modules", response=ModuleListOut, summary="Modules du catalogue")
def list_modules(request: HttpRequest, filters: Query[ModuleFilters]) -> dict[str, Any]:
    actor = optional_actor(request)
    modules = (
        Module.objects.visible_to(actor)
        .with_status(filters.status)
        .filtered(
            organisation=filters.organisation,
            format=filters.format or "",
            audience=filters.audience or "",
            language=filters.language or "",
            completion_mode=filters.completion_mode or "",
            framework=filters.framework,
            competence=filters.competence,
        )
        .for_listing()
    )
    if filters.q.strip():  # with every organisation's synonyms, as the public list
        synonyms = suggestions.synonyms_for(None, generation=catalogue_cache.generation())
        modules = search_modules(modules, filters.q, synonyms)
    total = modules.count()
    page = modules[filters.offset : filters.offset + filters.limit]
    return {
        "count": total,
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [_module_out(m) for m in page],
    }


@router.get("/modules/{module_id}", response=ModuleOut, summary="Un module")
def get_module(request: HttpRequest, module_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    module = (
        Module.objects.visible_to(optional_actor(request))
        .for_listing()
        .filter(pk=module_id)
        .first()
    )
    if module is None:
        raise HttpError(404, _("Module introuvable."))
    return _module_out(module)
