"""Rate limits outside allauth's own views, counted the same way (``ACCOUNT_RATE_LIMITS``).

For instance, the invitation-acceptance view, on POST::

    if response := throttle.consume_or_429(request, "accept_invitation", key=token_hash):
        return response
"""

from __future__ import annotations

from allauth.core import ratelimit
from django.http import HttpRequest, HttpResponse


def consume_or_429(
    request: HttpRequest, action: str, *, key: str | None = None, limit_get: bool = False
) -> HttpResponse | None:
    """Count one attempt; return the "too many attempts" page (429) when over the limit.

    Like allauth, only requests that change something count (a GET is never limited): call it
    where the form is submitted. ``limit_get``: count GET requests too (a public endpoint that
    is costly to answer, e.g. the open data).
    """
    return ratelimit.consume_or_429(request, action=action, key=key, limit_get=limit_get)
