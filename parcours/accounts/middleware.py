"""Attach the actor and the current organisation (the tenant being worked on) to each request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.functional import SimpleLazyObject

from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor

SESSION_KEY = "parcours_current_org"


def _current_organisation(request: HttpRequest) -> Organisation | None:
    actor: Actor = request.actor  # type: ignore[attr-defined]
    if not actor.roles_by_org:
        return None
    wanted = request.session.get(SESSION_KEY)
    org_id = wanted if wanted in actor.roles_by_org else min(actor.roles_by_org)
    return Organisation.objects.filter(pk=org_id).first()


class CurrentOrganisationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = SimpleLazyObject(lambda: Actor.of(request.user))  # type: ignore[attr-defined,arg-type]
        request.organisation = SimpleLazyObject(  # type: ignore[attr-defined]
            lambda: _current_organisation(request)
        )
        return self.get_response(request)
