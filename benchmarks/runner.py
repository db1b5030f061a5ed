"""The command line every per-database benchmark shares: ``python -m benchmarks.<name>
[--db sqlite|postgres|both]``. Each database is fresh: a temporary SQLite file, or a throwaway
PostgreSQL started by ``scripts/with_postgres.py`` (the benchmark runs itself again inside it,
told by ``env_flag``)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from benchmarks.config import PROJECT_DIR, RESULTS_DIR, WITH_POSTGRES
from benchmarks.progress import step


def without_machine(result: dict[str, Any]) -> dict[str, Any]:
    """What a benchmark prints at the end: its result less the machine description."""
    return {k: v for k, v in result.items() if k != "machine"}


def run_cli(
    *,
    name: str,
    argv: list[str] | None,
    env_flag: str,
    run_worker: Callable[[str, str], dict[str, Any]],
    ok: Callable[[dict[str, Any]], bool],
    summary: Callable[[dict[str, Any]], Any] | None = None,
    own_options: argparse.ArgumentParser | None = None,
    forward: Sequence[str] = (),
) -> int:
    """``python -m benchmarks.<name> [--db sqlite|postgres|both]``: each database is fresh, a
    temporary SQLite file or a throwaway PostgreSQL (``scripts/with_postgres.py``);
    ``run_worker(db, database_url)`` migrates, measures and writes ``results/<…>.md``.

    A benchmark with options of its own (a size, a duration) parses them first
    (``parse_known_args``), passes the rest as ``argv``, its parser as ``own_options`` (shown
    by ``--help``) and, as ``forward``, the arguments that repeat them to the processes run
    for each database."""
    parents = [own_options] if own_options is not None else []
    parser = argparse.ArgumentParser(prog=f"python -m benchmarks.{name}", parents=parents)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    args = parser.parse_args(argv)
    me = [sys.executable, "-m", f"benchmarks.{name}", *forward]
    if args.db == "both":
        codes = [
            subprocess.run([*me, "--db", db], cwd=PROJECT_DIR, check=False).returncode  # noqa: S603
            for db in ("sqlite", "postgres")
        ]
        print((RESULTS_DIR / f"{name.removeprefix('bench_')}.md").read_text())
        return max(codes)
    if args.db == "sqlite":
        path = Path(tempfile.gettempdir()) / f"parcours_{name}_{os.getpid()}.sqlite3"
        try:
            result = run_worker("sqlite", "sqlite:///" + str(path))
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    elif os.environ.get(env_flag) == "1":
        result = run_worker("postgres", os.environ["DATABASE_URL"])
    else:
        step("starting a throwaway PostgreSQL server (scripts/with_postgres.py)")
        env = {**os.environ, env_flag: "1"}
        command = [sys.executable, str(WITH_POSTGRES), "--require", "--", *me, "--db", "postgres"]
        return subprocess.run(command, cwd=PROJECT_DIR, env=env, check=False).returncode  # noqa: S603
    if summary is not None:
        print(json.dumps(summary(result), indent=2, default=str))
    return 0 if ok(result) else 1
