"""Logistics pages on top of the scheduling core: the planning grid (day and week), the
read-only occupancy portal, the lobby screens, the daily catering list, equipment loans and the
outreach units (school requests, the province team's queue, the school's kit).

Thin views: reads come from ``planning``/querysets, writes go through ``actions`` (and
``ui_actions`` for the few compositions these pages need). Every page works without
JavaScript (plain links and forms); with htmx the grid opens bookings and free cells in a
dialog, and forms answer there.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import STAFF_ROLES, Organisation, Role, Site
from parcours.accounts.permissions import Actor
from parcours.lib import clock
from parcours.lib.http import AuthedRequest
from parcours.lib.i18n import pick
from parcours.scheduling import actions, catering, core, planning, ui_actions
from parcours.scheduling.actions import BookingConflict, CateringRequest
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    Loan,
    OutreachActivity,
    OutreachRequest,
    Reservation,
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import can_change, can_decide, is_logistics
from parcours.scheduling.states import BookingStatus
from parcours.scheduling.ui_forms import (
    BookingForm,
    CancelForm,
    DayForm,
    LoanForm,
    LobbyVisibilityForm,
    MoveForm,
    OutreachForm,
    RefuseForm,
    ReturnForm,
)

PLANNER_ROLES = (Role.LOGISTICS, Role.COORDINATOR, Role.TRAINER)
BOOKER_ROLES = (Role.LOGISTICS, Role.COORDINATOR)
OUTREACH_REQUESTERS = (Role.SCHOOL_CONTACT, Role.COORDINATOR, Role.LOGISTICS)
STEP = dt.timedelta(minutes=30)
DEFAULT_HOURS = (dt.time(8, 0), dt.time(18, 0))


# --- Small helpers -------------------------------------------------------------------------


def _fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _render(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    is_fragment = _fragment(request)
    context["fragment"] = is_fragment
    response = render(request, fragment if is_fragment else page, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _done(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a redirect (or, for htmx, a full-page redirect)."""
    if _fragment(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _next_url(request: HttpRequest, default: str) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return default


def _form_errors(form: Form, exc: ValidationError) -> None:
    """Put an action's ValidationError on the form fields it names (else on the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _day_param(request: HttpRequest) -> dt.date:
    form = DayForm(request.GET)
    if form.is_valid() and form.cleaned_data.get("date"):
        return form.cleaned_data["date"]
    return planning.local_day(clock.now(request))


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment, planning.TZ)


def _hm(moment: dt.datetime) -> str:
    return _local(moment).strftime("%H:%M")


def _staff_site(request: AuthedRequest, site_id: int, roles: Sequence[str]) -> Site:
    """A site of one of the actor's organisations (404 otherwise) where they hold ``roles``
    (403 otherwise)."""
    actor = request.actor
    sites = Site.objects.select_related("organisation")
    if not actor.is_platform_admin:
        sites = sites.filter(organisation_id__in=actor.orgs_with_role(*STAFF_ROLES))
    site = get_object_or_404(sites, pk=site_id)
    if not actor.is_platform_admin and not actor.has_role(site.organisation_id, *roles):
        raise PermissionDenied(_("Cette page est réservée à d'autres rôles de l'organisation."))
    return site


def _current_org(request: AuthedRequest, roles: Sequence[str]) -> Organisation:
    org = request.organisation
    if org is None or not (request.actor.is_platform_admin or request.actor.has_role(org, *roles)):
        raise PermissionDenied(_("Cette page est réservée à d'autres rôles de l'organisation."))
    return org


def _may_book(actor: Actor, site: Site) -> bool:
    return actor.is_platform_admin or actor.has_role(site.organisation_id, *BOOKER_ROLES)


# --- Grid layout (pure: integer columns) -----------------------------------------------------


def assign_lanes(spans: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Spread half-open column spans ``[start, end)`` over as few lanes as a greedy pass
    needs so that no two spans of a lane overlap. Returns the span indices of each lane, in
    column order. (Confirmed bookings never overlap; pending requests may.)"""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    lanes: list[list[int]] = []
    ends: list[int] = []
    for i in order:
        start, end = spans[i]
        for lane_no, lane_end in enumerate(ends):
            if lane_end <= start:
                lanes[lane_no].append(i)
                ends[lane_no] = end
                break
        else:
            lanes.append([i])
            ends.append(end)
    return lanes or [[]]


def lane_cells(
    spans: Sequence[tuple[int, int]], lane: Sequence[int], n_cols: int
) -> list[tuple[int, int, int | None]]:
    """The cells of one table row: ``(column, colspan, span index or None for a free cell)``,
    covering the ``n_cols`` columns exactly once."""
    cells: list[tuple[int, int, int | None]] = []
    col = 0
    for i in lane:
        start, end = max(spans[i][0], col), min(spans[i][1], n_cols)
        while col < start:
            cells.append((col, 1, None))
            col += 1
        if end > start:
            cells.append((start, end - start, i))
            col = end
    while col < n_cols:
        cells.append((col, 1, None))
        col += 1
    return cells


# --- Grid view models ----------------------------------------------------------------------
#
# A 40-room week holds several hundred blocks: each cell is rendered here, escaped, as one
# string (the template engine would spend most of the page's time on them).


def _esc(text: str) -> str:
    """HTML-escape (quotes too): the standard library's, without Django's lazy wrapper."""
    return html.escape(text, quote=True)


def _time_label(entry: planning.GridEntry, day: dt.date) -> str:
    """The times of a block ("09:00" en dash "10:30"), arrows when it runs over the day."""
    start, end = _local(entry.start), _local(entry.end)
    left = f"{start.hour:02d}:{start.minute:02d}" if start.date() == day else "\u2190"
    right = f"{end.hour:02d}:{end.minute:02d}" if end.date() == day else "\u2192"
    return f"{left}\u2013{right}"


class CellRenderer:
    """Escaped HTML for the blocks and free cells of one grid page."""

    def __init__(self, *, readonly: bool) -> None:
        self.readonly = readonly
        self.base = reverse("scheduling_ui:booking", args=[0])[: -len("0/")]
        self.labels = {value: _esc(str(label)) for value, label in BookingStatus.choices}

    def block(self, entry: planning.GridEntry, day: dt.date) -> str:
        status = _esc(entry.status)
        inner = (
            f'<span class="block-status">{self.labels.get(entry.status, status)}</span> '
            f'<span class="block-time">{_time_label(entry, day)}</span> '
            f'<span class="block-title">{_esc(entry.title)}</span>'
        )
        if self.readonly:
            return f'<span class="block status-{status}">{inner}</span>'
        url = f"{self.base}{entry.booking_id}/"
        return (
            f'<a class="block status-{status}" href="{url}" hx-get="{url}" '
            f'hx-target="#panneau-contenu" data-opens-panel>{inner}</a>'
        )

    @staticmethod
    def add(url: str, label: str) -> str:
        url = _esc(url)
        return (
            f'<a class="cell-add" href="{url}" hx-get="{url}" hx-target="#panneau-contenu" '
            f'data-opens-panel aria-label="{_esc(label)}">+</a>'
        )


def _day_window(grid: planning.Grid, index: int) -> tuple[dt.datetime, dt.datetime]:
    """The columns of a day: the opening hours (08:00 to 18:00 when none are set), widened to
    show every booking of the day, on the half-hour grid counted from local midnight."""
    day = grid.days[index]
    span = planning.day_span(day)
    windows = grid.windows[index]
    if windows and windows[0] != span:
        w0, w1 = windows[0][0], windows[-1][1]
    else:
        w0 = core.local_datetime(day, DEFAULT_HOURS[0], planning.TZ)
        w1 = core.local_datetime(day, DEFAULT_HOURS[1], planning.TZ)
    for row in grid.rows:
        for e in row.days[index]:
            w0 = min(w0, max(e.start, span[0]))
            w1 = max(w1, min(e.end, span[1]))
    w0 = span[0] + STEP * int((w0 - span[0]) / STEP)
    steps = (w1 - span[0]) / STEP
    w1 = span[0] + STEP * (int(steps) + (0 if steps == int(steps) else 1))
    return w0, w1


def day_rows(
    grid: planning.Grid, *, add_base: str | None, readonly: bool = False
) -> tuple[list[dt.datetime], list[dict[str, Any]]]:
    """The day view: half-hour columns and, per resource, one or more lanes of cells (each
    lane the escaped HTML of its ``<td>`` cells)."""
    day = grid.days[0]
    w0, w1 = _day_window(grid, 0)
    n = int((w1 - w0) / STEP)
    slots = [_local(w0 + STEP * i) for i in range(n)]
    render = CellRenderer(readonly=readonly)
    add_text = _("Réserver %(resource)s à %(time)s")
    rows: list[dict[str, Any]] = []
    for row in grid.rows:
        entries = row.days[0]
        spans = []
        for e in entries:
            s = max(0, int((e.start - w0) / STEP))
            raw_end = (e.end - w0) / STEP
            t = min(n, int(raw_end) + (0 if raw_end == int(raw_end) else 1))
            spans.append((s, max(t, s + 1)))
        covered = {c for s, t in spans for c in range(s, t)}
        lanes = []
        for lane_no, lane in enumerate(assign_lanes(spans)):
            html = []
            for col, colspan, idx in lane_cells(spans, lane, n):
                if idx is not None:
                    html.append(
                        f'<td colspan="{colspan}" class="busy">'
                        f"{render.block(entries[idx], day)}</td>"
                    )
                elif add_base and lane_no == 0 and col not in covered:
                    at = slots[col]
                    end = _local(w0 + STEP * min(col + 2, n))
                    url = (
                        f"{add_base}?resource={row.resource.pk}&day={day.isoformat()}"
                        f"&start_time={at:%H:%M}&end_time={end:%H:%M}"
                    )
                    label = add_text % {"resource": row.resource.name, "time": f"{at:%H:%M}"}
                    html.append(f'<td class="free">{render.add(url, label)}</td>')
                else:
                    html.append("<td></td>")
            lanes.append(mark_safe("".join(html)))  # noqa: S308 - built from escaped parts
        rows.append({"resource": row.resource, "lanes": lanes})
    return slots, rows


def week_rows(grid: planning.Grid, *, add_base: str | None) -> list[dict[str, Any]]:
    """The week view: per resource, the escaped HTML of its seven day cells."""
    render = CellRenderer(readonly=False)
    add_text = _("Réserver %(resource)s le %(day)s")
    day_names = [formats.date_format(day, "l j F") for day in grid.days]
    rows = []
    for row in grid.rows:
        html = []
        for index, day in enumerate(grid.days):
            parts = [render.block(e, day) for e in row.days[index]]
            if add_base and grid.windows[index]:
                url = f"{add_base}?resource={row.resource.pk}&day={day.isoformat()}"
                label = add_text % {"resource": row.resource.name, "day": day_names[index]}
                parts.append(render.add(url, label))
            html.append(f"<td>{''.join(parts)}</td>")
        rows.append({"resource": row.resource, "cells": mark_safe("".join(html))})  # noqa: S308
    return rows


def _sites_of(org: Organisation | None) -> list[Site]:
    if org is None:
        return []
    return list(Site.objects.filter(organisation=org).order_by("name"))


# --- Hub -----------------------------------------------------------------------------------


@login_required
def hub(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, tuple(STAFF_ROLES))
    actor = request.actor
    policies = {p.site_id: p for p in SitePolicy.objects.filter(site__organisation=org)}
    sites = [(s, policies.get(s.pk)) for s in _sites_of(org)]
    context = {
        "organisation": org,
        "sites": sites,
        "is_logistics": is_logistics(actor, org.pk),
        "is_planner": actor.is_platform_admin or actor.has_role(org, *PLANNER_ROLES),
        "may_request_outreach": actor.has_role(org, *OUTREACH_REQUESTERS),
    }
    return render(request, "scheduling/ui/hub.html", context)


# --- Planning grid -------------------------------------------------------------------------


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
    site = _staff_site(request, site_id, PLANNER_ROLES)
    day = _day_param(request)
    grid = planning.week_grid(site, day)
    may_book = _may_book(request.actor, site)
    add_base = reverse("scheduling_ui:booking_create", args=[site.pk]) if may_book else None
    days = [
        {
            "date": d,
            "closure": grid.closures[i],
            "closed": not grid.windows[i],
            "day_url": reverse("scheduling_ui:planning_day", args=[site.pk])
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
        "rows": week_rows(grid, add_base=add_base),
        "may_book": may_book,
        "nav": _grid_nav("scheduling_ui:planning_week", site, grid.days[0], dt.timedelta(days=7)),
        "form": DayForm(initial={"date": day}),
        "view": "week",
    }
    return render(request, "scheduling/ui/planning_week.html", context)


@login_required
def planning_day(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, PLANNER_ROLES)
    day = _day_param(request)
    grid = planning.day_grid(site, day)
    may_book = _may_book(request.actor, site)
    add_base = reverse("scheduling_ui:booking_create", args=[site.pk]) if may_book else None
    slots, rows = day_rows(grid, add_base=add_base)
    context = {
        "site": site,
        "sites": _sites_of(site.organisation),
        "day": day,
        "slots": slots,
        "rows": rows,
        "closure": grid.closures[0],
        "closed": not grid.windows[0],
        "may_book": may_book,
        "nav": _grid_nav("scheduling_ui:planning_day", site, day, dt.timedelta(days=1)),
        "form": DayForm(initial={"date": day}),
        "view": "day",
    }
    return render(request, "scheduling/ui/planning_day.html", context)


def _site_resources(site: Site) -> list[Resource]:
    return list(Resource.objects.active().at_site(site).order_by("kind", "name"))


def _catering_items(org_id: int) -> list[CateringItem]:
    return list(CateringItem.objects.filter(organisation_id=org_id, is_active=True))


@login_required
def booking_create(request: AuthedRequest, site_id: int) -> HttpResponse:
    site = _staff_site(request, site_id, BOOKER_ROLES)
    resources = _site_resources(site)
    items = _catering_items(site.organisation_id)
    conflict: BookingConflict | None = None
    if request.method == "POST":
        form = BookingForm(request.POST, resources=resources, catering_items=items)
        if form.is_valid():
            data = form.cleaned_data
            try:
                booking = actions.book(
                    actor=request.actor,
                    resources=[data["resource"]],
                    start=form.start,
                    end=form.end,
                    title=data["title"],
                    participants=data.get("participants"),
                    notes=data.get("notes") or "",
                    hide_from_lobby=bool(data.get("hide_from_lobby")),
                    catering=[
                        CateringRequest(item=item, count=count, serve_at=data.get("serve_at"))
                        for item, count in form.catering_lines()
                    ],
                )
            except BookingConflict as exc:
                conflict = exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                if booking.status == BookingStatus.APPROVED:
                    messages.success(request, _("Réservation confirmée : %s") % booking.title)
                else:
                    messages.success(request, _("Demande enregistrée, en attente d'approbation."))
                url = reverse("scheduling_ui:planning_day", args=[site.pk])
                return _done(request, f"{url}?date={planning.local_day(booking.start)}")
    else:
        initial: dict[str, Any] = {
            "resource": request.GET.get("resource"),
            "day": request.GET.get("day") or planning.local_day(timezone.now()),
            "start_time": request.GET.get("start_time") or "09:00",
            "end_time": request.GET.get("end_time") or "10:00",
        }
        form = BookingForm(initial=initial, resources=resources, catering_items=items)
    context = {"site": site, "form": form, "conflict": conflict}
    status = 409 if conflict else (400 if form.errors else 200)
    return _render(
        request,
        "scheduling/ui/booking_create.html",
        "scheduling/ui/_booking_create.html",
        context,
        status=status,
    )


def _visible_booking(request: AuthedRequest, pk: int) -> Booking:
    qs = Booking.objects.visible_to(request.actor).select_related(
        "site", "requester", "decided_by", "organisation"
    )
    return get_object_or_404(qs, pk=pk)


def _booking_context(
    request: AuthedRequest,
    booking: Booking,
    *,
    move_form: MoveForm | None = None,
    refuse_form: RefuseForm | None = None,
    conflict: BookingConflict | None = None,
    error: str = "",
) -> dict[str, Any]:
    actor = request.actor
    resources = list(booking.resources.all())
    open_ = booking.status in (BookingStatus.REQUESTED, BookingStatus.APPROVED)
    may_change = open_ and can_change(actor, booking) and _movable(booking)
    pool: list[Resource] = []
    if may_change and move_form is None:
        kinds = {r.kind for r in resources} or {Resource.Kind.ROOM}
        pool = [r for r in _site_resources(booking.site) if r.kind in kinds]
        s, e = _local(booking.start), _local(booking.end)
        move_form = MoveForm(
            initial={
                "resource": resources[0].pk if resources else None,
                "day": s.date(),
                "start_time": s.time(),
                "end_time": e.time() if e.date() == s.date() else dt.time(23, 55),
            },
            resources=pool,
        )
    return {
        "booking": booking,
        "resources": resources,
        "catering_lines": list(booking.catering_lines.select_related("item")),
        "may_decide": booking.status == BookingStatus.REQUESTED and can_decide(actor, booking),
        "may_change": may_change,
        "may_set_lobby": open_ and can_change(actor, booking) and _movable(booking),
        "move_form": move_form,
        "refuse_form": refuse_form or RefuseForm(),
        "cancel_form": CancelForm(),
        "conflict": conflict,
        "error": error,
        "grid_url": reverse("scheduling_ui:planning_day", args=[booking.site_id])
        + f"?date={planning.local_day(booking.start)}",
        "is_planner": actor.is_platform_admin
        or actor.has_role(booking.organisation_id, *PLANNER_ROLES),
    }


def _movable(booking: Booking) -> bool:
    """Loans and outreach tours change on their own pages (their dates live there too)."""
    return booking.purpose not in (Booking.Purpose.LOAN, Booking.Purpose.OUTREACH)


def _booking_response(
    request: AuthedRequest, booking: Booking, status: int = 200, **extra: Any
) -> HttpResponse:
    return _render(
        request,
        "scheduling/ui/booking.html",
        "scheduling/ui/_booking.html",
        _booking_context(request, booking, **extra),
        status=status,
    )


@login_required
def booking_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    return _booking_response(request, _visible_booking(request, pk))


@login_required
@require_POST
def booking_approve(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    try:
        actions.approve_booking(actor=request.actor, booking=booking)
    except BookingConflict as exc:
        return _booking_response(request, booking, status=409, conflict=exc)
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Demande approuvée : %s") % booking.title)
    return _done(request, _next_url(request, _booking_context(request, booking)["grid_url"]))


@login_required
@require_POST
def booking_refuse(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    form = RefuseForm(request.POST)
    if form.is_valid():
        try:
            actions.refuse_booking(
                actor=request.actor, booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Demande refusée : %s") % booking.title)
            url = _booking_context(request, booking)["grid_url"]
            return _done(request, _next_url(request, url))
    return _booking_response(request, booking, status=400, refuse_form=form)


@login_required
@require_POST
def booking_cancel(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    if not _movable(booking):
        return _booking_response(
            request,
            booking,
            status=400,
            error=_("Un prêt ou une animation en école se modifie depuis sa propre page."),
        )
    form = CancelForm(request.POST)
    form.is_valid()
    try:
        actions.cancel_booking(
            actor=request.actor, booking=booking, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    messages.success(request, _("Réservation annulée : %s") % booking.title)
    return _done(request, _next_url(request, _booking_context(request, booking)["grid_url"]))


@login_required
@require_POST
def booking_lobby(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hide a booking from the lobby screens (its room shows "busy") or show it again."""
    booking = _visible_booking(request, pk)
    form = LobbyVisibilityForm(request.POST)
    form.is_valid()
    hidden = bool(form.cleaned_data.get("hidden"))
    try:
        booking = actions.set_lobby_visibility(actor=request.actor, booking=booking, hidden=hidden)
    except ValidationError as exc:
        return _booking_response(request, booking, status=400, error=" ".join(exc.messages))
    if hidden:
        messages.success(request, _("Masquée sur l'écran d'accueil : %s") % booking.title)
    else:
        messages.success(request, _("Affichée sur l'écran d'accueil : %s") % booking.title)
    return _done(request, _next_url(request, reverse("scheduling_ui:booking", args=[booking.pk])))


@login_required
@require_POST
def booking_move(request: AuthedRequest, pk: int) -> HttpResponse:
    booking = _visible_booking(request, pk)
    if not can_change(request.actor, booking):
        raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
    if not _movable(booking):
        return _booking_response(
            request,
            booking,
            status=400,
            error=_("Un prêt ou une animation en école se modifie depuis sa propre page."),
        )
    kinds = set(booking.resources.values_list("kind", flat=True)) or {Resource.Kind.ROOM}
    pool = [r for r in _site_resources(booking.site) if r.kind in kinds]
    form = MoveForm(request.POST, resources=pool)
    if form.is_valid():
        try:
            moved = actions.move_booking(
                actor=request.actor,
                booking=booking,
                start=form.start,
                end=form.end,
                resources=[form.cleaned_data["resource"]],
            )
        except BookingConflict as exc:
            return _booking_response(request, booking, status=409, move_form=form, conflict=exc)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Réservation déplacée : %s") % moved.title)
            url = reverse("scheduling_ui:planning_day", args=[moved.site_id])
            return _done(request, f"{url}?date={planning.local_day(moved.start)}")
    return _booking_response(request, booking, status=400, move_form=form)


# --- Occupancy portal (read-only, every staff member) ----------------------------------------


@login_required
def occupancy(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, tuple(STAFF_ROLES))
    sites = _sites_of(org)
    if not sites:
        return render(request, "scheduling/ui/occupancy.html", {"sites": [], "site": None})
    wanted = request.GET.get("site", "")
    site = next((s for s in sites if str(s.pk) == wanted), sites[0])
    day = _day_param(request)
    grid = planning.day_grid(site, day, kinds=[Resource.Kind.ROOM, Resource.Kind.PARKING])
    slots, rows = day_rows(grid, add_base=None, readonly=True)
    url = reverse("scheduling_ui:occupancy")
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
    return render(request, "scheduling/ui/occupancy.html", context)


# --- Lobby screen (no login) -----------------------------------------------------------------


LOBBY_PAGE_SIZE = 12  # rooms per screen: readable from across a hall on a TV
LOBBY_MAX_PAGE_SIZE = 40
LOBBY_REFRESH_SECONDS = 60  # a still screen reloads the same page
LOBBY_ROTATE_SECONDS = 20  # ``?rotate=1``: show the next page (wrapping round) this often


@dataclass(frozen=True)
class LobbyRoom:
    name: str
    location: str
    now_busy: bool
    now_title: str  # "" for a booking hidden from the lobby: the room shows "busy" only
    now_until: str
    next_busy: bool
    next_title: str
    next_from: str


def lobby_rooms(site: Site, moment: dt.datetime) -> list[LobbyRoom]:
    """Now / next per room: confirmed bookings only, titles only (no names). A booking hidden
    from the lobby keeps its room busy, without its title."""
    today = planning.local_day(moment)
    grid = planning.day_grid(site, today, kinds=[Resource.Kind.ROOM])
    out = []
    for row in grid.rows:
        current = following = None
        for e in row.days[0]:
            if e.status != BookingStatus.APPROVED:
                continue
            if e.start <= moment < e.end and current is None:
                current = e
            elif e.start > moment and (following is None or e.start < following.start):
                following = e
        out.append(
            LobbyRoom(
                name=row.resource.name,
                location=row.resource.location,
                now_busy=current is not None,
                now_title=current.title if current and not current.hide_from_lobby else "",
                now_until=_hm(current.end) if current else "",
                next_busy=following is not None,
                next_title=following.title if following and not following.hide_from_lobby else "",
                next_from=_hm(following.start) if following else "",
            )
        )
    return out


def _positive_int(value: str | None, default: int, maximum: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return min(number, maximum) if number >= 1 else default


def lobby(request: HttpRequest, token: str) -> HttpResponse:
    """The lobby screen of a site (no login: the secret token is the key). Big sites are split
    into pages of ``?par_page=`` rooms (default 12); ``?rotate=1`` moves on to the next page,
    wrapping round, every 20 seconds."""
    policy = get_object_or_404(SitePolicy.objects.select_related("site"), display_token=token)
    moment = clock.now(request)
    rooms = lobby_rooms(policy.site, moment)
    size = _positive_int(request.GET.get("par_page"), LOBBY_PAGE_SIZE, LOBBY_MAX_PAGE_SIZE)
    pages = max(1, -(-len(rooms) // size))
    page = min(_positive_int(request.GET.get("page"), 1, pages), pages)
    rotate = request.GET.get("rotate") == "1" and pages > 1

    def url_of(number: int) -> str:
        query = QueryDict(mutable=True)
        if clock.is_pinned(request):
            query[clock.AT_PARAMETER] = request.GET[clock.AT_PARAMETER]
        if number > 1 or rotate:
            query["page"] = str(number)
        if size != LOBBY_PAGE_SIZE:
            query["par_page"] = str(size)
        if rotate:
            query["rotate"] = "1"
        encoded = query.urlencode()
        return f"{request.path}?{encoded}" if encoded else request.path

    first = (page - 1) * size
    context = {
        "site": policy.site,
        "policy": policy,
        "rooms": rooms[first : first + size],
        "room_count": len(rooms),
        "first_room": first + 1,
        "last_room": min(first + size, len(rooms)),
        "page": page,
        "pages": pages,
        "page_urls": [(n, url_of(n)) for n in range(1, pages + 1)] if pages > 1 else [],
        "moment": _local(moment),
        "refresh_url": url_of(page % pages + 1) if rotate else url_of(page),
        "refresh_seconds": LOBBY_ROTATE_SECONDS if rotate else LOBBY_REFRESH_SECONDS,
    }
    response = render(request, "scheduling/ui/lobby.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


# --- Daily catering list ---------------------------------------------------------------------


def _catering(request: AuthedRequest, site_id: int) -> catering.CateringList:
    site = _staff_site(request, site_id, (Role.LOGISTICS, Role.COORDINATOR))
    return catering.daily_list(site, _day_param(request))


@login_required
def catering_list(request: AuthedRequest, site_id: int) -> HttpResponse:
    data = _catering(request, site_id)
    url = reverse("scheduling_ui:catering", args=[site_id])
    context = {
        "catering": data,
        "site": data.site,
        "sites": _sites_of(data.site.organisation),
        "form": DayForm(initial={"date": data.day}),
        "nav": {
            "previous": f"{url}?date={data.day - dt.timedelta(days=1)}",
            "next": f"{url}?date={data.day + dt.timedelta(days=1)}",
            "today": url,
        },
        "query": f"?date={data.day.isoformat()}",
    }
    return render(request, "scheduling/ui/catering.html", context)


@login_required
def catering_csv(request: AuthedRequest, site_id: int) -> HttpResponse:
    data = _catering(request, site_id)
    response = HttpResponse(catering.as_csv(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data.filename}.csv"'
    return response


@login_required
def catering_pdf(request: AuthedRequest, site_id: int) -> HttpResponse:
    data = _catering(request, site_id)
    response = HttpResponse(catering.as_pdf(data), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{data.filename}.pdf"'
    return response


# --- Equipment loans -------------------------------------------------------------------------


def _loans(org: Organisation) -> Any:
    return Loan.objects.filter(organisation=org).select_related("resource", "borrower")


@login_required
def loan_list(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    moment = clock.now(request)
    outstanding = list(_loans(org).outstanding().order_by("due"))
    today = planning.local_day(moment)
    overdue = [loan for loan in outstanding if loan.due < moment]
    context = {
        "organisation": org,
        "today": today,
        "overdue": overdue,
        "remindable": [loan for loan in overdue if loan.last_reminded != today],
        "outstanding": [loan for loan in outstanding if loan.due >= moment],
        "recent": list(_loans(org).filter(returned_at__isnull=False).order_by("-returned_at")[:20]),
        "items": list(
            Resource.objects.filter(organisation=org, kind=Resource.Kind.EQUIPMENT).order_by("name")
        ),
    }
    return render(request, "scheduling/ui/loans.html", context)


@login_required
def loan_create(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    items = list(Resource.objects.active().filter(organisation=org, kind=Resource.Kind.EQUIPMENT))
    conflict: BookingConflict | None = None
    if request.method == "POST":
        form = LoanForm(request.POST, items=items)
        if form.is_valid():
            data = form.cleaned_data
            start, due = ui_actions.loan_times(data["start"], data["due"])
            try:
                loan = ui_actions.checkout_loan(
                    actor=request.actor,
                    resource=data["resource"],
                    borrower_email=data["borrower_email"],
                    first_name=data.get("borrower_first_name") or "",
                    last_name=data.get("borrower_last_name") or "",
                    start=start,
                    due=due,
                    condition_out=data.get("condition_out") or "",
                )
            except BookingConflict as exc:
                conflict = exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("« %(item)s » prêté à %(who)s.")
                    % {"item": loan.resource.name, "who": loan.borrower},
                )
                return redirect("scheduling_ui:loans")
    else:
        today = planning.local_day(timezone.now())
        form = LoanForm(
            initial={
                "resource": request.GET.get("resource"),
                "start": today,
                "due": today + dt.timedelta(days=7),
            },
            items=items,
        )
    return render(
        request,
        "scheduling/ui/loan_form.html",
        {"form": form, "conflict": conflict},
        status=409 if conflict else (400 if form.errors else 200),
    )


@login_required
def loan_return(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loan = get_object_or_404(_loans(org), pk=pk)
    if loan.returned_at is not None:
        messages.info(request, _("Ce prêt est déjà rendu."))
        return redirect("scheduling_ui:loans")
    if request.method == "POST":
        form = ReturnForm(request.POST)
        if form.is_valid():
            try:
                actions.return_loan(
                    actor=request.actor,
                    loan=loan,
                    condition_in=form.cleaned_data.get("condition_in") or "",
                )
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(request, _("Retour de « %s » enregistré.") % loan.resource.name)
                return redirect("scheduling_ui:loans")
    else:
        form = ReturnForm()
    return render(request, "scheduling/ui/loan_return.html", {"form": form, "loan": loan})


@login_required
@require_POST
def loan_reminders(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    count = ui_actions.send_loan_reminders(
        actor=request.actor, organisation=org, now=clock.now(request)
    )
    if count:
        messages.success(request, _("%(n)d rappel(s) envoyé(s).") % {"n": count})
    else:
        messages.info(
            request, _("Aucun prêt en retard sans rappel aujourd'hui : aucun rappel envoyé.")
        )
    return redirect("scheduling_ui:loans")


@login_required
@require_POST
def loan_remind(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loan = get_object_or_404(_loans(org), pk=pk)
    try:
        ui_actions.remind_loan(actor=request.actor, loan=loan, now=clock.now(request))
    except ValidationError as exc:
        messages.info(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Rappel envoyé à %(who)s pour « %(item)s ».")
            % {"who": loan.borrower, "item": loan.resource.name},
        )
    return redirect(_next_url(request, reverse("scheduling_ui:loans")))


@login_required
def loan_item_history(request: AuthedRequest, resource_id: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    item = get_object_or_404(Resource, pk=resource_id, organisation=org)
    loans = list(_loans(org).filter(resource=item).order_by("-start"))
    return render(
        request,
        "scheduling/ui/loan_history.html",
        {"subject": item.name, "loans": loans, "by": "item", "now": clock.now(request)},
    )


@login_required
def loan_person_history(request: AuthedRequest, user_id: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    loans = list(_loans(org).filter(borrower_id=user_id).order_by("-start"))
    if not loans:
        raise Http404
    return render(
        request,
        "scheduling/ui/loan_history.html",
        {
            "subject": str(loans[0].borrower),
            "loans": loans,
            "by": "person",
            "now": clock.now(request),
        },
    )


# --- Outreach units --------------------------------------------------------------------------


def _outreach_choices(actor: Actor) -> tuple[list[Resource], list[OutreachActivity]]:
    orgs = actor.orgs_with_role(*OUTREACH_REQUESTERS)
    units = list(
        Resource.objects.active()
        .filter(organisation_id__in=orgs, kind=Resource.Kind.MOBILE_UNIT)
        .order_by("name")
    )
    activities = list(
        OutreachActivity.objects.filter(unit__in=units, is_active=True).order_by(
            "unit__name", "title_fr"
        )
    )
    return units, activities


@login_required
def outreach_request(request: AuthedRequest) -> HttpResponse:
    units, activities = _outreach_choices(request.actor)
    if not units:
        raise PermissionDenied(_("Aucune unité mobile n'est proposée à votre organisation."))
    if request.method == "POST":
        form = OutreachForm(request.POST, units=units, activities=activities)
        if form.is_valid():
            data = form.cleaned_data
            try:
                outreach = ui_actions.request_outreach_checked(
                    actor=request.actor,
                    activity=data["activity"],
                    first_day=data["first_day"],
                    last_day=data["last_day"],
                    school_name=data["school_name"],
                    school_city=data["school_city"],
                    pupil_counts=form.pupil_counts(),
                    school_street=data.get("school_street") or "",
                    school_postcode=data.get("school_postcode") or "",
                    contact_name=data.get("contact_name") or "",
                    contact_email=data.get("contact_email") or "",
                    contact_phone=data.get("contact_phone") or "",
                    notes=data.get("notes") or "",
                )
            except BookingConflict as exc:
                form.add_error("first_day", exc.message)
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Demande envoyée : l'équipe de la province vous répondra par e-mail."),
                )
                return redirect("scheduling_ui:outreach_detail", pk=outreach.pk)
        unit_id = form.data.get("unit")
    else:
        unit_id = request.GET.get("unit") or (str(units[0].pk) if len(units) == 1 else None)
        form = OutreachForm(initial={"unit": unit_id}, units=units, activities=activities)
    chosen = int(unit_id) if unit_id and str(unit_id).isdigit() else None
    return render(
        request,
        "scheduling/ui/outreach_request.html",
        {
            "form": form,
            "groups": form.activity_groups(chosen),
            "setup_days": ui_actions.SETUP_DAYS_BEFORE,
        },
        status=400 if form.errors else 200,
    )


@login_required
def outreach_activities(request: AuthedRequest) -> HttpResponse:
    """htmx: the activity list of the chosen unit."""
    units, activities = _outreach_choices(request.actor)
    form = OutreachForm(units=units, activities=activities)
    unit_id = request.GET.get("unit", "")
    chosen = int(unit_id) if unit_id.isdigit() else None
    return render(
        request,
        "scheduling/ui/_outreach_activities.html",
        {"form": form, "groups": form.activity_groups(chosen)},
    )


def _outreach_qs() -> Any:
    return OutreachRequest.objects.select_related(
        "booking", "activity", "activity__unit"
    ).prefetch_related("pupil_counts")


@login_required
def outreach_mine(request: AuthedRequest) -> HttpResponse:
    requests_ = list(
        _outreach_qs().filter(booking__requester=request.user).order_by("-booking__start")
    )
    return render(request, "scheduling/ui/outreach_mine.html", {"requests": requests_})


def _visible_outreach(request: AuthedRequest, pk: int) -> OutreachRequest:
    actor = request.actor
    qs = _outreach_qs()
    if not actor.is_platform_admin:
        qs = qs.filter(
            Q(booking__requester=request.user)
            | Q(organisation_id__in=actor.orgs_with_role(Role.LOGISTICS))
        )
    return get_object_or_404(qs, pk=pk)


@login_required
def outreach_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    outreach = _visible_outreach(request, pk)
    booking = outreach.booking
    context = {
        "outreach": outreach,
        "booking": booking,
        "first_day": _local(booking.start).date(),
        "last_day": _local(booking.end - dt.timedelta(seconds=1)).date(),
        "setup_day": _local(booking.blocked_start).date(),
        "may_decide": booking.status == BookingStatus.REQUESTED
        and can_decide(request.actor, booking),
        "refuse_form": RefuseForm(),
        "kit_text": pick(outreach.activity, "description"),
    }
    return render(request, "scheduling/ui/outreach_detail.html", context)


@login_required
def outreach_kit(request: AuthedRequest, pk: int) -> HttpResponse:
    outreach = _visible_outreach(request, pk)
    booking = outreach.booking
    text = render(
        request,
        "scheduling/ui/outreach_kit.txt",
        {
            "outreach": outreach,
            "first_day": _local(booking.start).date(),
            "last_day": _local(booking.end - dt.timedelta(seconds=1)).date(),
            "kit_text": pick(outreach.activity, "description"),
        },
        content_type="text/plain; charset=utf-8",
    )
    text["Content-Disposition"] = (
        f'attachment; filename="kit-{outreach.activity.slug}-{outreach.pk}.txt"'
    )
    return text


@login_required
def outreach_queue(request: AuthedRequest) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    moment = clock.now(request)
    qs = _outreach_qs().filter(organisation=org)
    pending = list(qs.filter(booking__status=BookingStatus.REQUESTED).order_by("booking__start"))
    confirmed = list(
        qs.filter(booking__status=BookingStatus.APPROVED, booking__end__gt=moment).order_by(
            "booking__start"
        )
    )
    # Which pending requests could not be approved as they stand (a confirmed tour is there):
    # one query for every unit and the whole span of the queue.
    clashes: dict[int, str] = {}
    if pending:
        span0 = min(item.booking.blocked_start for item in pending)
        span1 = max(item.booking.blocked_end for item in pending)
        held = list(
            Reservation.objects.active()
            .filter(resource_id__in={item.activity.unit_id for item in pending})
            .overlapping(span0, span1)
            .select_related("booking")
        )
        for item in pending:
            for r in held:
                if (
                    r.resource_id == item.activity.unit_id
                    and r.booking_id != item.booking_id
                    and core.overlaps(
                        r.blocked_start,
                        r.blocked_end,
                        item.booking.blocked_start,
                        item.booking.blocked_end,
                    )
                ):
                    clashes[item.pk] = r.booking.title
                    break
    rows = [(item, clashes.get(item.pk, "")) for item in pending]
    return render(
        request,
        "scheduling/ui/outreach_queue.html",
        {
            "organisation": org,
            "pending": rows,
            "confirmed": confirmed,
            "refuse_form": RefuseForm(),
            "next": reverse("scheduling_ui:outreach_queue"),
        },
    )
