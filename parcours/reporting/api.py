"""Reports API: an organisation's figures, a network's figures, open data (JSON, or CSV).

- ``GET /reports/organisations/{slug}``: every section of the organisation's report for a
  period (``year``, ``school_year`` or ``first`` + ``last``) and filters; staff who may read
  reports (``permissions.may_view_reports``), else 404 (whether the organisation exists or not).
- ``GET /reports/networks/{id}``: the same over a network's organisations, for its readers.
- ``GET /reports/organisations/{slug}/open-data``: the public figures, people counts of 1 to 4
  suppressed (``"< 5"``), for anyone; ``?format=csv`` gives the CSV download.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError
from pydantic import Field

from parcours.accounts import throttle
from parcours.accounts.api import token_auth
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.lib import exports
from parcours.lib.ids import MAX_ID
from parcours.reporting import opendata
from parcours.reporting.figures import Report, build_report
from parcours.reporting.network import build_network_report, network_organisation_ids
from parcours.reporting.params import ReportRequestError, clean_filters, parse_period
from parcours.reporting.periods import Filters, Period, PeriodError
from parcours.reporting.permissions import may_view_reports, networks_for

router = Router(tags=["reports"])
ID = Path(..., ge=1, le=MAX_ID)
SLUG = Path(..., max_length=60)


class PeriodQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2099, description="Année civile.")
    school_year: int | None = Field(
        None, ge=2000, le=2099, description="Année scolaire commençant le 1er septembre."
    )
    first: dt.date | None = Field(None, description="Premier jour (avec last).")
    last: dt.date | None = Field(None, description="Dernier jour inclus (avec first).")


class ReportQuery(PeriodQuery):
    site: int | None = Field(None, ge=1, le=MAX_ID)
    module: int | None = Field(None, ge=1, le=MAX_ID)
    pathway: int | None = Field(None, ge=1, le=MAX_ID)
    audience: str = Field("", max_length=20, description="Public visé par le module.")
    format: str = Field("", max_length=20, description="Format du module.")


class OpenDataQuery(PeriodQuery):
    format: Literal["json", "csv"] = "json"


class PeriodOut(Schema):
    first: dt.date
    last: dt.date
    kind: str
    label: str


class FigureOut(Schema):
    key: str
    label: str
    value: float | None
    previous: float | None = Field(description="La même période un an plus tôt.")
    change_percent: float | None
    unit: str
    counts_people: bool
    definition: str


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[str | int | float | None]]
    people_columns: list[int]
    chart: str
    definition: str


class SectionOut(Schema):
    key: str
    title: str
    figures: list[FigureOut]
    tables: list[TableOut]


class ReportOut(Schema):
    organisations: list[str]
    period: PeriodOut
    sections: list[SectionOut]


class OpenDataRowOut(Schema):
    period: str
    section: str
    indicator: str
    category: str
    measure: str
    value: str | float | None
    previous: str | float | None


def _number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _period(query: PeriodQuery) -> Period:
    try:
        return parse_period(
            year=query.year, school_year=query.school_year, first=query.first, last=query.last
        )
    except PeriodError as exc:
        raise HttpError(422, str(exc)) from exc


def _filters(ids: list[int], query: ReportQuery) -> Filters:
    try:
        return clean_filters(
            ids,
            site=query.site,
            module=query.module,
            pathway=query.pathway,
            audience=query.audience,
            format=query.format,
        )
    except ReportRequestError as exc:
        raise HttpError(422, str(exc)) from exc


def report_out(report: Report) -> dict[str, Any]:
    slugs = Organisation.objects.filter(pk__in=report.organisation_ids).order_by("slug")
    return {
        "organisations": list(slugs.values_list("slug", flat=True)),
        "period": {
            "first": report.period.first,
            "last": report.period.last,
            "kind": report.period.kind,
            "label": report.period.label,
        },
        "sections": [
            {
                "key": s.key,
                "title": str(s.title),
                "figures": [
                    {
                        "key": f.key,
                        "label": str(f.label),
                        "value": _number(f.value),
                        "previous": _number(f.previous_value),
                        "change_percent": f.change_percent,
                        "unit": f.figure.unit,
                        "counts_people": f.figure.counts_people,
                        "definition": str(f.figure.definition),
                    }
                    for f in s.figures
                ],
                "tables": [
                    {
                        "key": t.key,
                        "title": str(t.title),
                        "columns": [str(c) for c in t.columns],
                        "rows": [[_number(c) for c in row] for row in t.rows],
                        "people_columns": list(t.people_columns),
                        "chart": t.chart,
                        "definition": str(t.definition),
                    }
                    for t in s.tables
                ],
            }
            for s in report.sections
        ],
    }


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


@router.get(
    "/reports/organisations/{slug}",
    response=ReportOut,
    auth=token_auth,
    summary="Chiffres d'une organisation",
)
def organisation_report(
    request: HttpRequest, query: Query[ReportQuery], slug: str = SLUG
) -> dict[str, Any]:
    """Toutes les sections du rapport pour la période et les filtres, avec la même période de
    l'année précédente. Réservé au personnel qui lit les rapports de l'organisation (404
    sinon)."""
    actor = _actor(request)
    organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
    if organisation is None or not may_view_reports(actor, organisation):
        raise HttpError(404, _("Organisation introuvable."))
    period = _period(query)
    filters = _filters([organisation.pk], query)
    return report_out(build_report([organisation.pk], period, filters))


@router.get(
    "/reports/networks/{network_id}",
    response=ReportOut,
    auth=token_auth,
    summary="Chiffres d'un réseau d'organisations",
)
def network_report(
    request: HttpRequest, query: Query[ReportQuery], network_id: int = ID
) -> dict[str, Any]:
    """Les mêmes chiffres additionnés sur les organisations du réseau (une personne formée par
    deux organisations compte une fois). Réservé aux lecteurs du réseau (404 sinon)."""
    network = networks_for(request.user).filter(pk=network_id).first()  # type: ignore[arg-type]
    if network is None:
        raise HttpError(404, _("Réseau introuvable."))
    period = _period(query)
    filters = _filters(network_organisation_ids(network), query)
    return report_out(build_network_report(network, period, filters))


@router.get(
    "/reports/organisations/{slug}/open-data",
    response=list[OpenDataRowOut],
    summary="Données ouvertes d'une organisation",
)
def open_data(request: HttpRequest, query: Query[OpenDataQuery], slug: str = SLUG) -> Any:
    """Les chiffres publics agrégés, sans filtre ; tout effectif de 1 à 4 personnes est
    remplacé par « < 5 ». ``format=csv`` : le fichier CSV (UTF-8, « ; »)."""
    if limited := throttle.consume_or_429(request, "reports_open_data", limit_get=True):
        return limited
    organisation = Organisation.objects.filter(slug=slug, is_active=True).first()
    if organisation is None:
        raise HttpError(404, _("Organisation introuvable."))
    period = _period(query)
    rows = opendata.cached_rows(organisation.pk, period)
    if query.format == "csv":
        body = exports.csv_bytes(opendata.header(), rows)
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
        name = f"parcours-{organisation.slug}-{period.first}-{period.last}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    keys = ("period", "section", "indicator", "category", "measure", "value", "previous")
    return [{key: _number(cell) for key, cell in zip(keys, row, strict=True)} for row in rows]
