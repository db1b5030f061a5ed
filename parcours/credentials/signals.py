"""Domain events raised by credentials. ``credentials_issued`` is sent **after commit**; the
``*_written`` / ``credential_revoked`` signals are sent **inside** the issuing or revoking
transaction, for receivers that must write in that same transaction (an outbox: the xAPI
statements), which must not fail it (run in a savepoint, log, carry on)."""

from __future__ import annotations

from django.dispatch import Signal

# Credentials were issued (one, or a chunk of a bulk issuance). kwargs: ``credential_ids:
# list[int]`` (only those this call stored: one issued concurrently elsewhere is announced there).
credentials_issued = Signal()

# Inside the issuing transaction, with the same kwargs as ``credentials_issued``.
credentials_written = Signal()

# Inside the revoking transaction. kwargs: ``credential_id: int``.
credential_revoked = Signal()
