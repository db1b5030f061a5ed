"""Database ids at the edge: the one 64-bit bound and the one parser of ids typed by people."""

from __future__ import annotations

#: The largest primary key the databases store (a signed 64-bit integer). An id above it must
#: be a 4xx at the edge, never an overflow in the database (a 500).
MAX_ID = 2**63 - 1


def parse_id(text: str | None) -> int | None:
    """A database id from a query string or a form (``"12"`` → 12), or ``None`` for anything
    else (empty, not ASCII digits, zero, beyond 64 bits)."""
    text = (text or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


class IdConverter:
    """``<id:pk>`` in URLs (registered once, in ``parcours.lib.apps``): a positive 64-bit id;
    anything else is simply not found (404) instead of an overflow in the database (500)."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value: int) -> str:
        return str(value)
