"""Selection benchmark: ``python -m benchmarks.bench_candidates [--db sqlite|postgres|both]``.

The issue's targets, for a call with 2,000 applications:

- the selection **board** and the **list** (first page, sorted by name), rendered as HTTP pages
  (routing, middleware, session, permission, queries, template) with Django's test client,
  logged in as the call's coordinator, DEBUG off: p95 < 200 ms;
- **moving 500 candidates at once with their e-mails queued**: the decision form posted for 500
  candidates (one transaction: the rows locked, decision and stage written, 500 audit entries,
  500 messages rendered from the edited template, one task enqueued in the database queue for a
  worker to send them): < 2 s. A plain move of 500 (board stage change, audited) is measured too.

The applications are inserted directly (``bulk_create``; the public form's path, one account
and invitation per person, is measured by nothing here), spread over the five default stages.
Each database is fresh: a temporary SQLite file or a throwaway PostgreSQL
(``scripts/with_postgres.py``). Figures go to ``benchmarks/results/candidates-<db>.json`` and
``benchmarks/results/candidates.md``.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import sys
import time
from typing import Any

from benchmarks.config import RESULTS_DIR, configure_django
from benchmarks.progress import step
from benchmarks.runner import run_cli
from benchmarks.stats import summary_ms

APPLICATIONS = 2_000
BATCH = 500
WARMUP = 5
SAMPLES = 60
BATCH_RUNS = 4  # 4 x 500 = every application decided once
TARGET_PAGE_P95_MS = 200.0
TARGET_BATCH_S = 2.0
ENV_FLAG = "PARCOURS_BENCH_CANDIDATES_PG"


def generate() -> dict[str, Any]:
    from django.utils import timezone

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.accounts.permissions import Actor
    from parcours.candidates import actions
    from parcours.candidates.models import Application

    org = account_actions.create_organisation(
        name="Centre (bench)", slug="centre-bench", actor=None
    )
    coordinator = account_actions.create_user(
        email="coordination@bench.test", password=None, first_name="Alice", last_name="Bench"
    )
    account_actions.grant_role(
        user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None
    )
    now = timezone.now()
    call = actions.open_call(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.CallData(
            title="Formation qualifiante (bench)",
            slug="bench",
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=30),
            places=16,
            questions=[actions.QuestionData("Pourquoi ?", "text")],
            criteria=[("Motivation", 3)],
        ),
    )
    stages = list(call.stages.order_by("order"))
    step(f"inserting {APPLICATIONS:,} applications")
    Application.objects.bulk_create(
        [
            Application(
                call=call,
                email=f"candidat{n:05d}@bench.test",
                first_name=f"Prénom{n:05d}",
                last_name=f"Nom{(n * 7919) % APPLICATIONS:05d}",
                stage=stages[n % len(stages)],
                consent_at=now,
                submitted_at=now - dt.timedelta(minutes=n),
            )
            for n in range(APPLICATIONS)
        ],
        batch_size=1_000,
    )
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return {"coordinator": coordinator, "call": call}


def _time_get(client: Any, url: str, expect: str) -> dict[str, Any]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert expect in response.content.decode()
    times, cpu = [], []
    size = 0
    for _ in range(SAMPLES):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        size = len(response.content)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    cpu_stats = summary_ms(cpu)
    return {
        **summary_ms(times),
        "cpu_p50_ms": cpu_stats["p50_ms"],
        "cpu_p95_ms": cpu_stats["p95_ms"],
        "bytes": size,
    }


def measure(data: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django_tasks_db.models import DBTaskResult

    from parcours.accounts.permissions import Actor
    from parcours.candidates import actions
    from parcours.candidates.models import Application, Message

    call = data["call"]
    gc.collect()
    client = Client()
    client.force_login(data["coordinator"])
    board = reverse("candidates:board", args=[call.pk])
    listing = reverse("candidates:list", args=[call.pk]) + "?sort=name"
    step(f"board page x{SAMPLES}")
    board_page = _time_get(client, board, "Réception")
    with CaptureQueriesContext(connection) as queries:
        client.get(board)
    board_page["queries"] = len(queries.captured_queries)
    step(f"list page x{SAMPLES}")
    list_page = _time_get(client, listing, "2000 candidatures")
    with CaptureQueriesContext(connection) as queries:
        client.get(listing)
    list_page["queries"] = len(queries.captured_queries)

    ids = list(Application.objects.filter(call=call).order_by("pk").values_list("pk", flat=True))
    stages = list(call.stages.order_by("order"))
    actor = Actor.of(data["coordinator"])
    step(f"moving {BATCH} candidates x{BATCH_RUNS}")
    move_times = []
    for run in range(BATCH_RUNS):
        chunk = ids[run * BATCH : (run + 1) * BATCH]
        target = stages[(run % 3) + 1]
        began = time.perf_counter()
        actions.move(actor=actor, call=call, application_ids=chunk, stage=target)
        move_times.append(time.perf_counter() - began)
    step(f"deciding for {BATCH} candidates with their e-mails queued x{BATCH_RUNS} (HTTP)")
    subject, body = actions.template_for("selected")
    decide_url = reverse("candidates:decide", args=[call.pk])
    tasks_before = DBTaskResult.objects.count()
    decide_times = []
    for run in range(BATCH_RUNS):
        chunk = ids[run * BATCH : (run + 1) * BATCH]
        began = time.perf_counter()
        response = client.post(
            decide_url,
            {
                "confirm": "1",
                "ids": chunk,
                "decision": "selected" if run % 2 else "not_selected",
                "subject": subject,
                "body": body,
            },
        )
        decide_times.append(time.perf_counter() - began)
        assert response.status_code == 302, response.status_code
    queued = Message.objects.filter(status=Message.Status.QUEUED).count()
    assert queued == BATCH * BATCH_RUNS, queued
    tasks = DBTaskResult.objects.count() - tasks_before
    move = {**summary_ms(move_times), "target_s": TARGET_BATCH_S}
    decide = {
        **summary_ms(decide_times),
        "target_s": TARGET_BATCH_S,
        "messages_queued": queued,
        "tasks_enqueued": tasks,
    }
    ok = (
        board_page["p95_ms"] < TARGET_PAGE_P95_MS
        and list_page["p95_ms"] < TARGET_PAGE_P95_MS
        and decide["max_ms"] / 1000 < TARGET_BATCH_S
    )
    return {
        "board_page": {**board_page, "target_p95_ms": TARGET_PAGE_P95_MS},
        "list_page": {**list_page, "target_p95_ms": TARGET_PAGE_P95_MS},
        "move_500": move,
        "decide_500_with_emails_queued": decide,
        "ok": ok,
    }


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    data = generate()
    generation_s = round(time.perf_counter() - began, 1)
    result = {
        "db": db,
        "database_version": getattr(connection, "pg_version", None)
        or getattr(getattr(connection, "Database", None), "sqlite_version", None),
        "machine": machine_info(),
        "dataset": {"applications": APPLICATIONS, "generation_s": generation_s},
        **measure(data),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"candidates-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Selection benchmarks (candidates)",
        "",
        "`python -m benchmarks.bench_candidates` (see the module docstring). A call with "
        f"{APPLICATIONS:,} applications; pages p95 < {TARGET_PAGE_P95_MS:.0f} ms, "
        f"{BATCH} candidates decided with their e-mails queued < {TARGET_BATCH_S:.0f} s.",
        "",
        "| database | board p50 / p95 (ms) | board CPU p95 | board queries | list p50 / p95 (ms) "
        "| list CPU p95 | list queries | move 500 max (ms) | decide 500 + e-mails max (ms) "
        "| load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    machine = None
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"candidates-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        machine = machine or r.get("machine")
        b, li = r["board_page"], r["list_page"]
        lines.append(
            f"| {db} | {b['p50_ms']} / {b['p95_ms']} | {b['cpu_p95_ms']} | {b['queries']} | "
            f"{li['p50_ms']} / {li['p95_ms']} | {li['cpu_p95_ms']} | {li['queries']} | "
            f"{r['move_500']['max_ms']} | {r['decide_500_with_emails_queued']['max_ms']} | "
            f"{r['machine']['load_average'][0]} | {'yes' if r['ok'] else 'NO'} |"
        )
    lines += [
        "",
        "Measured on a shared machine (other work running): wall-clock figures are noisy; "
        "the CPU columns count this process only.",
        "",
        f"Machine: {json.dumps(machine)}",
        "",
    ]
    (RESULTS_DIR / "candidates.md").write_text("\n".join(lines))


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    keys = ("board_page", "list_page", "move_500", "decide_500_with_emails_queued", "ok")
    return {k: result[k] for k in keys}


def main(argv: list[str] | None = None) -> int:
    return run_cli(
        name="bench_candidates",
        argv=argv,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["ok"]),
        summary=_summary,
    )


if __name__ == "__main__":
    sys.exit(main())
