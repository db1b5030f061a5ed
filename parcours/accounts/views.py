from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import i18n as i18n_views
from django.views.decorators.http import require_POST

from parcours.accounts import actions
from parcours.accounts import dashboard as panels
from parcours.accounts.middleware import SESSION_KEY
from parcours.accounts.models import Organisation
from parcours.lib import urls
from parcours.lib.http import AuthedRequest


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie, safe redirect), and the choice kept on the profile."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and language in {code for code, _name in settings.LANGUAGES}:
        actions.set_language(user=user, language=language)
    return response


@login_required
def dashboard(request: AuthedRequest) -> HttpResponse:
    actor = request.actor
    orgs = Organisation.objects.filter(pk__in=list(actor.roles_by_org)).order_by("name")
    return render(
        request,
        "accounts/dashboard.html",
        {"organisations": orgs, "panels": panels.panels_for(request)},
    )


@login_required
@require_POST
def switch_organisation(request: AuthedRequest) -> HttpResponse:
    try:
        org_id = int(request.POST.get("organisation", ""))
    except ValueError:
        org_id = -1
    if org_id in request.actor.roles_by_org:
        request.session[SESSION_KEY] = org_id
        messages.success(request, _("Organisation active changée."))
    else:
        messages.error(request, _("Vous n'êtes pas membre de cette organisation."))
    return HttpResponseRedirect(urls.next_url(request, reverse("accounts:dashboard")))
