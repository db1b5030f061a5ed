"""Bounds on what the catalogue and pathway pages accept from a query string.

A page number, an id or a slug typed into an address can be anything: a value outside these
bounds is refused with a 400 page that says why (never a 500 from the database, never a
silent guess). The API states the same bounds in its schemas (``Field(ge=…, le=…)``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from parcours.lib.ids import MAX_ID  # noqa: F401 - the catalogue's bounds, re-exported

#: The highest page number a list accepts (20 modules a page: 200,000 modules).
MAX_PAGE = 10_000
#: Longest slug accepted in a filter (organisation slugs have at most 60 characters).
MAX_SLUG = 60
#: The API's largest offset into a list.
MAX_OFFSET = 100_000


class OutOfBounds(ValueError):
    """A query-string value outside its bounds; ``str()`` is the message for the user."""


def page_number(raw: str | None) -> str | None:
    """``raw`` unchanged if it may be given to ``Paginator.get_page`` (absent, not a number:
    page 1; beyond the last page: the last page); raises ``OutOfBounds`` above ``MAX_PAGE``."""
    if raw is None:
        return None
    text = raw.strip()
    digits = text.lstrip("+-")
    if digits.isdigit() and (len(digits) > len(str(MAX_PAGE)) or int(digits) > MAX_PAGE):
        raise OutOfBounds(
            _("Numéro de page invalide : il doit être compris entre 1 et %(max)s.")
            % {"max": MAX_PAGE}
        )
    return raw


def bad_request(request: HttpRequest, message: str) -> HttpResponse:
    """A 400 page that explains what was wrong with the address."""
    return render(request, "catalogue/bad_request.html", {"message": message}, status=400)


View = TypeVar("View", bound=Callable[..., HttpResponse])


def refuses_out_of_bounds(view: View) -> View:
    """Turn an ``OutOfBounds`` raised by the view into a 400 page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except OutOfBounds as exc:
            return bad_request(request, str(exc))

    return wrapper  # type: ignore[return-value]
