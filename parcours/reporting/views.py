"""The reporting pages: an organisation's dashboard (period picker, filters, key figures beside
last year's, charts with their tables), the yearly activity report (ask, wait, download) and a
network's summed figures.

Thin: the figures come from ``figures.build_report``, the layout from ``output``, every write
from ``jobs``. Permission is checked before anything is looked up: a person who may not read
the current organisation's figures gets 403, another organisation's report job is not found.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor
from parcours.lib import clock, dates
from parcours.lib.http import AuthedRequest, is_htmx
from parcours.reporting import actions, charts, jobs, output, permissions, yearly
from parcours.reporting.figures import build_report
from parcours.reporting.forms import FiltersForm, PeriodForm
from parcours.reporting.models import ReportJob
from parcours.reporting.network import build_network_report
from parcours.reporting.periods import Filters, Period

# Who may open each list a figure can link to (the roles of that list's page).
LIST_ROLES: dict[str, tuple[str, ...]] = {
    "enrolment:manage_list": (Role.COORDINATOR,),
    "scheduling:occupancy": (Role.LOGISTICS, Role.COORDINATOR),
    "scheduling:loans": (Role.LOGISTICS,),
    "scheduling:outreach_queue": (Role.LOGISTICS,),
}
# The list a figure counts, when the figures engine names none.
LISTS: dict[str, str] = {
    "training.sessions_held": "enrolment:manage_list",
    "training.sessions_cancelled": "enrolment:manage_list",
    "logistics.room_occupancy": "scheduling:occupancy",
    "logistics.room_hours": "scheduling:occupancy",
    "logistics.loans": "scheduling:loans",
    "logistics.loans_overdue": "scheduling:loans",
    "outreach.visits": "scheduling:outreach_queue",
}

DOWNLOADS = {
    "pdf": ("pdf", "application/pdf"),
    "xlsx": ("workbook", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "zip": ("csv_zip", "application/zip"),
}


def _reporting_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None or not permissions.may_view_reports(request.actor, org):
        raise PermissionDenied(
            _("Les rapports sont réservés à la direction, la coordination et la logistique.")
        )
    return org


def figure_link(actor: Actor, organisation: Organisation | None, key: str, link: str) -> str:
    """The list a figure counts, when the viewer may open it (else no link): the engine's
    link or ours, shown only to the roles of that list's page."""
    if organisation is None:
        return ""
    if link:
        try:
            name = resolve(urlsplit(link).path).view_name
        except Resolver404:
            return ""
    else:
        name = LISTS.get(key, "")
    roles = LIST_ROLES.get(name)
    if roles is None:
        return ""  # a list we do not know who may open: no link rather than a 403
    if not (actor.is_platform_admin or actor.has_role(organisation, *roles)):
        return ""
    if link:
        return link
    try:
        return reverse(name)
    except NoReverseMatch:  # pragma: no cover - a list page renamed
        return ""


def layout(
    document: output.Document, actor: Actor, organisation: Organisation | None
) -> list[dict[str, Any]]:
    """Each section with its figures (and their links) and its tables (and their charts)."""
    sections = []
    for section in document.sections:
        sections.append(
            {
                "section": section,
                "figures": [
                    {
                        "item": kf,
                        "link": figure_link(actor, organisation, kf.figure.key, kf.figure.link),
                    }
                    for kf in section.figures
                ],
                "tables": [
                    {"table": table, "chart": charts.render(table, f"chart-{section.key}-{i}")}
                    for i, table in enumerate(section.tables)
                ],
            }
        )
    return sections


def _period_query(period: Period) -> str:
    query = QueryDict(mutable=True)
    query["kind"] = period.kind
    if period.kind == "range":
        query["first"], query["last"] = period.first.isoformat(), period.last.isoformat()
    else:
        query["year"] = str(period.first.year)
    return query.urlencode()


@login_required
@require_GET
def dashboard(request: AuthedRequest) -> HttpResponse:
    org = _reporting_org(request)
    today = dates.local_date(clock.now(request))
    data = request.GET if request.GET else None
    period_form = PeriodForm(data, today=today)
    filters_form = FiltersForm(data, organisation=org)
    valid = data is None or (period_form.is_valid() and filters_form.is_valid())
    context: dict[str, Any] = {
        "organisation": org,
        "period_form": period_form,
        "filters_form": filters_form,
        "jobs": list(jobs.jobs_of(org).select_related("requested_by")[:5]),
    }
    if not valid:
        return render(request, "reporting/dashboard.html", context, status=400)
    if data is None:
        period, filters = Period.calendar_year(today.year), Filters()
    else:
        period, filters = period_form.cleaned_data["period"], filters_form.filters()
    document = output.from_report(build_report([org.pk], period, filters), title=org.name)
    context.update(
        {
            "document": document,
            "period": period,
            "filtered": not filters.is_empty,
            "sections": layout(document, request.actor, org),
        }
    )
    return render(request, "reporting/dashboard.html", context)


@login_required
@require_POST
def request_report(request: AuthedRequest) -> HttpResponse:
    org = _reporting_org(request)
    form = PeriodForm(request.POST, today=dates.local_date(clock.now(request)))
    if not form.is_valid():
        messages.error(
            request,
            " ".join(str(e) for e in form.errors.get("__all__", []))
            or _("Choisissez une période valide."),
        )
        return redirect("reporting:dashboard")
    try:
        job = actions.request_report(
            actor=request.actor, organisation=org, period=form.cleaned_data["period"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("reporting:dashboard")
    return redirect("reporting:job", pk=job.pk)


def _job(request: AuthedRequest, pk: int) -> ReportJob:
    org = _reporting_org(request)
    return get_object_or_404(
        jobs.jobs_of(org).select_related("organisation", "requested_by"), pk=pk
    )


@login_required
@require_GET
@never_cache
def job(request: AuthedRequest, pk: int) -> HttpResponse:
    report_job = _job(request, pk)
    context = {"job": report_job, "organisation": report_job.organisation}
    if is_htmx(request):
        return render(request, "reporting/_job_status.html", context)
    return render(request, "reporting/job.html", context)


@login_required
@require_GET
@never_cache
def download(request: AuthedRequest, pk: int, kind: str) -> HttpResponse:
    if kind not in DOWNLOADS:
        raise Http404
    report_job = _job(request, pk)
    field, content_type = DOWNLOADS[kind]
    if report_job.status != ReportJob.Status.DONE:
        raise Http404
    data = ReportJob.objects.filter(pk=report_job.pk).values_list(field, flat=True).first()
    if not data:
        raise Http404
    document = output.Document(
        title=report_job.organisation.name,
        period_label="",
        first=report_job.first,
        last=report_job.last,
    )
    response = HttpResponse(bytes(data), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{yearly.filename(document, kind)}"'
    return response


# --- Network view ---------------------------------------------------------------------------


@login_required
@require_GET
def networks(request: AuthedRequest) -> HttpResponse:
    readable = list(permissions.networks_for(request.user))
    return render(request, "reporting/networks.html", {"networks": readable})


@login_required
@require_GET
def network(request: AuthedRequest, pk: int) -> HttpResponse:
    # Only among the networks the person reads: another network is simply not found.
    chosen = get_object_or_404(permissions.networks_for(request.user), pk=pk)
    today = dates.local_date(clock.now(request))
    data = request.GET if request.GET else None
    period_form = PeriodForm(data, today=today)
    organisations = list(chosen.organisations.filter(is_active=True).order_by("name"))
    context: dict[str, Any] = {
        "network": chosen,
        "organisations": organisations,
        "period_form": period_form,
    }
    if data is not None and not period_form.is_valid():
        return render(request, "reporting/network.html", context, status=400)
    period = period_form.cleaned_data["period"] if data else Period.calendar_year(today.year)
    report = build_network_report(chosen, period, Filters())
    document = output.from_report(report, title=chosen.name)
    context.update(
        {
            "document": document,
            "period": period,
            # No links: a network reader may not see the members' lists.
            "sections": layout(document, request.actor, None),
        }
    )
    return render(request, "reporting/network.html", context)
