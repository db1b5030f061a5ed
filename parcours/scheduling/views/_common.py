"""Helpers shared by the logistics pages (htmx fragments, next URLs, scope checks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from parcours.accounts.models import VIEWER_ROLES, Organisation, Role, Site
from parcours.accounts.permissions import Actor
from parcours.lib import clock, urls
from parcours.lib.dates import format_time
from parcours.lib.http import AuthedRequest
from parcours.scheduling import planning
from parcours.scheduling.forms import (
    DayForm,
)
from parcours.scheduling.models import (
    Resource,
)
from parcours.scheduling.permissions import require_logistics, require_site_admin

PLANNER_ROLES = (Role.LOGISTICS, Role.COORDINATOR, Role.TRAINER)
# Who may look at the plannings (read-only for agents: no links, no buttons, 403 on writes).
GRID_VIEWERS = (*PLANNER_ROLES, Role.AGENT)
BOOKER_ROLES = (Role.LOGISTICS, Role.COORDINATOR)
OUTREACH_REQUESTERS = (Role.SCHOOL_CONTACT, Role.COORDINATOR, Role.LOGISTICS)
STEP = dt.timedelta(minutes=30)
DEFAULT_HOURS = (dt.time(8, 0), dt.time(18, 0))
BOOKABLE_KINDS = (Resource.Kind.ROOM, Resource.Kind.PARKING)


# --- Small helpers -------------------------------------------------------------------------


def _fragment(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request  # type: ignore[union-attr]


def _render(
    request: HttpRequest,
    page: str,
    fragment: str,
    context: dict[str, Any],
    status: int = 200,
    *,
    retarget: str | None = None,
) -> HttpResponse:
    """The page, or (htmx) its fragment. A form that failed answers in place: with htmx, 422
    and the form fragment, swapped into ``retarget`` (the dialog stays open) and its error
    summary focused by ``static/scheduling/logistics.js``; without, the page with a 400."""
    is_fragment = _fragment(request)
    context["fragment"] = is_fragment
    if is_fragment and status == 400:
        status = 422
    response = render(request, fragment if is_fragment else page, context, status=status)
    if is_fragment and status >= 400 and retarget:
        response["HX-Retarget"] = retarget
        response["HX-Reswap"] = "innerHTML"
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
    """Where to go after a POST: see :func:`parcours.lib.urls.next_url`."""
    return urls.next_url(request, default)


def _form_errors(form: BaseForm, exc: ValidationError) -> None:
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
    return format_time(moment)


def _staff_site(request: AuthedRequest, site_id: int, roles: Sequence[str]) -> Site:
    """A site of one of the actor's organisations (404 otherwise) where they hold ``roles``
    (403 otherwise)."""
    actor = request.actor
    sites = Site.objects.select_related("organisation")
    if not actor.is_platform_admin:
        sites = sites.filter(organisation_id__in=actor.orgs_with_role(*VIEWER_ROLES))
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


def _ctx(request: AuthedRequest, **context: object) -> dict[str, object]:
    """Context with what the scheduling navigation needs."""
    actor = request.actor
    context["show_logistics"] = actor.is_platform_admin or bool(actor.orgs_with_role("logistics"))
    return context


def _site_admin_org(request: AuthedRequest) -> Organisation:
    """The current organisation, when the person administers its sites (administrators and
    logistics); another organisation's objects are then simply not found (404)."""
    org = request.organisation
    if org is None:
        raise PermissionDenied(
            _("Réservé aux administrateurs et à la logistique de l'organisation.")
        )
    require_site_admin(request.actor, org)
    return org


def _logistics_org(request: AuthedRequest) -> Organisation:
    org = request.organisation
    if org is None:
        raise PermissionDenied(_("Réservé à la cellule logistique de l'organisation."))
    require_logistics(request.actor, org)
    return org


PAGE_SIZE = 50  # rows per page of every list a person can grow (issue #9)


def _paginate(request: HttpRequest, items: Any, per_page: int = PAGE_SIZE) -> Page:
    """One page of ``items`` (``?page=``; a bad or huge number gives the first or last page)."""
    return Paginator(items, per_page).get_page(request.GET.get("page"))
