"""Signing many credentials: inline, or spread over a pool of processes.

Signing is pure CPU (JSON-LD canonicalisation in Python), so threads do not help; a batch
is split over ``conf.signing_processes()`` worker processes. The workers receive the private
key once (at start, in memory only) and only ever run pure code (the core signer and the
JSON serialisation): no database.

Workers return the signed documents already serialised (``documents.dumps``, the text that is
stored): serialising is a good part of the work, and a string crosses the process boundary
faster than the document it encodes.
"""

from __future__ import annotations

import multiprocessing
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from parcours.credentials.core.contexts import default_loader
from parcours.credentials.core.proof import format_created, sign_proof
from parcours.credentials.documents import dumps

# Below this many credentials the pool's start-up costs more than it saves.
POOL_THRESHOLD = 64

_worker_key: Ed25519PrivateKey | None = None


def _init_worker(raw_key: bytes) -> None:
    global _worker_key
    _worker_key = Ed25519PrivateKey.from_private_bytes(raw_key)
    # A forked child has one thread: a lock some other thread of the parent held at fork
    # time would never be released here.
    default_loader().lock = threading.RLock()


def _signed_texts(
    documents: Sequence[dict[str, Any]],
    key: Ed25519PrivateKey,
    verification_method: str,
    created: str,
) -> list[str]:
    return [
        dumps({**document, "proof": sign_proof(document, key, verification_method, created)})
        for document in documents
    ]


def _sign_chunk(
    documents: Sequence[dict[str, Any]], verification_method: str, created: str
) -> list[str]:
    assert _worker_key is not None  # noqa: S101 - set by _init_worker
    return _signed_texts(documents, _worker_key, verification_method, created)


class PendingTexts:
    """Signed texts being produced (by the pool, or already there)."""

    def __init__(self, parts: list[Future[list[str]]] | None = None, done: list[str] | None = None):
        self._parts = parts or []
        self._done = done

    def result(self) -> list[str]:
        if self._done is None:
            self._done = [text for part in self._parts for text in part.result()]
        return self._done


class Signer:
    """Signs documents with one key; uses the pool when it has one."""

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

    def submit(self, documents: Sequence[dict[str, Any]], created: datetime | str) -> PendingTexts:
        """Start signing ``documents``; ``.result()`` gives their stored texts, in order
        (signed here at once when there is no pool or few documents)."""
        created_text = created if isinstance(created, str) else format_created(created)
        if self.pool is None or len(documents) < POOL_THRESHOLD:
            return PendingTexts(
                done=_signed_texts(documents, self.key, self.verification_method, created_text)
            )
        parts = self.processes * 2
        size = -(-len(documents) // parts)
        return PendingTexts(
            parts=[
                self.pool.submit(
                    _sign_chunk, documents[i : i + size], self.verification_method, created_text
                )
                for i in range(0, len(documents), size)
            ]
        )

    def sign_texts(self, documents: Sequence[dict[str, Any]], created: datetime | str) -> list[str]:
        """The stored texts of ``documents`` signed (``documents.dumps`` of each)."""
        return self.submit(documents, created).result()


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
