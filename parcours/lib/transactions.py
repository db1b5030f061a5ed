"""``write_transaction()``: ``transaction.atomic()`` for actions that write, queueing SQLite
writers instead of letting them poll the database lock.

On SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (settings): writers are
serialised by the database's write lock, and a writer that finds it taken polls it from
SQLite's busy handler, which sleeps up to 100 ms between tries. Under contention (several
threads or worker processes writing at once) the lock then sits idle while the waiters sleep.
Here, the outermost write transaction first queues for its turn: the threads of a process on a
lock, the processes on an ``flock`` of a file next to the database (``<name>-writers``), so the
next writer starts as soon as the previous one commits. Writers that skip the queue still
serialise on the database lock itself: the queue is about speed, never about correctness.

PostgreSQL (row locks, no database-wide write lock): a plain ``transaction.atomic()``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: threads queue, processes poll the lock
    fcntl = None  # type: ignore[assignment]

from django.db import connection, transaction

_SQLITE_WRITERS = threading.Lock()


class _Turn(threading.local):
    held = False


_turn = _Turn()
_LOCK_FILES: dict[tuple[int, str], int] = {}


def _lock_file() -> int | None:
    """This process's descriptor of the database's writer lock file (None: in-memory database,
    no ``flock`` on this platform, or the file cannot be created). Call under _SQLITE_WRITERS."""
    name = str(connection.settings_dict.get("NAME") or "")
    if fcntl is None or not name or name == ":memory:" or name.startswith("file:"):
        return None
    key = (os.getpid(), name)  # a forked child opens its own: a flock belongs to the open file
    if key not in _LOCK_FILES:
        try:
            _LOCK_FILES[key] = os.open(f"{name}-writers", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return None
    return _LOCK_FILES[key]


@contextmanager
def write_transaction() -> Iterator[None]:
    """``transaction.atomic()``; on SQLite, the outermost block waits for its turn first.

    The turn ends at commit, before the commit hooks run (its first hook releases it): a hook
    that writes (``write_transaction`` again, e.g. a receiver enqueueing a task) queues like
    any other writer, and a hook that only reads holds nobody up.
    """
    if connection.vendor != "sqlite" or connection.in_atomic_block or _turn.held:
        with transaction.atomic():
            yield
        return
    _SQLITE_WRITERS.acquire()
    fd = _lock_file()
    if fd is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    _turn.held = True

    def release() -> None:
        if _turn.held:
            _turn.held = False
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            _SQLITE_WRITERS.release()

    try:
        with transaction.atomic():
            transaction.on_commit(release)
            yield
    finally:
        release()  # rolled back, or the commit failed (else the hook did it already)
