"""Evaluation of the AI-referent pathway: the whole population, and one learner at a time."""

from __future__ import annotations

import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from typing import Any

from benchmarks.config import (
    PROJECT_DIR,
    TARGET_POPULATION_MB,
    TARGET_POPULATION_S,
    TARGET_SINGLE_P95_MS,
    Scale,
)
from benchmarks.generate import PATHWAY_CODE, Dataset
from benchmarks.progress import Progress, step
from benchmarks.stats import summary_ms


def _pathway() -> Any:
    from parcours.pathways.models import Pathway

    return Pathway.objects.get(code=PATHWAY_CODE)


def population(scale: Scale, dataset: Dataset) -> dict[str, Any]:
    from parcours.pathways.evaluation import evaluate_population

    pathway = _pathway()
    step(f"evaluate_population: 1 warm-up + {scale.population_runs} timed runs")
    result = evaluate_population(pathway)  # warm-up: page cache, imports
    learners, satisfied = len(result), sum(1 for ok in result.values() if ok)
    del result
    times = []
    for _ in range(scale.population_runs):
        gc.collect()
        started = time.perf_counter()
        result = evaluate_population(pathway)
        times.append(time.perf_counter() - started)
        del result
    median = statistics.median(times)
    memory = measure_memory(pathway.pk)
    peak_mb = max(memory.get("tracemalloc_peak_mb", 0.0), memory.get("rss_delta_mb", 0.0))
    expected = dataset.pathway_expected_satisfied
    return {
        "learners_evaluated": learners,
        "satisfied": satisfied,
        "expected_satisfied": expected,
        "correct": expected == 0 or satisfied == expected,
        "runs_s": [round(t, 3) for t in times],
        "median_s": round(median, 3),
        "min_s": round(min(times), 3),
        "target_s": TARGET_POPULATION_S,
        "time_ok": median < TARGET_POPULATION_S,
        "memory": memory,
        "peak_mb": round(peak_mb, 1),
        "target_mb": TARGET_POPULATION_MB,
        "memory_ok": bool(memory) and peak_mb < TARGET_POPULATION_MB,
    }


def measure_memory(pathway_id: int) -> dict[str, Any]:
    """Peak memory of one evaluation, in a fresh process (so the RSS high-water mark is its)."""
    step("evaluate_population memory: fresh process, RSS delta, then tracemalloc")
    completed = subprocess.run(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "benchmarks.memprobe", str(pathway_id)],
        cwd=PROJECT_DIR,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        step(f"memory probe failed:\n{completed.stderr[-2000:]}")
        return {}
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def single(scale: Scale) -> dict[str, Any]:
    from parcours.accounts.models import User
    from parcours.pathways.evaluation import evaluate_for_learner

    pathway = _pathway()
    ids = list(User.objects.order_by("pk").values_list("pk", flat=True))
    rng = random.Random(42)
    sample = rng.sample(ids, min(scale.single_learner_samples, len(ids)))
    for learner_id in sample[:50]:  # warm-up
        evaluate_for_learner(pathway, learner_id)
    times = []
    satisfied = 0
    progress = Progress("evaluate_for_learner", len(sample))
    for learner_id in sample:
        started = time.perf_counter()
        progress_ = evaluate_for_learner(pathway, learner_id)
        times.append(time.perf_counter() - started)
        satisfied += progress_.satisfied
        progress.advance()
    progress.finish()
    figures = summary_ms(times)
    return {
        "learners": len(sample),
        "satisfied": satisfied,
        **figures,
        "target_p95_ms": TARGET_SINGLE_P95_MS,
        "ok": figures["p95_ms"] < TARGET_SINGLE_P95_MS,
    }


def run(scale: Scale, dataset: Dataset) -> dict[str, Any]:
    return {"population": population(scale, dataset), "single": single(scale)}
