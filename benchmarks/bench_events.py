"""Event registration benchmark: ``python -m benchmarks.bench_events [--db sqlite|postgres|both]``.

The issue's target: **1,000 visitors registering for workshops within one minute, 16 concurrent
clients: 0 over-capacity, 0 overlapping choices, at least 200 registrations per second.**

How: a fresh database (a temporary SQLite file, or a throwaway PostgreSQL through
``scripts/with_postgres.py``) is migrated and filled through the real actions: one event of 50
workshops (5 tracks x 10 time slots, 20 places each: 1,000 places) and 1,000 signed-in visitors.
Two server processes (like two gunicorn workers, one per core) serve the real WSGI application
on 127.0.0.1 (DEBUG off, rate limits off). 16 client threads share the 1,000 visitors and POST
each visitor's choice to the public programme page (``/evenements/<org>/<event>/``), the form a
visitor submits: 3 workshops at 3 different times, drawn with a bias towards the first tracks
(popular workshops fill up and waitlist); one visitor in twenty also ticks two workshops at
the same time, which must be refused (409) with nothing written.

Afterwards the database is checked: no workshop holds more seats than places (seats counter
and confirmed rows), no visitor holds two workshops at the same time, every accepted visitor
has exactly their 3 workshops and every refused one none. "Registrations" are workshop
registrations (a visitor's 3 choices are 3 registrations, confirmed or waitlisted, made in one
request and one transaction). Figures go to ``benchmarks/results/events-<db>.json`` and
``results/events.md``. Server, database and clients share the 2-core machine, and other
people's work when it is shared: the load average and the CPU seconds the two server processes
used are recorded with the figures. No task worker runs during the measure: the tasks a
registration queues (its domain events, the ticket e-mail) wait in the database, as they would
for a worker on another machine.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, configure_django
from benchmarks.progress import step
from benchmarks.runner import run_cli
from benchmarks.stats import summary_ms

VISITORS = 1000
CLIENTS = 16
TRACKS = 5
TIME_SLOTS = 10
PLACES = 20
CHOICES = 3
OVERLAP_EVERY = 20  # one visitor in twenty ticks two workshops at the same time
SERVER_PROCESSES = 2
TARGET_PER_S = 200.0
TARGET_SECONDS = 60.0
ENV_FLAG = "PARCOURS_BENCH_EVENTS_PG"
HOST = "127.0.0.1"


def generate() -> dict[str, Any]:
    from decimal import Decimal

    from django.conf import settings
    from django.test import Client
    from django.utils import timezone

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role, User
    from parcours.accounts.permissions import Actor
    from parcours.catalogue.models import Module
    from parcours.events import actions
    from parcours.events.models import Workshop

    org = account_actions.create_organisation(
        name="Technofutur TIC (bench)", slug="bench-org", actor=None
    )
    coordinator = account_actions.create_user(
        email="coordination@bench.test", password=None, first_name="Alice", last_name="Bench"
    )
    account_actions.grant_role(
        user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None
    )
    site = account_actions.create_site(organisation=org, name="Salon", city="Mons", actor=None)
    module = Module.objects.create(
        organisation=org,
        code="ATELIER",
        title_fr="Atelier",
        duration_hours=Decimal("1"),
        status=Module.Status.PUBLISHED,
    )
    actor = Actor.of(coordinator)
    day = timezone.localdate() + dt.timedelta(days=30)
    event = actions.create_event(
        actor=actor,
        organisation=org,
        data=actions.EventData(
            title="Salon (bench)",
            slug="salon",
            starts_on=day,
            ends_on=day,
            site_ids=[site.pk],
            is_public=True,
            default_module_id=module.pk,
        ),
    )
    for t in range(TRACKS):
        actions.add_track(actor=actor, event=event, name=f"Piste {t + 1}")
    rows = [
        actions.WorkshopRow(
            line=s * TRACKS + t + 1,
            day=day.isoformat(),
            start=f"{8 + s}:00",
            end=f"{8 + s}:45",
            track=f"Piste {t + 1}",
            title=f"Atelier {s + 1}.{t + 1}",
            capacity=str(PLACES),
        )
        for s in range(TIME_SLOTS)
        for t in range(TRACKS)
    ]
    actions.create_workshops(actor=actor, event=event, rows=rows)
    # Workshop session ids by time slot (the slot's index), tracks in order.
    grid: list[list[int]] = [[] for _ in range(TIME_SLOTS)]
    for workshop in Workshop.objects.filter(event=event).order_by("session__starts_at", "track"):
        start = workshop.session.starts_at
        assert start is not None
        grid[(timezone.localtime(start).hour - 8)].append(workshop.session_id)
    # Visitors: plain accounts (no rule applies to creating them: bulk), each signed in with a
    # real session.
    User.objects.bulk_create(
        [
            User(email=f"visiteur{n:04d}@bench.test", first_name="V", last_name=str(n))
            for n in range(VISITORS)
        ]
    )
    cookies = []
    client = Client()
    for user in User.objects.filter(email__endswith="@bench.test").exclude(pk=coordinator.pk):
        client.force_login(user)
        cookies.append((user.pk, client.cookies[settings.SESSION_COOKIE_NAME].value))
        client.cookies.clear()
    return {
        "path": f"/evenements/{org.slug}/{event.slug}/",
        "grid": grid,
        "visitors": cookies,
        "session_cookie_name": settings.SESSION_COOKIE_NAME,
        "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
        "event_id": event.pk,
    }


class Load:
    def __init__(self, port: int, data: dict[str, Any]) -> None:
        self.port = port
        self.data = data
        self.lock = threading.Lock()
        self.queue = list(enumerate(data["visitors"]))
        self.times: list[float] = []
        self.accepted: dict[int, list[int]] = {}
        self.refused_overlap: list[int] = []
        self.errors: dict[str, int] = {}

    def _next(self) -> tuple[int, tuple[int, str]] | None:
        with self.lock:
            return self.queue.pop() if self.queue else None

    def _choice(self, index: int, rng: random.Random) -> tuple[list[int], bool]:
        grid = self.data["grid"]
        slots = rng.sample(range(TIME_SLOTS), CHOICES)
        # Popular first tracks: some workshops fill up and waitlist.
        weights = [TRACKS - t for t in range(TRACKS)]
        chosen = [rng.choices(grid[s], weights=weights)[0] for s in slots]
        overlap = index % OVERLAP_EVERY == 0
        if overlap:
            other = [w for w in grid[slots[0]] if w != chosen[0]]
            chosen.append(other[0])
        return chosen, overlap

    def client(self, seed: int) -> None:
        rng = random.Random(seed)
        names = self.data
        while (item := self._next()) is not None:
            index, (user_id, session_key) = item
            chosen, overlap = self._choice(index, rng)
            csrf = secrets.token_hex(16)  # an unmasked secret: 32 characters
            body = urllib.parse.urlencode(
                [("csrfmiddlewaretoken", csrf), *(("atelier", str(c)) for c in chosen)]
            ).encode()
            headers = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{names['session_cookie_name']}={session_key}; "
                f"{names['csrf_cookie_name']}={csrf}",
                "Referer": f"http://{HOST}:{self.port}/",
            }
            began = time.perf_counter()
            try:
                connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
                connection.request("POST", self.data["path"], body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError as exc:
                with self.lock:
                    self.errors[type(exc).__name__] = self.errors.get(type(exc).__name__, 0) + 1
                continue
            elapsed = time.perf_counter() - began
            with self.lock:
                self.times.append(elapsed)
                if overlap and status == 409:
                    self.refused_overlap.append(user_id)
                elif not overlap and status == 302:
                    self.accepted[user_id] = chosen
                else:
                    key = f"HTTP {status} ({'overlap' if overlap else 'normal'})"
                    self.errors[key] = self.errors.get(key, 0) + 1

    def run(self) -> None:
        threads = [
            threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(600)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def check(data: dict[str, Any], load: Load) -> dict[str, int]:
    """The invariants, read back from the database."""
    from django.db.models import Count, F, Q

    from parcours.enrolment.models import Enrolment, Session, SessionSlot
    from parcours.enrolment.states import ACTIVE, SEAT_HOLDING

    sessions = Session.objects.filter(workshop__event_id=data["event_id"]).annotate(
        held=Count("enrolments", filter=Q(enrolments__status__in=SEAT_HOLDING))
    )
    over = sessions.filter(Q(held__gt=F("capacity")) | Q(seats_taken__gt=F("capacity"))).count()
    counter_off = sessions.exclude(held=F("seats_taken")).count()
    slots = dict(SessionSlot.objects.values_list("session_id", "start"))
    overlapping = 0
    per_person: dict[int, list[int]] = {}
    for learner_id, session_id in Enrolment.objects.filter(status__in=ACTIVE).values_list(
        "learner_id", "session_id"
    ):
        per_person.setdefault(learner_id, []).append(session_id)
    for sessions_of in per_person.values():
        starts = [slots[s] for s in sessions_of]
        overlapping += len(starts) - len(set(starts))
    wrong = sum(
        1
        for user_id, chosen in load.accepted.items()
        if sorted(per_person.get(user_id, [])) != sorted(chosen)
    )
    leaked = sum(1 for user_id in load.refused_overlap if per_person.get(user_id))
    return {
        "over_capacity": over,
        "seat_counter_mismatch": counter_off,
        "overlapping": overlapping,
        "accepted_with_wrong_seats": wrong,
        "refused_with_seats": leaked,
        "registrations": sum(len(v) for v in per_person.values()),
        "confirmed": Enrolment.objects.filter(status="confirmed").count(),
        "waitlisted": Enrolment.objects.filter(status="waitlisted").count(),
    }


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    step(f"creating an event of {TRACKS * TIME_SLOTS} workshops and {VISITORS} visitors")
    data = generate()
    connection.close()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "RATE_LIMIT_ENABLED": "false",
        # Nothing may print to the servers' stdout (a pipe nobody reads once they are ready).
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    servers = [
        subprocess.Popen(  # noqa: S603 - ourselves
            [sys.executable, "-m", "benchmarks.bench_events", "--serve", str(port)],
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(SERVER_PROCESSES)
    ]
    try:
        for server in servers:
            if server.stdout is None or server.stdout.readline().strip() != "ready":
                raise RuntimeError("the server did not start")
        step(f"{VISITORS} visitors registering through {CLIENTS} concurrent clients")
        load = Load(port, data)
        cpu_before = [_cpu_seconds(server.pid) for server in servers]
        client_before = time.process_time()
        began = time.perf_counter()
        load.run()
        wall = time.perf_counter() - began
        client_cpu = time.process_time() - client_before
        server_cpu = sum(
            _cpu_seconds(server.pid) - before
            for server, before in zip(servers, cpu_before, strict=True)
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
        if db == "sqlite":  # the SQLite writers' turn file (``lib.transactions``)
            Path(database_url.removeprefix("sqlite:///") + "-writers").unlink(missing_ok=True)
    found = check(data, load)
    per_s = found["registrations"] / max(wall, 0.001)
    result = {
        "db": db,
        "database_version": getattr(connection, "pg_version", None)
        or getattr(getattr(connection, "Database", None), "sqlite_version", None),
        "machine": machine_info(),
        "seconds": round(wall, 1),
        "visitors": VISITORS,
        "clients": CLIENTS,
        "accepted_visitors": len(load.accepted),
        "refused_overlapping_visitors": len(load.refused_overlap),
        **found,
        "registrations_per_s": round(per_s, 1),
        "visitors_per_s": round(len(load.times) / max(wall, 0.001), 1),
        "request": summary_ms(load.times),
        # The machine is shared: CPU seconds the two server processes (and, on SQLite, the
        # database with them) and the 16 clients used, whatever else ran meanwhile.
        "server_cpu_s": round(server_cpu, 1),
        "client_cpu_s": round(client_cpu, 1),
        "registrations_per_server_cpu_s": round(found["registrations"] / max(server_cpu, 0.001), 1),
        "errors": load.errors,
        "ok": (
            found["over_capacity"] == 0
            and found["seat_counter_mismatch"] == 0
            and found["overlapping"] == 0
            and found["accepted_with_wrong_seats"] == 0
            and found["refused_with_seats"] == 0
            and not load.errors
            and per_s >= TARGET_PER_S
            and wall <= TARGET_SECONDS
        ),
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"events-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Event registration benchmark",
        "",
        "`python -m benchmarks.bench_events` (see the module docstring). 1,000 signed-in visitors "
        "POST their choice of 3 workshops (one in twenty also ticks an overlapping one, refused) "
        "to the programme page through 16 concurrent HTTP clients; two server processes; server, "
        "database and clients share one 2-core machine (and, when measured, other developers' "
        "work: see the load average). Target: 0 over capacity, 0 overlapping, >= 200 "
        "registrations/s, within 60 s.",
        "",
        "| database | seconds | registrations (confirmed / waitlisted) | registrations/s | "
        "visitors/s | request p50 / p95 (ms) | over capacity | overlapping | refused overlaps | "
        "errors | server CPU s (registrations per CPU s) | load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    machine = None
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"events-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        machine = machine or r.get("machine")
        q = r["request"]
        lines.append(
            f"| {db} | {r['seconds']} | {r['registrations']} ({r['confirmed']} / "
            f"{r['waitlisted']}) | {r['registrations_per_s']} | {r['visitors_per_s']} | "
            f"{q['p50_ms']} / {q['p95_ms']} | {r['over_capacity']} | {r['overlapping']} | "
            f"{r['refused_overlapping_visitors']} | {json.dumps(r['errors'])} | "
            f"{r.get('server_cpu_s', '?')} ({r.get('registrations_per_server_cpu_s', '?')}) | "
            f"{r['machine']['load_average'][0]} | {'yes' if r['ok'] else 'NO'} |"
        )
    lines += [
        "",
        "The machine is shared with other developers' sessions (see the load average: on 2 "
        "cores, a load of 10 leaves this benchmark about a fifth of the machine). The server "
        "CPU seconds are those of the two Django processes (on SQLite the database works "
        "inside them; PostgreSQL's own processes are not counted): registrations per server "
        "CPU second, times the 2 cores, is what the servers could do if the machine were "
        "theirs. No task worker runs during the measure (the tasks queued wait).",
        "",
        f"Machine: {json.dumps(machine)}",
        "",
    ]
    (RESULTS_DIR / "events.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--serve"]:  # one of the server processes ``run_worker`` starts
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        from benchmarks.bench_orientation_class import serve

        serve(int(args[1]))
        return 0
    shown = ("seconds", "registrations_per_s", "over_capacity", "overlapping", "errors", "ok")
    return run_cli(
        name="bench_events",
        argv=argv,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["ok"]),
        summary=lambda r: {k: r[k] for k in shown},
    )


if __name__ == "__main__":
    sys.exit(main())
