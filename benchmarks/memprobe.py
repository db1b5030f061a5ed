"""``python -m benchmarks.memprobe PATHWAY_ID``: memory of one ``evaluate_population`` run.

Run in a fresh process by bench_pathways (the environment already points at the benchmark
database). Prints one JSON line: the RSS high-water-mark increase during an untraced run, then
the tracemalloc peak of a second run (tracemalloc slows Python down, so its time is not the
benchmark's).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import sys
import time
import tracemalloc

from benchmarks.config import configure_django


def _reset_peak() -> bool:
    """Reset the RSS high-water mark (Linux: it is inherited from the parent across exec)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _hwm_mb() -> float:
    """The RSS high-water mark: VmHWM (resettable) when available, else ru_maxrss."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return _maxrss_mb()


def _maxrss_mb() -> float:
    raw = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return raw / 1024 / 1024 if sys.platform == "darwin" else raw / 1024  # bytes / kilobytes


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return float("nan")
    return pages * os.sysconf("SC_PAGE_SIZE") / 1024 / 1024


def main(argv: list[str]) -> int:
    configure_django(os.environ["DATABASE_URL"])
    from parcours.pathways.evaluation import evaluate_population
    from parcours.pathways.models import Pathway

    pathway = Pathway.objects.get(pk=int(argv[0]))
    list(pathway.memberships.all())  # connection open, models loaded
    gc.collect()
    reset = _reset_peak()
    base_max, base_rss = _hwm_mb(), _rss_mb()
    started = time.perf_counter()
    result = evaluate_population(pathway)
    elapsed = time.perf_counter() - started
    peak_max = _hwm_mb()
    learners = len(result)
    del result
    gc.collect()
    tracemalloc.start()
    started = time.perf_counter()
    result = evaluate_population(pathway)
    traced_elapsed = time.perf_counter() - started
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del result
    out = {
        "learners": learners,
        "peak_reset": reset,
        "baseline_rss_mb": round(base_rss, 1),
        "baseline_maxrss_mb": round(base_max, 1),
        "peak_maxrss_mb": round(peak_max, 1),
        "rss_delta_mb": round(peak_max - base_max, 1),
        "untraced_run_s": round(elapsed, 3),
        "tracemalloc_peak_mb": round(traced_peak / 1024 / 1024, 1),
        "traced_run_s": round(traced_elapsed, 3),
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
