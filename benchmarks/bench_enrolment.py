"""Enrolment benchmarks: ``python -m benchmarks.bench_enrolment [--db sqlite|postgres|both]``.

1. **Throughput**: 16 concurrent clients enrol 3,200 learners into 40 sessions of 40 seats
   (twice the seats: half end up waitlisted), each through ``actions.enrol`` with its real
   transaction. Each client is its own **process** (forked once the set-up is done, with its own
   database connection), as in a real deployment where several worker processes serve the
   requests: 16 threads in one process would measure Python's GIL (one core for all the
   clients) rather than the application. Target >= 200 enrolments/s; zero capacity violations
   (checked per session: confirmed == seats_taken <= capacity, and exactly ``capacity``
   confirmed when more asked).
2. **Attendance → pathways**: a cohort of 1,500 learners in 75 sessions of 20 (two full days =
   4 half-day slots each). Timed: the 300 roll calls (``actions.record_roll_call``, 10 % absent
   on one slot) that complete the module for the 90 % with full attendance, record their
   ``Completion`` and raise ``pathway_completed`` for those who already had the closing
   module. Target < 5 s. Checked: completions and pathway events are what the data implies.

Tasks go to the database backend (django-tasks-db), as in production: each e-mail or attestation
that a receiver enqueues is a row written, none is run here.

Each database is fresh: a temporary SQLite file (migrated here), or a throwaway PostgreSQL
(``scripts/with_postgres.py``). Figures go to ``benchmarks/results/enrolment-<db>.json`` and
``benchmarks/results/enrolment.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import sys
import time
from typing import Any

from benchmarks.config import RESULTS_DIR, configure_django
from benchmarks.fixtures_enrolment import bulk_learners, make_organisation, run_cli
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


def _fixtures(tag: str) -> dict[str, Any]:
    made = make_organisation(
        name=f"Bench {tag}",
        slug=f"bench-{tag}",
        coordinator_email=f"coord-{tag}@bench.org",
        trainer_email=f"trainer-{tag}@bench.org",
        site_name=f"Site {tag}",
        modules=[(code, f"Module {code}", "") for code in ("M1A", "CLOT")],
    )
    return {
        "org": made.org,
        "coordinator": made.coordinator,
        "trainer": made.trainer,
        "site": made.site,
        **made.modules,
    }


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


def _client(
    items: list[tuple[int, int]], barrier: Any, done: Any, out: Any
) -> None:  # pragma: no cover - runs in a forked client process
    """One client process: enrol its learners one by one, each a real request's work."""
    from django.db import connections

    from parcours.accounts.models import User
    from parcours.accounts.permissions import Actor
    from parcours.enrolment import actions
    from parcours.enrolment.models import Session

    errors: list[str] = []
    try:
        learners = User.objects.in_bulk([learner for learner, _session in items])
        sessions = Session.objects.in_bulk([session for _learner, session in items])
        barrier.wait()
        for learner_id, session_id in items:
            learner = learners[learner_id]
            try:
                actions.enrol(
                    actor=Actor.of(learner), session=sessions[session_id], learner=learner
                )
            except Exception as exc:  # counted: the benchmark fails on any error
                errors.append(f"{type(exc).__name__}: {exc}")
            with done.get_lock():
                done.value += 1
    finally:
        connections.close_all()
        out.put(errors)


def bench_throughput() -> dict[str, Any]:
    import multiprocessing

    from django.db import connections

    from parcours.enrolment.models import Session
    from parcours.enrolment.states import EnrolmentStatus

    step("throughput: data")
    fx = _fixtures("tp")
    sessions = _sessions(fx, THROUGHPUT_SESSIONS, THROUGHPUT_CAPACITY, first_day=30)
    learners = bulk_learners(fx["org"], "tp", THROUGHPUT_LEARNERS, postcode="6000")
    work = [(learner.pk, sessions[i % len(sessions)].pk) for i, learner in enumerate(learners)]
    chunks = [work[i::CLIENTS] for i in range(CLIENTS)]
    # Fork the clients with no connection open: each opens its own.
    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(CLIENTS + 1)
    done = ctx.Value("i", 0)
    out = ctx.Queue()
    clients = [ctx.Process(target=_client, args=(c, barrier, done, out)) for c in chunks]
    for process in clients:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    progress = Progress(f"Enrolments ({CLIENTS} client processes)", len(work))
    errors: list[str] = []
    for _ in clients:  # each client reports once, when it has finished
        while True:
            try:
                errors += out.get(timeout=0.2)
                break
            except queue.Empty:
                progress.update(done.value)
    elapsed = time.perf_counter() - started
    for process in clients:
        process.join()
    progress.finish()
    crashed = sum(1 for p in clients if p.exitcode != 0)
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
        "client_model": "processes (fork), one database connection each",
        "sessions": THROUGHPUT_SESSIONS,
        "capacity": THROUGHPUT_CAPACITY,
        "enrolments": len(work),
        "seconds": round(elapsed, 2),
        "enrolments_per_s": round(rate, 1),
        "errors": len(errors) + crashed,
        "first_errors": errors[:3],
        "capacity_violations": violations,
        "target_per_s": TARGET_ENROLMENTS_PER_S,
        "ok": rate >= TARGET_ENROLMENTS_PER_S and not errors and not crashed and violations == 0,
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
    learners = bulk_learners(fx["org"], "att", COHORT, postcode="6000")
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
        "| database | enrolments/s (16 client processes) | errors | capacity violations | "
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
    return run_cli(
        name="bench_enrolment",
        argv=argv,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["throughput"]["ok"] and r["attendance"]["ok"]),
        summary=lambda r: {k: r[k] for k in ("throughput", "attendance")},
    )


if __name__ == "__main__":
    sys.exit(main())
