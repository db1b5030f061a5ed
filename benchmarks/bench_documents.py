"""Documents benchmarks: ``python -m benchmarks.bench_documents [--db sqlite|postgres|both]``.

1. **Attestation PDFs**: render 100 attestation PDFs with WeasyPrint (ms per PDF, p50/p95), and
   the ZIP of a 60-learner session as a coordinator downloads it (seconds, bytes).
2. **Issuance**: ``issue_attestation`` for 1,500 completed enrolments (per second).
3. **Feeds**: a site's feed with 2,000 sessions of 4 slots (8,000 events) and a learner's feed
   with 50 sessions: seconds and queries, through the real view.
4. **Reminders**: 200,000 confirmed enrolments of 100,000 learners in 5,000 sessions, 40 of
   them starting within 48 hours (1,600 reminders due): the ``due_reminders`` query, then
   ``manage.py send_reminders`` twice (e-mails to the locmem backend; the second run must
   send nothing).

Each database is fresh: a temporary SQLite file (migrated here), or a throwaway PostgreSQL
(``scripts/with_postgres.py``). Figures go to ``benchmarks/results/documents-<db>.json`` and
``benchmarks/results/documents.md``.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import statistics
import sys
import time
import zipfile
from typing import Any

from benchmarks.config import RESULTS_DIR, configure_django
from benchmarks.fixtures_enrolment import bulk_learners, make_organisation, run_cli
from benchmarks.progress import Progress, step

ENV_FLAG = "PARCOURS_BENCH_DOCUMENTS_PG"
PDFS = 100
ZIP_LEARNERS = 60
ISSUED = 1_500
SITE_SESSIONS = 2_000
LEARNER_SESSIONS = 50
LEARNERS = 100_000
SESSIONS = 5_000
ENROLMENTS_PER_LEARNER = 2
SOON_SESSIONS = 40


def _ms(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[int(0.95 * (len(ordered) - 1))] * 1000, 1),
    }


class World:
    """Bulk-built data (benchmark set-up, not what is measured)."""

    def __init__(self) -> None:
        made = make_organisation(
            name="Bench",
            slug="bench",
            coordinator_email="coord@bench.test",
            coordinator_name=("Alice", "Dumont"),
            trainer_email="trainer@bench.test",
            modules=[
                (
                    "M1A",
                    "Introduction à l'IA pour les enseignants",
                    "Introduction to AI for teachers",
                )
            ],
        )
        self.org, self.coordinator, self.site = made.org, made.coordinator, made.site
        self.module = made.modules["M1A"]

    def learners(self, prefix: str, n: int) -> list[Any]:
        return bulk_learners(self.org, prefix, n)

    def sessions(self, prefix: str, starts: list[dt.datetime], capacity: int = 100) -> list[Any]:
        from parcours.enrolment.models import Session, SessionSlot

        made = Session.objects.bulk_create(
            [
                Session(
                    organisation=self.org,
                    module=self.module,
                    code=f"{prefix}-{i}",
                    site=self.site,
                    capacity=capacity,
                    status=Session.Status.PUBLISHED,
                    starts_at=start,
                    ends_at=start + dt.timedelta(days=1, hours=7, minutes=30),
                )
                for i, start in enumerate(starts)
            ],
            batch_size=2_000,
        )
        made = list(Session.objects.filter(code__startswith=f"{prefix}-").order_by("pk"))
        slots = []
        for session in made:
            first = session.starts_at
            if first is None:  # every session here has a start (set above)
                continue
            for day in (0, 1):
                base = first + dt.timedelta(days=day)
                slots.append(
                    SessionSlot(
                        session=session, start=base, end=base + dt.timedelta(hours=3, minutes=30)
                    )
                )
                afternoon = base + dt.timedelta(hours=4, minutes=30)
                slots.append(
                    SessionSlot(
                        session=session, start=afternoon, end=afternoon + dt.timedelta(hours=3)
                    )
                )
        SessionSlot.objects.bulk_create(slots, batch_size=5_000)
        return made

    def enrol(self, pairs: list[tuple[Any, Any]], status: str, confirmed_at: dt.datetime) -> None:
        from parcours.enrolment.models import Enrolment

        progress = Progress(f"enrolments ({status})", len(pairs))
        for start in range(0, len(pairs), 10_000):
            chunk = pairs[start : start + 10_000]
            Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        session=s,
                        learner=u,
                        status=status,
                        source=Enrolment.Source.COORDINATOR,
                        queued_at=confirmed_at,
                        confirmed_at=confirmed_at,
                    )
                    for s, u in chunk
                ]
            )
            progress.update(start + len(chunk))
        progress.finish()

    def attend(self, sessions: list[Any]) -> None:
        from parcours.enrolment.models import Attendance, Enrolment, SessionSlot

        rows = []
        slots: dict[int, list[int]] = {}
        for slot_id, session_id in SessionSlot.objects.filter(session__in=sessions).values_list(
            "pk", "session_id"
        ):
            slots.setdefault(session_id, []).append(slot_id)
        for enrolment_id, session_id in Enrolment.objects.filter(session__in=sessions).values_list(
            "pk", "session_id"
        ):
            rows += [
                Attendance(slot_id=s, enrolment_id=enrolment_id, present=True, method="trainer")
                for s in slots[session_id]
            ]
        Attendance.objects.bulk_create(rows, batch_size=5_000)


def bench_pdfs(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from parcours.documents import actions, pdf
    from parcours.documents.models import Attestation
    from parcours.enrolment.models import Enrolment

    past = timezone.now() - dt.timedelta(days=20)
    (session,) = world.sessions("ZIP", [past])
    people = world.learners("zip", ZIP_LEARNERS)
    world.enrol([(session, u) for u in people], Enrolment.Status.COMPLETED, past)
    world.attend([session])
    step("issuing the attestations of the PDF session")
    for enrolment in Enrolment.objects.filter(session=session).order_by("pk"):
        actions.issue_attestation(actor=None, enrolment=enrolment)
    attestations = list(Attestation.objects.filter(session=session).for_pdf().order_by("pk"))
    pdf.render_pdf(attestations[0])  # warm-up: fonts, imports
    timings, sizes = [], []
    progress = Progress("PDFs", PDFS)
    for index in range(PDFS):
        attestation = attestations[index % len(attestations)]
        began = time.perf_counter()
        data = pdf.render_pdf(attestation)
        timings.append(time.perf_counter() - began)
        sizes.append(len(data))
        progress.advance()
    progress.finish()
    step(f"ZIP of {ZIP_LEARNERS} attestations through the coordinator's download")
    from django.test import Client

    client = Client()
    client.force_login(world.coordinator)
    began = time.perf_counter()
    response = client.get(f"/attestations/sessions/{session.pk}/zip/")
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    zip_seconds = time.perf_counter() - began
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    return {
        "pdfs": PDFS,
        **_ms(timings),
        "pdf_kb_avg": round(statistics.mean(sizes) / 1024, 1),
        "zip_learners": len(names),
        "zip_seconds": round(zip_seconds, 2),
        "zip_mb": round(len(body) / 1024 / 1024, 2),
        "zip_ok": response.status_code == 200 and len(names) == len(attestations),
    }


def bench_issuance(world: World) -> dict[str, Any]:
    from django.utils import timezone

    from parcours.documents import actions
    from parcours.documents.models import Attestation
    from parcours.enrolment.models import Enrolment

    past = timezone.now() - dt.timedelta(days=40)
    sessions = world.sessions("ISS", [past] * (ISSUED // 30))
    people = world.learners("iss", ISSUED)
    world.enrol(
        [(sessions[i // 30], u) for i, u in enumerate(people)], Enrolment.Status.COMPLETED, past
    )
    world.attend(sessions)
    ids = list(Enrolment.objects.filter(session__in=sessions).values_list("pk", flat=True))
    progress = Progress("issue_attestation", len(ids))
    began = time.perf_counter()
    for enrolment_id in ids:
        actions.issue_attestation(actor=None, enrolment=enrolment_id)
        progress.advance()
    seconds = progress.finish()
    seconds = time.perf_counter() - began
    issued = Attestation.objects.filter(session__in=sessions).count()
    return {
        "enrolments": len(ids),
        "seconds": round(seconds, 2),
        "per_s": round(len(ids) / seconds, 1),
        "ok": issued == len(ids),
    }


def bench_feeds(world: World) -> dict[str, Any]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from parcours.accounts.permissions import Actor
    from parcours.documents import actions, ical
    from parcours.documents.models import CalendarFeed
    from parcours.enrolment.models import Enrolment

    now = timezone.now()
    starts = [now + dt.timedelta(hours=6 * i) for i in range(SITE_SESSIONS)]
    sessions = world.sessions("FEED", starts)
    (person,) = world.learners("feed", 1)
    world.enrol(
        [(sessions[i * 7], person) for i in range(LEARNER_SESSIONS)],
        Enrolment.Status.CONFIRMED,
        now,
    )
    _f, site_token = actions.create_calendar_feed(
        actor=Actor.of(world.coordinator), kind=CalendarFeed.Kind.SITE, site=world.site
    )
    _f, learner_token = actions.create_calendar_feed(
        actor=Actor.of(person), kind=CalendarFeed.Kind.LEARNER
    )
    client = Client()
    out: dict[str, Any] = {}
    for name, token, runs in (("site", site_token, 3), ("learner", learner_token, 20)):
        timings = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as queries:
                began = time.perf_counter()
                response = client.get(f"/agenda/flux/{token}.ics")
                timings.append(time.perf_counter() - began)
        events = len(ical.parse(response.content))
        out[name] = {
            "events": events,
            **_ms(timings),
            "queries": len(queries),
            "kb": round(len(response.content) / 1024, 1),
        }
    return out


def bench_reminders(world: World) -> dict[str, Any]:
    from django.core import mail
    from django.core.management import call_command
    from django.utils import timezone

    from parcours.documents.querysets import due_reminders
    from parcours.enrolment.models import Enrolment

    now = timezone.now()
    starts = [now + dt.timedelta(hours=3 + i % 40) for i in range(SOON_SESSIONS)]
    starts += [now + dt.timedelta(days=3 + i % 300) for i in range(SESSIONS - SOON_SESSIONS)]
    sessions = world.sessions("REM", starts)
    people = world.learners("rem", LEARNERS)
    total = LEARNERS * ENROLMENTS_PER_LEARNER
    pairs = [(sessions[i % SESSIONS], people[i // ENROLMENTS_PER_LEARNER]) for i in range(total)]
    world.enrol(pairs, Enrolment.Status.CONFIRMED, now - dt.timedelta(days=10))
    due_expected = sum(1 for i in range(total) if i % SESSIONS < SOON_SESSIONS)
    timings = []
    for _ in range(5):
        began = time.perf_counter()
        count = due_reminders(now).count()
        timings.append(time.perf_counter() - began)
    mail.outbox = []
    step(f"send_reminders: {count} due")
    began = time.perf_counter()
    call_command("send_reminders", stdout=io.StringIO())
    first = time.perf_counter() - began
    sent_first = len(mail.outbox)
    began = time.perf_counter()
    call_command("send_reminders", stdout=io.StringIO())
    second = time.perf_counter() - began
    return {
        "enrolments": total,
        "due": count,
        "due_query": _ms(timings),
        "first_run_seconds": round(first, 2),
        "per_s": round(sent_first / first, 1) if first else None,
        "sent_first_run": sent_first,
        "sent_second_run": len(mail.outbox) - sent_first,
        "second_run_seconds": round(second, 2),
        "ok": count == due_expected == sent_first and len(mail.outbox) == sent_first,
    }


def run_worker(db: str, database_url: str) -> dict[str, Any]:
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["TASKS_IMMEDIATE"] = "true"
    configure_django(database_url)
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from benchmarks.report import machine_info

    setup_test_environment()  # the locmem outbox
    step(f"migrating the {db} database")
    call_command("migrate", verbosity=0)
    world = World()
    wrapper: Any = connection  # the backend's own attributes (Database, pg_version)
    result: dict[str, Any] = {
        "db": db,
        "database_version": wrapper.Database.sqlite_version
        if db == "sqlite"
        else wrapper.pg_version,
        "machine": machine_info(),
    }
    for name, bench in (
        ("pdf", bench_pdfs),
        ("issuance", bench_issuance),
        ("feeds", bench_feeds),
        ("reminders", bench_reminders),
    ):
        step(f"--- {name}")
        result[name] = bench(world)
        print(json.dumps({name: result[name]}), flush=True)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / f"documents-{db}.json").write_text(json.dumps(result, indent=2, default=str))
    write_markdown()
    return result


def write_markdown() -> None:
    lines = [
        "# Documents benchmarks",
        "",
        "`python -m benchmarks.bench_documents` (see the module docstring for what is measured).",
        "",
        "| database | PDF p50 / p95 (ms) | ZIP of 60 (s) | issue / s | site feed, 8,000 events "
        "(p50 ms, queries) | learner feed (p50 ms, queries) | due query p50 (ms), 200k "
        "enrolments | reminders / s | 2nd run sends |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"documents-{db}.json"
        if not path.exists():
            continue
        r = json.loads(path.read_text())
        p, i, f, m = r["pdf"], r["issuance"], r["feeds"], r["reminders"]
        lines.append(
            f"| {db} | {p['p50_ms']} / {p['p95_ms']} | {p['zip_seconds']} | {i['per_s']} | "
            f"{f['site']['p50_ms']}, {f['site']['queries']} | {f['learner']['p50_ms']}, "
            f"{f['learner']['queries']} | {m['due_query']['p50_ms']} | {m['per_s']} | "
            f"{m['sent_second_run']} |"
        )
    machine = None
    for db in ("sqlite", "postgres"):
        path = RESULTS_DIR / f"documents-{db}.json"
        if path.exists():
            machine = json.loads(path.read_text()).get("machine")
    lines += ["", f"Machine: {json.dumps(machine)}", ""]
    (RESULTS_DIR / "documents.md").write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    return run_cli(
        name="bench_documents",
        argv=argv,
        env_flag=ENV_FLAG,
        run_worker=run_worker,
        ok=lambda r: bool(r["pdf"]["zip_ok"] and r["issuance"]["ok"] and r["reminders"]["ok"]),
    )


if __name__ == "__main__":
    sys.exit(main())
