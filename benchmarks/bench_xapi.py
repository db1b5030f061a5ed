"""xAPI delivery benchmark: ``python -m benchmarks.bench_xapi --db sqlite|postgres|both``.

The issue's target: 100,000 statements sent to the local LRS in batches, ≥ 1,000 statements/s
end to end, 0 lost and 0 duplicated after a forced restart of the LRS midway.

- The LRS is Ralph (``scripts/ralph_lrs.py``: file-system backend, a fresh data directory).
- Data: one organisation with an enabled LRS, 2,000 learners with their pseudonyms, and
  100,000 statements in the outbox, built by the real profile builder (``profile.build``:
  registered, attended, completed, earned in turn) and inserted with ``bulk_create`` (the
  receivers write one event at a time; what is measured here is the delivery).
- Measured: ``delivery.deliver`` run in a loop (what the task and ``send_xapi`` run) from the
  first POST until the outbox holds no pending statement. When half the statements are sent,
  another thread kills Ralph (SIGKILL, in the middle of whatever it is doing) and restarts it
  on the same data directory and port; the loop sees the connection errors (the batch in
  flight is deferred, as in production) and carries on with everything due (``send_xapi
  --now``), resending the batch whose answer was lost. Throughput is reported with and
  without the restart's downtime.
- Checked: every statement read back through Ralph's xAPI API (``GET /xAPI/statements``), the
  number of distinct ids (0 lost) and of ids stored twice (0 duplicated); the outbox's count of
  sent statements.

Results: ``benchmarks/results/xapi-<db>.json`` and ``benchmarks/results/xapi.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

from benchmarks.config import RESULTS_DIR, configure_django
from benchmarks.progress import step
from benchmarks.runner import run_cli, without_machine

STATEMENTS = 100_000
LEARNERS = 2_000
BATCH = 10_000
TARGET_PER_S = 1_000.0
ENV_FLAG = "PARCOURS_BENCH_XAPI_PG"


def generate(organisation: Any, count: int) -> None:
    import uuid

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from parcours.accounts.models import User
    from parcours.integrations.models import XapiPseudonym, XapiStatement
    from parcours.integrations.xapi.profile import Activity, Event, build, registration_id

    unusable = make_password(None)
    people = User.objects.bulk_create(
        [
            User(email=f"x{i}@bench.test", first_name="P", last_name=f"N{i}", password=unusable)
            for i in range(LEARNERS)
        ],
        batch_size=1000,
    )
    names = {p.pk: uuid.uuid4() for p in people}
    XapiPseudonym.objects.bulk_create(
        [XapiPseudonym(organisation=organisation, person=p, name=names[p.pk]) for p in people],
        batch_size=1000,
    )
    site = "https://parcours.example.be"
    kinds = ["registered", "attended", "completed-module", "earned"]
    types = {"registered": "session", "attended": "slot", "completed-module": "module"}
    now = timezone.now()
    rows: list[XapiStatement] = []
    for i in range(count):
        person = people[i % LEARNERS]
        kind = kinds[i % len(kinds)]
        target = Activity(
            f"{site}/sessions/{i // 20}/" if kind != "earned" else f"{site}/badges/a/{i % 50}/",
            types.get(kind, "badge"),
            f"Module {i % 500} — S{i // 20}",
        )
        event = Event(
            kind=kind,
            organisation_id=organisation.pk,
            organisation_slug=organisation.slug,
            organisation_name=organisation.name,
            actor_name=str(names[person.pk]),
            target=target,
            timestamp=now - dt.timedelta(seconds=count - i),
            id_parts=(i,),
            registration=registration_id(i // 4),
            result={"completion": True} if kind.startswith("completed") else None,
        )
        rows.append(
            XapiStatement(
                organisation=organisation,
                statement_id=event.statement_id,
                kind=kind,
                person=person,
                payload=json.dumps(build(event, site=site), ensure_ascii=False),
                created_at=now,
                next_attempt_at=now,
            )
        )
        if len(rows) == 5000:
            XapiStatement.objects.bulk_create(rows)
            rows = []
    if rows:
        XapiStatement.objects.bulk_create(rows)


def read_back(lrs: Any) -> Counter[str]:
    """Every stored statement id, through Ralph's xAPI API, page by page."""
    import requests

    ids: Counter[str] = Counter()
    session = requests.Session()
    session.auth = (lrs.username, lrs.password)
    session.headers["X-Experience-API-Version"] = "1.0.3"
    url: str | None = lrs.endpoint + "statements?limit=" + str(lrs.max_hits)
    while url:
        answer = session.get(url, timeout=600)
        answer.raise_for_status()
        body = answer.json()
        ids.update(s["id"] for s in body["statements"])
        more = body.get("more") or ""
        url = lrs.base + more if more and body["statements"] else None
    return ids


def run_worker(db: str, database_url: str, count: int) -> dict[str, Any]:
    import secrets

    os.environ.setdefault("CREDENTIALS_KEY", "benchmark-only-" + secrets.token_hex(24))
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from benchmarks.report import machine_info
    from parcours.accounts import actions as account_actions
    from parcours.integrations.models import LrsConfig, XapiStatement
    from parcours.integrations.xapi.delivery import SECRET_PURPOSE, deliver
    from parcours.lib.sealed import seal
    from scripts.ralph_lrs import RalphServer

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    organisation = account_actions.create_organisation(
        name="Province de Hainaut (bench)", slug="hainaut", actor=None
    )
    step(f"building {count:,} statements into the outbox")
    began = time.perf_counter()
    generate(organisation, count)
    generate_s = time.perf_counter() - began
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    step("starting Ralph (scripts/ralph_lrs.py)")
    with RalphServer.temporary(max_hits=count * 2) as lrs:
        LrsConfig.objects.create(
            organisation=organisation,
            endpoint=lrs.endpoint,
            key=lrs.username,
            sealed_secret=seal(lrs.password, purpose=SECRET_PURPOSE),
            enabled=True,
        )
        restart: dict[str, float] = {}
        sent_q = XapiStatement.objects.filter(
            organisation=organisation, status=XapiStatement.Status.SENT
        )

        def crash_midway() -> None:
            try:
                while sent_q.count() < count // 2:
                    time.sleep(0.05)
                killed = time.perf_counter()
                lrs.kill()
                restart["sent_at_kill"] = sent_q.count()
                lrs.start()
                restart["downtime_s"] = time.perf_counter() - killed
            finally:
                close_old_connections()
                connection.close()

        killer = threading.Thread(target=crash_midway, daemon=True)
        step(f"sending in batches of {BATCH:,}; Ralph is killed and restarted midway")
        began = time.perf_counter()
        cpu_began = time.process_time()
        killer.start()
        rounds, interrupted = 0, 0
        while True:
            report = deliver(organisation.pk, batch_size=BATCH)
            rounds += 1
            if report.stopped:
                # The LRS is down: try again shortly, everything due (``send_xapi --now``).
                interrupted += 1
                time.sleep(0.2)
                XapiStatement.objects.filter(
                    organisation=organisation, status=XapiStatement.Status.PENDING
                ).update(next_attempt_at=timezone.now())
                continue
            if not XapiStatement.objects.filter(
                organisation=organisation, status=XapiStatement.Status.PENDING
            ).exists():
                break
        elapsed = time.perf_counter() - began
        sender_cpu = time.process_time() - cpu_began
        killer.join(120)
        step("reading every statement back through Ralph's xAPI API")
        read_began = time.perf_counter()
        stored = read_back(lrs)
        read_s = time.perf_counter() - read_began
    counts = Counter(
        XapiStatement.objects.filter(organisation=organisation).values_list("status", flat=True)
    )
    expected = {
        str(i)
        for i in XapiStatement.objects.filter(organisation=organisation).values_list(
            "statement_id", flat=True
        )
    }
    lost = len(expected - set(stored))
    duplicated = sum(1 for n in stored.values() if n > 1)
    downtime = restart.get("downtime_s", 0.0)
    per_s = count / elapsed
    per_s_up = count / max(elapsed - downtime, 1e-9)
    ok = per_s >= TARGET_PER_S and lost == 0 and duplicated == 0 and "downtime_s" in restart
    result = {
        "db": db,
        "statements": count,
        "batch": BATCH,
        "generate_s": round(generate_s, 2),
        "send_s": round(elapsed, 2),
        "per_s": round(per_s, 1),
        "per_s_without_downtime": round(per_s_up, 1),
        "restart_downtime_s": round(downtime, 2),
        # CPU time of Parcours' side (this process: reading the outbox, POSTing, marking sent):
        # the rest of the wall time is the LRS's work (and waiting for the CPU).
        "sender_cpu_s": round(sender_cpu, 2),
        "sent_at_kill": int(restart.get("sent_at_kill", 0)),
        "rounds": rounds,
        "interrupted_rounds": interrupted,
        "outbox": dict(counts),
        "read_back": len(stored),
        "distinct_ids": len(set(stored)),
        "lost": lost,
        "duplicated": duplicated,
        "read_back_s": round(read_s, 2),
        "ok": ok,
        "machine": machine_info(),
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / f"xapi-{db}.json").write_text(json.dumps(result, indent=2) + "\n")
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# xAPI delivery benchmark",
        "",
        "`python -m benchmarks.bench_xapi --db both` (see the module docstring). Target: "
        f"{STATEMENTS:,} statements to the local Ralph LRS in batches, ≥ {TARGET_PER_S:,.0f} "
        "statements/s end to end, 0 lost and 0 duplicated after a forced restart (SIGKILL) of "
        "the LRS midway. The load average column says how busy the 2-core machine was: "
        "figures measured while other work ran are noisy.",
        "",
        "| database | statements | batch | sent in | statements/s (without the restart's "
        "downtime) | Parcours' CPU | restart downtime | sent at the kill | interrupted rounds | "
        "read back / distinct | lost | duplicated | load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"xapi-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        lines.append(
            f"| {db} | {r['statements']:,} | {r['batch']:,} | {r['send_s']} s | {r['per_s']:,} "
            f"({r['per_s_without_downtime']:,}) | {r.get('sender_cpu_s', '?')} s | "
            f"{r['restart_downtime_s']} s | "
            f"{r['sent_at_kill']:,} | {r['interrupted_rounds']} | {r['read_back']:,} / "
            f"{r['distinct_ids']:,} | {r['lost']} | {r['duplicated']} | "
            f"{r['machine'].get('load_average', [''])[0]} | {'yes' if r['ok'] else 'NO'} |"
        )
    lines.append("")
    (RESULTS_DIR / "xapi.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--statements", type=int, default=STATEMENTS)
    options, rest = own.parse_known_args(argv)
    return run_cli(
        name="bench_xapi",
        argv=rest,
        env_flag=ENV_FLAG,
        run_worker=lambda db, url: run_worker(db, url, options.statements),
        ok=lambda r: bool(r["ok"]),
        summary=without_machine,
        own_options=own,
        forward=["--statements", str(options.statements)],
    )


if __name__ == "__main__":
    sys.exit(main())
