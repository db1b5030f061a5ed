"""Signing many credentials: inline, or spread over a pool of processes.

Signing is pure CPU (JSON-LD canonicalisation in Python), so threads do not help; a batch
is split over ``conf.signing_processes()`` worker processes. The workers receive the private
key once (at start, in memory only) and only ever run the pure core: no Django, no database.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parcours.credentials.core.contexts import default_loader
from parcours.credentials.core.proof import format_created, sign

# Below this many credentials the pool's start-up costs more than it saves.
POOL_THRESHOLD = 64

_worker_key: Ed25519PrivateKey | None = None


def _init_worker(raw_key: bytes) -> None:
    global _worker_key
    _worker_key = Ed25519PrivateKey.from_private_bytes(raw_key)
    # A forked child has one thread: a lock some other thread of the parent held at fork
    # time would never be released here.
    default_loader().lock = threading.RLock()


def _sign_chunk(
    documents: Sequence[dict[str, Any]], verification_method: str, created: str
) -> list[dict[str, Any]]:
    assert _worker_key is not None  # noqa: S101 - set by _init_worker
    return [sign(document, _worker_key, verification_method, created) for document in documents]


class Signer:
    """Signs documents with one key; ``sign_many`` uses the pool when it has one."""

    def __init__(
        self,
        key: Ed25519PrivateKey,
        verification_method: str,
        pool: ProcessPoolExecutor | None = None,
        processes: int = 1,
    ) -> None:
        self.key = key
        self.verification_method = verification_method
        self.pool = pool
        self.processes = processes

    def sign_one(self, document: dict[str, Any], created: datetime | str) -> dict[str, Any]:
        return sign(document, self.key, self.verification_method, created)

    def sign_many(
        self, documents: Sequence[dict[str, Any]], created: datetime | str
    ) -> list[dict[str, Any]]:
        created_text = created if isinstance(created, str) else format_created(created)
        if self.pool is None or len(documents) < POOL_THRESHOLD:
            return [self.sign_one(document, created_text) for document in documents]
        parts = self.processes * 2
        size = -(-len(documents) // parts)
        chunks = [documents[i : i + size] for i in range(0, len(documents), size)]
        futures = [
            self.pool.submit(_sign_chunk, chunk, self.verification_method, created_text)
            for chunk in chunks
        ]
        signed: list[dict[str, Any]] = []
        for future in futures:
            signed.extend(future.result())
        return signed


@contextmanager
def signer(
    key: Ed25519PrivateKey, verification_method: str, *, processes: int = 1
) -> Iterator[Signer]:
    """A :class:`Signer`, with a pool of ``processes`` workers when more than one."""
    if processes <= 1:
        yield Signer(key, verification_method)
        return
    raw = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    # fork: the workers start instantly with the contexts already loaded; they never touch
    # the database connections they inherit.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        max_workers=processes, mp_context=context, initializer=_init_worker, initargs=(raw,)
    ) as pool:
        yield Signer(key, verification_method, pool=pool, processes=processes)
