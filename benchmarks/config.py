"""Scales, file locations, targets, and Django set-up for a benchmark database."""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
RESULTS_DIR = PACKAGE_DIR / "results"
WITH_POSTGRES = PROJECT_DIR / "scripts" / "with_postgres.py"

#: Set by the parent process when it re-executes itself under scripts/with_postgres.py: the
#: DATABASE_URL then points at a throwaway server that may be filled with benchmark data.
THROWAWAY_PG_ENV = "PARCOURS_BENCH_THROWAWAY_PG"

# Targets (issue: catalogue p95 < 50 ms; population < 3 s and < 500 MB; one learner p95 < 5 ms).
TARGET_SEARCH_P95_MS = 50.0
TARGET_POPULATION_S = 3.0
TARGET_POPULATION_MB = 500.0
TARGET_SINGLE_P95_MS = 5.0


@dataclass(frozen=True)
class Scale:
    name: str
    organisations: int
    modules: int
    learners: int
    completions: int
    #: Learners who get 0-6 modules of the AI-referent pathway (the first ones).
    pathway_learners: int
    search_repetitions: int
    single_learner_samples: int
    population_runs: int


SCALES: dict[str, Scale] = {
    "full": Scale(
        name="full",
        organisations=30,
        modules=10_000,
        learners=100_000,
        completions=1_000_000,
        pathway_learners=100_000,
        search_repetitions=20,
        single_learner_samples=1_000,
        population_runs=3,
    ),
    # 1/50th: a smoke test that runs in well under a minute.
    "small": Scale(
        name="small",
        organisations=30,
        modules=200,
        learners=2_000,
        completions=20_000,
        pathway_learners=2_000,
        search_repetitions=10,
        single_learner_samples=200,
        population_runs=3,
    ),
}


def sqlite_path(scale: Scale) -> Path:
    return Path(tempfile.gettempdir()) / f"parcours_bench_{scale.name}.sqlite3"


def sqlite_url(scale: Scale) -> str:
    return "sqlite:///" + str(sqlite_path(scale))  # absolute path: four slashes


def default_results_dir(scale: Scale) -> Path:
    """Full-scale figures go to benchmarks/results/; smoke runs never overwrite them."""
    if scale.name == "full":
        return RESULTS_DIR
    return Path(tempfile.gettempdir()) / f"parcours_bench_results_{scale.name}"


def configure_django(database_url: str) -> None:
    """Point the settings at the benchmark database and run ``django.setup()``.

    Production-like: DEBUG off (no query log, no debug cursor), a throwaway SECRET_KEY when none
    is set, and ``testserver`` allowed for the test client.
    """
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if not os.environ.get("SECRET_KEY"):
        os.environ["SECRET_KEY"] = "benchmark-only-" + secrets.token_hex(24)
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
    if hosts and "testserver" not in hosts:
        os.environ["ALLOWED_HOSTS"] = ",".join([*hosts, "testserver"])
    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))

    import django

    django.setup()
