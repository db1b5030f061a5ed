"""The daily catering list of a site (page, CSV, PDF)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest
from parcours.scheduling import actions, catering
from parcours.scheduling.forms import CateringItemForm, DayForm
from parcours.scheduling.models import CateringItem
from parcours.scheduling.views._common import (
    _current_org,
    _day_param,
    _form_errors,
    _paginate,
    _staff_site,
)
from parcours.scheduling.views.planning import _sites_of


def _catering(request: AuthedRequest, site_id: int) -> catering.CateringList:
    site = _staff_site(request, site_id, (Role.LOGISTICS, Role.COORDINATOR))
    return catering.daily_list(site, _day_param(request))


@login_required
def catering_list(request: AuthedRequest, site_id: int) -> HttpResponse:
    data = _catering(request, site_id)
    url = reverse("scheduling:catering", args=[site_id])
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
    return render(request, "scheduling/catering.html", context)


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


# --- Catering items (the organisation's menu) ---------------------------------------------


@login_required
def catering_items(request: AuthedRequest) -> HttpResponse:
    """The items people may order with a booking: add one, stop or resume offering it."""
    org = _current_org(request, (Role.LOGISTICS,))
    form = CateringItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label = form.cleaned_data["label_fr"]
        try:
            actions.create_catering_item(
                actor=request.actor,
                organisation=org,
                slug=slugify(label)[:50],
                label_fr=label,
                label_en=form.cleaned_data.get("label_en") or "",
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Article ajouté : %(label)s.") % {"label": label})
            return redirect("scheduling:catering_items")
    items = _paginate(request, CateringItem.objects.filter(organisation=org).order_by("label_fr"))
    return render(
        request,
        "scheduling/catering_items.html",
        {"organisation": org, "form": form, "items": items, "page_obj": items},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def catering_item_toggle(request: AuthedRequest, pk: int) -> HttpResponse:
    org = _current_org(request, (Role.LOGISTICS,))
    item = get_object_or_404(CateringItem, pk=pk, organisation=org)
    actions.set_catering_item_active(actor=request.actor, item=item, active=not item.is_active)
    if item.is_active:
        messages.success(
            request, _("« %(label)s » est de nouveau proposé.") % {"label": item.label}
        )
    else:
        messages.success(request, _("« %(label)s » n'est plus proposé.") % {"label": item.label})
    return redirect("scheduling:catering_items")
