"""Orientation API (public, read-only): ESCO occupations (search), worlds and job sheets.

Only published worlds and job sheets are listed; ESCO data carries its attribution
("ESCO, European Commission").
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import reverse
from ninja import Path, Query, Router, Schema
from pydantic import Field

from parcours.lib.ids import MAX_ID
from parcours.lib.urls import absolute_url
from parcours.orientation.models import ESCO_ATTRIBUTION, JobSheet, Occupation, World
from parcours.orientation.search import MAX_QUERY_LENGTH, in_order, occupation_ids

router = Router(tags=["orientation"])

MAX_LIMIT = 50


class IscoGroupOut(Schema):
    code: str
    label_fr: str
    label_en: str


class OccupationOut(Schema):
    id: int
    uri: str
    code: str
    preferred_label_fr: str
    preferred_label_en: str
    alt_labels_fr: list[str]
    alt_labels_en: list[str]
    description_fr: str
    description_en: str
    isco_group: IscoGroupOut
    attribution: str


class OccupationListOut(Schema):
    count: int
    results: list[OccupationOut]
    attribution: str


class OccupationQuery(Schema):
    q: str = Field(
        ...,
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Mots du libellé (français ou anglais, accents et casse ignorés).",
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class WorldOut(Schema):
    id: int
    organisation: str
    slug: str
    name_fr: str
    name_en: str
    tagline_fr: str
    tagline_en: str
    description_fr: str
    description_en: str
    colour: str
    illustration: str | None
    url: str
    job_sheets: list[str] = Field(description="Slugs des fiches métier publiées du monde.")


class StudyRouteOut(Schema):
    kind: str
    title_fr: str
    title_en: str
    institution: str
    url: str


class LinkOut(Schema):
    id: int
    code: str
    title_fr: str
    url: str


class JobSheetOut(Schema):
    id: int
    organisation: str
    slug: str
    world: str
    title_fr: str
    title_en: str
    summary_fr: str
    summary_en: str
    work_fr: str
    work_en: str
    day_fr: str
    day_en: str
    qualities_fr: str
    qualities_en: str
    workplaces_fr: str
    workplaces_en: str
    testimony_name: str
    testimony_video_url: str
    testimony_transcript_fr: str
    testimony_transcript_en: str
    illustration: str | None
    occupation: OccupationOut | None
    routes: list[StudyRouteOut]
    modules: list[LinkOut]
    pathways: list[LinkOut]
    url: str


def _occupation(occupation: Occupation) -> dict[str, Any]:
    return {
        "id": occupation.pk,
        "uri": occupation.uri,
        "code": occupation.code,
        "preferred_label_fr": occupation.preferred_label_fr,
        "preferred_label_en": occupation.preferred_label_en,
        "alt_labels_fr": [x for x in occupation.alt_labels_fr.splitlines() if x],
        "alt_labels_en": [x for x in occupation.alt_labels_en.splitlines() if x],
        "description_fr": occupation.description_fr,
        "description_en": occupation.description_en,
        "isco_group": occupation.isco_group,
        "attribution": ESCO_ATTRIBUTION,
    }


def _image(field: Any, request: HttpRequest) -> str | None:
    return absolute_url(field.url, request) if field else None


@router.get(
    "/orientation/occupations", response=OccupationListOut, summary="Chercher un métier ESCO"
)
def list_occupations(request: HttpRequest, filters: Query[OccupationQuery]) -> dict[str, Any]:
    ids = occupation_ids(filters.q)
    results = in_order(ids[: filters.limit])
    return {
        "count": len(ids),
        "results": [_occupation(o) for o in results],
        "attribution": ESCO_ATTRIBUTION,
    }


@router.get(
    "/orientation/occupations/{occupation_id}", response=OccupationOut, summary="Un métier ESCO"
)
def get_occupation(
    request: HttpRequest, occupation_id: int = Path(..., ge=1, le=MAX_ID)
) -> dict[str, Any]:
    occupation = get_object_or_404(
        Occupation.objects.select_related("isco_group"), pk=occupation_id
    )
    return _occupation(occupation)


def _published_worlds() -> Any:
    return (
        World.objects.filter(is_published=True)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "job_sheets",
                queryset=JobSheet.objects.filter(is_published=True).order_by("order", "title_fr"),
                to_attr="published_sheets",
            )
        )
        .order_by("organisation__slug", "order", "name_fr")
    )


def _world(world: World, request: HttpRequest) -> dict[str, Any]:
    return {
        **{name: getattr(world, name) for name in WorldOut.model_fields if hasattr(world, name)},
        "organisation": world.organisation.slug,
        "illustration": _image(world.illustration, request),
        "url": absolute_url(
            reverse("orientation:world", args=[world.organisation.slug, world.slug]), request
        ),
        "job_sheets": [s.slug for s in world.published_sheets],  # type: ignore[attr-defined]
    }


class WorldQuery(Schema):
    organisation: str = Field("", max_length=60, description="Slug de l'organisation.")


@router.get("/orientation/worlds", response=list[WorldOut], summary="Mondes publiés")
def list_worlds(request: HttpRequest, filters: Query[WorldQuery]) -> list[dict[str, Any]]:
    worlds = _published_worlds()
    if filters.organisation:
        worlds = worlds.filter(organisation__slug=filters.organisation)
    return [_world(w, request) for w in worlds[:200]]


def _sheet(sheet: JobSheet, request: HttpRequest) -> dict[str, Any]:
    def link(obj: Any, name: str) -> dict[str, Any]:
        return {
            "id": obj.pk,
            "code": obj.code,
            "title_fr": obj.title_fr,
            "url": absolute_url(reverse(name, args=[obj.organisation.slug, obj.code]), request),
        }

    return {
        **{name: getattr(sheet, name) for name in JobSheetOut.model_fields if hasattr(sheet, name)},
        "organisation": sheet.organisation.slug,
        "world": sheet.world.slug,
        "illustration": _image(sheet.illustration, request),
        "occupation": _occupation(sheet.occupation) if sheet.occupation else None,
        "routes": list(sheet.routes.all()),
        "modules": [
            link(m, "catalogue:detail") for m in sheet.modules.all() if m.status == "published"
        ],
        "pathways": [
            link(p, "pathways:detail") for p in sheet.pathways.all() if p.status == "published"
        ],
        "url": absolute_url(
            reverse("orientation:sheet", args=[sheet.organisation.slug, sheet.slug]), request
        ),
    }


class SheetQuery(Schema):
    organisation: str = Field("", max_length=60, description="Slug de l'organisation.")
    world: str = Field("", max_length=60, description="Slug du monde.")


def _published_sheets() -> Any:
    return (
        JobSheet.objects.filter(is_published=True, world__is_published=True)
        .select_related("organisation", "world", "occupation__isco_group")
        .prefetch_related("routes", "modules__organisation", "pathways__organisation")
        .order_by("organisation__slug", "world__order", "order", "title_fr")
    )


@router.get("/orientation/job-sheets", response=list[JobSheetOut], summary="Fiches métier")
def list_sheets(request: HttpRequest, filters: Query[SheetQuery]) -> list[dict[str, Any]]:
    sheets = _published_sheets()
    if filters.organisation:
        sheets = sheets.filter(organisation__slug=filters.organisation)
    if filters.world:
        sheets = sheets.filter(world__slug=filters.world)
    return [_sheet(s, request) for s in sheets[:500]]


@router.get("/orientation/job-sheets/{sheet_id}", response=JobSheetOut, summary="Une fiche métier")
def get_sheet(request: HttpRequest, sheet_id: int = Path(..., ge=1, le=MAX_ID)) -> dict[str, Any]:
    return _sheet(get_object_or_404(_published_sheets(), pk=sheet_id), request)
