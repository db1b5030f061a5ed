"""Planning-grid page benchmark: ``python -m benchmarks.bench_scheduling_ui [--db …] [--data …]``.

The issue's target: the week view of the planning grid for a 40-room site, **rendered as an
HTTP page** (URL routing, middleware, session, permissions, ``planning.week_grid``, layout,
template), p95 < 150 ms. Measured with Django's test client (no network), logged in as the
site's logistics officer, DEBUG off. The day view and the read-only occupancy portal are
measured too, and ``week_grid()`` alone (what ``bench_scheduling`` measures) for comparison.
Besides wall-clock percentiles, each page reports the CPU time of this process per request
(``cpu_p50_ms`` / ``cpu_p95_ms``; the database server's CPU is not included), which a loaded
machine inflates much less. On PostgreSQL the generated tables are vacuumed and analysed first,
as a production database is.

Data, two choices:

- ``--data scheduling`` (default): the scheduling core's own generator
  (``benchmarks.bench_scheduling.generate``, full scale: 50 sites, 500 rooms of which 40 at
  the first site, one year of confirmed bookings, ~200,000), so both figures are comparable.
- ``--data dense``: a denser grid (10 sites x 40 rooms, 17 weeks, 2 to 5 confirmed bookings
  per room and weekday, and a pending request on 10 % of room-days that overlaps a confirmed
  booking, so the grid draws extra lanes): ~120,000 bookings, ~700 in the measured week.

Each database is fresh: a temporary SQLite file (migrated here) or a throwaway PostgreSQL
(``scripts/with_postgres.py``). Figures go to
``benchmarks/results/scheduling_ui-<data>-<db>.json`` and ``benchmarks/results/scheduling_ui.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, WITH_POSTGRES, configure_django
from benchmarks.progress import Progress, step
from benchmarks.stats import summary_ms

SITES = 10
ROOMS_PER_SITE = 40
WEEKS = 17  # 8 before and 8 after the measured week
MONDAY = dt.date(2031, 3, 10)
WARMUP = 5
SAMPLES = 60
TARGET_P95_MS = 150.0
ENV_FLAG = "PARCOURS_BENCH_SCHEDULING_UI_PG"


def generate() -> dict[str, Any]:
    from django.db import transaction

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.accounts.permissions import Actor
    from parcours.scheduling import actions, core, planning
    from parcours.scheduling.models import Booking, Reservation, Resource

    rng = random.Random(20310310)  # deterministic benchmark data
    org = account_actions.create_organisation(
        name="Province (bench)", slug="province-bench", actor=None
    )
    officer = account_actions.create_user(
        email="logistique@bench.test", password=None, first_name="Léa", last_name="Bench"
    )
    account_actions.grant_role(user=officer, organisation=org, role=Role.LOGISTICS, actor=None)
    lea = Actor.of(officer)
    sites = []
    rooms: list[Any] = []
    step(f"creating {SITES} sites x {ROOMS_PER_SITE} rooms")
    for s in range(SITES):
        site = account_actions.create_site(
            organisation=org, name=f"Site {s:02d}", city="Mons", actor=officer
        )
        actions.set_opening_hours(
            actor=lea, site=site, hours={d: (dt.time(8, 0), dt.time(18, 0)) for d in range(5)}
        )
        sites.append(site)
        rooms += Resource.objects.bulk_create(
            [
                Resource(
                    organisation=org,
                    site=site,
                    kind=Resource.Kind.ROOM,
                    name=f"Salle {s:02d}-{r:02d}",
                    code=f"S{s:02d}R{r:02d}",
                    capacity=rng.choice([12, 16, 20, 24, 30, 40]),
                )
                for r in range(ROOMS_PER_SITE)
            ]
        )
    first = MONDAY - dt.timedelta(weeks=WEEKS // 2)
    days = [
        first + dt.timedelta(days=7 * w + d) for w in range(WEEKS) for d in range(5)
    ]  # weekdays only
    progress = Progress("bookings", len(rooms) * len(days))
    total = 0
    batch_b: list[Any] = []
    batch_slots: list[tuple[Any, dt.datetime, dt.datetime, bool]] = []

    def flush() -> None:
        nonlocal total
        with transaction.atomic():
            created = Booking.objects.bulk_create(batch_b, batch_size=2_000)
            Reservation.objects.bulk_create(
                [
                    Reservation(
                        booking=b,
                        resource=res,
                        blocked_start=s0,
                        blocked_end=s1,
                        active=active,
                    )
                    for b, (res, s0, s1, active) in zip(created, batch_slots, strict=True)
                ],
                batch_size=2_000,
            )
        total += len(created)
        batch_b.clear()
        batch_slots.clear()

    for room in rooms:
        for day in days:
            hour = 8.0
            for _ in range(rng.randint(2, 5)):
                length = rng.choice([1.0, 1.5, 2.0])
                if hour + length > 18:
                    break
                start = core.local_datetime(
                    day, dt.time(int(hour), int(hour % 1 * 60)), planning.TZ
                )
                end = start + dt.timedelta(hours=length)
                batch_b.append(
                    Booking(
                        organisation=org,
                        site_id=room.site_id,
                        title=rng.choice(["Formation", "Réunion", "Atelier", "Jury"])
                        + f" {rng.randint(1, 999)}",
                        status=Booking.Status.APPROVED,
                        requester=officer,
                        decided_by=officer,
                        start=start,
                        end=end,
                        participants=rng.randint(4, room.capacity or 12),
                    )
                )
                batch_slots.append((room, start, end, True))
                hour += length + rng.choice([0.0, 0.5, 1.0])
            if rng.random() < 0.10:
                start = core.local_datetime(day, dt.time(10, 0), planning.TZ)
                batch_b.append(
                    Booking(
                        organisation=org,
                        site_id=room.site_id,
                        title=f"Demande école {rng.randint(1, 999)}",
                        status=Booking.Status.REQUESTED,
                        requester=officer,
                        start=start,
                        end=start + dt.timedelta(hours=1),
                    )
                )
                batch_slots.append((room, start, start + dt.timedelta(hours=1), False))
            progress.advance()
            if len(batch_b) >= 10_000:
                flush()
    flush()
    progress.finish()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As a production database is (else autovacuum processes the fresh rows during the
            # measurements).
            cursor.execute("VACUUM ANALYZE")
    measured = sites[0]
    week_bookings = Booking.objects.filter(
        site=measured,
        start__gte=core.local_datetime(MONDAY, dt.time(0), planning.TZ),
        start__lt=core.local_datetime(MONDAY + dt.timedelta(days=7), dt.time(0), planning.TZ),
    ).count()
    return {
        "officer": officer,
        "site": measured,
        "monday": MONDAY,
        "rooms": len(rooms),
        "bookings": total,
        "measured_week_bookings": week_bookings,
    }


def generate_core() -> dict[str, Any]:
    """The scheduling core benchmark's data set (full scale), reused as is."""
    from benchmarks import bench_scheduling
    from parcours.accounts.models import Site, User
    from parcours.scheduling import core, planning
    from parcours.scheduling.models import Booking

    data = bench_scheduling.generate(bench_scheduling.SCALES["full"])
    site = Site.objects.get(pk=data["big_site_id"])
    monday = bench_scheduling.FIRST_DAY + dt.timedelta(weeks=10)
    return {
        "officer": User.objects.get(pk=data["logistics_id"]),
        "site": site,
        "monday": monday,
        "rooms": data["rooms"],
        "bookings": data["bookings"],
        "measured_week_bookings": Booking.objects.filter(
            site=site,
            start__gte=core.local_datetime(monday, dt.time(0), planning.TZ),
            start__lt=core.local_datetime(monday + dt.timedelta(days=7), dt.time(0), planning.TZ),
        ).count(),
    }


def reuse() -> dict[str, Any] | None:
    """The data of a previous run kept with --sqlite-path, if any."""
    from parcours.accounts.models import Site, User
    from parcours.scheduling import core, planning
    from parcours.scheduling.models import Booking, Resource

    site = Site.objects.filter(organisation__slug="province-bench", name="Site 00").first()
    if site is None:
        return None
    step("reusing the generated data")
    return {
        "officer": User.objects.get(email="logistique@bench.test"),
        "site": site,
        "monday": MONDAY,
        "rooms": Resource.objects.count(),
        "bookings": Booking.objects.count(),
        "measured_week_bookings": Booking.objects.filter(
            site=site,
            start__gte=core.local_datetime(MONDAY, dt.time(0), planning.TZ),
            start__lt=core.local_datetime(MONDAY + dt.timedelta(days=7), dt.time(0), planning.TZ),
        ).count(),
    }


def _time_get(client: Any, url: str, expect: str) -> dict[str, Any]:
    for _ in range(WARMUP):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert expect in response.content.decode()
    times = []
    cpu = []
    size = 0
    for _ in range(SAMPLES):
        began, began_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        size = len(response.content)
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    # CPU of this process only (the database server's is not counted): on a loaded machine the
    # wall-clock figures grow with the load, this one much less.
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

    from parcours.scheduling import planning

    site = data["site"]
    monday = data["monday"]
    # The generator's garbage is not part of a web worker's heap: collect it before timing.
    gc.collect()
    client = Client()
    client.force_login(data["officer"])
    week = reverse("scheduling_ui:planning_week", args=[site.pk]) + f"?date={monday}"
    day = reverse("scheduling_ui:planning_day", args=[site.pk]) + f"?date={monday}"
    occupancy = reverse("scheduling_ui:occupancy") + f"?site={site.pk}&date={monday}"
    first_room = planning.week_grid(site, monday).rows[0].resource.name
    step(f"week page x{SAMPLES}")
    week_page = _time_get(client, week, first_room)
    with CaptureQueriesContext(connection) as queries:
        client.get(week)
    week_page["queries"] = len(queries.captured_queries)
    step(f"day page x{SAMPLES}")
    day_page = _time_get(client, day, first_room)
    step(f"occupancy page x{SAMPLES}")
    occupancy_page = _time_get(client, occupancy, first_room)
    step(f"week_grid() alone x{SAMPLES}")
    times = []
    for i in range(WARMUP + SAMPLES):
        began = time.perf_counter()
        grid = planning.week_grid(site, monday)
        if i >= WARMUP:
            times.append(time.perf_counter() - began)
    assert len(grid.rows) == ROOMS_PER_SITE
    return {
        "week_page": {**week_page, "target_p95_ms": TARGET_P95_MS},
        "day_page": day_page,
        "occupancy_page": occupancy_page,
        "week_grid_function": summary_ms(times),
        "ok": week_page["p95_ms"] < TARGET_P95_MS,
    }


def run_worker(db: str, database_url: str, data_set: str) -> dict[str, Any]:
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    began = time.perf_counter()
    data = generate_core() if data_set == "scheduling" else (reuse() or generate())
    generation_s = round(time.perf_counter() - began, 1)
    step(f"generated {data['bookings']:,} bookings in {generation_s} s")
    result = {
        "db": db,
        "database_version": getattr(connection, "pg_version", None)
        or getattr(getattr(connection, "Database", None), "sqlite_version", None),
        "machine": machine_info(),
        "data": data_set,
        "dataset": {
            "sites": SITES if data_set == "dense" else None,
            "rooms": data["rooms"],
            "bookings": data["bookings"],
            "measured_site_rooms": len(planning_rows(data)),
            "measured_week_bookings": data["measured_week_bookings"],
            "generation_s": generation_s,
        },
        **measure(data),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"scheduling_ui-{data_set}-{db}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    write_markdown()
    return result


def planning_rows(data: dict[str, Any]) -> list[Any]:
    from parcours.scheduling import planning

    return planning.week_grid(data["site"], data["monday"]).rows


def write_markdown() -> None:
    lines = [
        "# Planning-grid page benchmarks",
        "",
        "`python -m benchmarks.bench_scheduling_ui` (see the module docstring for the data).",
        "",
        "| data | database | week page p50 / p95 (ms) | target p95 | week page CPU p50 / p95 | "
        "queries | day page p95 | occupancy p95 | week_grid() p95 | bookings in the week | "
        "load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    machine = None
    for data_set, db in [(d, b) for d in ("scheduling", "dense") for b in ("sqlite", "postgres")]:
        path = RESULTS_DIR / f"scheduling_ui-{data_set}-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        machine = machine or r.get("machine")
        w = r["week_page"]
        lines.append(
            f"| {data_set} | {db} | {w['p50_ms']} / {w['p95_ms']} | < {w['target_p95_ms']:.0f} | "
            f"{w.get('cpu_p50_ms', '—')} / {w.get('cpu_p95_ms', '—')} | {w['queries']} | "
            f"{r['day_page']['p95_ms']} | {r['occupancy_page']['p95_ms']} | "
            f"{r['week_grid_function']['p95_ms']} | {r['dataset']['measured_week_bookings']} | "
            f"{r['machine']['load_average'][0]} | {'yes' if r['ok'] else 'NO'} |"
        )
    lines += ["", f"Machine: {json.dumps(machine)}", ""]
    (RESULTS_DIR / "scheduling_ui.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scheduling_ui")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--data", choices=["scheduling", "dense"], default="scheduling")
    parser.add_argument(
        "--sqlite-path",
        type=Path,
        default=None,
        help="keep the generated SQLite database there and reuse it on the next run",
    )
    args = parser.parse_args(argv)
    me = [sys.executable, "-m", "benchmarks.bench_scheduling_ui"]
    if args.db == "both":
        codes = [
            subprocess.run(  # noqa: S603 - ourselves
                [*me, "--db", db, "--data", args.data], cwd=PROJECT_DIR, check=False
            ).returncode
            for db in ("sqlite", "postgres")
        ]
        print((RESULTS_DIR / "scheduling_ui.md").read_text())
        return max(codes)
    if args.db == "sqlite" and args.sqlite_path:
        result = run_worker("sqlite", "sqlite:///" + str(args.sqlite_path.resolve()), args.data)
    elif args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_bench_sched_ui_{os.getpid()}.sqlite3"
        try:
            result = run_worker("sqlite", "sqlite:///" + str(path), args.data)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    elif os.environ.get(ENV_FLAG) == "1":
        result = run_worker("postgres", os.environ["DATABASE_URL"], args.data)
    else:
        step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
        env = {**os.environ, ENV_FLAG: "1"}
        command = [sys.executable, str(WITH_POSTGRES), "--require", "--", *me]
        command += ["--db", "postgres", "--data", args.data]
        return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603
    print(json.dumps({k: result[k] for k in ("week_page", "day_page", "ok")}, indent=2))
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
