"""Campaign planner benchmark (issue #16): time to a first conflict-free plan of generated
training campaigns at three sizes, with the score and CP-SAT's bound at the end of the budget.

    python -m benchmarks.bench_scheduler_campaign [--sizes ai,network,large] [--seed 1]
                                                  [--workers 2] [--db ...]

Sizes (targets: a first plan within 10 s, 60 s and 600 s):

- ``ai``: the AI-referent campaign, 10 two-day modules x 6 sites x 2 groups (each group follows
  every module: 2 introductions, 7 options, the closing) = 120 sessions, 12 rooms, 12 trainers
  at most three days a week, six months, Belgian public holidays, existing bookings;
- ``network``: 60 trainers, 300 two-day sessions (75 groups of 4 modules: one introduction,
  two options, the closing), 40 rooms at 10 sites, six months;
- ``large``: ten times the network (600 trainers, 3,000 sessions, 400 rooms at 100 sites).

Each trainer teaches some modules in a region of sites, has a home site, absences (a few
days) and a weekly maximum; rooms have capacities, features and existing bookings (~10 % of
their half-days). The planner is pure (no database): ``--db`` is accepted for ``make bench``
and ignored. Figures: ``benchmarks/results/scheduler_campaign.md`` and ``.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import resource
import sys
import time
from dataclasses import dataclass
from typing import Any

from benchmarks.config import RESULTS_DIR
from parcours.timetabling.campaign import (
    AM,
    PM,
    Campaign,
    Cohort,
    HalfDay,
    Module,
    Phase,
    Room,
    Trainer,
    Wishes,
    check,
    solve,
)
from parcours.timetabling.campaign.solver import Progress

START = dt.date(2027, 1, 4)
END = dt.date(2027, 6, 30)
HOLIDAYS = frozenset(
    {dt.date(2027, 3, 29), dt.date(2027, 5, 1), dt.date(2027, 5, 6), dt.date(2027, 5, 17)}
)


@dataclass(frozen=True)
class Size:
    name: str
    target_s: float
    sites: int
    rooms_per_site: int
    groups: int  # per site
    modules_per_group: int  # 0: every module
    options: int
    trainers: int
    region: int  # sites per trainers' region


SIZES = {
    "ai": Size("ai", 10, 6, 2, 2, 0, 7, 12, 6),
    "network": Size("network", 60, 10, 4, 8, 4, 8, 60, 5),  # 80 groups: 75 used
    "large": Size("large", 600, 100, 4, 8, 4, 8, 600, 5),
}


def _days() -> list[dt.date]:
    return [START + dt.timedelta(days=i) for i in range((END - START).days + 1)]


def generate(size: Size, seed: int = 1) -> Campaign:
    rnd = random.Random(seed)
    sites = tuple(f"S{i:03d}" for i in range(size.sites))
    intro = [Module("M1A", half_days=4, phase=Phase.INTRODUCTION)]
    intro.append(Module("M1B", half_days=4, phase=Phase.INTRODUCTION))
    options = [
        Module(f"O{i}", half_days=4, features=frozenset({"pcs"}) if i % 3 == 0 else frozenset())
        for i in range(1, size.options + 1)
    ]
    closing = Module("CLO", half_days=4, phase=Phase.CLOSING)
    modules = (*intro, *options, closing)
    workdays = [d for d in _days() if d.weekday() < 5 and d not in HOLIDAYS]
    cohorts: list[Cohort] = []
    target_sessions = {"network": 300, "large": 3000}.get(size.name)
    n = 0
    for s_index, site in enumerate(sites):
        for g in range(size.groups):
            if size.modules_per_group:
                chosen = [
                    intro[n % 2].code,
                    options[n % len(options)].code,
                    options[(n + 3) % len(options)].code,
                    closing.code,
                ]
            else:
                chosen = [m.code for m in modules]
            if target_sessions and (len(cohorts) + 1) * len(chosen) > target_sessions:
                break
            cohorts.append(Cohort(f"{site}-{g}", site, rnd.randint(8, 14), tuple(chosen)))
            n += 1
        del s_index
    rooms: list[Room] = []
    for site in sites:
        for r in range(size.rooms_per_site):
            busy = set()
            for day in rnd.sample(workdays, k=len(workdays) // 10):
                busy.add(HalfDay(day, rnd.choice([AM, PM])))
            rooms.append(
                Room(
                    f"{site}-R{r}",
                    site,
                    rnd.choice([14, 16, 20]),
                    frozenset({"pcs", "projector"}) if r % 2 == 0 else frozenset({"projector"}),
                    frozenset(busy),
                )
            )
    trainers: list[Trainer] = []
    regions = [sites[i : i + size.region] for i in range(0, len(sites), size.region)]
    codes = [m.code for m in modules]
    for t in range(size.trainers):
        region = regions[t % len(regions)]
        teach = {intro[t % 2].code, closing.code} if t % 3 == 0 else set()
        teach |= set(rnd.sample(codes, k=4))
        away = set()
        for day in rnd.sample(workdays, k=5):
            away |= {HalfDay(day, AM), HalfDay(day, PM)}
        trainers.append(
            Trainer(
                f"T{t:03d}",
                frozenset(teach),
                frozenset(region),
                region[(t // len(regions)) % len(region)],
                frozenset(away),
                3,
            )
        )
    # Every module of every region has at least two trainers.
    extra: list[Trainer] = []
    for region in regions:
        for code in codes:
            count = sum(1 for t in trainers if code in t.modules and set(region) == t.sites)
            for k in range(max(0, 2 - count)):
                home = region[k % len(region)]
                extra.append(
                    Trainer(f"X{len(extra):03d}", frozenset({code}), frozenset(region), home)
                )
    return Campaign(
        start=START,
        end=END,
        sites=sites,
        modules=modules,
        cohorts=tuple(cohorts),
        rooms=tuple(rooms),
        trainers=tuple(trainers + extra),
        holidays=HOLIDAYS,
        min_gap_days=2,
        wishes=Wishes(spread=2, monthly=3, trips=1),
    )


def measure(
    size: Size, seed: int, workers: int, seconds: float | None, construct: bool = True
) -> dict[str, Any]:
    began = time.monotonic()
    campaign = generate(size, seed)
    sessions = sum(len(c.modules) for c in campaign.cohorts)
    generated = time.monotonic() - began
    first: list[Progress] = []
    budget = seconds if seconds is not None else size.target_s
    plan = solve(
        campaign,
        seconds=budget,
        workers=workers,
        on_progress=lambda p: first.append(p) if not first else None,
        construct=construct,
    )
    violations = check(campaign, plan.placements) if plan.found else []
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "size": size.name,
        "sessions": sessions,
        "trainers": len(campaign.trainers),
        "rooms": len(campaign.rooms),
        "sites": len(campaign.sites),
        "generate_s": round(generated, 2),
        "budget_s": budget,
        "target_first_s": size.target_s,
        "status": plan.status,
        "first_plan_s": round(first[0].seconds, 2) if first else None,
        "first_score": first[0].score if first else None,
        "score": plan.score,
        "bound": plan.bound,
        "total_s": round(plan.seconds, 1),
        "costs": plan.costs,
        "violations": len(violations),
        "peak_rss_mb": round(peak_mb),
        "met": bool(first) and first[0].seconds <= size.target_s and not violations,
    }


def markdown(rows: list[dict[str, Any]], note: str) -> str:
    lines = [
        "# Campaign planner (issue #16)",
        "",
        "`python -m benchmarks.bench_scheduler_campaign` — pure planner, CP-SAT with "
        f"{rows[0]['workers'] if rows and 'workers' in rows[0] else 2} workers, no database.",
        "",
        note,
        "",
        "| size | sessions | trainers | rooms | first plan (s) | target (s) | score at first "
        "| score at end | CP-SAT bound | budget (s) | hard violations | peak RSS (MB) | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['sessions']} | {r['trainers']} | {r['rooms']} | "
            f"{r['first_plan_s']} | {r['target_first_s']:.0f} | {r['first_score']} | "
            f"{r['score']} | {r['bound']} | {r['budget_s']:.0f} | {r['violations']} | "
            f"{r['peak_rss_mb']} | {'yes' if r['met'] else 'NO'} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_scheduler_campaign")
    parser.add_argument("--sizes", default="ai,network")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=None, help="budget (default: target)")
    parser.add_argument("--db", default="sqlite", help="ignored: the planner is pure")
    parser.add_argument("--note", default="")
    parser.add_argument(
        "--cp-sat-only",
        action="store_true",
        help="no constructive first plan: how long CP-SAT alone takes to find one",
    )
    args = parser.parse_args(argv)
    rows = []
    for name in [s.strip() for s in args.sizes.split(",") if s.strip()]:
        size = SIZES[name]
        print(
            f"[campaign] {name}: generating and solving (budget {args.seconds or size.target_s} s)…"
        )
        row = measure(size, args.seed, args.workers, args.seconds, not args.cp_sat_only)
        row["cp_sat_only"] = args.cp_sat_only
        row["workers"] = args.workers
        print(json.dumps(row, default=str))
        rows.append(row)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    (RESULTS_DIR / "scheduler_campaign.json").write_text(json.dumps(rows, indent=2, default=str))
    (RESULTS_DIR / "scheduler_campaign.md").write_text(markdown(rows, args.note))
    return 0  # the report says which target was missed


if __name__ == "__main__":
    sys.exit(main())
