"""Webinar benchmark: ``python -m benchmarks.bench_webinars --db …``.

Issue #15: importing a 5,000-row participant report takes < 5 s (preview + confirm).

- Data: one organisation, ``RUNS`` webinars of one hour (ended), each with 5,000 registered
  people (``enrolment.actions.enrol_many``, without e-mails). People are created with
  ``bulk_create`` (the account action writes one row per transaction with its audit entry).
- The report: a Teams attendance report (UTF-16, tab-separated, summary block, participants
  block, activities block) whose activities block has 5,000 rows: 4,000 people joining once,
  500 joining twice (a reconnection), 150 guests who had not registered, a few duplicate rows
  and rows outside the session's hours; the people who never came are absent.
- The module has an active badge (an Open Badge achievement): each completion earns one.
- Measured per webinar, through the actions the pages call: ``upload_report`` + ``preview``
  (read, match, merge; what the preview page shows), then ``confirm_report`` (the same reading
  inside one transaction, the minutes written in bulk, the roll call of 5,000 enrolments, the
  completions recorded). The events of thousands of completions and attendance marks (badges,
  LMS scores, xAPI statements) are one background task each, written in the transaction
  (``pathways.actions._dispatch``, ``enrolment`` roll call): the benchmark then runs those
  tasks as a worker would and times them apart (``fan-out``; the badges' signing itself is
  left to the credentials tasks they queue, counted). Then the same file again (known hash:
  nothing written).

Each database is fresh (a temporary SQLite file, or a throwaway PostgreSQL through
``scripts/with_postgres.py``). Results: ``benchmarks/results/webinars-<db>.json`` and
``benchmarks/results/webinars.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
import sys
import time
from typing import Any

from benchmarks.config import RESULTS_DIR, configure_django
from benchmarks.progress import step
from benchmarks.runner import run_cli, without_machine

PEOPLE = 5_000
ONCE = 3_800
TWICE = 500
GUESTS = 150
RUNS = 2
TARGET_S = 5.0
ENV_FLAG = "PARCOURS_BENCH_WEBINARS_PG"


def _stamp(value: dt.datetime) -> str:
    from parcours.lib.dates import local

    return local(value).strftime("%d/%m/%Y %H:%M:%S")


def report(people: list[Any], start: dt.datetime, end: dt.datetime) -> tuple[bytes, int]:
    """A Teams-like report and the number of rows in its activities block."""
    minute = dt.timedelta(minutes=1)
    rows: list[tuple[str, str, dt.datetime, dt.datetime]] = []
    for i, person in enumerate(people[: ONCE + TWICE]):
        name = f"{person.first_name} {person.last_name}"
        join = start + (i % 7 - 3) * minute
        if i < ONCE:
            leave = end if i % 5 else start + (10 + i % 30) * minute  # a fifth leave early
            rows.append((name, person.email, join, leave))
        else:
            rows.append((name, person.email, join, start + 25 * minute))
            rows.append((name, person.email, start + 28 * minute, end + 2 * minute))
    for g in range(GUESTS):
        rows.append((f"Invité {g}", f"invite{g}@ailleurs.test", start, end))
    for i in range(PEOPLE - len(rows)):  # duplicates and rows outside the session
        name, email, join, leave = rows[i]
        rows.append(
            (name, email, join, leave)
            if i % 2
            else (name, email, start - dt.timedelta(hours=3), start - dt.timedelta(hours=2))
        )
    lines = [
        "1. Summary",
        "Meeting title\tWebinaire eduLAB TV (bench)",
        f"Start time\t{_stamp(start)}",
        f"End time\t{_stamp(end)}",
        "",
        "2. Participants",
        "Name\tFirst Join\tLast Leave\tIn-Meeting Duration\tEmail\tParticipant ID (UPN)\tRole",
    ]
    seen: set[str] = set()
    for name, email, join, leave in rows:
        if email not in seen:
            seen.add(email)
            lines.append(f"{name}\t{_stamp(join)}\t{_stamp(leave)}\t\t{email}\t{email}\tAttendee")
    lines += ["", "3. In-Meeting Activities", "Name\tJoin Time\tLeave Time\tDuration\tEmail\tRole"]
    for name, email, join, leave in rows:
        seconds = int((leave - join).total_seconds())
        lines.append(
            f"{name}\t{_stamp(join)}\t{_stamp(leave)}\t{seconds // 60}m {seconds % 60}s\t"
            f"{email}\tAttendee"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-16"), len(rows)


def generate() -> dict[str, Any]:
    from decimal import Decimal

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role, User
    from parcours.accounts.permissions import Actor
    from parcours.catalogue.models import Module
    from parcours.enrolment import actions as enrolment
    from parcours.lib.dates import platform_zone
    from parcours.webinars import actions as webinars

    org = account_actions.create_organisation(name="Technofutur TIC (bench)", slug="tf", actor=None)
    coordinator = account_actions.create_user(
        email="coord@bench.test", password=None, first_name="Co", last_name="Ord"
    )
    account_actions.grant_role(
        user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None
    )
    actor = Actor.of(coordinator)
    module = Module.objects.create(
        organisation=org,
        code="EDULAB-WEB1",
        title_fr="Webinaire eduLAB TV",
        duration_hours=Decimal("1"),
        status=Module.Status.PUBLISHED,
    )
    step(f"creating {PEOPLE:,} people")
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [
            User(
                email=f"prof{i:05d}@ecole.test",
                first_name=f"Prénom{i}",
                last_name=f"Nom{i:05d}",
                password=unusable,
            )
            for i in range(PEOPLE)
        ],
        batch_size=1000,
    )
    from parcours.credentials import actions as credentials

    badge = credentials.create_achievement(
        actor=actor,
        organisation=org,
        data=credentials.AchievementData(
            name_fr="Webinaire eduLAB TV",
            description_fr="A suivi un webinaire eduLAB TV.",
            criteria_fr="Présent·e aux trois quarts du webinaire.",
            module_id=module.pk,
        ),
    )
    credentials.set_achievement_status(actor=actor, achievement=badge, status="active")
    webinar_list = []
    zone = platform_zone()
    for run in range(RUNS):
        day = timezone.localdate() - dt.timedelta(days=2 + 7 * run)
        start = dt.datetime.combine(day, dt.time(16), tzinfo=zone)
        end = start + dt.timedelta(hours=1)
        session = enrolment.create_session(
            actor=actor,
            organisation=org,
            data=enrolment.SessionData(
                module_id=module.pk,
                code=f"WEB-{run}",
                capacity=10_000,
                slots=[(start, end)],
                online_url="https://teams.example.test/x",
            ),
        )
        session = enrolment.set_session_status(actor=actor, session=session, status="published")
        step(f"enrolling {PEOPLE:,} people in webinar {run + 1} (enrol_many)")
        began = time.perf_counter()
        enrolment.enrol_many(
            actor=actor,
            session=session,
            learners=people,
            now=start - dt.timedelta(days=1),
            announce=False,
        )
        enrol_s = time.perf_counter() - began
        webinar = webinars.save_webinar(
            actor=actor,
            session=session,
            data=webinars.WebinarData(provider="teams", live_url="https://teams.example.test/x"),
        )
        webinar_list.append((webinar, start, end, enrol_s))
    return {"coordinator": coordinator, "people": people, "webinars": webinar_list}


def measure(data: dict[str, Any]) -> dict[str, Any]:
    from parcours.accounts.permissions import Actor
    from parcours.webinars import actions as webinars

    actor = Actor.of(data["coordinator"])
    runs = []
    for webinar, start, end, enrol_s in data["webinars"]:
        content, rows = report(data["people"], start, end)
        step(f"importing a {rows:,}-row report ({len(content) / 1e6:.1f} MB)")
        began, began_cpu = time.perf_counter(), time.process_time()
        upload = webinars.upload_report(
            actor=actor, webinar=webinar, filename="report.csv", content=content, provider="teams"
        )
        found = webinars.preview(upload)
        preview_s = time.perf_counter() - began
        preview_cpu = time.process_time() - began_cpu
        assert found.recordable, found.error
        analysis = found.analysis
        assert analysis is not None
        began, began_cpu = time.perf_counter(), time.process_time()
        result = webinars.confirm_report(actor=actor, upload=upload)
        confirm_s = time.perf_counter() - began
        confirm_cpu = time.process_time() - began_cpu
        fanout_s, fanout_tasks, badge_tasks = run_queued_fanout()
        began = time.perf_counter()
        again = webinars.confirm_report(
            actor=actor,
            upload=webinars.upload_report(
                actor=actor,
                webinar=webinar,
                filename="report.csv",
                content=content,
                provider="teams",
            ),
        )
        again_s = time.perf_counter() - began
        assert again.already
        runs.append(
            {
                "rows": rows,
                "enrol_many_s": round(enrol_s, 2),
                "preview_s": round(preview_s, 2),
                "confirm_s": round(confirm_s, 2),
                "total_s": round(preview_s + confirm_s, 2),
                "total_cpu_s": round(preview_cpu + confirm_cpu, 2),
                "reimport_s": round(again_s, 2),
                "fanout_s": round(fanout_s, 2),
                "fanout_tasks": fanout_tasks,
                "badges_queued": result.badges_queued,
                "badge_tasks": badge_tasks,
                "people": result.recorded,
                "present": result.present,
                "completed": len(result.completed),
                "ignored": analysis.ignored_by_reason(),
            }
        )
    return {"runs": runs, "ok": all(r["total_s"] < TARGET_S for r in runs)}


FANOUT_TASKS = (
    "parcours.pathways.tasks.send_completion_events",
    "parcours.enrolment.tasks.send_attendance_recorded",
)
BADGE_TASK = "parcours.credentials.tasks.issue_credential_task"


def run_queued_fanout() -> tuple[float, int, int]:
    """Run the import's queued fan-out tasks as a worker would (the receivers' work: badge
    tasks queued, LMS scores, xAPI statements); the seconds it took, the fan-out tasks run and
    the badge tasks they queued (not run: signing is the credentials benchmark's)."""
    from django.utils.module_loading import import_string
    from django_tasks_db.models import DBTaskResult

    pending = list(DBTaskResult.objects.filter(task_path__in=FANOUT_TASKS, status="READY"))
    badges_before = DBTaskResult.objects.filter(task_path=BADGE_TASK).count()
    began = time.perf_counter()
    for row in pending:
        task = import_string(row.task_path)
        task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
    seconds = time.perf_counter() - began
    DBTaskResult.objects.filter(pk__in=[r.pk for r in pending]).delete()
    badges = DBTaskResult.objects.filter(task_path=BADGE_TASK).count() - badges_before
    return seconds, len(pending), badges


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    os.environ.setdefault("CREDENTIALS_KEY", "benchmark-only-" + secrets.token_hex(24))
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    data = generate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    generation_s = round(time.perf_counter() - began, 1)
    result = {
        "db": db,
        "machine": machine_info(),
        "dataset": {"registered": PEOPLE, "webinars": RUNS},
        "generation_s": generation_s,
        **measure(data),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"webinars-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Webinar benchmarks",
        "",
        "`python -m benchmarks.bench_webinars --db both` (see the module docstring). Target: a "
        f"5,000-row participant report imported (preview + confirm) in < {TARGET_S:.0f} s. "
        "Measured on a shared 2-core machine (other work running, see the load average): "
        "wall-clock figures are noisy; the CPU time of the benchmark's process is given beside "
        "them (on PostgreSQL it leaves out the server's own work). `fan-out` is the background "
        "work the import queues (run by a worker after the import answered: badge tasks queued, "
        "LMS scores, xAPI statements); it is not part of the 5 s.",
        "",
        "| database | rows | preview | confirm | preview + confirm (CPU of this process) | "
        "fan-out in the worker (tasks; badges queued) | same file again | "
        "recognised / present / completed | enrol_many (5,000) | load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"webinars-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        for run in r["runs"]:
            fanout = (
                f"{run['fanout_s']} s ({run['fanout_tasks']}; {run['badge_tasks']:,})"
                if "fanout_s" in run
                else "—"
            )
            lines.append(
                f"| {db} | {run['rows']:,} | {run['preview_s']} s | {run['confirm_s']} s | "
                f"{run['total_s']} s ({run.get('total_cpu_s', '—')} s) | {fanout} | "
                f"{run['reimport_s']} s | {run['people']:,} / "
                f"{run['present']:,} / {run['completed']:,} | {run['enrol_many_s']} s | "
                f"{r['machine']['load_average'][0]} | "
                f"{'yes' if run['total_s'] < TARGET_S else 'NO'} |"
            )
    lines += ["", READING, ""]
    (RESULTS_DIR / "webinars.md").write_text("\n".join(lines))


READING = (
    "Reading (2026-12-06, load about 8 on the shared machine, so wall-clock figures are "
    "pessimistic): the confirm is about 120 queries whatever the size; the events of the "
    "3,540 completions and 5,000 marks are two background tasks written in the import's "
    "transaction (`fan-out`, run by the worker after the answer: 3,540 badge tasks queued, "
    "LMS scores, xAPI statements; before, they ran after commit inside the request: "
    "5.3 s → 2-3 s confirm on SQLite, 39.8 s → 6-7 s on PostgreSQL under load). SQLite meets "
    "the target. PostgreSQL does not, and the rest is on the database server (1.3 s of CPU "
    "in this process): the reporting facts' row-level triggers upsert the same "
    "`reporting_dirtysession` row once per attendance mark and per enrolment status change. "
    "The same run with those triggers disabled on `enrolment_attendance` and "
    "`enrolment_enrolment` (an experiment, not a setting): preview + confirm 4.07 s, against "
    "6.94 s with them, minutes apart at load 7.9. The second webinar of each run records no "
    "new completion (the same people completed the module in the first): its fan-out has no "
    "badge. Profile and details: docs/webinars.md « Performance »."
)


def main(argv: list[str] | None = None) -> int:
    return run_cli(
        name="bench_webinars",
        argv=argv,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["ok"]),
        summary=without_machine,
    )


if __name__ == "__main__":
    sys.exit(main())
