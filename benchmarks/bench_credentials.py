"""Open Badges issuance and verification throughput (issue #4).

    python -m benchmarks.bench_credentials [--db sqlite|postgres|both] [--learners 1500]
                                           [--processes 2] [--results-dir DIR]

The AI-referent cohort: 1,500 learners who completed the pathway (plus 150 more for the
one-at-a-time measure) in a database of its own (a temp SQLite file, or a throwaway PostgreSQL
server through scripts/with_postgres.py). Measured:

1. baseline — the plain one-at-a-time canonicalise-and-sign loop, one process, nothing
   stored: core ``sign`` on each credential with full canonicalisation (expansion, RDF,
   RDFC-1.0 every time: a loader without shape templates), and the same loop with the
   default loader (shape templates, core/shapes.py);
2. one at a time — ``actions.issue_credential`` per learner (what the automatic task does:
   reserve a slot, build, sign, store with its audit entry);
3. bulk — ``actions.run_batch`` over the 1,500-learner cohort, signed in a pool of
   ``--processes`` processes, stored in chunks: **target ≥ 300 credentials/s**;
4. verify — ``verification.verify_input`` on every stored credential (parse, canonicalise,
   check the signature with the issuer's key from the database, dates, status list, the
   stored credential's row), in one process and in ``--processes`` processes: **target
   ≥ 300/s**. The processes model a deployment's long-lived worker processes: the pool is
   started (forked, then each worker opens its own database connection) before the clock
   starts, and the credentials are handed out in small chunks. Both modes also report the
   CPU time spent per credential (``time.process_time`` in each process): on a shared
   machine the wall-clock rate of N processes can only exceed one process's if N cores
   are actually free, while the CPU time per credential shows what each one costs.

Results: ``benchmarks/results/credentials-<db>.json`` and ``credentials.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, THROWAWAY_PG_ENV, WITH_POSTGRES
from benchmarks.progress import Progress, step

TARGET_ISSUE_PER_S = 300.0
TARGET_VERIFY_PER_S = 300.0
ONE_AT_A_TIME = 150
RULE = "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOT"
CODES = ["M1A", "M1B", "O1", "O2", "O3", "O4", "O5", "O6", "O7", "O8", "CLOT"]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_credentials")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--learners", type=int, default=1500)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-" + secrets.token_hex(24))
    os.environ.setdefault("CREDENTIALS_KEY", "benchmark-only-" + secrets.token_hex(24))
    # Issuing refuses an http or local SITE_URL outside the demo (credentials.E002).
    os.environ.setdefault("SITE_URL", "https://parcours.example.be")
    os.environ["TASKS_IMMEDIATE"] = "false"
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    import django

    django.setup()
    from django.core.management import call_command

    step("migrate")
    call_command("migrate", verbosity=0, interactive=False)


def build_cohort(total: int) -> dict[str, Any]:
    """Organisation, AI-referent pathway and its badge (through the actions), and learners
    who completed it (rows written directly: the completions are the input, not what is
    measured)."""
    from django.contrib.auth.hashers import make_password

    from parcours.accounts import actions as accounts
    from parcours.accounts.models import Membership, Role, User
    from parcours.accounts.permissions import Actor
    from parcours.catalogue.models import Module
    from parcours.credentials import actions
    from parcours.pathways import actions as pathways
    from parcours.pathways.models import Completion, Pathway

    step(f"building the cohort: {total} learners who completed the AI-referent pathway")
    org = accounts.create_organisation(name="Technofutur TIC", slug="technofutur-tic", actor=None)
    coordinator = accounts.create_user(
        email="coordination@technofutur.test", password=None, first_name="Alice"
    )
    accounts.grant_role(user=coordinator, organisation=org, role=Role.COORDINATOR, actor=None)
    actor = Actor.of(coordinator)
    modules = {
        code: Module.objects.create(
            organisation=org,
            code=code,
            title_fr=f"Module {code} du parcours référent IA",
            duration_hours=Decimal(12),
            status=Module.Status.PUBLISHED,
        )
        for code in CODES
    }
    pathway = pathways.create_pathway(
        actor=actor,
        organisation=org,
        data=pathways.PathwayData(code="REF-IA", title_fr="Référent IA", rule_text=RULE),
    )
    pathways.set_pathway_status(actor=actor, pathway=pathway, status=Pathway.Status.PUBLISHED)
    badge = actions.create_achievement(
        actor=actor,
        organisation=org,
        data=actions.AchievementData(
            name_fr="Référent IA",
            description_fr="Référent pour l'intelligence artificielle à l'école.",
            criteria_fr="M1A ou M1B, deux modules au choix et le module de clôture.",
            pathway_id=pathway.pk,
        ),
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(
                email=f"enseignant{i:05d}@ecoles.test",
                first_name=f"Prénom{i}",
                last_name=f"Nom{i}",
                password=password,
            )
            for i in range(total)
        ],
        batch_size=1000,
    )
    Membership.objects.bulk_create(
        [Membership(user=u, organisation=org, role=Role.LEARNER) for u in users], batch_size=1000
    )
    rows: list[Completion] = []
    for i, user in enumerate(users):
        chosen = ["M1A" if i % 3 else "M1B", f"O{1 + i % 8}", f"O{1 + (i + 3) % 8}", "CLOT"]
        rows.extend(
            Completion(
                learner=user,
                module=modules[code],
                completed_on="2026-03-10",
                hours=Decimal(12),
                source=Completion.Source.IMPORT,
            )
            for code in chosen
        )
    Completion.objects.bulk_create(rows, batch_size=2000)
    badge = actions.set_achievement_status(actor=actor, achievement=badge, status="active")
    return {"badge": badge, "users": users, "actor": actor}


def baseline(badge: Any, users: list[Any]) -> dict[str, Any]:
    """Plain one-at-a-time: build each credential and ``sign`` it (canonicalisation included),
    one process, nothing stored; with full canonicalisation, then with shape templates."""
    import uuid

    from django.utils import timezone

    from parcours.credentials import actions, documents
    from parcours.credentials.core.contexts import BUNDLED_CONTEXTS, ContextLoader
    from parcours.credentials.core.proof import sign
    from parcours.credentials.evidence import evidence_for

    profile = actions.ensure_issuer_profile(badge.organisation)
    key = actions.active_key(profile.pk)
    private = actions._private_key(key)
    template = documents.credential_template(badge, profile)
    now = timezone.now().replace(microsecond=0)
    list_url = documents.status_list_url(profile.organisation.slug, 1)
    # The same documents as the real issuance (evidence included), built before timing.
    evidence = evidence_for(badge, [u.pk for u in users])
    unsigned = [
        documents.build_credential(
            template,
            credential_uuid=uuid.uuid4(),
            email=user.email,
            salt=secrets.token_hex(8),
            valid_from=now,
            valid_until=None,
            evidence=evidence.get(user.pk, []),
            list_url=list_url,
            status_index=index,
        )
        for index, user in enumerate(users)
    ]
    results: dict[str, Any] = {"count": len(users)}
    full_loader = ContextLoader(BUNDLED_CONTEXTS, shapes=False)
    for name, loader in (("full", full_loader), ("templates", None)):
        step(f"baseline ({name}): canonicalise and sign {len(users)} credentials one at a time")
        progress = Progress(f"baseline sign ({name})", len(users))
        cpu = time.process_time()
        for index, document in enumerate(unsigned):
            documents.dumps(sign(document, private, key.verification_method, now, loader=loader))
            progress.update(index + 1)
        cpu = time.process_time() - cpu
        elapsed = progress.finish()
        results[name] = {
            "seconds": round(elapsed, 3),
            "per_s": round(len(users) / elapsed, 1),
            "cpu_ms_each": round(cpu * 1000 / len(users), 3),
        }
    # The figure shown beside the target: the plain loop, full canonicalisation.
    results["per_s"] = results["full"]["per_s"]
    return results


def one_at_a_time(badge: Any, users: list[Any]) -> dict[str, Any]:
    from parcours.credentials import actions

    step(f"one at a time: issue_credential for {len(users)} learners (sign + store each)")
    progress = Progress("issue_credential", len(users))
    started = time.perf_counter()
    for index, user in enumerate(users):
        actions.issue_credential(achievement=badge, learner=user)
        progress.update(index + 1)
    elapsed = time.perf_counter() - started
    progress.finish()
    return {
        "count": len(users),
        "seconds": round(elapsed, 3),
        "per_s": round(len(users) / elapsed, 1),
    }


def bulk(badge: Any, users: list[Any], actor: Any, processes: int) -> dict[str, Any]:
    from django.db import connections

    from parcours.credentials import actions
    from parcours.credentials.models import IssuanceBatch, IssuedCredential

    ids = [u.pk for u in users]
    batch = IssuanceBatch.objects.create(
        achievement=badge, created_by=actor.user, learner_ids=ids, total=len(ids)
    )
    step(f"bulk: run_batch over {len(ids)} learners, {processes} signing processes")
    progress = Progress("run_batch", len(ids))
    connections.close_all()  # the pool forks: children must not share the parent's socket
    started = time.perf_counter()
    batch = actions.run_batch(
        batch.pk, processes=processes, progress=lambda done, total: progress.update(done)
    )
    elapsed = time.perf_counter() - started
    progress.finish()
    stored = IssuedCredential.objects.filter(batch=batch).count()
    assert stored == len(ids), (stored, len(ids))
    per_s = len(ids) / elapsed
    return {
        "count": len(ids),
        "processes": processes,
        "seconds": round(elapsed, 3),
        "per_s": round(per_s, 1),
        "target_per_s": TARGET_ISSUE_PER_S,
        "ok": per_s >= TARGET_ISSUE_PER_S,
    }


def _verify_chunk(texts: list[str]) -> tuple[int, float]:
    """(valid count, CPU seconds) for ``texts``, verified one by one in this process."""
    from parcours.credentials import verification

    cpu = time.process_time()
    ok = 0
    for text in texts:
        if verification.verify_input(text).valid:
            ok += 1
    return ok, time.process_time() - cpu


def _worker_ready() -> None:
    """Start-up of a verification worker: its own database connection, opened once."""
    from django.db import connection

    connection.ensure_connection()


def verify(processes: int) -> dict[str, Any]:
    import multiprocessing

    from django.db import connections

    from parcours.credentials.models import IssuedCredential

    texts = list(IssuedCredential.objects.values_list("document", flat=True))
    step(f"verify: {len(texts)} credentials in 1 process")
    progress = Progress("verify (1 process)", len(texts))
    started = time.perf_counter()
    valid = 0
    cpu_single = 0.0
    for index, text in enumerate(texts):
        ok, cpu = _verify_chunk([text])
        valid += ok
        cpu_single += cpu
        progress.update(index + 1)
    single = time.perf_counter() - started
    progress.finish()
    assert valid == len(texts), (valid, len(texts))
    step(f"verify: {len(texts)} credentials in {processes} processes")
    connections.close_all()  # forked workers must not share the parent's connection
    size = 50
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_worker_ready) as pool:
        list(pool.map(time.sleep, [0.05] * processes))  # every worker started and connected
        started = time.perf_counter()
        results = list(pool.map(_verify_chunk, chunks))
        parallel = time.perf_counter() - started
    assert sum(ok for ok, _cpu in results) == len(texts)
    cpu_parallel = sum(cpu for _ok, cpu in results)
    per_s_single = len(texts) / single
    per_s_parallel = len(texts) / parallel
    return {
        "count": len(texts),
        "one_process_per_s": round(per_s_single, 1),
        "one_process_cpu_ms_each": round(cpu_single * 1000 / len(texts), 3),
        "processes": processes,
        "parallel_per_s": round(per_s_parallel, 1),
        "parallel_cpu_ms_each": round(cpu_parallel * 1000 / len(texts), 3),
        "target_per_s": TARGET_VERIFY_PER_S,
        "ok": max(per_s_single, per_s_parallel) >= TARGET_VERIFY_PER_S,
    }


def run(args: argparse.Namespace, db: str, database_url: str) -> int:
    os.chdir(PROJECT_DIR)
    setup_django(database_url)
    from benchmarks import report

    cohort = build_cohort(args.learners + ONE_AT_A_TIME)
    users = cohort["users"]
    extra, main = users[:ONE_AT_A_TIME], users[ONE_AT_A_TIME:]
    payload: dict[str, Any] = {
        "db": db,
        "learners": len(main),
        "machine": report.machine_info(),
        "database_version": report.database_version(),
    }
    payload["baseline_sign"] = baseline(cohort["badge"], main)
    payload["one_at_a_time"] = one_at_a_time(cohort["badge"], extra)
    payload["bulk"] = bulk(cohort["badge"], main, cohort["actor"], args.processes)
    payload["verify"] = verify(args.processes)
    payload["load_average_end"] = report.machine_info()["load_average"]
    args.results_dir.mkdir(parents=True, exist_ok=True)
    (args.results_dir / f"credentials-{db}.json").write_text(json.dumps(payload, indent=2) + "\n")
    write_markdown(args.results_dir)
    print("\n".join(render([payload])))
    return 0 if payload["bulk"]["ok"] and payload["verify"]["ok"] else 1


def render(payloads: list[dict[str, Any]]) -> list[str]:
    lines = [
        "| database | baseline sign, full canonicalisation (1 process, not stored) | "
        "baseline sign, templates | issue one at a time | bulk issue (signed + stored) | "
        "verify, 1 process | verify, N processes |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in payloads:
        b, v, base = p["bulk"], p["verify"], p["baseline_sign"]
        templates = base.get("templates", {}).get("per_s", "-")
        lines.append(
            f"| {p['db']} ({p['learners']} learners) | {base['per_s']}/s | {templates}/s "
            f"| {p['one_at_a_time']['per_s']}/s "
            f"| **{b['per_s']}/s** ({b['processes']} processes, {b['seconds']} s) "
            f"{'✅' if b['ok'] else '❌'} ≥ {b['target_per_s']:.0f} "
            f"| {v['one_process_per_s']}/s ({v.get('one_process_cpu_ms_each', '-')} ms CPU each) "
            f"| **{v['parallel_per_s']}/s** ({v['processes']}; "
            f"{v.get('parallel_cpu_ms_each', '-')} ms CPU each) "
            f"{'✅' if v['ok'] else '❌'} ≥ {v['target_per_s']:.0f} |"
        )
    return lines


def write_markdown(results_dir: Path) -> None:
    payloads = [
        json.loads(path.read_text())
        for name in ("sqlite", "postgres")
        if (path := results_dir / f"credentials-{name}.json").exists()
    ]
    machine = payloads[0]["machine"] if payloads else {}
    text = [
        "# Credentials benchmark (issue #4)",
        "",
        "`python -m benchmarks.bench_credentials` — the AI-referent cohort issued and verified.",
        f"Machine: {json.dumps(machine, ensure_ascii=False)}",
        "",
        *render(payloads),
        "",
        *(
            f"- {p['db']}: load average {p['machine'].get('load_average')} at start, "
            f"{p.get('load_average_end')} at the end"
            for p in payloads
        ),
        "",
    ]
    (results_dir / "credentials.md").write_text("\n".join(text))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.db == "both":
        codes = []
        for db in ("sqlite", "postgres"):
            step(f"=== {db} ===")
            command = [sys.executable, "-m", "benchmarks.bench_credentials", "--db", db,
                       "--learners", str(args.learners), "--processes", str(args.processes),
                       "--results-dir", str(args.results_dir)]  # fmt: skip
            codes.append(subprocess.run(command, cwd=PROJECT_DIR, check=False).returncode)  # noqa: S603
        return max(codes)
    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_bench_credentials_{os.getpid()}.sqlite3"
        try:
            return run(args, "sqlite", "sqlite:///" + str(path))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get(THROWAWAY_PG_ENV) == "1" and url.startswith(("postgres://", "postgresql://")):
        return run(args, "postgres", url)
    step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
    command = [sys.executable, str(WITH_POSTGRES), "--require", "--", sys.executable, "-m",
               "benchmarks.bench_credentials", "--db", "postgres", "--learners",
               str(args.learners), "--processes", str(args.processes), "--results-dir",
               str(args.results_dir)]  # fmt: skip
    env = {**os.environ, THROWAWAY_PG_ENV: "1"}
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
