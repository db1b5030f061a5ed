"""Security headers that a view may relax: framing (lobby screens in a signage player)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def frameable(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Let the origins of ``settings.FRAME_ANCESTORS`` show this view in a frame.

    Every other page is denied framing (``X-Frame-Options: DENY``, CSP ``frame-ancestors
    'none'``). With ``FRAME_ANCESTORS`` empty (the default) this decorator changes nothing.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        ancestors = list(getattr(settings, "FRAME_ANCESTORS", []))
        if ancestors:
            response.xframe_options_exempt = True  # type: ignore[attr-defined]
            response._csp_replace = {"frame-ancestors": ["'self'", *ancestors]}  # type: ignore[attr-defined]
        return response

    return wrapped
