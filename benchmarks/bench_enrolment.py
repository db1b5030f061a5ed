"""Enrolment benchmarks: ``python -m benchmarks.bench_enrolment [--db sqlite|postgres|both]``.

1. **Throughput**: 16 concurrent clients (threads, one database connection each, real
   transactions through ``actions.enrol``) enrol 3,200 learners into 40 sessions of 40 seats
   (twice the seats: half end up waitlisted). Target >= 200 enrolments/s; zero capacity
   violations (checked per session: confirmed == seats_taken <= capacity, and exactly
   ``capacity`` confirmed when more asked).
2. **Attendance → pathways**: a cohort of 1,500 learners in 75 sessions of 20 (two full days =
   4 half-day slots each). Timed: the 300 roll calls (``actions.record_roll_call``, 10 % absent
   on one slot) that complete the module for the 90 % with full attendance, record their
   ``Completion`` and raise ``pathway_completed`` for those who already had the closing
   module. Target < 5 s. Checked: completions and pathway events are what the data implies.

Each database is fresh: a temporary SQLite file (migrated here), or a throwaway PostgreSQL
(``scripts/with_postgres.py``). Figures go to ``benchmarks/results/enrolment-<db>.json`` and
``benchmarks/results/enrolment.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, WITH_POSTGRES, configure_django
from benchmarks.progress import Progress, step

CLIENTS = 16
THROUGHPUT_SESSIONS = 40
THROUGHPUT_CAPACITY = 40
THROUGHPUT_LEARNERS = 3_200
COHORT = 1_500
COHORT_SESSION_SIZE = 20
TARGET_ENROLMENTS_PER_S = 200.0
TARGET_ATTENDANCE_S = 5.0
ENV_FLAG = "PARCOURS_BENCH_ENROLMENT_PG"


def _learners(org: Any, prefix: str, n: int) -> list[Any]:
    """Learners in bulk (unusable passwords: no hashing), with their memberships."""
    from django.contrib.auth.hashers import make_password

    from parcours.accounts.models import Membership, Role, User

    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}{i}@bench.test",
                first_name=f"P{i}",
                last_name=prefix,
                password=unusable,
                postcode="6000",
            )
            for i in range(n)
        ],
        batch_size=2_000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=org, role=Role.LEARNER) for u in users], batch_size=2_000
    )
    return list(User.objects.filter(email__endswith="@bench.test", last_name=prefix).order_by("pk"))


def _fixtures(tag: str) -> dict[str, Any]:
    from decimal import Decimal

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.catalogue.models import Module

    org = account_actions.create_organisation(name=f"Bench {tag}", slug=f"bench-{tag}", actor=None)
    coordinator = account_actions.create_user(email=f"coord-{tag}@bench.org", password=None)
    account_actions.grant_role(
        user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None
    )
    trainer = account_actions.create_user(email=f"trainer-{tag}@bench.org", password=None)
    account_actions.grant_role(user=trainer, organisation=org, role=Role.TRAINER, actor=None)
    site = account_actions.create_site(
        organisation=org, name=f"Site {tag}", city="Gosselies", postcode="6041", actor=None
    )
    modules = {
        code: Module.objects.create(
            organisation=org,
            code=code,
            title_fr=f"Module {code}",
            duration_hours=Decimal("13"),
            status=Module.Status.PUBLISHED,
        )
        for code in ("M1A", "CLOT")
    }
    return {"org": org, "coordinator": coordinator, "trainer": trainer, "site": site, **modules}


def _sessions(fx: dict[str, Any], n: int, capacity: int, first_day: int) -> list[Any]:
    from django.utils import timezone

    from parcours.accounts.permissions import Actor
    from parcours.enrolment import actions
    from parcours.enrolment.models import Session
    from parcours.enrolment.slots import full_days

    actor = Actor.of(fx["coordinator"])
    today = timezone.localdate()
    out = []
    progress = Progress("Sessions", n)
    for i in range(n):
        day = today + dt.timedelta(days=first_day + 2 * i)
        session = actions.create_session(
            actor=actor,
            organisation=fx["org"],
            data=actions.SessionData(
                module_id=fx["M1A"].pk,
                code=f"S{first_day}-{i}",
                capacity=capacity,
                slots=full_days(day, day + dt.timedelta(days=1)),
                site_id=fx["site"].pk,
                trainer_ids=[fx["trainer"].pk],
            ),
        )
        out.append(
            actions.set_session_status(
                actor=actor, session=session, status=Session.Status.PUBLISHED
            )
        )
        progress.advance()
    progress.finish()
    return out


def bench_throughput() -> dict[str, Any]:
    from django.db import connections

    from parcours.accounts.permissions import Actor
    from parcours.enrolment import actions
    from parcours.enrolment.models import Session
    from parcours.enrolment.states import EnrolmentStatus

    step("throughput: data")
    fx = _fixtures("tp")
    sessions = _sessions(fx, THROUGHPUT_SESSIONS, THROUGHPUT_CAPACITY, first_day=30)
    learners = _learners(fx["org"], "tp", THROUGHPUT_LEARNERS)
    work = [(learner, sessions[i % len(sessions)]) for i, learner in enumerate(learners)]
    chunks = [work[i::CLIENTS] for i in range(CLIENTS)]
    errors: list[str] = []
    done = [0]
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)
    progress = Progress("Enrolments (16 clients)", len(work))

    def client(items: list[tuple[Any, Any]]) -> None:
        try:
            barrier.wait()
            for learner, session in items:
                try:
                    actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
                except Exception as exc:  # counted: the benchmark fails on any error
                    with lock:
                        errors.append(f"{type(exc).__name__}: {exc}")
                with lock:
                    done[0] += 1
        finally:
            connections.close_all()

    threads = [threading.Thread(target=client, args=(c,)) for c in chunks]
    for t in threads:
        t.start()
    barrier.wait()
    started = time.perf_counter()
    while any(t.is_alive() for t in threads):
        time.sleep(0.2)
        progress.update(done[0])
    elapsed = time.perf_counter() - started
    progress.finish()
    violations = 0
    for session in Session.objects.filter(pk__in=[s.pk for s in sessions]):
        confirmed = session.enrolments.filter(status=EnrolmentStatus.CONFIRMED).count()
        asked = session.enrolments.count()
        if not (
            confirmed == session.seats_taken <= session.capacity
            and confirmed == min(session.capacity, asked)
        ):
            violations += 1
    rate = len(work) / elapsed
    return {
        "clients": CLIENTS,
        "sessions": THROUGHPUT_SESSIONS,
        "capacity": THROUGHPUT_CAPACITY,
        "enrolments": len(work),
        "seconds": round(elapsed, 2),
        "enrolments_per_s": round(rate, 1),
        "errors": len(errors),
        "first_errors": errors[:3],
        "capacity_violations": violations,
        "target_per_s": TARGET_ENROLMENTS_PER_S,
        "ok": rate >= TARGET_ENROLMENTS_PER_S and not errors and violations == 0,
    }


def bench_attendance() -> dict[str, Any]:
    from parcours.accounts.permissions import Actor
    from parcours.enrolment import actions
    from parcours.enrolment.models import Enrolment
    from parcours.pathways import actions as pathway_actions
    from parcours.pathways.models import Completion, Pathway
    from parcours.pathways.signals import pathway_completed

    step("attendance: data")
    fx = _fixtures("att")
    coordinator = Actor.of(fx["coordinator"])
    pathway = pathway_actions.create_pathway(
        actor=coordinator,
        organisation=fx["org"],
        data=pathway_actions.PathwayData(code="P", title_fr="Parcours", rule_text="M1A & CLOT"),
    )
    pathway_actions.set_pathway_status(
        actor=coordinator, pathway=pathway, status=Pathway.Status.PUBLISHED
    )
    n_sessions = COHORT // COHORT_SESSION_SIZE
    sessions = _sessions(fx, n_sessions, COHORT_SESSION_SIZE, first_day=200)
    learners = _learners(fx["org"], "att", COHORT)
    # Half the cohort already completed the closing module: they finish the pathway.
    Completion.objects.bulk_create(
        [
            Completion(
                learner=learner,
                module=fx["CLOT"],
                completed_on=dt.date(2025, 1, 1),
                hours=13,
                source=Completion.Source.IMPORT,
            )
            for learner in learners[::2]
        ]
    )
    progress = Progress("Enrolling the cohort", COHORT)
    for i, learner in enumerate(learners):
        actions.enrol(
            actor=Actor.of(learner), session=sessions[i // COHORT_SESSION_SIZE], learner=learner
        )
        progress.advance()
    progress.finish()
    trainer = Actor.of(fx["trainer"])
    plan = []
    for session in sessions:
        roll = list(session.enrolments.order_by("pk").values_list("pk", flat=True))
        absent = roll[: COHORT_SESSION_SIZE // 10]  # 10 % miss the first slot: 75 % < 80 %
        slots = list(session.slots.order_by("start"))
        after = slots[-1].end + dt.timedelta(minutes=1)
        plan += [(slot, absent if index == 0 else [], after) for index, slot in enumerate(slots)]
    events: list[int] = []
    pathway_completed.connect(lambda sender, **kw: events.append(kw["learner_id"]), weak=False)
    progress = Progress("Roll calls", len(plan))
    started = time.perf_counter()
    for slot, absent, after in plan:
        actions.record_roll_call(actor=trainer, slot=slot, absent=absent, now=after)
        progress.advance()
    elapsed = time.perf_counter() - started
    progress.finish()
    absent_total = (COHORT_SESSION_SIZE // 10) * n_sessions
    completions = Completion.objects.filter(
        module=fx["M1A"], source=Completion.Source.ATTENDANCE
    ).count()
    completed_enrolments = Enrolment.objects.filter(
        session__in=sessions, status="completed"
    ).count()
    expected_completions = COHORT - absent_total
    satisfied = len(set(events))
    with_clot = {learner.pk for learner in learners[::2]}
    absent_ids = set(
        Enrolment.objects.filter(session__in=sessions)
        .exclude(status="completed")
        .values_list("learner_id", flat=True)
    )
    expected_events = len(with_clot - absent_ids)
    correct = (
        completions == completed_enrolments == expected_completions
        and satisfied == len(events) == expected_events
    )
    return {
        "cohort": COHORT,
        "sessions": n_sessions,
        "roll_calls": len(plan),
        "seconds": round(elapsed, 2),
        "completions": completions,
        "pathway_completed_events": len(events),
        "expected_completions": expected_completions,
        "expected_events": expected_events,
        "correct": correct,
        "target_s": TARGET_ATTENDANCE_S,
        "ok": correct and elapsed < TARGET_ATTENDANCE_S,
    }


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    result = {
        "db": db,
        "database_version": connection.cursor()
        .execute("select sqlite_version()" if db == "sqlite" else "select version()")
        .fetchone()[0],
        "machine": machine_info(),
        "throughput": bench_throughput(),
        "attendance": bench_attendance(),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"enrolment-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Enrolment benchmarks",
        "",
        "`python -m benchmarks.bench_enrolment` (see the module docstring for what is measured).",
        "",
        "| database | enrolments/s (16 clients) | errors | capacity violations | "
        "attendance, 1,500 learners (s) | completions | pathway events | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"enrolment-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        t, a = r["throughput"], r["attendance"]
        lines.append(
            f"| {db} | {t['enrolments_per_s']} (target >= {t['target_per_s']:.0f}) | "
            f"{t['errors']} | {t['capacity_violations']} | {a['seconds']} (target < "
            f"{a['target_s']:.0f}) | {a['completions']}/{a['expected_completions']} | "
            f"{a['pathway_completed_events']}/{a['expected_events']} | "
            f"{'yes' if t['ok'] and a['ok'] else 'NO'} |"
        )
    lines += ["", f"Machine: {json.dumps(_machine())}", ""]
    (RESULTS_DIR / "enrolment.md").write_text("\n".join(lines))


def _machine() -> Any:
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"enrolment-{db}.json"
        if path.exists():
            return json.loads(path.read_text()).get("machine")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_enrolment")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args(argv)
    me = [sys.executable, "-m", "benchmarks.bench_enrolment"]
    if args.db == "both":
        codes = [
            subprocess.run([*me, "--db", db], cwd=PROJECT_DIR, check=False).returncode  # noqa: S603
            for db in ("sqlite", "postgres")
        ]
        print((RESULTS_DIR / "enrolment.md").read_text())
        return max(codes)
    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_bench_enrolment_{os.getpid()}.sqlite3"
        try:
            result = run_worker("sqlite", "sqlite:///" + str(path))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    elif os.environ.get(ENV_FLAG) == "1":
        result = run_worker("postgres", os.environ["DATABASE_URL"])
    else:
        step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
        env = {**os.environ, ENV_FLAG: "1"}
        command = [sys.executable, str(WITH_POSTGRES), "--require", "--", *me, "--db", "postgres"]
        return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603
    print(json.dumps({k: result[k] for k in ("throughput", "attendance")}, indent=2))
    return 0 if result["throughput"]["ok"] and result["attendance"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
