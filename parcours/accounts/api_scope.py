"""Which organisation an API call is about, among those the caller may act for; and how an
action's refusal becomes the API's answer."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from ninja.errors import HttpError

from parcours.accounts.models import Organisation


def chosen_organisation(org_ids: Sequence[int], slug: str | None) -> Organisation:
    """The organisation named by ``slug`` among ``org_ids``; without a slug, the only one.
    404 for a slug outside them, 422 when several are allowed and none is named. The caller
    answers 403 itself when ``org_ids`` is empty (its message names the role)."""
    orgs = Organisation.objects.filter(pk__in=org_ids)
    if slug:
        org = orgs.filter(slug=slug[:100]).first()
        if org is None:
            raise HttpError(404, "Organisation inconnue.")
        return org
    if len(org_ids) > 1:
        raise HttpError(422, "Précisez l'organisation (paramètre organisation).")
    org = orgs.first()
    if org is None:
        raise HttpError(404, "Organisation inconnue.")
    return org


T = TypeVar("T")


def call_action(
    fn: Callable[..., T], *, unprocessable: Collection[str] = ("invalid",), **kwargs: Any
) -> T:
    """Run an action for an API call. Its refusals become problem+json with the action's
    French messages: 403 for a permission, 422 for bad input (a refusal per field, or one
    whose code is in ``unprocessable``), 409 for the state of things (full, already done…)."""
    try:
        return fn(**kwargs)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc) or "Action non autorisée.") from exc
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            named = [f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items()]
            raise HttpError(422, " ".join(named)) from exc
        code = getattr(exc, "code", None) or ""
        status = 422 if code in unprocessable else 409
        raise HttpError(status, " ".join(str(m) for m in exc.messages)) from exc
