"""QR self check-in tokens: ``<slot id>.<window>.<mac>``.

The room screen shows a QR code of a URL with the current token; the token changes every
``WINDOW_SECONDS`` (the screen refreshes it) and the one of the previous window is still
accepted, so a photo of the screen stops working after at most two windows. The MAC is an
HMAC-SHA256 of the slot id and window under the slot's own random secret (``SessionSlot.
checkin_secret``, rotated by ``actions.rotate_checkin_secret``). Pure functions, no Django.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

WINDOW_SECONDS = 300
MAC_LENGTH = 16


def new_secret() -> str:
    return secrets.token_urlsafe(24)


def window_of(epoch_seconds: float) -> int:
    return int(epoch_seconds // WINDOW_SECONDS)


def _mac(secret: str, slot_id: int, window: int) -> str:
    message = f"{slot_id}.{window}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()[:MAC_LENGTH]


def make_token(secret: str, slot_id: int, epoch_seconds: float) -> str:
    window = window_of(epoch_seconds)
    return f"{slot_id}.{window}.{_mac(secret, slot_id, window)}"


@dataclass(frozen=True)
class ParsedToken:
    slot_id: int
    window: int
    mac: str


def parse_token(token: str) -> ParsedToken | None:
    if len(token) > 200 or not token.isascii():
        return None
    parts = token.strip().split(".")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
        return None
    if len(parts[0]) > 18 or len(parts[1]) > 18:
        return None
    if len(parts[2]) != MAC_LENGTH:
        return None
    return ParsedToken(int(parts[0]), int(parts[1]), parts[2])


def verify(secret: str, token: ParsedToken, epoch_seconds: float) -> bool:
    """The token is genuine and of the current or the previous window."""
    current = window_of(epoch_seconds)
    if token.window not in (current, current - 1):
        return False
    return hmac.compare_digest(_mac(secret, token.slot_id, token.window), token.mac)
