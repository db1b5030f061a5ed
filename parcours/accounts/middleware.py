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


# --- The front door: staff second factor, Permissions-Policy ---------------------------------


def _mfa_allowed_prefixes() -> tuple[str, ...]:
    from django.conf import settings
    from django.urls import reverse

    return (
        reverse("mfa_index"),  # /compte/2fa/: TOTP, passkeys, recovery codes
        reverse("account_reauthenticate"),
        reverse("accounts:logout"),
        reverse("account_logout"),
        reverse("set_language"),
        settings.STATIC_URL,
    )


class StaffMfaMiddleware:
    """Staff of an organisation that requires a second factor set one up before anything else.

    The session flag is set at login (``parcours.accounts.receivers.on_user_logged_in``) and cleared
    here as soon as the person has an authenticator app or a passkey. Without the flag this
    middleware makes no query.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from parcours.accounts import mfa

        session = getattr(request, "session", None)
        if session is not None and session.get(mfa.SESSION_FLAG):
            user = request.user
            if not user.is_authenticated or mfa.has_second_factor(user):
                session.pop(mfa.SESSION_FLAG, None)
            elif not request.path.startswith(_mfa_allowed_prefixes()):
                return _ask_for_second_factor(request)
        return self.get_response(request)


def _ask_for_second_factor(request: HttpRequest) -> HttpResponse:
    from django.contrib import messages
    from django.http import HttpResponseRedirect
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from parcours.lib.problem import problem_response

    message = _(
        "Votre organisation demande une double authentification à son personnel : ajoutez "
        "une application d'authentification ou une clé d'accès pour continuer."
    )
    if request.path.startswith("/api/"):
        return problem_response(
            status=403, title=_("Double authentification requise"), detail=message
        )
    target = reverse("mfa_index")
    if getattr(request, "htmx", False):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    messages.warning(request, message)
    return HttpResponseRedirect(target)


class PermissionsPolicyMiddleware:
    """Send ``settings.PERMISSIONS_POLICY`` (Django has no setting for this header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings

        response = self.get_response(request)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
