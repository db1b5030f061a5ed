"""The yearly activity report at scale: ``python -m benchmarks.bench_reporting_report
[--db sqlite|postgres|both]``.

Target (issue #11): the full yearly report (PDF + Excel, and the CSV ZIP) of the **largest
organisation** of a network at the scale of the Federation's teacher training (30
organisations, 1,000,000 learners, 100,000 sessions, 5,000,000 attendance marks) in
**< 30 s** and **< 500 MB** peak memory.

The largest organisation here holds a sixth of that network: 160,000 learners, 16,000
sessions over the two years the report reads (the year and the one before, for "last year"
beside each figure), 20 seats taken per session, two slots each: 320,000 enrolments and
640,000 attendance marks (9 in 10 present), 5 sites, 40 modules of the six audiences. Rows are
bulk-inserted (set-up, not measured). ``PARCOURS_BENCH_REPORT_SCALE=0.05`` runs a twentieth
(the smoke test).

What is measured is ``reporting.actions.produce_report`` for a queued job, exactly what the
task runs (figures of the year and the year before, the tagged PDF with its charts, the
workbook with native charts, the CSV ZIP, stored in the job), in a **fresh process** whose RSS
high-water mark (``VmHWM``, reset before the run) is the peak memory. Each step's time is
reported. Figures go to ``benchmarks/results/reporting_report-<db>.json`` and
``benchmarks/results/reporting_report.md``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, configure_django
from benchmarks.fixtures_enrolment import bulk_learners, make_organisation, run_cli
from benchmarks.progress import Progress, step

NAME = "reporting_report"
ENV_FLAG = "PARCOURS_BENCH_REPORTING_REPORT_PG"
SCALE = float(os.environ.get("PARCOURS_BENCH_REPORT_SCALE", "1"))
LEARNERS = int(160_000 * SCALE)
SESSIONS = int(16_000 * SCALE)  # over two years
SEATS = 20
SITES = 5
MODULES = 40
YEAR = 2025
TARGET_S = 30.0
TARGET_MB = 500.0


def build() -> int:
    """The largest organisation's two years; returns the id of a queued report job."""
    from django.utils import timezone

    from parcours.accounts import actions as account_actions
    from parcours.catalogue.models import Module
    from parcours.enrolment.models import Attendance, Enrolment, Session, SessionSlot
    from parcours.lib.dates import platform_zone
    from parcours.reporting.models import ReportJob

    rng = random.Random(11)
    made = make_organisation(
        name="Centre de compétence (banc d'essai)",
        slug="bench-report",
        coordinator_email="coord@bench.test",
        trainer_email="trainer@bench.test",
        modules=[],
    )
    org = made.org
    sites = [made.site] + [
        account_actions.create_site(organisation=org, name=f"Site {i}", city="Mons", actor=None)
        for i in range(1, SITES)
    ]
    audiences = list(Module.Audience.values)
    modules = [
        Module.objects.create(
            organisation=org,
            code=f"B{i:02d}",
            title_fr=f"Module de formation {i}",
            duration_hours=Decimal("7"),
            status=Module.Status.PUBLISHED,
            audience=audiences[i % len(audiences)],
        )
        for i in range(MODULES)
    ]
    people = [u.pk for u in bulk_learners(org, "rep", LEARNERS)]
    zone = platform_zone()
    first_day = dt.date(YEAR - 1, 1, 1)
    days = (dt.date(YEAR, 12, 31) - first_day).days + 1
    step(f"{SESSIONS} sessions")
    starts = []
    for _i in range(SESSIONS):
        day = first_day + dt.timedelta(days=rng.randrange(days))
        starts.append(dt.datetime.combine(day, dt.time(9), zone))
    Session.objects.bulk_create(
        [
            Session(
                organisation=org,
                module=modules[rng.randrange(MODULES)],
                code=f"S{i}",
                site=sites[rng.randrange(SITES)],
                capacity=SEATS + 4,
                status=Session.Status.CANCELLED if i % 25 == 0 else Session.Status.PUBLISHED,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=7, minutes=30),
            )
            for i, start in enumerate(starts)
        ],
        batch_size=2_000,
    )
    sessions = list(
        Session.objects.filter(organisation=org)
        .order_by("pk")
        .values_list("pk", "starts_at", "status")
    )
    SessionSlot.objects.bulk_create(
        [
            SessionSlot(
                session_id=pk,
                start=start + dt.timedelta(hours=h),
                end=start + dt.timedelta(hours=h + 3),
            )
            for pk, start, _status in sessions
            for h in (0, 4)
        ],
        batch_size=5_000,
    )
    progress = Progress("enrolments", len(sessions))
    now = timezone.now()
    for index in range(0, len(sessions), 500):
        chunk = sessions[index : index + 500]
        Enrolment.objects.bulk_create(
            [
                Enrolment(
                    session_id=pk,
                    learner_id=learner,
                    status=Enrolment.Status.CANCELLED
                    if status == Session.Status.CANCELLED
                    else Enrolment.Status.CONFIRMED,
                    source=Enrolment.Source.COORDINATOR,
                    queued_at=start - dt.timedelta(days=10),
                    confirmed_at=start - dt.timedelta(days=10),
                )
                for pk, start, status in chunk
                for learner in rng.sample(people, SEATS)
            ],
            batch_size=5_000,
        )
        progress.update(index + len(chunk))
    progress.finish()
    step("attendance marks")
    slots: dict[int, list[int]] = {}
    for slot_id, session_id in SessionSlot.objects.filter(session__organisation=org).values_list(
        "pk", "session_id"
    ):
        slots.setdefault(session_id, []).append(slot_id)
    held = Enrolment.objects.filter(session__organisation=org, status=Enrolment.Status.CONFIRMED)
    batch: list[Attendance] = []
    marks = 0
    for enrolment_id, session_id in held.values_list("pk", "session_id").iterator(
        chunk_size=10_000
    ):
        for slot_id in slots[session_id]:
            batch.append(
                Attendance(
                    slot_id=slot_id,
                    enrolment_id=enrolment_id,
                    present=rng.random() < 0.9,
                    method="trainer",
                    recorded_at=now,
                )
            )
        if len(batch) >= 20_000:
            Attendance.objects.bulk_create(batch, batch_size=5_000)
            marks += len(batch)
            batch = []
    Attendance.objects.bulk_create(batch, batch_size=5_000)
    marks += len(batch)
    step(f"{marks} attendance marks")
    job = ReportJob.objects.create(
        organisation=org,
        requested_by=made.coordinator,
        first=dt.date(YEAR, 1, 1),
        last=dt.date(YEAR, 12, 31),
        kind="year",
    )
    return job.pk


def _hwm_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")  # pragma: no cover - not Linux


def probe(job_id: int) -> dict[str, Any]:
    """Produce the report in this (fresh) process: time of each step and the peak RSS."""
    configure_django(os.environ["DATABASE_URL"])
    from parcours.reporting import actions
    from parcours.reporting.models import ReportJob

    ReportJob.objects.filter(pk=job_id).exists()  # connection open, models loaded
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass
    baseline = _hwm_mb()
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()

    def on_step(progress: int, label: str) -> None:
        marks.append((label, time.perf_counter() - started))

    made = actions.produce_report(job_id, on_step=on_step)
    total = time.perf_counter() - started
    marks.append(("end", total))
    job = ReportJob.objects.get(pk=job_id)
    sizes = {name: len(bytes(getattr(job, name) or b"")) for name in ("pdf", "workbook", "csv_zip")}
    steps = {marks[i][0]: round(marks[i + 1][1] - marks[i][1], 2) for i in range(len(marks) - 1)}
    return {
        "made": made,
        "status": job.status,
        "error": job.error[:300],
        "seconds": round(total, 2),
        "steps_s": steps,
        "baseline_mb": round(baseline, 1),
        "peak_mb": round(_hwm_mb(), 1),
        "bytes": sizes,
    }


def run_probe(job_id: int) -> dict[str, Any]:
    """``probe`` in a fresh process (its RSS high-water mark is the report's alone)."""
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "benchmarks.bench_reporting_report", "--probe", str(job_id)],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        step(f"probe failed:\n{completed.stderr[-3000:]}")
        return {"made": False, "seconds": None, "peak_mb": None}
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def yearly_report(ctx: Any) -> dict[str, Any]:
    """``bench_reporting``'s hook (``EXTRA_MEASURES``): the largest organisation's yearly report
    of 2025 on that benchmark's network, in a fresh process."""
    from parcours.reporting.models import ReportJob

    step("yearly report (PDF + Excel + CSV) of the largest organisation, fresh process")
    job = ReportJob.objects.create(
        organisation_id=ctx.largest, first=dt.date(2025, 1, 1), last=dt.date(2025, 12, 31)
    )
    measured = run_probe(job.pk)
    made = bool(measured.get("made"))
    return {
        **measured,
        "target_s": TARGET_S,
        "target_mb": TARGET_MB,
        "ok": made and measured["seconds"] < TARGET_S and measured["peak_mb"] < TARGET_MB,
    }


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    built = time.perf_counter()
    job_id = build()
    if db == "postgres":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    step(f"data built in {time.perf_counter() - built:.0f} s; producing the report (fresh process)")
    measured = run_probe(job_id)
    wrapper: Any = connection
    result: dict[str, Any] = {
        "db": db,
        "database_version": wrapper.Database.sqlite_version
        if db == "sqlite"
        else wrapper.pg_version,
        "machine": machine_info(),
        "scale": SCALE,
        "rows": {
            "learners": LEARNERS,
            "sessions": SESSIONS,
            "enrolments": SESSIONS * SEATS,
            "attendance_marks": _count("enrolment", "Attendance"),
        },
        "report": measured,
        "time_ok": bool(measured.get("made")) and measured["seconds"] < TARGET_S,
        "memory_ok": bool(measured.get("made")) and measured["peak_mb"] < TARGET_MB,
    }
    print(json.dumps(result["report"]), flush=True)
    (RESULTS_DIR / f"{NAME}-{db}.json").write_text(json.dumps(result, indent=2))
    write_markdown()
    return result


def _count(app: str, model: str) -> int:
    from django.apps import apps

    return int(apps.get_model(app, model).objects.count())


def _version(value: Any) -> str:
    """PostgreSQL's 150018 as 15.18; SQLite's text as is."""
    return f"{value // 10000}.{value % 10000}" if isinstance(value, int) else str(value)


def write_markdown() -> None:
    lines = [
        "# The yearly activity report at scale (issue #11)",
        "",
        "`python -m benchmarks.bench_reporting_report --db both`: the largest organisation's "
        "yearly report (figures of the year and the year before, tagged PDF with charts, Excel "
        "workbook with native charts, CSV ZIP) produced by `reporting.actions.produce_report` "
        "in a fresh process. Targets: < 30 s, < 500 MB peak RSS.",
        "",
        "| database | learners | sessions | marks | total (s) | steps (s) | peak RSS (MB) "
        "| files | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"{NAME}-{db}.json"
        if not path.exists():
            continue
        data = json.loads(path.read_text())
        report = data["report"]
        steps = ", ".join(f"{k.rstrip('…')} {v}" for k, v in (report.get("steps_s") or {}).items())
        files = ", ".join(f"{k} {v // 1024} KiB" for k, v in (report.get("bytes") or {}).items())
        ok = "yes" if data["time_ok"] and data["memory_ok"] else "**no**"
        lines.append(
            f"| {db} {_version(data['database_version'])} | {data['rows']['learners']:,} | "
            f"{data['rows']['sessions']:,} | {data['rows']['attendance_marks']:,} | "
            f"{report.get('seconds')} | {steps} | {report.get('peak_mb')} | {files} | {ok} |"
        )
    lines += [
        "",
        "Each step is timed from its start to the next one's; the last (CSV) also stores the "
        'three files in the job and sends the e-mail. "Calcul des chiffres" is '
        "`figures.build_report` (the year and the year before). Measured on a shared 2-core "
        "machine while other work ran: the times are noisy (upper bounds rather than typical "
        "figures).",
        "",
    ]
    (RESULTS_DIR / f"{NAME}.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--probe"]:
        print(json.dumps(probe(int(args[1]))))
        return 0
    return run_cli(
        name="bench_reporting_report",
        argv=args,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["time_ok"] and r["memory_ok"]),
    )


if __name__ == "__main__":
    sys.exit(main())
