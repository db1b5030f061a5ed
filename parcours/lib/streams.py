"""Streaming a ZIP archive while it is being built (attestations, "Mes données")."""

from __future__ import annotations


class Sink:
    """A write-only stream that hands over what was written since the last ``drain()``.

    ``zipfile`` writes to it without seeking (data descriptors after each member), so an
    archive can be sent while it is being built: write a member, ``drain()``, yield the bytes.
    """

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def write(self, data: bytes) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def drain(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data
