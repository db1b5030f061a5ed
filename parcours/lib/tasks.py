"""Background tasks that survive the death of their worker (django-tasks, database backend).

django-tasks-db marks a task RUNNING when a worker claims it, and nothing ever looks at it
again: a worker killed in the middle (``kill -9``, out of memory, a host that reboots) leaves
the task RUNNING forever, and what it should have done (a learner's badge, an e-mail) never
happens. The library offers no lease or heartbeat, only the ids of the workers that claimed a
task (``worker_ids``) and the time of the last claim (``started_at``). So:

* ``manage.py task_worker`` is ``db_worker`` with a worker id that says where the worker
  runs (``host:boot:pid:process-start``), and that re-queues the stale tasks when it starts
  and then every ``TASKS_RECOVERY_INTERVAL`` seconds;
* a RUNNING task is **stale** when its last worker is provably dead (same host, and that
  process no longer exists or the host rebooted since), or, when whether it lives cannot be
  told (a worker on another host, or one started by plain ``db_worker``: its random id says
  nothing), when it was claimed more than ``TASKS_STALE_AFTER`` seconds ago;
* a stale task goes back to READY, unless it was already claimed ``TASKS_MAX_ATTEMPTS``
  times: a task that kills its worker every time is then marked FAILED instead of killing
  every worker in turn;
* ``manage.py requeue_stale_tasks`` does the same once, for a clock (cron) or by hand.

Re-running a task is safe only if the task is idempotent: every task of Parcours is (the
credentials one is guarded by a unique constraint, the e-mails by a "sent" mark).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger("parcours.tasks")

DEFAULT_STALE_AFTER = 3600  # seconds
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_RECOVERY_INTERVAL = 60  # seconds
WORKER_ID_MAX = 64  # django-tasks-db refuses longer worker ids


class WorkerLost(Exception):
    """Recorded as the failure of a task whose workers kept dying while running it."""


def stale_after() -> timedelta:
    return timedelta(seconds=int(getattr(settings, "TASKS_STALE_AFTER", DEFAULT_STALE_AFTER)))


def max_attempts() -> int:
    return max(1, int(getattr(settings, "TASKS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))


def recovery_interval() -> float:
    return float(getattr(settings, "TASKS_RECOVERY_INTERVAL", DEFAULT_RECOVERY_INTERVAL))


# --- Who runs a task, and is it still alive? -----------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return ""


def _host() -> str:
    return socket.gethostname().replace(":", "-")[:24] or "host"


def _boot() -> str:
    return _read("/proc/sys/kernel/random/boot_id").replace("-", "")[:8] or "-"


def _process_start(pid: int) -> str | None:
    """When the process started (clock ticks since boot: tells a reused pid apart), ``"-"``
    where the system does not say, None if there is no such process."""
    stat = _read(f"/proc/{pid}/stat")
    if stat:
        # Field 22; the command name (field 2, in parentheses) may contain spaces.
        fields = stat.rsplit(")", 1)[-1].split()
        return fields[19] if len(fields) > 19 else "-"
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        return "-"  # it exists, under another user
    return "-"


def worker_identity(pid: int | None = None) -> str:
    """``host:boot:pid:start``: enough for a recovery step on the same host to tell whether
    the worker still lives."""
    pid = pid or os.getpid()
    start = _process_start(pid) or "-"
    return f"{_host()}:{_boot()}:{pid}:{start}"[:WORKER_ID_MAX]


def worker_is_dead(worker_id: str) -> bool | None:
    """Whether the worker ``worker_id`` (from :func:`worker_identity`) is gone: True when it
    ran on this host and either the host rebooted since or that process no longer exists,
    False when it still runs, None when this host cannot tell."""
    parts = worker_id.split(":")
    if len(parts) != 4 or not parts[2].isdigit():
        return None  # plain db_worker's random id
    host, boot, pid, start = parts
    if host != _host():
        return None  # another machine: only time will tell
    if boot != "-" and _boot() != "-" and boot != _boot():
        return True  # the host rebooted: every process of before is gone
    current = _process_start(int(pid))
    if current is None:
        return True
    return start not in ("-", current) and current != "-"


# --- Recovery ------------------------------------------------------------------------------


@dataclass
class Recovery:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def requeue_stale_tasks(*, older_than: timedelta | None = None) -> Recovery:
    """Put back in the queue every RUNNING task whose worker is dead, or, when that cannot be
    told, that was claimed longer than ``older_than`` (default ``TASKS_STALE_AFTER``) ago
    (a worker known to be alive keeps its task however long it takes); fail those already tried
    ``TASKS_MAX_ATTEMPTS`` times. Each change is conditional on the row being unchanged, so
    a worker that finishes the task meanwhile wins."""
    older_than = stale_after() if older_than is None else older_than
    limit = timezone.now() - older_than
    recovery = Recovery()
    running = DBTaskResult.objects.running().only("id", "worker_ids", "started_at")
    for task in running.iterator():
        last_worker = task.worker_ids[-1] if task.worker_ids else ""
        dead = worker_is_dead(last_worker)
        timed_out = task.started_at is None or task.started_at <= limit
        if not (dead or (dead is None and timed_out)):
            continue
        same = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, started_at=task.started_at
        )
        with transaction.atomic():
            if len(task.worker_ids) >= max_attempts():
                changed = same.update(
                    status=TaskResultStatus.FAILED,
                    finished_at=timezone.now(),
                    exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
                    traceback=(
                        f"WorkerLost: the task was claimed {len(task.worker_ids)} times and its "
                        f"worker died or vanished each time ({', '.join(task.worker_ids)})."
                    ),
                )
                if changed:
                    recovery.failed.append(str(task.pk))
            elif same.update(status=TaskResultStatus.READY, started_at=None):
                recovery.requeued.append(str(task.pk))
    if recovery.requeued or recovery.failed:
        logger.warning(
            "stale tasks: %d re-queued %s, %d failed %s",
            len(recovery.requeued),
            recovery.requeued,
            len(recovery.failed),
            recovery.failed,
        )
    return recovery


class RecoveryLoop(threading.Thread):
    """Runs :func:`requeue_stale_tasks` every ``interval`` seconds beside a worker."""

    def __init__(self, interval: float) -> None:
        super().__init__(name="requeue-stale-tasks", daemon=True)
        self.interval = interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            close_old_connections()
            try:
                requeue_stale_tasks()
            except Exception:  # a failed round must not stop the next ones
                logger.exception("re-queueing stale tasks failed")
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
