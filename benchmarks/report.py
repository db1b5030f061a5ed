"""Machine information, and the results as markdown (``latest.md``) and JSON (``latest.json``).

Each database run writes ``latest-<db>.json``; ``compose`` merges the ones present into
``latest.md`` and ``latest.json`` (so a SQLite-only run keeps the last PostgreSQL figures, shown
with their own date).
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import sys
from pathlib import Path
from typing import Any

DATABASES = ("sqlite", "postgres")
TITLES = {"sqlite": "SQLite", "postgres": "PostgreSQL"}


def machine_info() -> dict[str, Any]:
    import django

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        cpu = platform.processor()
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count() or 0
    try:
        import psycopg

        psycopg_version = psycopg.__version__
    except ImportError:
        psycopg_version = ""
    try:
        load = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = []
    return {
        "load_average": load,
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gb": memory_gb,
        "os": platform.platform(),
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "sqlite": sqlite3.sqlite_version,
        "psycopg": psycopg_version,
    }


def database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return "PostgreSQL " + str(cursor.fetchone()[0])
    return "SQLite " + sqlite3.sqlite_version


def write_db_result(results_dir: Path, db: str, payload: dict[str, Any]) -> Path:
    results_dir.mkdir(parents=True, exist_ok=True)
    path = results_dir / f"latest-{db}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def load_results(results_dir: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for db in DATABASES:
        path = results_dir / f"latest-{db}.json"
        if path.exists():
            found[db] = json.loads(path.read_text())
    return found


def compose(results_dir: Path) -> str:
    """Write latest.md and latest.json from the per-database files; return the markdown."""
    results = load_results(results_dir)
    markdown = render_markdown(results)
    (results_dir / "latest.md").write_text(markdown)
    (results_dir / "latest.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n"
    )
    return markdown


# --- Markdown ----------------------------------------------------------------------------


def _mark(ok: bool | None) -> str:
    if ok is None:
        return ""
    return "ok" if ok else "**MISSED**"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def _get(data: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def _memory_cell(pop: dict[str, Any]) -> str:
    memory = pop["memory"]
    return (
        f"{pop['peak_mb']:.0f} MB (tracemalloc {memory['tracemalloc_peak_mb']:.0f}, "
        f"RSS +{memory['rss_delta_mb']:.0f}) {_mark(pop['memory_ok'])}"
    )


def render_summary(results: dict[str, dict[str, Any]]) -> list[str]:
    dbs = [db for db in DATABASES if db in results]
    header = ["Measure", "Target", *(TITLES[db] for db in dbs)]
    rows: list[list[str]] = []

    def cell(db: str, fn: Any) -> str:
        try:
            return fn(results[db])
        except (KeyError, TypeError):
            return "—"

    rows.append(
        [
            "Catalogue search over HTTP, worst p95 of the queries",
            "< 50 ms",
            *(
                cell(
                    db,
                    lambda r: (
                        f"{r['catalogue']['worst_p95_ms']:.1f} ms "
                        f"({r['catalogue']['worst_label']}) "
                        f"{_mark(r['catalogue'].get('warm_ok', r['catalogue']['ok']))}"
                    ),
                )
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "… first request after a catalogue change (cold cache): worst p95; p95 over all",
            "< 50 ms",
            *(
                cell(
                    db,
                    lambda r: (
                        f"{r['catalogue']['worst_cold_p95_ms']:.1f} ms "
                        f"({r['catalogue']['worst_cold_label']}); "
                        f"{r['catalogue']['cold_p95_over_queries_ms']:.1f} ms "
                        f"{_mark(r['catalogue']['cold_ok'])}"
                    ),
                )
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "Catalogue queries meeting the target (cold and warm)",
            "all",
            *(
                cell(
                    db,
                    lambda r: (
                        f"{sum(q['ok'] for q in r['catalogue']['queries'])}"
                        f"/{len(r['catalogue']['queries'])}"
                    ),
                )
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "`evaluate_population`, all learners: median wall time",
            "< 3 s",
            *(
                cell(
                    db,
                    lambda r: (
                        f"{r['pathways']['population']['median_s']:.2f} s "
                        f"({r['pathways']['population']['learners_evaluated']:,} learners) "
                        f"{_mark(r['pathways']['population']['time_ok'])}"
                    ),
                )
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "`evaluate_population`: peak memory (max of tracemalloc peak, RSS delta)",
            "< 500 MB",
            *(
                cell(
                    db,
                    lambda r: _memory_cell(r["pathways"]["population"]),
                )
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "`evaluate_for_learner`: p95 (p50)",
            "< 5 ms",
            *(
                cell(
                    db,
                    lambda r: (
                        f"{r['pathways']['single']['p95_ms']:.2f} ms "
                        f"({r['pathways']['single']['p50_ms']:.2f}; "
                        f"{r['pathways']['single']['learners']:,} learners) "
                        f"{_mark(r['pathways']['single']['ok'])}"
                    ),
                )
                for db in dbs
            ),
        ]
    )
    return _table(header, rows)


def render_search_table(results: dict[str, dict[str, Any]]) -> list[str]:
    dbs = [db for db in DATABASES if _get(results.get(db, {}), "catalogue", "queries")]
    if not dbs:
        return []
    header = ["Query", "Page"]
    for db in dbs:
        header += [
            f"{TITLES[db]} hits",
            f"{TITLES[db]} p50",
            f"{TITLES[db]} p95",
            f"{TITLES[db]} CPU p95",
            f"{TITLES[db]} cold p50",
            f"{TITLES[db]} cold p95",
            "",
        ]
    by_label: dict[str, dict[str, dict[str, Any]]] = {}
    order: list[str] = []
    for db in dbs:
        for query in results[db]["catalogue"]["queries"]:
            if query["label"] not in by_label:
                order.append(query["label"])
            by_label.setdefault(query["label"], {})[db] = query
    rows = []
    for label in order:
        first = next(iter(by_label[label].values()))
        row = [label.replace("|", "\\|"), str(first["page"])]
        for db in dbs:
            q = by_label[label].get(db)
            if q is None:
                row += ["—", "—", "—", "—", "—", "—", ""]
            else:
                row += [
                    f"{q['hits']:,}",
                    f"{q['p50_ms']:.1f} ms",
                    f"{q['p95_ms']:.1f} ms",
                    f"{q.get('cpu_p95_ms', float('nan')):.1f} ms",
                    f"{q.get('cold_p50_ms', float('nan')):.1f} ms",
                    f"{q.get('cold_p95_ms', float('nan')):.1f} ms",
                    _mark(q["ok"]),
                ]
        rows.append(row)
    return _table(header, rows)


def render_markdown(results: dict[str, dict[str, Any]]) -> str:
    lines = ["# Parcours benchmarks — latest results", ""]
    if not results:
        return "\n".join([*lines, "No results yet: run `python -m benchmarks`.", ""])
    any_result = next(iter(results.values()))
    lines += [
        "Produced by `python -m benchmarks` (see `benchmarks/README.md`). "
        "Targets from the issue: catalogue search p95 < 50 ms per query; evaluation of the "
        "AI-referent rule for every learner < 3 s and < 500 MB; one learner p95 < 5 ms.",
        "",
    ]
    for db, result in results.items():
        lines.append(
            f"- {TITLES[db]}: scale **{result.get('scale')}**, run {result.get('finished_at')} "
            f"({result.get('database_version')}), command `{result.get('command')}`, "
            f"load average {_get(result, 'machine', 'load_average')} at start, "
            f"{result.get('load_average_end')} at the end"
        )
    lines += ["", "## Summary", "", *render_summary(results), ""]

    machine = any_result.get("machine", {})
    lines += ["## Machine", ""]
    lines += _table(
        ["", ""],
        [
            ["CPU", f"{machine.get('cpu') or '?'}"],
            ["Cores", f"{machine.get('cores')} ({machine.get('usable_cores')} usable)"],
            ["Load average (1, 5, 15 min) at start", str(machine.get("load_average"))],
            ["Memory", f"{machine.get('memory_gb')} GB"],
            ["OS", str(machine.get("os"))],
            ["Python", str(machine.get("python"))],
            ["Django", str(machine.get("django"))],
            ["SQLite", str(machine.get("sqlite"))],
            ["psycopg", str(machine.get("psycopg"))],
            [
                "PostgreSQL",
                str(_get(results, "postgres", "database_version") or "not run"),
            ],
        ],
    )
    lines.append("")

    lines += ["## Dataset", ""]
    dbs = list(results)
    keys = [
        "organisations",
        "modules",
        "published_modules",
        "competence_links",
        "users",
        "completions",
        "pathways",
        "pathway_modules",
    ]
    rows = [
        [
            key.replace("_", " "),
            *(f"{_get(results[db], 'dataset', 'counts', key) or 0:,}" for db in dbs),
        ]
        for key in keys
    ]
    rows.append(
        [
            "completions on the AI pathway's 11 modules",
            *(f"{_get(results[db], 'dataset', 'pathway_completions') or 0:,}" for db in dbs),
        ]
    )
    rows.append(
        [
            "learners holding ≥ 1 of them / satisfying the rule",
            *(
                f"{_get(results[db], 'dataset', 'pathway_learners_with_completions') or 0:,}"
                f" / {_get(results[db], 'dataset', 'pathway_expected_satisfied') or 0:,}"
                for db in dbs
            ),
        ]
    )
    rows.append(
        [
            "generation time",
            *(
                f"{_get(results[db], 'dataset', 'generation_seconds')} s"
                + (
                    f" (cached DB from {_get(results[db], 'dataset', 'generated_at')} reused)"
                    if _get(results[db], "dataset", "reused")
                    else ""
                )
                for db in dbs
            ),
        ]
    )
    for step_name in _get(any_result, "dataset", "steps") or {}:
        rows.append(
            [
                f"… {step_name}",
                *(f"{_get(results[db], 'dataset', 'steps', step_name) or '—'} s" for db in dbs),
            ]
        )
    lines += _table(["", *(TITLES[db] for db in dbs)], rows)
    lines.append("")

    search = render_search_table(results)
    if search:
        reps = {db: _get(results[db], "catalogue", "repetitions") for db in dbs}
        lines += [
            "## Catalogue search (per query)",
            "",
            "`Client().get('/catalogue/?q=…')`, full page rendered (form, filters, 20 results). "
            f"Repetitions per query after 2 warm-up rounds: {reps}. Hits = modules matching "
            "(published, filters applied). The page caches its filter options and a search's "
            "ranked ids per catalogue generation (`parcours/catalogue/cache.py`): p50/p95/CPU "
            "are the repeated (warm) request; *cold* is the first request after a change of "
            "the catalogue (cache emptied before each of "
            f"{ {db: _get(results[db], 'catalogue', 'cold_rounds') for db in dbs} } requests "
            "per query). A query is ok when both p95 are under the target.",
            "",
            *search,
            "",
        ]

    lines += ["## Pathway evaluation", ""]
    for db in dbs:
        pop = _get(results[db], "pathways", "population")
        single = _get(results[db], "pathways", "single")
        if not pop:
            continue
        memory = pop.get("memory", {})
        lines += [
            f"**{TITLES[db]}** — `evaluate_population`: runs {pop['runs_s']} s (median "
            f"{pop['median_s']} s), {pop['learners_evaluated']:,} learners evaluated, "
            f"{pop['satisfied']:,} satisfy the rule (generator expected "
            f"{pop['expected_satisfied']:,}: {'match' if pop['correct'] else 'MISMATCH'}). "
            f"Memory in a fresh process: baseline RSS {memory.get('baseline_rss_mb')} MB, "
            f"high-water mark +{memory.get('rss_delta_mb')} MB; tracemalloc peak "
            f"{memory.get('tracemalloc_peak_mb')} MB (traced run {memory.get('traced_run_s')} s). "
            + (
                f"`evaluate_for_learner`: p50 {single['p50_ms']} ms, p95 {single['p95_ms']} ms, "
                f"max {single['max_ms']} ms over {single['learners']:,} random learners."
                if single
                else ""
            ),
            "",
        ]

    missed = [
        (db, q)
        for db in dbs
        for q in (_get(results[db], "catalogue", "queries") or [])
        if not q["ok"]
    ]
    if missed:
        lines += ["## Diagnostics: queries over the target", ""]
        for db, q in missed:
            profile = q.get("profile", {})
            lines.append(
                f"- {TITLES[db]} — {q['label']} (p95 {q['p95_ms']} ms, cold p95 "
                f"{q.get('cold_p95_ms')} ms): one profiled cold request "
                f"{profile.get('request_ms')} ms, {profile.get('queries')} SQL statements "
                f"taking {profile.get('sql_ms')} ms; slowest:"
            )
            for slow in profile.get("slowest", [])[:2]:
                sql = " ".join(slow["sql"].split())[:400]
                lines.append(f"  - {slow['ms']} ms: `{sql}`")
        lines.append("")
    notes = [n for db in dbs for n in (results[db].get("notes") or [])]
    if notes:
        lines += ["## Notes", "", *(f"- {n}" for n in notes), ""]
    return "\n".join(lines)
