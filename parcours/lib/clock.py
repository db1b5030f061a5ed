"""One source of "now" for pages that show what is happening at this moment (lobby screens).

``now()`` is ``django.utils.timezone.now()`` in production. Tests (and only tests, or a
developer with DEBUG on) may pin it:

- ``settings.PARCOURS_FAKE_NOW`` (an aware datetime or an ISO 8601 string) pins it for every
  call, e.g. with ``override_settings``;
- ``now(request)`` also honours a ``?at=2026-03-12T10:05`` query parameter, so a browser
  journey can show the lobby screen "when its time comes" without waiting.

Outside tests and DEBUG both are ignored: a visitor cannot make a screen lie about the time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_datetime

AT_PARAMETER = "at"


def _fake_allowed() -> bool:
    return bool(getattr(settings, "TESTING", False) or settings.DEBUG)


def _parse(value: object) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value:
        try:
            parsed = parse_datetime(value.strip().replace(" ", "T"))
        except ValueError:
            return None
        if parsed is None:
            return None
        moment = parsed
    else:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def now(request: HttpRequest | None = None) -> dt.datetime:
    """The current time, or the test clock's when tests (or DEBUG) set one."""
    if _fake_allowed():
        if request is not None:
            pinned = _parse(request.GET.get(AT_PARAMETER, ""))
            if pinned is not None:
                return pinned
        pinned = _parse(getattr(settings, "PARCOURS_FAKE_NOW", None))
        if pinned is not None:
            return pinned
    return timezone.now()


def is_pinned(request: HttpRequest) -> bool:
    """Whether this request runs on the test clock (pages keep ``?at=`` in their refresh)."""
    return _fake_allowed() and _parse(request.GET.get(AT_PARAMETER, "")) is not None
