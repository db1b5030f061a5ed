"""Stale-task recovery rules (``parcours.lib.tasks``). The real SIGKILL of a worker is in
``parcours/credentials/tests/test_worker_death.py``."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from parcours.lib import tasks


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _running(*worker_ids: str, started: timedelta = timedelta(seconds=5)) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="parcours.example.task",
        backend_name="default",
        run_after=get_date_max(),
        started_at=timezone.now() - started,
        worker_ids=list(worker_ids),
        exception_class_path="",
        traceback="",
    )


def test_identity_tells_a_live_worker_from_a_dead_one():
    alive = tasks.worker_identity()
    assert len(alive) <= tasks.WORKER_ID_MAX
    assert tasks.worker_is_dead(alive) is False
    assert tasks.worker_is_dead(tasks.worker_identity(_dead_pid())) is True
    host, boot, pid, start = alive.split(":")
    assert tasks.worker_is_dead(f"{host}:{boot}:{pid}:{int(start) + 1}") is True  # pid reused
    assert tasks.worker_is_dead(f"{host}:00000000:{pid}:{start}") is True  # host rebooted
    assert tasks.worker_is_dead(f"elsewhere:{boot}:{pid}:{start}") is None
    assert tasks.worker_is_dead("b2Jkc2Zhc2RmYXNkZmFzZGZhc2RmYXNk") is None  # db_worker's id


@pytest.mark.django_db
def test_only_stale_tasks_are_requeued():
    dead = _running(tasks.worker_identity(_dead_pid()))
    alive_for_hours = _running(tasks.worker_identity(), started=timedelta(hours=5))
    unknown_recent = _running("random-worker-id")
    unknown_old = _running("random-worker-id", started=timedelta(hours=2))

    recovery = tasks.requeue_stale_tasks()

    assert set(recovery.requeued) == {str(dead.pk), str(unknown_old.pk)}
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[dead.pk] == statuses[unknown_old.pk] == TaskResultStatus.READY
    assert statuses[alive_for_hours.pk] == statuses[unknown_recent.pk] == TaskResultStatus.RUNNING
    # READY again means a worker picks it up.
    assert set(DBTaskResult.objects.ready()) == {dead, unknown_old}


@pytest.mark.django_db
def test_a_task_that_keeps_killing_its_workers_fails(settings):
    settings.TASKS_MAX_ATTEMPTS = 3
    poison = _running(*(tasks.worker_identity(_dead_pid()) for _ in range(3)))

    recovery = tasks.requeue_stale_tasks()

    assert recovery.failed == [str(poison.pk)]
    poison.refresh_from_db()
    assert poison.status == TaskResultStatus.FAILED
    assert poison.exception_class_path == "parcours.lib.tasks.WorkerLost"
    assert "claimed 3 times" in poison.traceback


@pytest.mark.django_db
def test_the_command_takes_a_shorter_delay(capsys):
    recent = _running("random-worker-id", started=timedelta(minutes=5))
    call_command("requeue_stale_tasks", "--older-than", "60")
    assert "1 task(s) re-queued" in capsys.readouterr().out
    recent.refresh_from_db()
    assert recent.status == TaskResultStatus.READY


@pytest.mark.django_db(transaction=True)
def test_a_running_worker_recovers_tasks_periodically():
    dead = _running(tasks.worker_identity(_dead_pid()))
    loop = tasks.RecoveryLoop(0.05)
    loop.start()
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            dead.refresh_from_db()
            if dead.status == TaskResultStatus.READY:
                break
            time.sleep(0.05)
    finally:
        loop.stop()
        loop.join(10)
    assert dead.status == TaskResultStatus.READY
    assert not loop.is_alive()
