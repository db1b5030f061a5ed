"""Calls to addresses a platform gave us (LTI Dynamic Registration, the platform's services),
guarded against server-side request forgery.

A platform's OpenID configuration URL arrives in a query string anyone can craft, and the
configuration it returns names more URLs: without a guard, Parcours could be made to call
its own loopback, the cloud's metadata address (169.254.169.254) or a machine of the private
network, and show what it answered. So:

- the host name is resolved **when the connection is opened** and every address it resolves
  to is checked; the socket then connects to one of those checked addresses (pinned: a second
  resolution cannot swap in a private one — "DNS rebinding"). TLS still checks the certificate
  against the host name;
- private, loopback, link-local, multicast, reserved, unspecified and shared (CGNAT) addresses
  are refused, also when written as an IPv4-mapped IPv6 address, unless the setting
  ``LTI_ALLOW_PRIVATE_ADDRESSES`` is true (tests, a Moodle on the local network);
- proxies from the environment are not used (the check would apply to the proxy);
- a response is read up to :data:`MAX_RESPONSE_BYTES` and within :data:`TOTAL_TIMEOUT`
  seconds in all (each connect and read also has its own time-out).
"""

from __future__ import annotations

import ipaddress
import json
import socket
import time
from typing import Any

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError

MAX_RESPONSE_BYTES = 1_000_000  # an OpenID configuration or a registration answer: a few kB
TOTAL_TIMEOUT = 20.0  # seconds for a whole response, however slowly it drips


class AddressRefused(ValueError):
    """The host resolves to an address Parcours does not call. A ValueError, so that callers
    catching ``(RequestException, ValueError)`` treat it as a failed call."""

    def __init__(self, message: str, host: str = "") -> None:
        super().__init__(message)
        self.host = host


class ResponseRefused(ValueError):
    """The answer is too big or too slow."""


def _refused_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # drop an IPv6 zone
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def allowed_addresses(host: str, port: int) -> list[tuple[Any, ...]]:
    """Resolve ``host`` and return its getaddrinfo entries, or raise :class:`AddressRefused`
    when one of its addresses is not public (and private addresses are not allowed)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)  # gaierror: unreachable
    if getattr(settings, "LTI_ALLOW_PRIVATE_ADDRESSES", False):
        return infos
    for info in infos:
        if _refused_address(str(info[4][0])):
            raise AddressRefused(f"{host}: {info[4][0]} is not a public address", host)
    return infos


def _connect(conn: HTTPConnection) -> socket.socket:
    """Open the socket to a checked address of the connection's host (what urllib3's
    ``_new_conn`` does, with the check and the pinning)."""
    infos = allowed_addresses(conn._dns_host, conn.port or 0)
    last: OSError | None = None
    for family, kind, proto, _name, address in infos:
        sock = socket.socket(family, kind, proto)
        try:
            for option in conn.socket_options or []:
                sock.setsockopt(*option)
            timeout = conn.timeout
            if isinstance(timeout, (int, float)):
                sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as exc:
            last = exc
            sock.close()
    raise NewConnectionError(conn, f"Failed to establish a new connection: {last}")


class _GuardedHTTPConnection(HTTPConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self)


class _GuardedHTTPSConnection(HTTPSConnection):
    def _new_conn(self) -> socket.socket:
        return _connect(self)


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _GuardedHTTPPool,
            "https": _GuardedHTTPSPool,
        }


def guarded_session() -> requests.Session:
    """A requests session that only connects to public addresses (see the module's doc)."""
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment
    session.mount("http://", _GuardedAdapter())
    session.mount("https://", _GuardedAdapter())
    return session


def read_json(response: requests.Response) -> Any:
    """The JSON body of a response opened with ``stream=True``, read up to
    :data:`MAX_RESPONSE_BYTES` bytes and :data:`TOTAL_TIMEOUT` seconds in all; an empty body
    is ``{}``. Raises :class:`ResponseRefused` when too big or too slow, ValueError when not
    JSON."""
    deadline = time.monotonic() + TOTAL_TIMEOUT
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > MAX_RESPONSE_BYTES:
        response.close()
        raise ResponseRefused(f"response of {declared} bytes refused")
    body = bytearray()
    try:
        for chunk in response.iter_content(chunk_size=16384):
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                raise ResponseRefused(f"response longer than {MAX_RESPONSE_BYTES} bytes")
            if time.monotonic() > deadline:
                raise ResponseRefused(f"response slower than {TOTAL_TIMEOUT} seconds")
    finally:
        response.close()
    if not body.strip():
        return {}
    return json.loads(bytes(body))
