"""A worker killed (SIGKILL) while issuing a badge: the task is recovered, run again, and the
learner has the badge exactly once. Real processes on the test's database (SQLite file or
PostgreSQL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.test import override_settings
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import EARNING, complete

ROOT = Path(__file__).resolve().parents[3]
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _database_url() -> str:
    """The test database, for the worker subprocesses (SQLite file or PostgreSQL)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return "sqlite:///" + str(db["NAME"])
    user = quote(str(db["USER"] or ""), safe="")
    password = quote(str(db["PASSWORD"] or ""), safe="")
    credentials = f"{user}:{password}@" if password else f"{user}@" if user else ""
    return f"postgres://{credentials}{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        TASKS_IMMEDIATE="false",
        PARCOURS_TESTING="true",
        **extra,
    )
    return env


def _manage(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this checkout's manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def _wait_for(path: Path, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited ({process.returncode}) before stalling")
        if time.monotonic() > deadline:
            process.kill()
            raise AssertionError("the worker never picked the task")
        time.sleep(0.1)


def _earn_badge_and_kill_the_worker(learner, ai_badge, ai_modules, tmp_path) -> DBTaskResult:
    with override_settings(TASKS=DB_TASKS):
        complete(learner, ai_modules, *EARNING)
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.READY

    marker = tmp_path / "stalled"
    worker = subprocess.Popen(  # noqa: S603 - a script of this checkout
        [sys.executable, str(Path(__file__).with_name("stalled_worker.py"))],
        cwd=ROOT,
        env=_env(STALL_MARKER=str(marker)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(marker, worker)
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    task.refresh_from_db()
    # What issue #9 found: the dead worker's task stays RUNNING, and no badge.
    assert task.status == TaskResultStatus.RUNNING
    assert not IssuedCredential.objects.filter(learner=learner).exists()
    return task


@pytest.mark.django_db(transaction=True)
def test_a_killed_workers_badge_is_issued_after_recovery(learner, ai_badge, ai_modules, tmp_path):
    task = _earn_badge_and_kill_the_worker(learner, ai_badge, ai_modules, tmp_path)

    out = _manage("requeue_stale_tasks").stdout
    assert "1 task(s) re-queued" in out
    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY

    _manage("task_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2
    assert IssuedCredential.objects.filter(learner=learner, achievement=ai_badge).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_new_worker_recovers_a_dead_workers_task_by_itself(
    learner, ai_badge, ai_modules, tmp_path
):
    task = _earn_badge_and_kill_the_worker(learner, ai_badge, ai_modules, tmp_path)

    # No recovery step by hand: the new worker re-queues the dead one's task when it starts.
    _manage("task_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0")
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert IssuedCredential.objects.filter(learner=learner, achievement=ai_badge).count() == 1
