"""``python -m benchmarks [--db sqlite|postgres|both] [--scale small|full] [--only …]``.

- ``--db sqlite``: a dedicated SQLite file in the temp directory (reused while it matches).
- ``--db postgres``: re-executes itself under ``scripts/with_postgres.py`` (a throwaway server)
  unless ``--database-url`` names an (empty) PostgreSQL database to fill.
- ``--db both`` (default): the two, each in its own process, then one combined report.

Results: ``benchmarks/results/latest.md`` and ``latest.json`` (full scale; smoke runs at
``--scale small`` write to the temp directory instead unless ``--results-dir`` is given).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.config import (
    PROJECT_DIR,
    SCALES,
    THROWAWAY_PG_ENV,
    WITH_POSTGRES,
    Scale,
    configure_django,
    default_results_dir,
    sqlite_url,
)
from benchmarks.progress import step

BENCHES = ("catalogue", "pathways")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Parcours benchmarks (see benchmarks/README.md)."
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    parser.add_argument(
        "--only",
        default=",".join(BENCHES),
        help="comma-separated benchmarks to run: catalogue,pathways (default: both)",
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="rebuild the cached SQLite dataset"
    )
    parser.add_argument(
        "--repetitions", type=int, default=None, help="search repetitions per query"
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=None,
        help="where to write latest.md/latest.json (default: benchmarks/results for the full "
        "scale, the temp directory for small)",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="with --db postgres: fill this (empty) PostgreSQL database instead of starting a "
        "throwaway server",
    )
    parser.add_argument("--strict", action="store_true", help="exit with 1 when a target is missed")
    args = parser.parse_args(argv)
    only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = sorted(set(only) - set(BENCHES))
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)} (choose from {BENCHES})")
    args.only_list = only
    return args


def passthrough(args: argparse.Namespace) -> list[str]:
    """The options a child process needs (everything but --db and --database-url)."""
    out = ["--scale", args.scale, "--only", ",".join(args.only_list)]
    if args.regenerate:
        out.append("--regenerate")
    if args.repetitions:
        out += ["--repetitions", str(args.repetitions)]
    if args.results_dir:
        out += ["--results-dir", str(args.results_dir)]
    if args.strict:
        out.append("--strict")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    scale = SCALES[args.scale]
    results_dir = args.results_dir or default_results_dir(scale)
    if args.db == "both":
        me = [sys.executable, "-m", "benchmarks"]
        codes = []
        for db in ("sqlite", "postgres"):
            step(f"=== {db} ===")
            completed = subprocess.run(  # noqa: S603 - ourselves
                [*me, "--db", db, *passthrough(args)], cwd=PROJECT_DIR, check=False
            )
            codes.append(completed.returncode)
        from benchmarks.report import compose

        markdown = compose(results_dir)
        print("\n" + markdown)
        step(f"results: {results_dir / 'latest.md'}")
        return max(codes)
    if args.db == "sqlite":
        return run_worker(args, "sqlite", sqlite_url(scale), results_dir)
    # PostgreSQL
    if args.database_url:
        return run_worker(args, "postgres", args.database_url, results_dir)
    url = os.environ.get("DATABASE_URL", "")
    if os.environ.get(THROWAWAY_PG_ENV) == "1" and url.startswith(("postgres://", "postgresql://")):
        return run_worker(args, "postgres", url, results_dir)
    if not WITH_POSTGRES.exists():
        step(f"{WITH_POSTGRES} not found: pass --database-url to use a PostgreSQL server")
        return 1
    env = {**os.environ, THROWAWAY_PG_ENV: "1"}
    command = [
        sys.executable,
        str(WITH_POSTGRES),
        "--require",
        "--",
        sys.executable,
        "-m",
        "benchmarks",
        "--db",
        "postgres",
        *passthrough(args),
    ]
    step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
    return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603


def run_worker(args: argparse.Namespace, db: str, database_url: str, results_dir: Path) -> int:
    scale: Scale = SCALES[args.scale]
    os.chdir(PROJECT_DIR)
    configure_django(database_url)

    from dataclasses import asdict

    from django.utils import timezone

    from benchmarks import report
    from benchmarks.generate import ensure_dataset

    started_at = timezone.now().isoformat(timespec="seconds")
    began = time.perf_counter()
    dataset = ensure_dataset(scale, regenerate=args.regenerate)
    payload: dict[str, Any] = {
        "db": db,
        "scale": scale.name,
        "started_at": started_at,
        "command": "python -m benchmarks " + " ".join(sys.argv[1:] or [f"--db {db}"]),
        "machine": report.machine_info(),
        "database_version": report.database_version(),
        "dataset": asdict(dataset),
        # The search code is under active development: which version was measured.
        "search_py_sha256": hashlib.sha256(
            (PROJECT_DIR / "parcours" / "catalogue" / "search.py").read_bytes()
        ).hexdigest()[:12],
        "notes": [],
    }
    if "catalogue" in args.only_list:
        from benchmarks import bench_catalogue

        payload["catalogue"] = bench_catalogue.run(scale, args.repetitions)
    if "pathways" in args.only_list:
        from benchmarks import bench_pathways

        payload["pathways"] = bench_pathways.run(scale, dataset)
        if not payload["pathways"]["population"]["correct"]:
            payload["notes"].append(
                "evaluate_population's satisfied count differs from the generator's expectation"
            )
    _keep_previous(results_dir / f"latest-{db}.json", payload, args.only_list)
    payload["finished_at"] = timezone.now().isoformat(timespec="seconds")
    payload["load_average_end"] = report.machine_info()["load_average"]
    payload["benchmark_seconds"] = round(time.perf_counter() - began, 1)
    report.write_db_result(results_dir, db, payload)
    markdown = report.compose(results_dir)
    single = {db: payload}
    print("\n".join(["", f"## {report.TITLES[db]} ({scale.name} scale)", ""]))
    print("\n".join(report.render_summary(single)))
    print()
    print("\n".join(report.render_search_table(single)))
    print()
    step(f"results: {results_dir / 'latest.md'} ({len(markdown.splitlines())} lines)")
    if args.strict and not _all_ok(payload):
        return 1
    return 0


def _keep_previous(path: Path, payload: dict[str, Any], only: list[str]) -> None:
    """With --only, keep the other benchmarks' figures from the previous run (same scale)."""
    if set(only) == set(BENCHES) or not path.exists():
        return
    previous = json.loads(path.read_text())
    if previous.get("scale") != payload["scale"]:
        return
    for name in BENCHES:
        if name not in only and name in previous:
            payload[name] = previous[name]
            payload["notes"].append(
                f"{name} figures kept from the run of {previous.get('finished_at')} "
                "(this run used --only)"
            )


def _all_ok(payload: dict[str, Any]) -> bool:
    checks = []
    if "catalogue" in payload:
        checks.append(payload["catalogue"]["ok"])
    if "pathways" in payload:
        pop = payload["pathways"]["population"]
        checks += [pop["time_ok"], pop["memory_ok"], payload["pathways"]["single"]["ok"]]
    return all(checks)


if __name__ == "__main__":
    sys.exit(main())
