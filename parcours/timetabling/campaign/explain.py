"""Why no plan exists: numeric pre-checks that need no solver, and the conflicting
assumptions CP-SAT names when the model is infeasible (made smaller by deletion)."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from parcours.timetabling.campaign.model import AM, PM, Campaign, Reason, Trainer

if TYPE_CHECKING:
    from parcours.timetabling.campaign.solver import _Model


def _open_days(campaign: Campaign, site: str | None) -> list[dt.date]:
    closed = campaign.closed(site) if site else frozenset()
    days = []
    d = campaign.start
    while d <= campaign.end:
        if d.weekday() in campaign.weekdays and d not in campaign.holidays and d not in closed:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def trainer_days(campaign: Campaign, trainer: Trainer) -> int:
    """Days a trainer could teach in the period: open days minus whole days away, capped by
    their weekly maximum."""
    days = [
        d
        for d in _open_days(campaign, None)
        if not ({AM, PM} & campaign.halves <= {h.half for h in trainer.unavailable if h.day == d})
    ]
    if trainer.max_days_per_week is not None:
        per_week: dict[tuple[int, int], int] = defaultdict(int)
        for d in days:
            iso = d.isocalendar()
            per_week[(iso.year, iso.week)] += 1
        return sum(min(n, trainer.max_days_per_week) for n in per_week.values())
    return len(days)


def prechecks(campaign: Campaign) -> list[Reason]:
    """Necessary conditions, with their numbers."""
    reasons: list[Reason] = []
    sessions = campaign.sessions()
    by_module: dict[str, list[int]] = defaultdict(list)
    for spec in sessions:
        by_module[spec.module.code].append(math.ceil(spec.module.half_days / 2))
    eligible: dict[str, list[Trainer]] = {
        code: [t for t in campaign.trainers if code in t.modules] for code in by_module
    }
    for code, days in by_module.items():
        trainers = eligible[code]
        if not trainers:
            reasons.append(Reason("no_trainer", (("module", code),)))
            continue
        available = sum(trainer_days(campaign, t) for t in trainers)
        if sum(days) > available:
            reasons.append(
                Reason(
                    "trainer_days",
                    (
                        ("module", code),
                        ("groups", len(days)),
                        ("needed", sum(days)),
                        ("trainers", ", ".join(t.name or t.code for t in trainers)),
                        ("available", available),
                    ),
                )
            )
    # A trainer who alone can teach several modules.
    alone: dict[str, list[str]] = defaultdict(list)
    for code, trainers in eligible.items():
        if len(trainers) == 1:
            alone[trainers[0].code].append(code)
    for trainer in campaign.trainers:
        codes = alone.get(trainer.code, [])
        if len(codes) < 2:
            continue
        needed = sum(sum(by_module[c]) for c in codes)
        available = trainer_days(campaign, trainer)
        if needed > available:
            reasons.append(
                Reason(
                    "trainer_days",
                    (
                        ("module", ", ".join(sorted(codes))),
                        ("groups", sum(len(by_module[c]) for c in codes)),
                        ("needed", needed),
                        ("trainers", trainer.name or trainer.code),
                        ("available", available),
                    ),
                )
            )
    # Rooms that fit.
    for spec in sessions:
        sites = [spec.cohort.site] if spec.cohort.site else list(campaign.sites)
        if not any(
            any(r.serves(site) for site in sites)
            and r.capacity >= spec.cohort.size
            and spec.module.features <= r.features
            for r in campaign.rooms
        ):
            reason = Reason(
                "no_room",
                (
                    ("module", spec.module.code),
                    ("site", spec.cohort.site or "-"),
                    ("size", spec.cohort.size),
                    ("features", ", ".join(sorted(spec.module.features)) or "-"),
                ),
            )
            if reason not in reasons:
                reasons.append(reason)
    # A cohort's days against the open days of its site.
    for cohort in campaign.cohorts:
        needed = sum(math.ceil(campaign.module(m).half_days / 2) for m in cohort.modules)
        open_days = len(_open_days(campaign, cohort.site))
        if needed > open_days:
            reasons.append(
                Reason(
                    "cohort_days",
                    (
                        ("cohort", cohort.code),
                        ("site", cohort.site or "-"),
                        ("needed", needed),
                        ("available", open_days),
                    ),
                )
            )
    # Room-days at each site.
    for site in campaign.sites:
        needed = sum(math.ceil(s.module.half_days / 2) for s in sessions if s.cohort.site == site)
        rooms = [r for r in campaign.rooms if r.serves(site)]  # mobile units counted too
        open_days = len(_open_days(campaign, site))
        available = len(rooms) * open_days
        if needed > available:
            reasons.append(
                Reason(
                    "site_room_days",
                    (
                        ("site", site),
                        ("needed", needed),
                        ("rooms", len(rooms)),
                        ("available", available),
                    ),
                )
            )
    return reasons


def _infeasible(model: _Model, literals: list[cp_model.IntVar], seconds: float) -> bool | None:
    """Whether the model is infeasible under these assumptions (None: could not tell)."""
    model.m.clear_assumptions()
    model.m.add_assumptions(literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.stop_after_first_solution = True
    status = solver.solve(model.m)
    if status == cp_model.INFEASIBLE:
        return True
    if status in (cp_model.FEASIBLE, cp_model.OPTIMAL):
        return False
    return None


def core(model: _Model, *, seconds: float = 10.0) -> list[Reason]:
    """The assumptions that together leave no plan, as few as a short search finds."""
    model.m.clear_objective()
    model.m.clear_assumptions()
    model.m.add_assumptions(model.literals)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    status = solver.solve(model.m)
    if status != cp_model.INFEASIBLE:
        return []
    by_index = {lit.index: lit for lit in model.literals}
    found = [by_index[i] for i in solver.sufficient_assumptions_for_infeasibility()]
    # Deletion: drop each assumption the conflict does not need (a few short solves).
    budget = max(0.5, seconds / max(1, len(found)))
    kept = list(found)
    for lit in list(found)[:12]:
        trial = [x for x in kept if x.index != lit.index]
        if trial and _infeasible(model, trial, budget):
            kept = trial
    return [model.assumptions[lit.index] for lit in kept]
