"""The integrations index: one card per part (LTI, Moodle, xAPI), for the organisation's
administrators."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from parcours.integrations import panels
from parcours.integrations.permissions import admin_organisation
from parcours.lib.http import AuthedRequest


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    cards = [(panel, panel.summary(organisation)) for panel in panels.panels()]
    return render(
        request, "integrations/index.html", {"organisation": organisation, "cards": cards}
    )
