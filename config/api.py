"""The REST API: one NinjaAPI under /api/v1/, a router per app, problem+json errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parcours.lib.problem import problem_response

api = NinjaAPI(
    title="Parcours API",
    version="1.0.0",
    description="API de Parcours : organisations, référentiels, modules et parcours.",
    urls_namespace="api-1.0.0",
    docs_url="/docs",
)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        status=422,
        title=_("Données invalides"),
        detail=_("La requête contient des erreurs."),
        errors=exc.errors,
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        status=401,
        title=_("Authentification requise"),
        detail=_("Fournissez un jeton d'API valide (en-tête Authorization: Bearer …)."),
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(status=exc.status_code, title=str(exc.message))


def register_routers() -> None:
    """Mount every app's router (imported here so apps don't import config)."""
    from parcours.accounts.api import router as accounts_router
    from parcours.catalogue.api import router as catalogue_router
    from parcours.pathways.api import router as pathways_router

    api.add_router("/", accounts_router)
    api.add_router("/", catalogue_router)
    api.add_router("/", pathways_router)
    api.add_router("/", "parcours.credentials.api.router")
    api.add_router("/", "parcours.enrolment.api.router")
    api.add_router("/", "parcours.scheduling.api.router")


register_routers()
