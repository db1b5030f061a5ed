"""Scheduling benchmarks (issue #5): availability search, week grid, booking throughput, and the
one-minute soak of 32 concurrent writers on the same rooms.

    python -m benchmarks.bench_scheduling [--db sqlite|postgres|both] [--scale full|small]
                                          [--soak-seconds 60] [--throughput-seconds 20]
                                          [--clients processes|threads]

Data (full scale): 50 sites of one organisation across Wallonia with opening hours, 500 rooms
(40 at the first site, the rest spread over the others) with capacities and features, and one
year of confirmed bookings (~200,000: a morning and/or an afternoon per room and working day,
non-overlapping by construction, buffers included), bulk-inserted. Targets: availability search
p95 < 50 ms, ``week_grid`` of the 40-room site p95 < 150 ms, >= 200 bookings/s with 16
concurrent clients and zero overlaps. Figures: ``benchmarks/results/scheduling-<db>.json`` and
``benchmarks/results/scheduling.md`` (small scale: the temp directory).

Concurrent clients (throughput, soak) are OS processes by default, each with its own database
connection, as a deployment runs several web worker processes (``--clients threads`` runs them
as threads of one process instead, which share one interpreter lock: the figure before issue
#5's work). Every client counts its bookings, conflicts and other errors; the rate is counted
from the moment all clients are ready to the last one's end, and the overlap check (a self-join
over all active reservations) runs after each run. On PostgreSQL the generated tables are
vacuumed and analysed before the measurements.

Standalone on purpose: it needs its own schema-only database (SQLite file in the temp
directory, rebuilt each run; PostgreSQL: a throwaway server via scripts/with_postgres.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, THROWAWAY_PG_ENV, WITH_POSTGRES
from benchmarks.progress import Progress, step
from benchmarks.stats import summary_ms

TARGET_SEARCH_P95_MS = 50.0
TARGET_GRID_P95_MS = 150.0
TARGET_BOOKINGS_PER_S = 200.0


@dataclass(frozen=True)
class Scale:
    name: str
    sites: int
    rooms: int
    big_site_rooms: int
    days: int
    searches: int
    grids: int


SCALES = {
    "full": Scale("full", sites=50, rooms=500, big_site_rooms=40, days=365, searches=300, grids=60),
    "small": Scale("small", sites=5, rooms=50, big_site_rooms=40, days=60, searches=50, grids=10),
}
FEATURES = [
    ("projector", "Projecteur", "Projector"),
    ("interactive-screen", "Écran interactif", "Interactive screen"),
    ("pcs", "Ordinateurs", "PCs"),
    ("sink", "Évier", "Sink"),
    ("videoconference", "Visioconférence", "Video conference"),
]
FIRST_DAY = dt.date(2031, 1, 6)  # a Monday, in the future so requests are allowed
OVERLAPS_SQL = """
SELECT COUNT(*) FROM scheduling_reservation a
JOIN scheduling_reservation b
  ON a.resource_id = b.resource_id AND a.id < b.id
 AND a.blocked_start < b.blocked_end AND b.blocked_start < a.blocked_end
WHERE a.active AND b.active
"""


def results_dir(scale: Scale) -> Path:
    if scale.name == "full":
        return RESULTS_DIR
    return Path(tempfile.gettempdir()) / f"parcours_bench_results_{scale.name}"


# --- set-up ---------------------------------------------------------------------------------


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ["TASKS_IMMEDIATE"] = "true"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-scheduling")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    step("migrating the benchmark database")
    call_command("migrate", verbosity=0, interactive=False)


def generate(scale: Scale, seed: int = 5) -> dict[str, Any]:
    from django.db import transaction

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.accounts.permissions import Actor
    from parcours.scheduling import actions, core, planning
    from parcours.scheduling.models import Booking, Feature, Reservation, Resource

    rng = random.Random(seed)
    began = time.perf_counter()
    org = account_actions.create_organisation(name="Province (bench)", slug="bench", actor=None)
    lea = account_actions.create_user(email="lea@bench.test", password=None)
    account_actions.grant_role(user=lea, organisation=org, role=Role.LOGISTICS, actor=None)
    actor = Actor.of(lea)
    for slug, fr, en in FEATURES:
        Feature.objects.get_or_create(slug=slug, defaults={"label_fr": fr, "label_en": en})
    sites = []
    for i in range(scale.sites):
        site = account_actions.create_site(
            organisation=org,
            name=f"Site {i:02d}",
            city=f"Ville {i:02d}",
            latitude=round(49.6 + rng.random() * 1.1, 6),
            longitude=round(3.3 + rng.random() * 2.6, 6),
            actor=lea,
        )
        actions.set_opening_hours(
            actor=actor, site=site, hours={d: (dt.time(7, 30), dt.time(19, 0)) for d in range(5)}
        )
        sites.append(site)
    step(f"{len(sites)} sites")
    rooms: list[Resource] = []
    progress = Progress("Rooms", scale.rooms)
    for i in range(scale.rooms):
        site = sites[0] if i < scale.big_site_rooms else sites[1 + i % (len(sites) - 1)]
        features = [slug for slug, _fr, _en in FEATURES if rng.random() < 0.4]
        rooms.append(
            actions.create_resource(
                actor=actor,
                site=site,
                name=f"Salle {i:03d}",
                code=f"R{i:03d}",
                capacity=rng.choice([8, 12, 16, 20, 24, 30, 40, 60]),
                features=features,
                accessible=rng.random() < 0.6,
                cleanup_minutes=rng.choice([0, 0, 15]),
            )
        )
        progress.advance()
    progress.finish()
    tz = planning.TZ
    days = [
        FIRST_DAY + dt.timedelta(days=n)
        for n in range(scale.days)
        if (FIRST_DAY + dt.timedelta(days=n)).weekday() < 5
    ]
    total_estimate = int(len(rooms) * len(days) * 1.6)
    progress = Progress("Bookings (bulk)", total_estimate)
    created = 0
    batch: list[tuple[Booking, Resource]] = []

    def flush() -> None:
        nonlocal created
        with transaction.atomic():
            made = Booking.objects.bulk_create([b for b, _r in batch], batch_size=2000)
            Reservation.objects.bulk_create(
                [
                    Reservation(
                        booking=b,
                        resource=r,
                        blocked_start=b.blocked_start,
                        blocked_end=b.blocked_end,
                        active=True,
                    )
                    for b, (_b, r) in zip(made, batch, strict=True)
                ],
                batch_size=2000,
            )
        created += len(batch)
        progress.update(created)
        batch.clear()

    for room in rooms:
        for day in days:
            for start, end, p in (("08:00", "11:30", 0.8), ("13:30", "17:00", 0.8)):
                if rng.random() >= p:
                    continue
                shift = dt.timedelta(minutes=15 * rng.randrange(-2, 3))
                s = core.local_datetime(day, dt.time.fromisoformat(start), tz) + shift
                e = core.local_datetime(day, dt.time.fromisoformat(end), tz) + shift
                batch.append(
                    (
                        Booking(
                            organisation=org,
                            site_id=room.site_id,
                            title=f"Formation {rng.randrange(10_000)}",
                            purpose="session",
                            status="approved",
                            requester=lea,
                            decided_by=lea,
                            start=s,
                            end=e,
                            setup_minutes=0,
                            cleanup_minutes=room.cleanup_minutes,
                            participants=rng.randrange(4, (room.capacity or 10) + 1),
                        ),
                        room,
                    )
                )
                if len(batch) >= 10_000:
                    flush()
    if batch:
        flush()
    progress.finish()
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # As a production database is: vacuumed and analysed (else autovacuum wakes up
            # during the measurements to process the 400,000 freshly inserted rows).
            cursor.execute("VACUUM ANALYZE")
    return {
        "organisation_id": org.pk,
        "logistics_id": lea.pk,
        "sites": len(sites),
        "rooms": len(rooms),
        "bookings": created,
        "days": len(days),
        "big_site_id": sites[0].pk,
        "generate_seconds": round(time.perf_counter() - began, 1),
    }


# --- measurements ---------------------------------------------------------------------------


def bench_search(scale: Scale, data: dict[str, Any]) -> dict[str, Any]:
    from parcours.accounts.models import Site, User
    from parcours.accounts.permissions import Actor
    from parcours.scheduling import planning

    rng = random.Random(11)
    actor = Actor.of(User.objects.get(pk=data["logistics_id"]))
    sites = list(Site.objects.filter(organisation_id=data["organisation_id"]))
    day0 = FIRST_DAY
    timings: list[float] = []
    free_counts: list[int] = []
    progress = Progress("Availability search", scale.searches)
    for _ in range(scale.searches):
        day = day0 + dt.timedelta(days=rng.randrange(scale.days))
        start_h = rng.choice([8, 9, 10, 13, 14])
        site = rng.choice(sites) if rng.random() < 0.8 else None
        features = rng.sample([f[0] for f in FEATURES], rng.choice([0, 1, 1, 2]))
        began = time.perf_counter()
        result = planning.search_availability(
            actor=actor,
            day=day,
            start_time=dt.time(start_h, 0),
            end_time=dt.time(start_h + rng.choice([2, 3, 7]), 30),
            site=site,
            capacity=rng.choice([None, 10, 20, 30]),
            features=features,
        )
        timings.append(time.perf_counter() - began)
        free_counts.append(len(result.free) + len(result.near_misses))
        progress.advance()
    progress.finish()
    stats = summary_ms(timings)
    return {
        **stats,
        "target_p95_ms": TARGET_SEARCH_P95_MS,
        "ok": stats["p95_ms"] < TARGET_SEARCH_P95_MS,
        "mean_options": round(sum(free_counts) / len(free_counts), 1),
    }


def bench_grid(scale: Scale, data: dict[str, Any]) -> dict[str, Any]:
    from parcours.accounts.models import Site
    from parcours.scheduling import planning

    rng = random.Random(12)
    site = Site.objects.get(pk=data["big_site_id"])
    timings: list[float] = []
    entries = 0
    progress = Progress("week_grid (40 rooms)", scale.grids)
    for _ in range(scale.grids):
        monday = FIRST_DAY + dt.timedelta(weeks=rng.randrange(max(scale.days // 7 - 1, 1)))
        began = time.perf_counter()
        grid = planning.week_grid(site, monday)
        timings.append(time.perf_counter() - began)
        entries = sum(len(d) for row in grid.rows for d in row.days)
        progress.advance()
    progress.finish()
    stats = summary_ms(timings)
    return {
        **stats,
        "rooms": len(grid.rows),
        "entries_last_week": entries,
        "target_p95_ms": TARGET_GRID_P95_MS,
        "ok": stats["p95_ms"] < TARGET_GRID_P95_MS,
    }


def count_overlaps() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL)
        return int(cursor.fetchone()[0])


def _client_loop(
    index: int,
    *,
    seconds: float,
    room_ids: list[int],
    first_day: dt.date,
    n_days: int,
    logistics_id: int,
    label: str,
    ready: Any,
) -> dict[str, Any]:
    """One client: book random slots of ``room_ids`` for ``seconds`` after ``ready`` (a barrier
    shared by all clients) releases. Its own database connection; counts every outcome."""
    from django.db import connections

    from parcours.accounts.models import User
    from parcours.accounts.permissions import Actor
    from parcours.scheduling import actions, core, planning
    from parcours.scheduling.actions import BookingConflict

    rng = random.Random(1000 + index)
    out: dict[str, Any] = {"booked": 0, "conflicts": 0, "errors": 0, "samples": []}
    try:
        actor = Actor.of(User.objects.get(pk=logistics_id))
        ready.wait(120)
        out["began"] = time.time()
        deadline = out["began"] + seconds
        while time.time() < deadline:
            day = first_day + dt.timedelta(days=rng.randrange(n_days))
            start = core.local_datetime(day, dt.time(8, 0), planning.TZ) + dt.timedelta(
                minutes=15 * rng.randrange(40)
            )
            end = start + dt.timedelta(minutes=15 * rng.randrange(2, 9))
            try:
                actions.book(
                    actor=actor,
                    resources=[rng.choice(room_ids)],
                    start=start,
                    end=end,
                    title=f"{label} {index}",
                )
                out["booked"] += 1
            except BookingConflict:
                out["conflicts"] += 1
            except Exception as exc:  # counted: must stay zero
                out["errors"] += 1
                out["samples"].append(repr(exc)[:200])
        out["ended"] = time.time()
    finally:
        connections.close_all()
    return out


def _process_client(index: int, kwargs: dict[str, Any], results: Any) -> None:
    results.put((index, _client_loop(index, **kwargs)))


def hammer(
    *,
    writers: int,
    seconds: float,
    room_ids: list[int],
    first_day: dt.date,
    n_days: int,
    logistics_id: int,
    label: str,
    clients: str = "processes",
) -> dict[str, Any]:
    """``writers`` concurrent clients book random slots of ``room_ids`` for ``seconds``.

    ``clients="processes"`` (default): one OS process per client, each with its own database
    connection, as a deployment with several web workers runs; ``"threads"``: threads of this
    process (one connection each), which share one interpreter lock. The rate is counted from
    the moment every client is ready to the last client's end."""
    import multiprocessing

    from django.db import connections

    kwargs: dict[str, Any] = {
        "seconds": seconds,
        "room_ids": room_ids,
        "first_day": first_day,
        "n_days": n_days,
        "logistics_id": logistics_id,
        "label": label,
    }
    outs: list[dict[str, Any]] = []
    if clients == "processes":
        # fork: the children inherit the configured Django; no connection may cross the fork.
        connections.close_all()
        ctx = multiprocessing.get_context("fork")
        results = ctx.Queue()
        ready = ctx.Barrier(writers)
        procs = [
            ctx.Process(
                target=_process_client, args=(i, {**kwargs, "ready": ready}, results), daemon=True
            )
            for i in range(writers)
        ]
        for p in procs:
            p.start()
        outs = [results.get(timeout=seconds + 300)[1] for _ in procs]
        for p in procs:
            p.join(30)
    else:
        barrier = threading.Barrier(writers)
        box: list[dict[str, Any]] = [{} for _ in range(writers)]

        def run(i: int) -> None:
            box[i] = _client_loop(i, **kwargs, ready=barrier)

        threads = [threading.Thread(target=run, args=(i,)) for i in range(writers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        outs = box
    finished = [o for o in outs if "ended" in o]
    elapsed = (
        max(o["ended"] for o in finished) - min(o["began"] for o in finished) if finished else 0.0
    )
    booked = sum(o["booked"] for o in outs)
    conflicts = sum(o["conflicts"] for o in outs)
    errors = [e for o in outs for e in o["samples"]]
    overlaps = count_overlaps()
    return {
        "writers": writers,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "booked": booked,
        "conflicts": conflicts,
        "other_errors": sum(o["errors"] for o in outs) + (writers - len(finished)),
        "error_samples": errors[:5],
        "bookings_per_s": round(booked / elapsed, 1) if elapsed else 0.0,
        "attempts_per_s": round((booked + conflicts) / elapsed, 1) if elapsed else 0.0,
        "overlaps_after": overlaps,
    }


def bench_throughput(data: dict[str, Any], seconds: float, clients: str) -> dict[str, Any]:
    from parcours.scheduling.models import Resource

    step(f"throughput: 16 concurrent clients for {seconds:.0f} s (all rooms, the next year)")
    rooms = list(
        Resource.objects.filter(organisation_id=data["organisation_id"]).values_list(
            "pk", flat=True
        )
    )
    out = hammer(
        writers=16,
        seconds=seconds,
        room_ids=rooms,
        first_day=FIRST_DAY + dt.timedelta(days=400),
        n_days=60,
        logistics_id=data["logistics_id"],
        label="Débit",
        clients=clients,
    )
    out["target_per_s"] = TARGET_BOOKINGS_PER_S
    out["ok"] = (
        out["bookings_per_s"] >= TARGET_BOOKINGS_PER_S
        and out["overlaps_after"] == 0
        and out["other_errors"] == 0
    )
    return out


def bench_soak(data: dict[str, Any], seconds: float, clients: str) -> dict[str, Any]:
    from parcours.scheduling.models import Resource

    step(f"soak: 32 concurrent writers for {seconds:.0f} s on 4 rooms (heavy contention)")
    rooms = list(
        Resource.objects.filter(organisation_id=data["organisation_id"])
        .order_by("pk")
        .values_list("pk", flat=True)[:4]
    )
    out = hammer(
        writers=32,
        seconds=seconds,
        room_ids=rooms,
        first_day=FIRST_DAY + dt.timedelta(days=800),
        n_days=3,
        logistics_id=data["logistics_id"],
        label="Soak",
        clients=clients,
    )
    out["ok"] = out["overlaps_after"] == 0 and out["other_errors"] == 0
    return out


# --- orchestration --------------------------------------------------------------------------


def run(db: str, database_url: str, args: argparse.Namespace) -> int:
    scale = SCALES[args.scale]
    setup_django(database_url)
    from django.db import connection

    step(f"generating {scale.name}-scale data on {db}")
    data = generate(scale)
    step(f"{data['bookings']:,} bookings in {data['generate_seconds']} s")
    payload: dict[str, Any] = {
        "db": db,
        "scale": scale.name,
        "database_version": connection.cursor().connection.__class__.__module__
        if db == "sqlite"
        else "",
        "dataset": data,
        "availability_search": bench_search(scale, data),
        "week_grid": bench_grid(scale, data),
        "throughput_16": bench_throughput(data, args.throughput_seconds, args.clients),
        "soak_32": bench_soak(data, args.soak_seconds, args.clients),
        "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "load_average": os.getloadavg(),
    }
    with connection.cursor() as cursor:
        cursor.execute("select sqlite_version()" if db == "sqlite" else "show server_version")
        payload["database_version"] = f"{db} {cursor.fetchone()[0]}"
    out_dir = results_dir(scale)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"scheduling-{db}.json").write_text(json.dumps(payload, indent=2, default=str))
    md = compose(out_dir)
    (out_dir / "scheduling.md").write_text(md)
    print(md)
    return 0


def compose(out_dir: Path) -> str:
    lines = [
        "# Scheduling benchmarks",
        "",
        "`python -m benchmarks.bench_scheduling` (see the module docstring).",
        "",
        "| measure | target | " + " | ".join(["SQLite", "PostgreSQL"]) + " |",
        "| --- | --- | --- | --- |",
    ]
    results = {}
    for db in ("sqlite", "postgres"):
        path = out_dir / f"scheduling-{db}.json"
        if path.exists():
            results[db] = json.loads(path.read_text())

    def cell(db: str, *keys: str, fmt: str = "{}") -> str:
        data: Any = results.get(db)
        for k in keys:
            if not isinstance(data, dict) or k not in data:
                return "—"
            data = data[k]
        return fmt.format(data)

    rows = [
        (
            "dataset (sites / rooms / bookings)",
            "50 / 500 / ~200,000",
            lambda d: (
                f"{cell(d, 'dataset', 'sites')} / {cell(d, 'dataset', 'rooms')} / "
                f"{cell(d, 'dataset', 'bookings', fmt='{:,}')}"
            ),
        ),
        (
            "availability search p50 / p95",
            f"p95 < {TARGET_SEARCH_P95_MS:.0f} ms",
            lambda d: (
                f"{cell(d, 'availability_search', 'p50_ms')} / "
                f"{cell(d, 'availability_search', 'p95_ms')} ms"
            ),
        ),
        (
            "week_grid, 40-room site p50 / p95",
            f"p95 < {TARGET_GRID_P95_MS:.0f} ms",
            lambda d: f"{cell(d, 'week_grid', 'p50_ms')} / {cell(d, 'week_grid', 'p95_ms')} ms",
        ),
        (
            "bookings/s, 16 concurrent clients",
            f">= {TARGET_BOOKINGS_PER_S:.0f}/s",
            lambda d: (
                f"{cell(d, 'throughput_16', 'bookings_per_s')}/s "
                f"({cell(d, 'throughput_16', 'clients')}, "
                f"{cell(d, 'throughput_16', 'booked')} booked, "
                f"{cell(d, 'throughput_16', 'conflicts')} conflicts)"
            ),
        ),
        (
            "overlaps after throughput run",
            "0",
            lambda d: cell(d, "throughput_16", "overlaps_after"),
        ),
        (
            "soak: 32 writers on 4 rooms",
            "0 overlaps, 0 other errors",
            lambda d: (
                f"{cell(d, 'soak_32', 'seconds')} s, {cell(d, 'soak_32', 'booked')} booked, "
                f"{cell(d, 'soak_32', 'conflicts')} conflicts, "
                f"{cell(d, 'soak_32', 'overlaps_after')} overlaps, "
                f"{cell(d, 'soak_32', 'other_errors')} other errors"
            ),
        ),
    ]
    for label, target, fn in rows:
        lines.append(f"| {label} | {target} | {fn('sqlite')} | {fn('postgres')} |")
    lines += [
        "",
        "Database versions: "
        + ", ".join(
            f"{r.get('database_version')} (finished {r.get('finished_at')}, load "
            f"{', '.join(f'{x:.1f}' for x in r.get('load_average', []))})"
            for r in results.values()
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scheduling")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument("--soak-seconds", type=float, default=60.0)
    parser.add_argument("--throughput-seconds", type=float, default=20.0)
    parser.add_argument(
        "--clients",
        choices=["processes", "threads"],
        default="processes",
        help="model the concurrent clients as OS processes (default) or threads of one process",
    )
    args = parser.parse_args(argv)
    me = [sys.executable, "-m", "benchmarks.bench_scheduling"]
    passthrough = [
        "--scale",
        args.scale,
        "--soak-seconds",
        str(args.soak_seconds),
        "--throughput-seconds",
        str(args.throughput_seconds),
        "--clients",
        args.clients,
    ]
    if args.db == "both":
        codes = [
            subprocess.run([*me, "--db", db, *passthrough], cwd=PROJECT_DIR, check=False).returncode  # noqa: S603
            for db in ("sqlite", "postgres")
        ]
        return max(codes)
    os.chdir(PROJECT_DIR)
    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_bench_scheduling_{args.scale}.sqlite3"
        for suffix in ("", "-wal", "-shm", "-writers"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return run("sqlite", "sqlite:///" + str(path), args)
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get(THROWAWAY_PG_ENV) == "1" and url.startswith(("postgres://", "postgresql://")):
        return run("postgres", url, args)
    step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
    env = {**os.environ, THROWAWAY_PG_ENV: "1"}
    command = [
        sys.executable,
        str(WITH_POSTGRES),
        "--require",
        "--",
        *me,
        "--db",
        "postgres",
        *passthrough,
    ]
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
