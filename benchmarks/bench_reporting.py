"""Reporting benchmarks (issue #11): the figures of the largest organisation's year and the
network view over 30 organisations, on a dataset at the scale of the Federation.

    python -m benchmarks.bench_reporting [--db sqlite|postgres|both] [--fraction 1.0]
                                         [--repetitions 7] [--keep]

``--keep`` (SQLite): the generated database stays in ``var/bench-reporting-<fraction>.sqlite3``
(with its context in a ``.json`` beside it) and the next run measures it again without
generating (full scale takes ~25 minutes on a busy 2-core machine).
``PARCOURS_BENCH_GENERATE_ONLY=1`` stops after the generation and the set-based rebuild.

Data at ``--fraction 1`` (``generate``): 30 organisations of uneven size (the largest holds
~18 % of everything), 1,000,000 learners (60 % with a learner profile, some with gender and
birth year), 100,000 sessions over 2024-2026 (2 slots each, 6 % cancelled), 2,500,000
enrolments (statuses mixed: seats, waitlist, cancelled) giving 5,000,000 attendance marks,
300,000 approved room / parking bookings (with reservations, some catering) of which 50,000
are loans' bookings with their loans, outreach visits with pupil counts. Rows are inserted in
bulk (``executemany`` on SQLite, ``COPY`` on PostgreSQL), not through the actions: the actions
write one object per transaction with its audit entry, which would take hours. A fraction
scales every count (``--fraction 0.2`` = 200,000 learners, 1,000,000 marks…).

Measured (``build_report``, the path the pages and the API use; no cache exists to warm):
- ``org_year``: the largest organisation's calendar year 2025 (every section + last year),
  cold once then warm ``--repetitions`` times: p50 / p95 (target p95 < 500 ms);
- ``after_write``: the same right after a write (a roll call's marks inserted and committed),
  ``--repetitions`` times (target < 3 s);
- ``network``: the 30 organisations summed (target < 5 s).

Other measurements can hook in: ``EXTRA_MEASURES`` holds callables ``(BenchContext) -> dict``
run after these ones (e.g. the yearly report's PDF and Excel generation time and memory),
their results stored under their ``__name__``.

Results: ``benchmarks/results/reporting-<db>.json`` and ``benchmarks/results/reporting.md``.
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
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, WITH_POSTGRES, configure_django
from benchmarks.progress import Progress, step
from benchmarks.stats import summary_ms

ENV_FLAG = "PARCOURS_BENCH_REPORTING_PG"
TARGET_WARM_P95_MS = 500.0
TARGET_AFTER_WRITE_S = 3.0
TARGET_NETWORK_S = 5.0

FULL = {
    "organisations": 30,
    "learners": 1_000_000,
    "sessions": 100_000,
    "marks": 5_000_000,
    "bookings": 300_000,
    "loans": 50_000,
}
SLOTS_PER_SESSION = 2
YEARS = (2024, 2025, 2026)


@dataclass
class BenchContext:
    """What a measurement needs: the organisations (largest first) and the database."""

    db: str
    fraction: float
    organisation_ids: list[int]
    largest: int
    last_user: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    write_offset: int = 0


EXTRA_MEASURES: list[Callable[[BenchContext], dict[str, Any]]] = []


# --- bulk insertion -------------------------------------------------------------------------


class Inserter:
    """Rows straight into a table: ``executemany`` on SQLite, ``COPY`` on PostgreSQL."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.vendor = connection.vendor
        self._dates: dict[dt.datetime, Any] = {}

    def when(self, value: dt.datetime) -> Any:
        """A datetime as the database driver wants it (cached: the grid repeats)."""
        if self.vendor == "postgresql":
            return value
        found = self._dates.get(value)
        if found is None:
            found = self.connection.ops.adapt_datetimefield_value(value)
            self._dates[value] = found
        return found

    def day(self, value: dt.date) -> Any:
        return value if self.vendor == "postgresql" else value.isoformat()

    def flag(self, value: bool) -> Any:
        return value if self.vendor == "postgresql" else int(value)

    def rows(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        self.connection.ensure_connection()
        raw = self.connection.connection
        cols = ", ".join(f'"{c}"' for c in columns)
        count = 0
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            raw.commit()
            return count
        marks = ", ".join("?" for _ in columns)
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - our own names
        cursor = raw.cursor()
        batch: list[Sequence[Any]] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 50_000:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
        raw.commit()
        return count

    def max_id(self, table: str) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
            return int(cursor.fetchone()[0])


def _sizes(n_orgs: int, rng: random.Random) -> list[float]:
    """Uneven organisation shares (largest ~18 % at 30 organisations), summing to 1."""
    raw = [1 / (i + 1) ** 0.8 for i in range(n_orgs)]
    total = sum(raw)
    return [r / total for r in raw]


def generate(fraction: float, seed: int = 11) -> BenchContext:
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from parcours.accounts import actions as account_actions
    from parcours.catalogue.models import Module
    from parcours.lib.dates import platform_zone
    from parcours.reporting import triggers
    from parcours.scheduling.models import CateringItem, OpeningHours, Resource

    rng = random.Random(seed)
    zone = platform_zone()
    ins = Inserter()
    # A bulk import, the way an operator runs one: the facts' triggers off during the load
    # (``manage.py reporting_rebuild --suspend-triggers``), then every fact rebuilt set-based
    # and the triggers put back (``manage.py reporting_rebuild``, timed apart: ``rebuild_all_s``).
    triggers.suspend()
    if ins.vendor == "sqlite":  # a bulk load's settings (this connection only)
        from django.db import connection as db

        with db.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1000000")  # 1 GB: the indexes stay in memory
            cursor.execute("PRAGMA synchronous = OFF")
    n = {k: max(1, int(v * fraction)) for k, v in FULL.items()}
    n["organisations"] = FULL["organisations"]
    shares = _sizes(n["organisations"], rng)
    step(f"organisations, sites, modules, rooms ({n['organisations']})")
    orgs, sites, modules, rooms, parkings, items = [], [], [], [], [], []
    for i in range(n["organisations"]):
        org = account_actions.create_organisation(
            name=f"Centre {i:02d}", slug=f"centre-{i:02d}", kind="competence_centre", actor=None
        )
        orgs.append(org.pk)
        own_sites = []
        for s in range(3):
            site = account_actions.create_site(
                organisation=org, name=f"Site {i}-{s}", city="Namur", actor=None
            )
            own_sites.append(site.pk)
            OpeningHours.objects.bulk_create(
                [
                    OpeningHours(site=site, weekday=d, opens=dt.time(8), closes=dt.time(18))
                    for d in range(5)
                ]
            )
            rooms += [
                (
                    org.pk,
                    site.pk,
                    Resource.objects.create(
                        organisation=org, site=site, name=f"Salle {r}", code=f"R{s}-{r}"
                    ).pk,
                )
                for r in range(10)
            ]
            parkings.append(
                (
                    org.pk,
                    site.pk,
                    Resource.objects.create(
                        organisation=org,
                        site=site,
                        kind=Resource.Kind.PARKING,
                        name="P1",
                        code=f"P{s}",
                    ).pk,
                )
            )
        sites.append(own_sites)
        modules.append(
            [
                Module.objects.create(
                    organisation=org,
                    code=f"M{m}",
                    title_fr=f"Module {m}",
                    duration_hours=13,
                    status=Module.Status.PUBLISHED,
                    audience=rng.choice(Module.Audience.values),
                    format=rng.choice(Module.Format.values),
                ).pk
                for m in range(20)
            ]
        )
        items.append(CateringItem.objects.create(organisation=org, slug="cafe", label_fr="Café").pk)

    def pick_org() -> int:
        return rng.choices(range(len(orgs)), weights=shares)[0]

    # Learners: users (+ a profile for 60 %).
    step(f"learners ({n['learners']:,})")
    first_user = ins.max_id("accounts_user") + 1
    unusable = make_password(None)
    joined = ins.when(timezone.now())
    ins.rows(
        "accounts_user",
        [
            "password",
            "is_superuser",
            "email",
            "first_name",
            "last_name",
            "language",
            "postcode",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        (
            (
                unusable,
                ins.flag(False),
                f"l{i}@bench.test",
                "P",
                "L",
                "fr",
                "",
                ins.flag(False),
                ins.flag(True),
                joined,
            )
            for i in range(n["learners"])
        ),
    )
    users = list(range(first_user, first_user + n["learners"]))
    genders = ["", "", "female", "male", "other", "undisclosed"]
    audiences = ["", *Module.Audience.values]
    ins.rows(
        "enrolment_learnerprofile",
        ["user_id", "audience", "gender", "birth_year", "age_band", "school_year"],
        (
            (
                u,
                rng.choice(audiences),
                rng.choice(genders),
                rng.choice([None, rng.randint(1955, 2005)]),
                "",
                "",
            )
            for u in users
            if rng.random() < 0.6
        ),
    )

    # Sessions and slots over three years, spread over organisations by share.
    step(f"sessions ({n['sessions']:,}) and slots")
    first_session = ins.max_id("enrolment_session") + 1
    session_rows = []
    slot_rows = []
    now = ins.when(timezone.now())
    session_org = []
    for s in range(n["sessions"]):
        o = pick_org()
        day = dt.date(rng.choice(YEARS), 1, 1) + dt.timedelta(days=rng.randrange(365))
        starts = [
            dt.datetime.combine(day, dt.time(9), zone),
            dt.datetime.combine(day, dt.time(13, 30), zone),
        ]
        ends = [s0 + dt.timedelta(hours=3) for s0 in starts]
        status = "cancelled" if rng.random() < 0.06 else "published"
        session_org.append(o)
        session_rows.append(
            (
                orgs[o],
                rng.choice(modules[o]),
                f"S{s}",
                "",
                rng.choice(sites[o]),
                "",
                "",
                25,
                0,
                48,
                "",
                ins.flag(False),
                status,
                ins.when(starts[0]),
                ins.when(ends[-1]),
                now,
                now,
            )
        )
        for a, b in zip(starts, ends, strict=True):
            slot_rows.append((first_session + s, ins.when(a), ins.when(b), "x"))
    ins.rows(
        "enrolment_session",
        [
            "organisation_id",
            "module_id",
            "code",
            "label",
            "site_id",
            "online_url",
            "access_notes",
            "capacity",
            "seats_taken",
            "cancellation_deadline_hours",
            "audience",
            "requires_approval",
            "status",
            "starts_at",
            "ends_at",
            "created_at",
            "updated_at",
        ],
        session_rows,
    )
    first_slot = ins.max_id("enrolment_sessionslot") + 1
    ins.rows("enrolment_sessionslot", ["session_id", "start", "end", "checkin_secret"], slot_rows)

    # Enrolments: marks / slots per session, distinct learners of the session's organisation,
    # written per chunk of sessions with their marks (ids are sequential in a fresh table).
    n_enrol = n["marks"] // SLOTS_PER_SESSION
    step(f"enrolments ({n_enrol:,}) and attendance marks ({n_enrol * SLOTS_PER_SESSION:,})")
    per_org_users: list[list[int]] = [[] for _ in orgs]
    for u in users:
        per_org_users[pick_org()].append(u)
    statuses = ["confirmed"] * 3 + ["completed"] * 10 + ["attended", "no_show"]
    statuses += ["waitlisted", "cancelled"]
    per_session = n_enrol // n["sessions"]
    next_enrolment = ins.max_id("enrolment_enrolment") + 1
    progress = Progress("enrolments", n["sessions"])
    chunk = 4_000
    for lo in range(0, n["sessions"], chunk):
        enrol_rows, mark_rows = [], []
        for s in range(lo, min(n["sessions"], lo + chunk)):
            pool = per_org_users[session_org[s]]
            picked = rng.sample(pool, min(per_session, len(pool)))
            for u in picked:
                status = rng.choice(statuses)
                enrol_rows.append(
                    (first_session + s, u, status, "coordinator", now, now, now, now, "")
                )
                for k in range(SLOTS_PER_SESSION):
                    mark_rows.append(
                        (
                            first_slot + 2 * s + k,
                            next_enrolment,
                            ins.flag(rng.random() < 0.85),
                            "trainer",
                            now,
                        )
                    )
                next_enrolment += 1
        ins.rows(
            "enrolment_enrolment",
            [
                "session_id",
                "learner_id",
                "status",
                "source",
                "queued_at",
                "confirmed_at",
                "created_at",
                "updated_at",
                "reason",
            ],
            enrol_rows,
        )
        ins.rows(
            "enrolment_attendance",
            ["slot_id", "enrolment_id", "present", "method", "recorded_at"],
            mark_rows,
        )
        progress.update(lo + chunk)
    progress.finish()
    n_enrol = per_session * n["sessions"]

    # Bookings: rooms and parking (approved, in opening hours), loans' bookings and loans.
    n_loans = n["loans"]
    n_rooms = max(1, n["bookings"] - n_loans)
    step(f"bookings ({n_rooms:,} rooms/parking + {n_loans:,} loans)")
    first_booking = ins.max_id("scheduling_booking") + 1
    booking_rows = []
    reservation_rows = []
    catering_rows = []
    requester = users[0]
    taken: set[tuple[int, dt.date, int]] = set()
    rooms_of = {o: [r for r in rooms if r[0] == o] for o in orgs}
    parkings_of = {o: [p for p in parkings if p[0] == o] for o in orgs}
    for k in range(n_rooms):
        o = pick_org()
        resource_pool = rooms_of[orgs[o]] if rng.random() < 0.85 else parkings_of[orgs[o]]
        while True:  # a free two-hour slot: no two bookings of a resource overlap
            _org, site_pk, resource = rng.choice(resource_pool)
            day = dt.date(rng.choice(YEARS), 1, 1) + dt.timedelta(days=rng.randrange(365))
            hour = rng.choice((8, 10, 12, 14, 16))
            if (resource, day, hour) not in taken:
                taken.add((resource, day, hour))
                break
        begin = dt.datetime.combine(day, dt.time(hour), zone)
        finish = begin + dt.timedelta(hours=2)
        booking_rows.append(
            (
                orgs[o],
                site_pk,
                "Réunion",
                "meeting",
                "approved",
                requester,
                ins.when(begin),
                ins.when(finish),
                0,
                0,
                "",
                "",
                "",
                "",
                ins.flag(False),
                ins.flag(False),
                "",
                now,
                now,
            )
        )
        reservation_rows.append(
            (
                first_booking + k,
                resource,
                ins.when(begin),
                ins.when(finish),
                ins.flag(False),
                ins.flag(False),
            )
        )
        if rng.random() < 0.2:
            catering_rows.append((first_booking + k, items[o], rng.randint(5, 30), ""))
    loan_rows = []
    equipment_first = ins.max_id("scheduling_resource") + 1
    equipment_rows = []
    for i in range(n_loans):
        o = pick_org()
        site_pk = rng.choice(sites[o])
        equipment_rows.append(
            (
                orgs[o],
                site_pk,
                "equipment",
                f"PC {i}",
                f"E{i}",
                "",
                "",
                ins.flag(False),
                "",
                ins.flag(True),
                ins.flag(True),
                0,
                0,
                f"tok-e{i}",
                now,
            )
        )
        day = dt.date(rng.choice(YEARS), 1, 1) + dt.timedelta(days=rng.randrange(365))
        begin = dt.datetime.combine(day, dt.time(10), zone)
        due = begin + dt.timedelta(days=rng.randint(3, 30))
        returned = None if rng.random() < 0.05 else begin + dt.timedelta(days=rng.randint(1, 40))
        booking_rows.append(
            (
                orgs[o],
                site_pk,
                "Prêt",
                "loan",
                "approved",
                requester,
                ins.when(begin),
                ins.when(due),
                0,
                0,
                "",
                "",
                "",
                "",
                ins.flag(False),
                ins.flag(False),
                "",
                now,
                now,
            )
        )
        loan_rows.append(
            (
                orgs[o],
                equipment_first + i,
                first_booking + n_rooms + i,
                requester,
                ins.when(begin),
                ins.when(due),
                ins.when(returned) if returned else None,
                "",
                "",
                now,
            )
        )
    ins.rows(
        "scheduling_booking",
        [
            "organisation_id",
            "site_id",
            "title",
            "purpose",
            "status",
            "requester_id",
            "start",
            "end",
            "setup_minutes",
            "cleanup_minutes",
            "refusal_reason",
            "cancel_reason",
            "notes",
            "source",
            "hide_from_lobby",
            "is_exception",
            "source_id",
            "created_at",
            "updated_at",
        ],
        booking_rows,
    )
    ins.rows(
        "scheduling_reservation",
        ["booking_id", "resource_id", "blocked_start", "blocked_end", "active", "long_span"],
        (
            (bk, r, s0, e0, ins.flag(True), ins.flag(False))
            for bk, r, s0, e0, _a, _l in reservation_rows
        ),
    )
    ins.rows("scheduling_cateringline", ["booking_id", "item_id", "count", "note"], catering_rows)
    ins.rows(
        "scheduling_resource",
        [
            "organisation_id",
            "site_id",
            "kind",
            "name",
            "code",
            "description",
            "location",
            "accessible",
            "inventory_number",
            "is_active",
            "requires_approval",
            "setup_minutes",
            "cleanup_minutes",
            "feed_token",
            "created_at",
        ],
        equipment_rows,
    )
    ins.rows(
        "scheduling_loan",
        [
            "organisation_id",
            "resource_id",
            "booking_id",
            "borrower_id",
            "start",
            "due",
            "returned_at",
            "condition_out",
            "condition_in",
            "created_at",
        ],
        loan_rows,
    )
    if ins.vendor == "postgresql":
        step("VACUUM ANALYZE")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    largest = orgs[0]
    from django.db import connection

    connection.close()  # a fresh connection after COPY / executemany on the raw one
    return BenchContext(
        db=ins.vendor,
        fraction=fraction,
        organisation_ids=orgs,
        largest=largest,
        last_user=users[-1],
        counts={
            "organisations": len(orgs),
            "learners": n["learners"],
            "sessions": n["sessions"],
            "attendance_marks": n_enrol * SLOTS_PER_SESSION,
            "enrolments": n_enrol,
            "bookings": n_rooms + n_loans,
            "loans": n_loans,
        },
    )


# --- measurements ---------------------------------------------------------------------------


def _report(ids: list[int]) -> float:
    from parcours.reporting.figures import build_report
    from parcours.reporting.periods import Filters, Period

    started = time.perf_counter()
    build_report(ids, Period.calendar_year(2025), Filters())
    return time.perf_counter() - started


def _write(ctx: BenchContext, i: int) -> None:
    """A roll call's worth of writes: one enrolment of the largest organisation with its marks
    on both slots of one of its 2025 sessions, committed (a learner not enrolled there yet:
    the offset changes from one run to the next on a kept database)."""
    from django.db import transaction
    from django.utils import timezone

    from parcours.enrolment.models import Attendance, Enrolment, Session

    session = (
        Session.objects.filter(organisation_id=ctx.largest, starts_at__year=2025)
        .order_by("pk")[i : i + 1]
        .get()
    )
    with transaction.atomic():
        enrolment = Enrolment.objects.create(
            session=session,
            learner_id=ctx.last_user - i - ctx.write_offset,
            status="confirmed",
            source="coordinator",
        )
        Attendance.objects.bulk_create(
            [
                Attendance(
                    slot=slot,
                    enrolment=enrolment,
                    present=True,
                    method="trainer",
                    recorded_at=timezone.now(),
                )
                for slot in session.slots.all()
            ]
        )


def _rebuild_all() -> float:
    from parcours.reporting import facts

    started = time.perf_counter()
    facts.rebuild_all()
    return time.perf_counter() - started


def measure(ctx: BenchContext, repetitions: int) -> dict[str, Any]:
    step("largest organisation, year 2025: first read (monthly measures computed), then warm")
    cold = _report([ctx.largest])
    warm = [_report([ctx.largest]) for _ in range(repetitions)]
    step("right after a write (a roll call in one 2025 session, then the year)")
    after = []
    for i in range(repetitions):
        _write(ctx, i)
        after.append(_report([ctx.largest]))
    step("network of every organisation: first read, warm, then right after a write")
    network_first = _report(ctx.organisation_ids)
    network = [_report(ctx.organisation_ids) for _ in range(max(2, repetitions // 3))]
    network_after = []
    for i in range(2):
        _write(ctx, repetitions + i)
        network_after.append(_report(ctx.organisation_ids))
    warm_summary = summary_ms(warm)
    after_summary = summary_ms(after)
    network_summary = summary_ms(network)
    return {
        "network_first_ms": round(network_first * 1000, 1),
        "network_after_write_ms": [round(x * 1000, 1) for x in network_after],
        "org_year": {
            "cold_ms": round(cold * 1000, 1),
            **warm_summary,
            "target_p95_ms": TARGET_WARM_P95_MS,
            "ok": warm_summary["p95_ms"] < TARGET_WARM_P95_MS,
        },
        "after_write": {
            **after_summary,
            "target_s": TARGET_AFTER_WRITE_S,
            "ok": after_summary["max_ms"] < TARGET_AFTER_WRITE_S * 1000,
        },
        "network": {
            **network_summary,
            "target_s": TARGET_NETWORK_S,
            "ok": max(network_summary["max_ms"], *(x * 1000 for x in network_after))
            < TARGET_NETWORK_S * 1000,
        },
    }


def run_worker(
    db: str, database_url: str, fraction: float, repetitions: int, kept: Path | None = None
) -> dict[str, Any]:
    """Generate (or, with ``kept``, reuse the database generated by an earlier run: its
    context is saved beside it), rebuild every fact set-based, then measure."""
    configure_django(database_url)
    from django.db import connection

    from benchmarks.report import machine_info

    saved = kept.with_suffix(".json") if kept else None
    if kept and saved and not saved.exists():  # an interrupted generation: start again
        for suffix in ("", "-wal", "-shm"):
            Path(str(kept) + suffix).unlink(missing_ok=True)
    if saved and saved.exists():
        step(f"reusing the generated database {kept}")
        stored = json.loads(saved.read_text())
        ctx = BenchContext(**stored["context"])
        generated, rebuilt = stored["generation_s"], stored["rebuild_all_s"]
        _migrate()
    else:
        step(f"migrating the {db} database")
        _migrate()
        started = time.perf_counter()
        ctx = generate(fraction)
        generated = time.perf_counter() - started
        step("every fact rebuilt set-based, triggers back (manage.py reporting_rebuild)")
        rebuilt = _rebuild_all()
        if saved:
            saved.write_text(
                json.dumps(
                    {
                        "context": ctx.__dict__,
                        "generation_s": round(generated, 1),
                        "rebuild_all_s": round(rebuilt, 1),
                    }
                )
            )
    ctx.write_offset = int(time.time()) % max(1, ctx.counts["learners"] // 2)
    if os.environ.get("PARCOURS_BENCH_GENERATE_ONLY"):
        return {"generation_s": generated, "rebuild_all_s": rebuilt}
    result: dict[str, Any] = {
        "db": db,
        "database_version": connection.cursor()
        .execute("select sqlite_version()" if db == "sqlite" else "select version()")
        .fetchone()[0],
        "machine": machine_info(),
        "fraction": fraction,
        "counts": ctx.counts,
        "generation_s": round(generated, 1),
        "rebuild_all_s": round(rebuilt, 1),
        "kept_database": str(kept) if kept else None,
        "load_average_before": os.getloadavg(),
        **measure(ctx, repetitions),
        "load_average_after": os.getloadavg(),
    }
    for extra in EXTRA_MEASURES if not os.environ.get("PARCOURS_BENCH_SKIP_EXTRAS") else ():
        result[extra.__name__] = extra(ctx)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"reporting-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def _migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def write_markdown() -> None:
    lines = [
        "# Reporting benchmarks",
        "",
        "`python -m benchmarks.bench_reporting` (see the module docstring for the data and what "
        "is measured). Measured on a shared 2-core machine while other work ran: noisy.",
        "",
        "| database | scale | raw load (s) | every fact rebuilt, set-based (s) "
        "| org year first read (ms) | org year warm p50 / p95 (ms) | after a write p50 / max "
        "(ms) | network of 30: first / warm max / after a write (ms) | load average "
        "| targets met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"reporting-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        o, a, w = r["org_year"], r["after_write"], r["network"]
        c = r["counts"]
        after_network = " / ".join(str(x) for x in r.get("network_after_write_ms", []))
        load = ", ".join(f"{x[0]:.1f}" for x in (r["load_average_before"], r["load_average_after"]))
        lines.append(
            f"| {db} | {r['fraction']:g} ({c['learners']:,} learners, "
            f"{c['attendance_marks']:,} marks, {c['sessions']:,} sessions, "
            f"{c['bookings']:,} bookings) | {r['generation_s']} | {r.get('rebuild_all_s', '')} "
            f"| {o['cold_ms']} | {o['p50_ms']} / {o['p95_ms']} (< {o['target_p95_ms']:.0f}) "
            f"| {a['p50_ms']} / {a['max_ms']} (< {a['target_s'] * 1000:.0f}) "
            f"| {r.get('network_first_ms', '')} / {w['max_ms']} / {after_network} "
            f"(< {w['target_s'] * 1000:.0f}) | {load} "
            f"| {'yes' if o['ok'] and a['ok'] and w['ok'] else 'NO'} |"
        )
    lines += [
        "",
        "Notes. The raw rows are bulk-loaded with the facts' triggers suspended, then every "
        "fact is rebuilt once, set-based (`facts.rebuild_all`, what `manage.py "
        "reporting_rebuild` runs after a bulk import), and the triggers put back. The training "
        "figures read per-(organisation, month) partial measures computed from the facts and "
        "cached under the month's token: a write (a roll call in one 2025 session of the "
        "largest organisation) makes its session dirty; the next read rebuilds that session's "
        "facts and re-reads that one month of that organisation. 'First read' computes every "
        "month of the year and the year before from the facts. The load average (1 minute, "
        "before / after the measures) shows how busy the shared 2-core machine was.",
        "",
    ]
    (RESULTS_DIR / "reporting.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_reporting")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--fraction", type=float, default=1.0)
    parser.add_argument("--repetitions", type=int, default=7)
    parser.add_argument(
        "--keep",
        action="store_true",
        help="SQLite: keep the generated database under var/ and reuse it on the next run",
    )
    args = parser.parse_args(argv)
    me = [sys.executable, "-m", "benchmarks.bench_reporting"]
    extra = ["--fraction", str(args.fraction), "--repetitions", str(args.repetitions)]
    extra += ["--keep"] if args.keep else []
    if args.db == "both":
        codes = [
            subprocess.run([*me, "--db", db, *extra], cwd=PROJECT_DIR, check=False).returncode  # noqa: S603
            for db in ("sqlite", "postgres")
        ]
        print((RESULTS_DIR / "reporting.md").read_text())
        return max(codes)
    if args.db == "sqlite" and args.keep:
        path = PROJECT_DIR / "var" / f"bench-reporting-{args.fraction:g}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        result = run_worker(
            "sqlite", "sqlite:///" + str(path), args.fraction, args.repetitions, kept=path
        )
    elif args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_bench_reporting_{os.getpid()}.sqlite3"
        try:
            result = run_worker("sqlite", "sqlite:///" + str(path), args.fraction, args.repetitions)
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    elif os.environ.get(ENV_FLAG) == "1":
        result = run_worker("postgres", os.environ["DATABASE_URL"], args.fraction, args.repetitions)
    else:
        step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
        env = {**os.environ, ENV_FLAG: "1"}
        command = [
            sys.executable,
            str(WITH_POSTGRES),
            "--require",
            "--",
            *me,
            "--db",
            "postgres",
            *extra,
        ]
        return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603
    if os.environ.get("PARCOURS_BENCH_GENERATE_ONLY"):
        print(json.dumps(result))
        return 0
    summary = {
        k: result[k] for k in ("counts", "generation_s", "org_year", "after_write", "network")
    }
    print(json.dumps(summary, indent=2))
    ok = result["org_year"]["ok"] and result["after_write"]["ok"] and result["network"]["ok"]
    return 0 if ok else 1


def _register_extras() -> None:
    # The yearly report (PDF + Excel + CSV) of the largest organisation: bench_reporting_report.
    from benchmarks.bench_reporting_report import yearly_report

    EXTRA_MEASURES.append(yearly_report)


_register_extras()


if __name__ == "__main__":
    sys.exit(main())
