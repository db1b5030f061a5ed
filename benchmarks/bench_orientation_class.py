"""Class-mode load benchmark: ``python -m benchmarks.bench_orientation_class [--db …]``.

The issue's target: 10 classes of 30 pupils at once (300 tablets answering every few seconds)
while each class's facilitator screen polls its live summary: **the facilitator's view p95 <
200 ms and no lost answer**.

How: a fresh database (a temporary SQLite file, or a throwaway PostgreSQL through
``scripts/with_postgres.py``) is migrated and filled through the real actions (one organisation,
8 worlds with job sheets and quiz statements, 10 class visits, 300 pupils joined with their
codes). Two server processes (like two gunicorn workers, one per core, sharing the port with
SO_REUSEPORT) serve the real WSGI application on 127.0.0.1, each with a pool of 32 threads
(DEBUG off). A forked process runs 300 pupil threads and this one 10 facilitator threads, over
HTTP, for ``--seconds`` (60 by default; every loop is bounded in time and count):

- a pupil POSTs 1 to 3 new answers (like a world, open a sheet, a game score, a quiz) to
  ``/orientation/classe/reponses/`` every 2 to 4 s, and with a 10 % chance resends its previous
  batch too (a lost acknowledgement); a failed request is retried until acknowledged, as the
  tablet's queue does;
- a facilitator GETs ``/orientation/animateur/<id>/direct/`` (the htmx fragment) every 3 s,
  signed in with a real session.

Afterwards every id a pupil made must be in the database exactly once, and no other. Figures go
to ``benchmarks/results/orientation_class-<db>.json`` and ``results/orientation_class.md``.
The 2-core machine runs the server, the database and the 310 client threads at once, so the
latencies include that contention.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, configure_django
from benchmarks.progress import step
from benchmarks.runner import run_cli
from benchmarks.stats import summary_ms

CLASSES = 10
PUPILS_PER_CLASS = 30
WORLDS = 8
SHEETS_PER_WORLD = 4
SERVER_THREADS = 32  # per server process: readers never queue behind waiting writers
SERVER_PROCESSES = 2  # like two gunicorn workers: one per core
TARGET_P95_MS = 200.0
ENV_FLAG = "PARCOURS_BENCH_ORIENTATION_CLASS_PG"
HOST = "127.0.0.1"


# --- The server process ------------------------------------------------------------------------


def serve(port: int) -> None:
    """Serve the WSGI application on 127.0.0.1:port with a bounded thread pool (until killed)."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    pool = ThreadPoolExecutor(max_workers=SERVER_THREADS)

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class PooledServer(WSGIServer):
        request_queue_size = 1024
        daemon_threads = True

        def process_request(self, request: Any, client_address: Any) -> None:
            pool.submit(self._handle, request, client_address)

        def _handle(self, request: Any, client_address: Any) -> None:
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)

    server = PooledServer((HOST, port), QuietHandler, bind_and_activate=False)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    server.server_bind()
    server.server_activate()
    server.set_app(application)
    print("ready", flush=True)
    server.serve_forever()


# --- Data ----------------------------------------------------------------------------------------


def generate() -> dict[str, Any]:
    from django.conf import settings
    from django.test import Client

    from parcours.accounts import actions as account_actions
    from parcours.accounts.models import Role
    from parcours.accounts.permissions import Actor
    from parcours.orientation import class_actions
    from parcours.orientation.models import JobSheet, World

    org = account_actions.create_organisation(
        name="Province (bench)", slug="province-bench", actor=None
    )
    facilitator = account_actions.create_user(
        email="animation@bench.test", password=None, first_name="Léa", last_name="Bench"
    )
    account_actions.grant_role(
        user=facilitator, organisation=org, role=Role.ADMINISTRATOR, actor=None
    )
    actor = Actor.of(facilitator)
    worlds = []
    sheets = []
    for w in range(WORLDS):
        world = World.objects.create(
            organisation=org, slug=f"monde-{w}", name_fr=f"Monde {w}", order=w, is_published=True
        )
        worlds.append(world.pk)
        for s in range(SHEETS_PER_WORLD):
            sheet = JobSheet.objects.create(
                organisation=org,
                world=world,
                slug=f"metier-{w}-{s}",
                title_fr=f"Métier {w}.{s}",
                is_published=True,
            )
            sheets.append(sheet.pk)
        for n in range(2):
            class_actions.add_quiz_statement(
                actor=actor, world=world, text_fr=f"J'aime le monde {w} ({n})"
            )
    statements = [s.pk for s in class_actions.quiz_statements(org)]
    classes = []
    for c in range(CLASSES):
        visit = class_actions.open_class_visit(
            actor=actor, organisation=org, title=f"Classe {c}", grade="S1"
        )
        tokens = []
        for p in range(PUPILS_PER_CLASS):
            _pupil, token = class_actions.join_class(code=visit.code, pseudonym=f"Élève {p}")
            tokens.append(token)
        classes.append({"id": visit.pk, "code": visit.code, "tokens": tokens})
    client = Client()
    client.force_login(facilitator)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "worlds": worlds,
        "sheets": sheets,
        "statements": statements,
        "classes": classes,
        "session_cookie": f"{settings.SESSION_COOKIE_NAME}={session}",
    }


# --- Load ----------------------------------------------------------------------------------------


class Load:
    def __init__(self, port: int, data: dict[str, Any], seconds: float) -> None:
        self.port = port
        self.data = data
        self.deadline = time.monotonic() + seconds
        self.hard_stop = time.monotonic() + seconds + 60  # retries end here whatever happens
        self.lock = threading.Lock()
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.answer_times: list[float] = []
        self.live_times: list[float] = []
        self.errors: dict[str, int] = {}
        self.resends = 0

    def _request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def _error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1

    def _answer(self, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice(("world", "occupation", "game", "quiz"))
        answer: dict[str, Any] = {"id": str(uuid.uuid4()), "kind": kind}
        if kind == "occupation":
            answer["sheet"] = rng.choice(self.data["sheets"])
        elif kind == "quiz":
            answer["answers"] = {str(s): rng.randint(0, 2) for s in self.data["statements"]}
        else:
            answer["world"] = rng.choice(self.data["worlds"])
            answer["value"] = rng.randint(0, 5) if kind == "game" else 0
        return answer

    def pupil(self, token: str, seed: int) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 3))  # tablets do not all start on the same millisecond
        previous: list[dict[str, Any]] = []
        while time.monotonic() < self.deadline:
            batch = [self._answer(rng) for _ in range(rng.randint(1, 3))]
            with self.lock:
                self.sent.update(a["id"] for a in batch)
            if previous and rng.random() < 0.1:
                batch = previous + batch  # the previous acknowledgement was "lost"
                with self.lock:
                    self.resends += 1
            self._send(token, batch)
            previous = batch[-3:]
            time.sleep(rng.uniform(2, 4))

    def _send(self, token: str, batch: list[dict[str, Any]]) -> None:
        body = json.dumps({"token": token, "answers": batch}).encode()
        headers = {"Content-Type": "application/json"}
        while time.monotonic() < self.hard_stop:  # the tablet's queue: until acknowledged
            began = time.perf_counter()
            try:
                status, payload = self._request(
                    "POST", "/orientation/classe/reponses/", body, headers
                )
            except OSError as exc:
                self._error(type(exc).__name__)
                time.sleep(1)
                continue
            elapsed = time.perf_counter() - began
            if status != 200:
                self._error(f"answers HTTP {status}")
                time.sleep(1)
                continue
            receipt = json.loads(payload)
            with self.lock:
                self.answer_times.append(elapsed)
                self.acked.update(receipt["accepted"])
                if receipt["rejected"]:
                    self.errors["rejected"] = self.errors.get("rejected", 0) + len(
                        receipt["rejected"]
                    )
            return

    def facilitator(self, visit_id: int, seed: int) -> None:
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 3))
        headers = {"Cookie": self.data["session_cookie"], "HX-Request": "true"}
        path = f"/orientation/animateur/{visit_id}/direct/"
        while time.monotonic() < self.deadline:
            began = time.perf_counter()
            try:
                status, payload = self._request("GET", path, None, headers)
            except OSError as exc:
                self._error(type(exc).__name__)
                time.sleep(1)
                continue
            elapsed = time.perf_counter() - began
            if status == 200 and b"class-live" in payload:
                with self.lock:
                    self.live_times.append(elapsed)
            else:
                self._error(f"live HTTP {status}")
            time.sleep(3)

    def _run(self, threads: list[threading.Thread]) -> None:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(0.0, self.hard_stop - time.monotonic()) + 5)

    def run_pupils(self, results: Any) -> None:
        """In a process of its own (forked): 300 threads, then what they sent goes back."""
        self._run(
            [
                threading.Thread(target=self.pupil, args=(token, c * 1000 + p), daemon=True)
                for c, visit in enumerate(self.data["classes"])
                for p, token in enumerate(visit["tokens"])
            ]
        )
        results.put(
            {
                "sent": sorted(self.sent),
                "acked": sorted(self.acked),
                "answer_times": self.answer_times,
                "errors": self.errors,
                "resends": self.resends,
            }
        )

    def run(self) -> None:
        """Pupils in a forked process, facilitators here: the 300 pupil threads do not make
        the facilitators' clock wait for this process's interpreter lock."""
        context = multiprocessing.get_context("fork")
        results = context.Queue()
        pupils = context.Process(target=self.run_pupils, args=(results,))
        pupils.start()
        self._run(
            [
                threading.Thread(target=self.facilitator, args=(visit["id"], 99 + c), daemon=True)
                for c, visit in enumerate(self.data["classes"])
            ]
        )
        got = results.get(timeout=max(1.0, self.hard_stop - time.monotonic()) + 30)
        pupils.join(30)
        self.sent = set(got["sent"])
        self.acked = set(got["acked"])
        self.answer_times = got["answer_times"]
        self.resends = got["resends"]
        for kind, n in got["errors"].items():
            self.errors[kind] = self.errors.get(kind, 0) + n


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def run_worker(db: str, database_url: str, seconds: float) -> dict[str, Any]:
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection

    from benchmarks.report import machine_info
    from parcours.orientation.class_models import ClassAnswer

    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    step(f"creating {CLASSES} classes x {PUPILS_PER_CLASS} pupils through the actions")
    data = generate()
    connection.close()
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "RATE_LIMIT_ENABLED": "false",
    }
    servers = [
        subprocess.Popen(  # noqa: S603 - ourselves
            [sys.executable, "-m", "benchmarks.bench_orientation_class", "--serve", str(port)],
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
        step(f"{CLASSES * PUPILS_PER_CLASS} pupils and {CLASSES} facilitators for {seconds:.0f} s")
        load = Load(port, data, seconds)
        began = time.perf_counter()
        load.run()
        wall = time.perf_counter() - began
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
    stored = {str(c) for c in ClassAnswer.objects.values_list("client_id", flat=True)}
    lost = load.sent - stored
    unexpected = stored - load.sent
    live = summary_ms(load.live_times)
    result = {
        "db": db,
        "database_version": getattr(connection, "pg_version", None)
        or getattr(getattr(connection, "Database", None), "sqlite_version", None),
        "machine": machine_info(),
        "seconds": round(wall, 1),
        "pupils": CLASSES * PUPILS_PER_CLASS,
        "classes": CLASSES,
        "answers_made": len(load.sent),
        "answers_stored": len(stored),
        "answers_acknowledged": len(load.acked),
        "resent_batches": load.resends,
        "lost": len(lost),
        "unexpected": len(unexpected),
        "answer_post": summary_ms(load.answer_times),
        "answer_posts_per_s": round(len(load.answer_times) / max(wall, 0.001), 1),
        "facilitator_view": {**live, "target_p95_ms": TARGET_P95_MS},
        "errors": load.errors,
        "ok": live["p95_ms"] < TARGET_P95_MS and not lost and not unexpected,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"orientation_class-{db}.json").write_text(
        json.dumps(result, indent=2, default=str)
    )
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Class-mode load benchmark",
        "",
        "`python -m benchmarks.bench_orientation_class` (see the module docstring). 10 classes x "
        "30 pupils posting answers every 2-4 s, 10 facilitators polling the live view every 3 s, "
        "over HTTP on 127.0.0.1 to two server processes; server, database and clients share the "
        "same 2-core machine (and, when measured, other developers' work: see the load average).",
        "",
        "| database | facilitator view p50 / p95 (ms) | target p95 | answer POST p50 / p95 (ms) | "
        "POSTs/s | answers made / stored | lost | resent batches | errors | load avg | ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    machine = None
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"orientation_class-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        machine = machine or r.get("machine")
        f, a = r["facilitator_view"], r["answer_post"]
        lines.append(
            f"| {db} | {f['p50_ms']} / {f['p95_ms']} | < {f['target_p95_ms']:.0f} | "
            f"{a['p50_ms']} / {a['p95_ms']} | {r['answer_posts_per_s']} | "
            f"{r['answers_made']} / {r['answers_stored']} | {r['lost']} | {r['resent_batches']} | "
            f"{json.dumps(r['errors'])} | {r['machine']['load_average'][0]} | "
            f"{'yes' if r['ok'] else 'NO'} |"
        )
    lines += ["", f"Machine: {json.dumps(machine)}", ""]
    (RESULTS_DIR / "orientation_class.md").write_text("\n".join(lines))


def _summary(result: dict[str, Any]) -> dict[str, Any]:
    return {k: result[k] for k in ("facilitator_view", "answer_post", "lost", "ok")}


def main(argv: list[str] | None = None) -> int:
    own = argparse.ArgumentParser(add_help=False)
    own.add_argument("--seconds", type=float, default=60.0)
    own.add_argument("--serve", type=int, default=0, help=argparse.SUPPRESS)
    options, rest = own.parse_known_args(argv)
    if options.serve:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
        import django

        django.setup()
        serve(options.serve)
        return 0
    seconds = max(5.0, min(options.seconds, 600.0))
    return run_cli(
        name="bench_orientation_class",
        argv=rest,
        env_flag=ENV_FLAG,
        run_worker=lambda db, url: run_worker(db, url, seconds),
        ok=lambda r: bool(r["ok"]),
        summary=_summary,
        own_options=own,
        forward=["--seconds", str(seconds)],
    )


if __name__ == "__main__":
    sys.exit(main())
