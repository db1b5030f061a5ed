"""Typed request and small view helpers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from parcours.accounts.models import Organisation, User
    from parcours.accounts.permissions import Actor


class AuthedRequest(HttpRequest):
    """What our middleware adds to every request (for type checking views)."""

    user: User
    actor: Actor
    organisation: Organisation | None
    htmx: HtmxDetails


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
