"""Absolute links to this platform: the one way to build them.

Links leave the page (QR codes on PDFs, badges, DID documents, calendar feeds, e-mails), so
they must name the address people actually reach:

* in production, ``SITE_URL`` (https, a domain name: system check ``credentials.E002``);
* in the demo (``DEBUG`` or ``PARCOURS_DEMO``), which runs on whatever port it was started
  on, the address of the request being served: ``RequestOriginMiddleware`` remembers it for
  the request (and the tasks the demo runs inline), ``absolute_url(path, request)`` also
  takes it directly. Without a request (a management command), ``SITE_URL`` again.

The request's host is trusted only after Django validated it against ``ALLOWED_HOSTS``
(``request.get_host()``), and only in the demo.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Callable
from contextvars import ContextVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.utils.http import url_has_allowed_host_and_scheme

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
_request_origin: ContextVar[str | None] = ContextVar("parcours_request_origin", default=None)


def demo_mode() -> bool:
    return bool(
        settings.DEBUG
        or getattr(settings, "PARCOURS_DEMO", False)
        or os.environ.get("PARCOURS_DEMO", "").lower() in {"1", "true", "yes"}
    )


def configured_site_url() -> str:
    return str(getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


def origin_of(request: HttpRequest) -> str | None:
    """``scheme://host[:port]`` of a request, None when its host is not allowed."""
    try:
        return f"{request.scheme}://{request.get_host()}"
    except DisallowedHost:
        return None


def site_url(request: HttpRequest | None = None) -> str:
    """The base of absolute links: the served address in the demo, else ``SITE_URL``."""
    if demo_mode():
        origin = origin_of(request) if request is not None else _request_origin.get()
        if origin:
            return origin
    return configured_site_url()


def absolute_url(path: str, request: HttpRequest | None = None) -> str:
    """An absolute URL on this platform for a path (``/badges/…``, ``reverse(…)``)."""
    return site_url(request) + path


def site_host(request: HttpRequest | None = None) -> str:
    """``host[:port]`` of :func:`site_url`."""
    return urlsplit(site_url(request)).netloc


def local_origins() -> set[str]:
    """Origins that are this platform: ``SITE_URL``'s, and in the demo the served one."""
    origins = {configured_site_url()}
    current = _request_origin.get()
    if current and demo_mode():
        origins.add(current)
    return {origin.rstrip("/") for origin in origins}


def is_local_path(url: str) -> bool:
    """True when ``url`` is a path on this site: it starts with one ``/`` and names no scheme
    or host (never ``//host``, ``/\\host`` or a backslash that browsers read as ``/``)."""
    return (
        url.startswith("/")
        and not url.startswith("//")
        and "\\" not in url
        and url_has_allowed_host_and_scheme(url, allowed_hosts=set(), require_https=False)
    )


def next_url(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the ``next`` field (POST, then GET) when it is a path of
    this site, else ``default``. Every ``next`` a view follows goes through here."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    return wanted if is_local_path(wanted) else default


def insecure_site_url_reason(url: str) -> str | None:
    """Why ``url`` cannot be the public address of credentials, or None if it can: links
    and did:web identifiers need https and a domain name others resolve."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "not https"
    host = parts.hostname or ""
    if not host:
        return "no host"
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        return "an IP address, not a domain name"
    if host == "localhost" or host.endswith((".localhost", ".local")) or "." not in host:
        return "a local name"
    return None


class RequestOriginMiddleware:
    """Remembers the served address for the request (read by :func:`site_url` in the demo)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_origin.set(origin_of(request) if demo_mode() else None)
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
