"""The logistics hub, the planning grid (day, week) and the read-only occupancy portal."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import VIEWER_ROLES, Organisation, Site
from parcours.lib.http import AuthedRequest
from parcours.scheduling import planning
from parcours.scheduling.forms import (
    DayForm,
)
from parcours.scheduling.models import (
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import is_logistics
from parcours.scheduling.views._common import (
    GRID_VIEWERS,
    OUTREACH_REQUESTERS,
    PLANNER_ROLES,
    _current_org,
    _day_param,
    _may_book,
    _staff_site,
)
from parcours.scheduling.views.grid import day_rows, week_rows


def _sites_of(org: Organisation | None) -> list[Site]:
    if org is None:
        return []
    return list(Site.objects.filter(organisation=org).order_by("name"))


# --- Hub -----------------------------------------------------------------------------------


@login_required
def hub(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, tuple(VIEWER_ROLES))
    actor = request.actor
    policies = {p.site_id: p for p in SitePolicy.objects.filter(site__organisation=org)}
    sites = [(s, policies.get(s.pk)) for s in _sites_of(org)]
    context = {
        "organisation": org,
        "sites": sites,
        "is_logistics": is_logistics(actor, org.pk),
        "is_planner": actor.is_platform_admin or actor.has_role(org, *GRID_VIEWERS),
        "may_request_outreach": actor.has_role(org, *OUTREACH_REQUESTERS),
    }
    return render(request, "scheduling/hub.html", context)


# --- Planning grid -------------------------------------------------------------------------


def _read_only(request: AuthedRequest, site: Site) -> bool:
    """An agent (or anyone who is not a planner there) sees the grid without links into
    bookings (which they may not open) and without free cells to book."""
    actor = request.actor
    return not (actor.is_platform_admin or actor.has_role(site.organisation_id, *PLANNER_ROLES))


def _grid_nav(view: str, site: Site, day: dt.date, delta: dt.timedelta) -> dict[str, str]:
    url = reverse(view, args=[site.pk])
    today = planning.local_day(timezone.now())
    return {
        "previous": f"{url}?date={(day - delta).isoformat()}",
        "next": f"{url}?date={(day + delta).isoformat()}",
        "today": f"{url}?date={today.isoformat()}",
    }


@login_required
def planning_week(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, GRID_VIEWERS)
    readonly = _read_only(request, site)
    day = _day_param(request)
    grid = planning.week_grid(site, day)
    may_book = _may_book(request.actor, site)
    add_base = reverse("scheduling:booking_create", args=[site.pk]) if may_book else None
    days = [
        {
            "date": d,
            "closure": grid.closures[i],
            "closed": not grid.windows[i],
            "day_url": reverse("scheduling:planning_day", args=[site.pk])
            + f"?date={d.isoformat()}",
        }
        for i, d in enumerate(grid.days)
    ]
    context = {
        "site": site,
        "sites": _sites_of(site.organisation),
        "day": day,
        "monday": grid.days[0],
        "sunday": grid.days[-1],
        "days": days,
        "rows": week_rows(grid, add_base=add_base, readonly=readonly),
        "readonly": readonly,
        "may_book": may_book,
        "nav": _grid_nav("scheduling:planning_week", site, grid.days[0], dt.timedelta(days=7)),
        "form": DayForm(initial={"date": day}),
        "view": "week",
    }
    return render(request, "scheduling/planning_week.html", context)


@login_required
def planning_day(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, GRID_VIEWERS)
    readonly = _read_only(request, site)
    day = _day_param(request)
    grid = planning.day_grid(site, day)
    may_book = _may_book(request.actor, site)
    add_base = reverse("scheduling:booking_create", args=[site.pk]) if may_book else None
    slots, rows = day_rows(grid, add_base=add_base, readonly=readonly)
    context = {
        "site": site,
        "sites": _sites_of(site.organisation),
        "day": day,
        "slots": slots,
        "rows": rows,
        "closure": grid.closures[0],
        "closed": not grid.windows[0],
        "readonly": readonly,
        "may_book": may_book,
        "nav": _grid_nav("scheduling:planning_day", site, day, dt.timedelta(days=1)),
        "form": DayForm(initial={"date": day}),
        "view": "day",
    }
    return render(request, "scheduling/planning_day.html", context)


# --- Occupancy portal (read-only, every staff member) ----------------------------------------


@login_required
def occupancy(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, tuple(VIEWER_ROLES))
    sites = _sites_of(org)
    if not sites:
        return render(request, "scheduling/occupancy.html", {"sites": [], "site": None})
    wanted = request.GET.get("site", "")
    site = next((s for s in sites if str(s.pk) == wanted), sites[0])
    day = _day_param(request)
    grid = planning.day_grid(site, day, kinds=[Resource.Kind.ROOM, Resource.Kind.PARKING])
    slots, rows = day_rows(grid, add_base=None, readonly=True)
    url = reverse("scheduling:occupancy")
    context = {
        "organisation": org,
        "sites": sites,
        "site": site,
        "day": day,
        "slots": slots,
        "rows": rows,
        "closure": grid.closures[0],
        "closed": not grid.windows[0],
        "form": DayForm(initial={"date": day}),
        "nav": {
            "previous": f"{url}?site={site.pk}&date={day - dt.timedelta(days=1)}",
            "next": f"{url}?site={site.pk}&date={day + dt.timedelta(days=1)}",
            "today": f"{url}?site={site.pk}",
        },
        "readonly": True,
    }
    return render(request, "scheduling/occupancy.html", context)
