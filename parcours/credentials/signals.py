"""Domain events raised by credentials, always **after commit**. Higher apps connect receivers."""

from __future__ import annotations

from django.dispatch import Signal

# Credentials were issued (one, or a chunk of a bulk issuance). kwargs: ``credential_ids:
# list[int]`` (only those this call stored: one issued concurrently elsewhere is announced there).
credentials_issued = Signal()
