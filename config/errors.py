"""Error handlers: branded pages for people, problem+json for the API.

Django renders ``templates/404.html`` / ``403.html`` / ``403_csrf.html`` (which extend
``base.html``) and ``500.html`` (standalone: no database, no context processors) when DEBUG is
off, which is also how the demo runs (see docs/architecture.md, "Error pages"). A URL under
``/api/`` that matches no operation, or fails outside one, answers an RFC 7807 problem instead.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views import defaults

from parcours.lib.problem import problem_response

API_PREFIX = "/api/"


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return problem_response(status=400, title=_("Requête invalide"))
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return problem_response(status=403, title=str(exception) or _("Accès refusé."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return problem_response(status=404, title=_("Introuvable"))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(
            status=500,
            title=_("Erreur du serveur"),
            detail=_("Une erreur inattendue s'est produite ; elle a été consignée."),
        )
    return defaults.server_error(request)
