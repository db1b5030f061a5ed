"""The daily catering list of a site (page, CSV, PDF)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse

from parcours.accounts.models import Role
from parcours.lib.http import AuthedRequest
from parcours.scheduling import catering
from parcours.scheduling.forms import (
    DayForm,
)
from parcours.scheduling.views._common import _day_param, _staff_site
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
