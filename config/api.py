"""The REST API: one NinjaAPI under /api/v1/, a router per app, problem+json errors.

Three things are done here once for every router instead of in each app:

- every error is an RFC 7807 problem (``application/problem+json``), whatever raised it
  (``HttpError``, ``Http404``, ``PermissionDenied``, a Django ``ValidationError``, a throttle);
- the OpenAPI document declares those problem responses on every operation (400, 401 when
  authenticated, 403, 404, 409, 422, 429), so a client (or schemathesis) knows every status code
  it can receive;
- values at the edge fit the databases: a path, query or body integer outside
  [-2^63, 2^63 - 1], a date outside the years 1900-2999 or a time-zone offset beyond ±14:00 is a
  422 before the view runs (else SQLite raised an OverflowError and PostgreSQL a DataError,
  i.e. a 500); the OpenAPI document gives the integer bounds (``minimum``/``maximum``).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema
from pydantic import BaseModel

from parcours.accounts.api import CsrfFailed
from parcours.lib.ids import MAX_ID
from parcours.lib.problem import problem_response

INT64_MIN = -(2**63)
INT64_MAX = MAX_ID
MIN_YEAR, MAX_YEAR = 1900, 2999
MAX_UTC_OFFSET = dt.timedelta(hours=14)  # Kiribati; PostgreSQL refuses beyond ±15:59
ZERO = dt.timedelta(0)

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA_NAME = "ProblemDetails"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": PROBLEM_SCHEMA_NAME,
    "description": "RFC 7807 problem details; some problems add fields (errors, conflicts…).",
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {},
    },
    "required": ["type", "title", "status"],
    "additionalProperties": True,
}
#: Problems any operation may answer, and the description shown in the documentation.
COMMON_PROBLEMS: dict[str, str] = {
    "400": "Bad Request",
    "403": "Forbidden",
    "404": "Not Found",
    "409": "Conflict",
    "422": "Unprocessable Content",
    "429": "Too Many Requests",
}
AUTH_PROBLEMS: dict[str, str] = {"401": "Unauthorized"}


class ParcoursAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document declares the problem responses and integer bounds."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        declare_problems(schema)
        bound_integers_in_schema(schema)
        return schema


def _problem_content() -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{PROBLEM_SCHEMA_NAME}"}
    return {PROBLEM_MEDIA_TYPE: {"schema": ref}}


def _operations(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                yield operation


def declare_problems(schema: dict[str, Any]) -> None:
    """Add the problem+json responses every operation can return (keeping declared ones)."""
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})[PROBLEM_SCHEMA_NAME] = copy.deepcopy(PROBLEM_SCHEMA)
    shared = components.setdefault("responses", {})
    for code, description in {**COMMON_PROBLEMS, **AUTH_PROBLEMS}.items():
        shared[f"Problem{code}"] = {"description": description, "content": _problem_content()}
    for operation in _operations(schema):
        # ninja keys the responses by int; the document (JSON) by string.
        responses = {str(code): r for code, r in operation.get("responses", {}).items()}
        operation["responses"] = responses
        wanted = dict(COMMON_PROBLEMS)
        if operation.get("security"):
            wanted.update(AUTH_PROBLEMS)
        for code in wanted:
            if code not in responses:
                responses[code] = {"$ref": f"#/components/responses/Problem{code}"}
        for code, response in responses.items():
            content = response.get("content")
            # A router that declared its own problem schema (under application/json, ninja's
            # default) is answered as problem+json: document both media types.
            if code.startswith(("4", "5")) and content and PROBLEM_MEDIA_TYPE not in content:
                first = next(iter(content.values()))
                content[PROBLEM_MEDIA_TYPE] = copy.deepcopy(first)


def _bound(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "integer":
            node.setdefault("minimum", INT64_MIN)
            node.setdefault("maximum", INT64_MAX)
            node.setdefault("format", "int64")
        for value in node.values():
            _bound(value)
    elif isinstance(node, list):
        for value in node:
            _bound(value)


def bound_integers_in_schema(schema: dict[str, Any]) -> None:
    """Every integer of the parameters and request bodies is documented as 64-bit."""
    for operation in _operations(schema):
        _bound(operation.get("parameters", []))
        _bound(operation.get("requestBody", {}))
    for name, component in schema.get("components", {}).get("schemas", {}).items():
        if name != PROBLEM_SCHEMA_NAME:
            _bound(component)


def out_of_range(value: Any, loc: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str]]:
    """(location, kind) of each value of a request's parsed input that no database can store:
    integers outside 64 bits, dates outside the years 1900-2999, time-zone offsets beyond
    ±14:00 (PostgreSQL refused "+20:45" with a 500)."""
    if isinstance(value, bool):
        return
    if isinstance(value, int):
        if not INT64_MIN <= value <= INT64_MAX:
            yield loc, "int"
    elif isinstance(value, dt.date):  # datetimes too
        if not MIN_YEAR <= value.year <= MAX_YEAR:
            yield loc, "year"
        elif isinstance(value, dt.datetime) and abs(value.utcoffset() or ZERO) > MAX_UTC_OFFSET:
            yield loc, "offset"
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from out_of_range(getattr(value, name, None), (*loc, name))
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from out_of_range(item, (*loc, key))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from out_of_range(item, (*loc, index))


def _message(kind: str) -> str:
    if kind == "int":
        return _("Nombre entier hors limites (entre -2^63 et 2^63 - 1).")
    if kind == "year":
        return _("Date hors limites (années 1900 à 2999).")
    return _("Décalage horaire hors limites (au plus 14 heures).")


def _bounded(get_values: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        values = get_values(request, *args, **kwargs)
        bad = [
            (loc, kind)
            for name, value in values.items()
            if not isinstance(value, HttpResponse)
            for loc, kind in out_of_range(value, (name,))
        ]
        if bad:
            raise ValidationError(
                [
                    {"loc": list(loc), "msg": _message(kind), "type": f"{kind}_out_of_range"}
                    for loc, kind in bad
                ]
            )
        return values

    return wrapper


def enforce_integer_bounds(target: NinjaAPI) -> None:
    """Wrap every bound operation's parameter parsing with the 64-bit check."""
    for bound_router in target._get_bound_routers():
        for path_view in bound_router.path_operations.values():
            for operation in path_view.operations:
                if not getattr(operation, "_parcours_bounded", False):
                    operation._get_values = _bounded(operation._get_values)  # type: ignore[method-assign]
                    operation._parcours_bounded = True  # type: ignore[attr-defined]


api = ParcoursAPI(
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


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = problem_response(status=429, title=_("Trop de requêtes"))
    if exc.wait:
        response["Retry-After"] = str(exc.wait)
    return response


@api.exception_handler(CsrfFailed)
def _csrf_failed(request: HttpRequest, exc: CsrfFailed) -> HttpResponse:
    return problem_response(
        status=403,
        title=_("Vérification CSRF échouée"),
        detail=_(
            "Un appel avec le cookie de session doit envoyer l'en-tête X-CSRFToken (le jeton de "
            "la page) ; un appel avec un jeton d'API (Authorization: Bearer …) n'en a pas besoin."
        ),
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return problem_response(status=exc.status_code, title=str(exc.message))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(status=404, title=_("Introuvable"))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(status=403, title=str(exc) or _("Accès refusé."))


@api.exception_handler(DjangoValidationError)
def _invalid(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
    return problem_response(
        status=422,
        title=_("Données invalides"),
        detail=" ".join(str(m) for ms in errors.values() for m in ms),
        errors=errors,
    )


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
    api.add_router("/", "parcours.orientation.api.router")
    api.add_router("/", "parcours.candidates.api.router")
    api.add_router("/", "parcours.careers.api.router")
    api.add_router("/", "parcours.events.api.router")
    api.add_router("/", "parcours.timetabling.api.router")
    api.add_router("/", "parcours.reporting.api.router")
    api.add_router("/", "parcours.webinars.api.router")
    api.add_router("/", "parcours.integrations.moodle.api.router")
    api.add_router("/", "parcours.assessments.api.router")
    api.add_router("/", "parcours.portfolio.api.router")


register_routers()
enforce_integer_bounds(api)
