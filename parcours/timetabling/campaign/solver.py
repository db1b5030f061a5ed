"""The campaign planner: a CP-SAT model of a :class:`Campaign`, solved in the background of a
caller that watches its progress and may stop it (the best plan so far is kept).

Time is a grid of half-day slots from the campaign's first day (slot ``2 x day + half``).
Each part of each session has a start variable; its interval is fixed-size. Rooms and trainers
are chosen with one boolean per eligible (session, room) and (session, trainer), each carrying
optional intervals into one no-overlap per room and per trainer. Unavailability (existing
bookings, closed hours, trainer absences) enters those no-overlaps as fixed intervals.

Every hard rule a person can relax is guarded by an *assumption* literal (the calendar of a
site, the bookings of a room, the absences and weekly maximum of a trainer, the order and the
gaps of a cohort, the pinned sessions): when no plan exists, CP-SAT names a set of assumptions
that together cannot hold (``SufficientAssumptionsForInfeasibility``), which :mod:`.explain`
turns into reasons, beside the numeric pre-checks.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from parcours.timetabling.campaign import explain
from parcours.timetabling.campaign.checker import check, weighted_cost, wish_costs
from parcours.timetabling.campaign.greedy import greedy
from parcours.timetabling.campaign.model import (
    MAX_SPREAD_DAYS,
    MOBILE_SETUP_HALF_DAYS,
    Campaign,
    HalfDay,
    Placement,
    Plan,
    Reason,
    SessionSpec,
    Status,
)

# Above this many sessions the CP-SAT model takes gigabytes (3,000 sessions: 16 GB measured):
# the plan is the constructive one, checked, without optimisation nor a bound.
MAX_CP_SAT_SESSIONS = 1000


@dataclass(frozen=True)
class Progress:
    plan: Plan  # the best plan so far
    score: int
    bound: int
    seconds: float


ProgressCallback = Callable[[Progress], None]


class _Grid:
    def __init__(self, campaign: Campaign) -> None:
        self.c = campaign
        self.days = (campaign.end - campaign.start).days + 1
        self.slots = 2 * self.days
        self.offset = campaign.start.weekday()

    def day(self, slot: int) -> dt.date:
        return self.c.start + dt.timedelta(days=slot // 2)

    def half_day(self, slot: int) -> HalfDay:
        return HalfDay(self.day(slot), slot % 2)

    def slot(self, half_day: HalfDay) -> int:
        return 2 * (half_day.day - self.c.start).days + half_day.half

    def week(self, slot: int) -> int:
        return (slot // 2 + self.offset) // 7

    def month(self, slot: int) -> tuple[int, int]:
        d = self.day(slot)
        return (d.year, d.month)

    def weeks(self) -> int:
        return self.week(self.slots - 1) + 1

    def allowed(self, site: str) -> list[bool]:
        c = self.c
        closed = c.closed(site)
        result = []
        for slot in range(self.slots):
            d = self.day(slot)
            result.append(
                d.weekday() in c.weekdays
                and slot % 2 in c.halves
                and d not in c.holidays
                and d not in closed
            )
        return result

    def busy_runs(self, half_days: frozenset[HalfDay]) -> list[tuple[int, int]]:
        """(start slot, length) of each run of these half-days within the period."""
        flags = [False] * self.slots
        for h in half_days:
            if 0 <= self.slot(h) < self.slots:
                flags[self.slot(h)] = True
        return _runs(flags)

    def structural_starts(self, length: int) -> list[int]:
        """Starts of a block of ``length`` half-days in the period: even blocks start in the
        morning, and no block runs across the end of a week."""
        return [
            s
            for s in range(0, self.slots - length + 1)
            if (length % 2 == 1 or s % 2 == 0) and self.week(s) == self.week(s + length - 1)
        ]


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """(start, length) of each run of True."""
    runs: list[tuple[int, int]] = []
    start = None
    for i, flag in enumerate([*flags, False]):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            runs.append((start, i - start))
            start = None
    return runs


class _Model:
    """The CP-SAT model of one campaign, and how to read a plan out of a solution."""

    def __init__(self, campaign: Campaign) -> None:
        self.c = campaign
        self.g = _Grid(campaign)
        self.m = cp_model.CpModel()
        self.assumptions: dict[int, Reason] = {}  # literal index -> reason
        self.literals: list[cp_model.IntVar] = []
        self._assumed: dict[Reason, cp_model.IntVar] = {}  # one literal per reason
        self.sessions = campaign.sessions()
        self.starts: dict[str, list[cp_model.IntVar]] = {}
        self.rooms: dict[str, dict[str, cp_model.IntVar]] = {}
        self.trainers: dict[str, dict[str, cp_model.IntVar]] = {}
        self.cohort_site: dict[str, dict[str, cp_model.IntVar]] = {}
        self.objective: list[tuple[int, cp_model.LinearExprT]] = []
        self._week_bools: dict[tuple[str, int, object], cp_model.IntVar] = {}
        self._build()

    # --- assumptions ------------------------------------------------------------------

    def _assumption(self, kind: str, **params: str | int) -> cp_model.IntVar:
        """The literal behind which the rules of one reason are posted (the same for every
        rule that has that reason, e.g. a mobile unit's bookings, padded or not)."""
        reason = Reason(kind, tuple(sorted(params.items())))
        lit = self._assumed.get(reason)
        if lit is None:
            lit = self.m.new_bool_var(f"assume:{kind}:{params}")
            self._assumed[reason] = lit
            self.assumptions[lit.index] = reason
            self.literals.append(lit)
        return lit

    # --- building ---------------------------------------------------------------------

    def _build(self) -> None:
        c, g, m = self.c, self.g, self.m
        calendar = {site: self._assumption("calendar", site=site) for site in c.sites}
        allowed = {site: g.allowed(site) for site in c.sites}
        room_by_code = {r.code: r for r in c.rooms}
        # The site of each cohort.
        for cohort in c.cohorts:
            candidates = [cohort.site] if cohort.site else list(c.sites)
            bools = {s: m.new_bool_var(f"site:{cohort.code}:{s}") for s in candidates}
            m.add_exactly_one(bools.values())
            self.cohort_site[cohort.code] = bools
        room_intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        visits: dict[str, list[tuple[SessionSpec, Any, list[Any], tuple[int, ...]]]] = defaultdict(
            list
        )  # mobile unit → the sessions that may use it
        trainer_intervals: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        cohort_parts: dict[str, list[cp_model.IntervalVar]] = defaultdict(list)
        self.part_days: dict[tuple[str, int], int] = {}
        for spec in self.sessions:
            lengths = spec.part_lengths()
            starts = []
            for i, length in enumerate(lengths):
                domain = g.structural_starts(length)
                start = m.new_int_var_from_domain(
                    cp_model.Domain.from_values(domain), f"start:{spec.id}:{i}"
                )
                starts.append(start)
                self.part_days[(spec.id, i)] = math.ceil(length / 2)
                cohort_parts[spec.cohort.code].append(
                    m.new_fixed_size_interval_var(start, length, f"cohort:{spec.id}:{i}")
                )
                for site, site_bool in self.cohort_site[spec.cohort.code].items():
                    ok = [s for s in domain if all(allowed[site][s + k] for k in range(length))]
                    m.add_linear_expression_in_domain(
                        start, cp_model.Domain.from_values(ok)
                    ).only_enforce_if([site_bool, calendar[site]])
            for i in range(1, len(starts)):  # parts in order, on different days, close together
                m.add(starts[i] >= starts[i - 1] + max(2, lengths[i - 1]))
            if len(starts) > 1:
                m.add(starts[-1] - starts[0] <= 2 * MAX_SPREAD_DAYS)
            self.starts[spec.id] = starts
            # Rooms.
            sites = self.cohort_site[spec.cohort.code]
            eligible_rooms = [
                r
                for r in c.rooms
                if any(r.serves(site) for site in sites)
                and r.capacity >= spec.cohort.size
                and spec.module.features <= r.features
            ]
            rooms = {r.code: m.new_bool_var(f"room:{spec.id}:{r.code}") for r in eligible_rooms}
            m.add_exactly_one(rooms.values())
            for code, used in rooms.items():
                room = room_by_code[code]
                if room.mobile:
                    served = [b for site, b in sites.items() if room.serves(site)]
                    if len(served) < len(sites):
                        m.add_bool_or([used.negated(), *served])
                    visits[code].append((spec, used, starts, lengths))
                else:
                    m.add_implication(used, sites[room.site])
                for i, length in enumerate(lengths):
                    room_intervals[code].append(
                        m.new_optional_fixed_size_interval_var(
                            starts[i], length, used, f"in:{spec.id}:{code}:{i}"
                        )
                    )
            self.rooms[spec.id] = rooms
            # Trainers.
            eligible_trainers = [
                t
                for t in c.trainers
                if spec.module.code in t.modules and (not t.sites or t.sites & set(sites))
            ]
            trainers = {
                t.code: m.new_bool_var(f"trainer:{spec.id}:{t.code}") for t in eligible_trainers
            }
            m.add_exactly_one(trainers.values())
            for t in eligible_trainers:
                used = trainers[t.code]
                if t.sites:
                    for site, site_bool in sites.items():
                        if site not in t.sites:
                            m.add_bool_or([used.negated(), site_bool.negated()])
                for i, length in enumerate(lengths):
                    trainer_intervals[t.code].append(
                        m.new_optional_fixed_size_interval_var(
                            starts[i], length, used, f"by:{spec.id}:{t.code}:{i}"
                        )
                    )
            self.trainers[spec.id] = trainers
        # Unavailability of rooms and trainers, as fixed intervals behind an assumption.
        for room in c.rooms:
            if room.unavailable and room_intervals[room.code]:
                lit = self._assumption("room_busy", room=room.code)
                for begin, length in g.busy_runs(room.unavailable):
                    room_intervals[room.code].append(
                        m.new_optional_fixed_size_interval_var(begin, length, lit, "busy")
                    )
        for intervals in room_intervals.values():
            m.add_no_overlap(intervals)
        self._mobile_units(visits)
        for trainer in c.trainers:
            if trainer.unavailable and trainer_intervals[trainer.code]:
                lit = self._assumption("trainer_busy", trainer=trainer.code)
                for begin, length in g.busy_runs(trainer.unavailable):
                    trainer_intervals[trainer.code].append(
                        m.new_optional_fixed_size_interval_var(begin, length, lit, "away")
                    )
        for intervals in trainer_intervals.values():
            m.add_no_overlap(intervals)
        # A cohort is in one place at a time.
        for intervals in cohort_parts.values():
            m.add_no_overlap(intervals)
        self._max_days_per_week()
        self._cohort_order()
        self._pins()
        self._wishes()

    def _mobile_units(
        self, visits: dict[str, list[tuple[SessionSpec, Any, list[Any], tuple[int, ...]]]]
    ) -> None:
        """A mobile unit is in one place at a time and is brought the day before: its
        sessions at different sites, and its existing bookings and a session after them, are
        at least ``MOBILE_SETUP_HALF_DAYS`` apart (a session's parts count as one stay)."""
        c, g, m = self.c, self.g, self.m
        pad = MOBILE_SETUP_HALF_DAYS
        for code, uses in visits.items():
            room = next(r for r in c.rooms if r.code == code)
            if room.unavailable:
                lit = self._assumption("room_busy", room=code)
                padded = []
                for spec, used, starts, lengths in uses:
                    if len(starts) == 1:
                        size: Any = lengths[0] + pad
                    else:  # parts: the stay lasts from the first to the end of the last
                        size = m.new_int_var(0, g.slots + pad, f"stay:{spec.id}:{code}")
                        m.add(size == starts[-1] + lengths[-1] - starts[0] + pad)
                    padded.append(
                        m.new_optional_interval_var(
                            starts[0] - pad,
                            size,
                            starts[-1] + lengths[-1],
                            used,
                            f"bring:{spec.id}:{code}",
                        )
                    )
                busy = [
                    m.new_optional_fixed_size_interval_var(begin, length, lit, "busy")
                    for begin, length in g.busy_runs(room.unavailable)
                ]
                if busy:
                    m.add_no_overlap([*padded, *busy])
            for (a, used_a, starts_a, lengths_a), (
                b,
                used_b,
                starts_b,
                lengths_b,
            ) in itertools.combinations(uses, 2):
                if a.cohort.code == b.cohort.code:
                    continue  # one group: one site
                enforce = [used_a, used_b]
                sites_a, sites_b = self.cohort_site[a.cohort.code], self.cohort_site[b.cohort.code]
                if len(sites_a) == len(sites_b) == 1:
                    if set(sites_a) == set(sites_b):
                        continue  # same site: the room's no-overlap is enough
                else:
                    apart = m.new_bool_var(f"elsewhere:{a.id}:{b.id}")
                    for site, here in sites_a.items():
                        there = sites_b.get(site)
                        m.add_bool_or(
                            [here.negated(), *([there] if there is not None else []), apart]
                        )
                    enforce.append(apart)
                first = m.new_bool_var(f"first:{a.id}:{b.id}")
                m.add(starts_a[-1] + lengths_a[-1] + pad <= starts_b[0]).only_enforce_if(
                    [*enforce, first]
                )
                m.add(starts_b[-1] + lengths_b[-1] + pad <= starts_a[0]).only_enforce_if(
                    [*enforce, first.negated()]
                )

    def _week_bool(self, session: str, part: int, week: int) -> cp_model.IntVar:
        """True when that part starts in that week (a part never runs across weeks)."""
        key = (session, part, week)
        if key not in self._week_bools:
            self._make_period_bools(session, part, "week")
        return self._week_bools[key]

    def _make_period_bools(self, session: str, part: int, unit: str) -> None:
        g, m = self.g, self.m
        start = self.starts[session][part]
        by_period: dict[object, list[int]] = defaultdict(list)
        for s in range(g.slots):
            by_period[g.week(s) if unit == "week" else g.month(s)].append(s)
        bools = []
        for period, slots in by_period.items():
            b = m.new_bool_var(f"{unit}:{session}:{part}:{period}")
            m.add_linear_expression_in_domain(
                start, cp_model.Domain(min(slots), max(slots))
            ).only_enforce_if(b)
            bools.append(b)
            self._week_bools[(session, part, period)] = b
        m.add_exactly_one(bools)

    def _month_bool(self, session: str, month: tuple[int, int]) -> cp_model.IntVar:
        key = (session, 0, month)
        if key not in self._week_bools:
            self._make_period_bools(session, 0, "month")
        return self._week_bools[key]

    def _max_days_per_week(self) -> None:
        m = self.m
        for trainer in self.c.trainers:
            if trainer.max_days_per_week is None:
                continue
            teaching = [s for s in self.sessions if trainer.code in self.trainers[s.id]]
            if not teaching:
                continue
            lit = self._assumption("max_days", trainer=trainer.code, days=trainer.max_days_per_week)
            for week in range(self.g.weeks()):
                load = []
                for spec in teaching:
                    used = self.trainers[spec.id][trainer.code]
                    for i in range(len(self.starts[spec.id])):
                        in_week = self._week_bool(spec.id, i, week)
                        both = m.new_bool_var("")
                        m.add(both >= used + in_week - 1)
                        load.append(self.part_days[(spec.id, i)] * both)
                m.add(sum(load) <= trainer.max_days_per_week).only_enforce_if(lit)

    def _cohort_order(self) -> None:
        m, c = self.m, self.c
        gap = 2 * c.min_gap_days
        by_cohort: dict[str, list[SessionSpec]] = defaultdict(list)
        for spec in self.sessions:
            by_cohort[spec.cohort.code].append(spec)
        for cohort, specs in by_cohort.items():
            if len(specs) < 2:
                continue
            first = {s.id: self.starts[s.id][0] for s in specs}
            last = {s.id: self.starts[s.id][-1] + s.part_lengths()[-1] for s in specs}
            order = self._assumption("order", cohort=cohort)
            gaps = self._assumption("gap", cohort=cohort, days=c.min_gap_days) if gap else None
            for a_index, a in enumerate(specs):
                for b in specs[a_index + 1 :]:
                    if a.module.phase != b.module.phase:
                        before, after = (a, b) if a.module.phase < b.module.phase else (b, a)
                        m.add(last[before.id] <= first[after.id]).only_enforce_if(order)
                        if gaps is not None:
                            m.add(last[before.id] + gap <= first[after.id]).only_enforce_if(gaps)
                    else:  # one module after the other, never interleaved
                        a_first = m.new_bool_var("")
                        m.add(last[a.id] <= first[b.id]).only_enforce_if(a_first)
                        m.add(last[b.id] <= first[a.id]).only_enforce_if(a_first.negated())
                        if gaps is not None:
                            m.add(last[a.id] + gap <= first[b.id]).only_enforce_if([a_first, gaps])
                            m.add(last[b.id] + gap <= first[a.id]).only_enforce_if(
                                [a_first.negated(), gaps]
                            )

    def _pins(self) -> None:
        if not self.c.pins:
            return
        lit = self._assumption("pins", count=len(self.c.pins))
        for pin in self.c.pins:
            if pin.session not in self.starts:
                continue
            starts = self.starts[pin.session]
            for var, half_day in zip(starts, pin.starts, strict=False):
                self.m.add(var == self.g.slot(half_day)).only_enforce_if(lit)
            room = self.rooms[pin.session].get(pin.room)
            trainer = self.trainers[pin.session].get(pin.trainer)
            for chosen in (room, trainer):
                if chosen is None:
                    self.m.add_bool_or([lit.negated()])
                else:
                    self.m.add_implication(lit, chosen)

    def _wishes(self) -> None:
        m, c, g = self.m, self.c, self.g
        w = c.wishes
        self.offset = 0
        if w.spread and self.sessions:
            self.offset = w.spread * math.ceil(len(self.sessions) / g.weeks())
            peak = m.new_int_var(0, len(self.sessions), "peak")
            for week in range(g.weeks()):
                m.add(sum(self._week_bool(s.id, 0, week) for s in self.sessions) <= peak)
            self.objective.append((w.spread, peak))
        if w.monthly:
            months = sorted({g.month(s) for s in range(g.slots)})
            for site in c.sites:
                at_site = [s for s in self.sessions if s.cohort.site == site]
                if not at_site:
                    continue
                for month in months:
                    has = m.new_bool_var("")
                    m.add(has <= sum(self._month_bool(s.id, month) for s in at_site))
                    self.objective.append((w.monthly, 1 - has))
        if w.trips:
            homes = {t.code: t.home_site for t in c.trainers}
            for spec in self.sessions:
                if spec.cohort.site is None:
                    continue
                for code, used in self.trainers[spec.id].items():
                    if homes[code] and homes[code] != spec.cohort.site:
                        self.objective.append((w.trips, used))
        if w.preferred_days and w.preferred_weekdays:
            for spec in self.sessions:
                for start in self.starts[spec.id]:
                    ok = [s for s in range(g.slots) if g.day(s).weekday() in w.preferred_weekdays]
                    pref = m.new_bool_var("")
                    m.add_linear_expression_in_domain(
                        start, cp_model.Domain.from_values(ok)
                    ).only_enforce_if(pref)
                    self.objective.append((w.preferred_days, 1 - pref))
        if self.objective:
            m.minimize(self.objective_expr())

    def objective_expr(self) -> cp_model.LinearExprT:
        """The weighted cost of the wishes; equal to :func:`weighted_cost` of the plan's
        :func:`wish_costs` (the spread counts the busiest week beyond an even spread)."""
        return sum(weight * expr for weight, expr in self.objective) - self.offset

    # --- reading a solution -----------------------------------------------------------

    def placements(self, value: Callable[[cp_model.IntVar], int]) -> tuple[Placement, ...]:
        result = []
        for spec in self.sessions:
            room = next(code for code, b in self.rooms[spec.id].items() if value(b))
            trainer = next(code for code, b in self.trainers[spec.id].items() if value(b))
            site = next(s for s, b in self.cohort_site[spec.cohort.code].items() if value(b))
            starts = tuple(self.g.half_day(value(v)) for v in self.starts[spec.id])
            result.append(
                Placement(spec.id, spec.cohort.code, spec.module.code, site, room, trainer, starts)
            )
        return tuple(result)

    def complete_hint(self, plan: Plan, seconds: float = 10.0) -> bool:
        """Hint every variable, not only the plan's (CP-SAT then starts from this plan): the
        others follow from it, found by a solve with the plan fixed. False if it does not fit."""
        fixed = self.m.clone()
        fixed.clear_objective()
        fixed.clear_hints()
        by_session = {p.session: p for p in plan.placements}
        for spec in self.sessions:
            placed = by_session.get(spec.id)
            if placed is None or len(placed.starts) != len(self.starts[spec.id]):
                return False
            for var, half_day in zip(self.starts[spec.id], placed.starts, strict=True):
                fixed.add(fixed.get_int_var_from_proto_index(var.index) == self.g.slot(half_day))
            for code, b in self.rooms[spec.id].items():
                fixed.add(fixed.get_bool_var_from_proto_index(b.index) == (code == placed.room))
            for code, b in self.trainers[spec.id].items():
                fixed.add(fixed.get_bool_var_from_proto_index(b.index) == (code == placed.trainer))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = 1
        if solver.solve(fixed) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        self.m.clear_hints()
        for index in range(len(self.m.proto.variables)):
            var = self.m.get_int_var_from_proto_index(index)
            self.m.add_hint(var, solver.value(fixed.get_int_var_from_proto_index(index)))
        return True

    def hint(self, plan: Plan) -> None:
        by_session = {p.session: p for p in plan.placements}
        for spec in self.sessions:
            placed = by_session.get(spec.id)
            if placed is None or len(placed.starts) != len(self.starts[spec.id]):
                continue
            for var, half_day in zip(self.starts[spec.id], placed.starts, strict=True):
                self.m.add_hint(var, self.g.slot(half_day))
            for code, b in self.rooms[spec.id].items():
                self.m.add_hint(b, code == placed.room)
            for code, b in self.trainers[spec.id].items():
                self.m.add_hint(b, code == placed.trainer)


class _Watcher(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        model: _Model,
        on_progress: ProgressCallback | None,
        began: float,
        bound: int = 0,
        floor: int | None = None,
    ) -> None:
        super().__init__()
        self.model = model
        self.on_progress = on_progress
        self.began = began
        self.best: tuple[Placement, ...] | None = None
        self.score = 0
        self.bound = bound
        self.solutions = 0
        self.first_seconds: float | None = None
        self.floor = floor  # the score to beat (a plan found before); worse ones are ignored

    def on_solution_callback(self) -> None:
        score = round(self.value(self.model.objective_expr()))
        if self.floor is not None and score > self.floor:
            return
        self.best = self.model.placements(self.value)
        self.solutions += 1
        self.score = score
        if self.model.m.has_objective():
            self.bound = max(0, round(self.best_objective_bound))
        seconds = time.monotonic() - self.began
        if self.first_seconds is None:
            self.first_seconds = seconds
        if self.on_progress is not None:
            plan = Plan(
                Status.FEASIBLE,
                self.best,
                score=self.score,
                bound=self.bound,
                seconds=seconds,
                solutions=self.solutions,
            )
            self.on_progress(Progress(plan, self.score, self.bound, seconds))


def _improve_by_neighbourhoods(
    model: _Model,
    best: tuple[Placement, ...],
    score: int,
    bound: int,
    deadline: float,
    workers: int,
    seed: int,
    on_progress: ProgressCallback | None,
    began: float,
    stopped: threading.Event,
    current: list[cp_model.CpSolver],
) -> tuple[tuple[Placement, ...], int, int]:
    """Re-solve a few groups at a time with every other session fixed where it is, keeping
    each better plan (large neighbourhood search around CP-SAT)."""
    rnd = random.Random(seed)  # noqa: S311 - which groups to free, not a secret
    cohorts = sorted({s.cohort.code for s in model.sessions})
    found = 0
    size = max(2, len(cohorts) // 16)
    while not stopped.is_set() and deadline - time.monotonic() > 0.5 and score > bound:
        free = set(rnd.sample(cohorts, k=min(len(cohorts), size)))
        sub = model.m.clone()
        sub.clear_hints()
        by_session = {p.session: p for p in best}
        for spec in model.sessions:
            placed = by_session[spec.id]
            for var, half_day in zip(model.starts[spec.id], placed.starts, strict=True):
                sub_var = sub.get_int_var_from_proto_index(var.index)
                if spec.cohort.code in free:
                    sub.add_hint(sub_var, model.g.slot(half_day))
                else:
                    sub.add(sub_var == model.g.slot(half_day))
            for choices, chosen in (
                (model.rooms[spec.id], placed.room),
                (model.trainers[spec.id], placed.trainer),
            ):
                for code, b in choices.items():
                    sub_var = sub.get_bool_var_from_proto_index(b.index)
                    if spec.cohort.code in free:
                        sub.add_hint(sub_var, code == chosen)
                    else:
                        sub.add(sub_var == (code == chosen))
        solver = _solver(min(3.0, deadline - time.monotonic()), workers, rnd.randrange(1 << 30))
        current.append(solver)
        watcher = _Watcher(model, None, began, floor=score - 1)
        solver.solve(sub, watcher)
        if watcher.best is not None and watcher.score < score:
            best, score = watcher.best, watcher.score
            found += 1
            if on_progress is not None:
                now = time.monotonic() - began
                plan = Plan(Status.FEASIBLE, best, score=score, bound=bound, solutions=found)
                on_progress(Progress(plan, score, bound, now))
    return best, score, found


def _solver(seconds: float, workers: int, seed: int) -> cp_model.CpSolver:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = max(1, workers)
    solver.parameters.random_seed = seed
    return solver


def solve(
    campaign: Campaign,
    *,
    seconds: float = 60.0,
    workers: int = 2,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    hint: Plan | None = None,
    seed: int = 0,
    explain_failure: bool = True,
    construct: bool = True,
) -> Plan:
    """The best plan found within ``seconds`` (or until ``should_stop()`` says so, polled
    four times a second), or why there is none.

    Phases: a constructive plan (``construct``: :mod:`.greedy`, kept when the checker passes
    it), else CP-SAT's first plan without the soft wishes (found much sooner than when it
    optimises); then the wishes optimised from that plan for the time left, by CP-SAT on the
    whole model (which gives the lower bound) and then on a few groups at a time."""
    began = time.monotonic()
    reasons = explain.prechecks(campaign)
    if reasons:
        return Plan(Status.INFEASIBLE, reasons=tuple(reasons), seconds=time.monotonic() - began)
    # Phase 0: a ready plan, kept only if the independent checker passes it (before the model
    # is even built: on large campaigns building it takes a while). Candidates: the plan given
    # as a hint (re-solving around pinned sessions: the previous plan still holds unless
    # something changed) and the constructive plan; the cheaper valid one wins.
    best: tuple[Placement, ...] | None = None
    score = bound = solutions = 0
    total = len(campaign.sessions())
    candidates = [hint.placements] if hint is not None and hint.placements else []
    if construct:
        candidates.append(greedy(campaign, _Grid(campaign)))
    for candidate in candidates:
        if len(candidate) != total or check(campaign, candidate):
            continue
        cost = weighted_cost(campaign, wish_costs(campaign, candidate))
        if best is None or cost < score:
            best, score, solutions = candidate, cost, 1
    if best is not None:
        hint = Plan(Status.FEASIBLE, best)
        if on_progress is not None:
            plan = Plan(Status.FEASIBLE, best, score=score, bound=0, solutions=1)
            on_progress(Progress(plan, score, 0, time.monotonic() - began))
    elif hint is None and candidates and candidates[-1]:
        hint = Plan(Status.FEASIBLE, candidates[-1])  # a partial plan still guides CP-SAT
    if len(campaign.sessions()) > MAX_CP_SAT_SESSIONS:
        elapsed = time.monotonic() - began
        if best is None:
            return Plan(Status.UNKNOWN, seconds=elapsed, reasons=(Reason("too_large"),))
        return Plan(
            Status.FEASIBLE,
            best,
            score=score,
            bound=0,
            seconds=elapsed,
            solutions=1,
            costs=wish_costs(campaign, best),
        )
    model = _Model(campaign)
    for lit in model.literals:  # every rule holds; assumptions are for explaining only
        model.m.add(lit == 1)
    stopped = threading.Event()
    current: list[cp_model.CpSolver] = []
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.25):
            if should_stop is not None and (stopped.is_set() or should_stop()):
                stopped.set()
                for solver in list(current):
                    solver.stop_search()

    if should_stop is not None:
        threading.Thread(target=watch, daemon=True).start()
    status = cp_model.UNKNOWN
    try:
        if hint is not None:
            model.hint(hint)
        # Phase 1: any plan, when the constructive pass did not give one.
        if best is None and not stopped.is_set():
            model.m.clear_objective()
            first = _solver(seconds, workers, seed)
            first.parameters.stop_after_first_solution = True
            current.append(first)
            watcher = _Watcher(model, on_progress, began)
            status = first.solve(model.m, watcher)
            best, score, solutions = watcher.best, watcher.score, watcher.solutions
        left = seconds - (time.monotonic() - began)
        # Phase 2: the soft wishes, from that plan.
        if best is not None and model.objective and left > 0.2 and not stopped.is_set():
            model.m.minimize(model.objective_expr())
            if not model.complete_hint(Plan(Status.FEASIBLE, best), seconds=min(10.0, left / 4)):
                model.m.clear_hints()
                model.hint(Plan(Status.FEASIBLE, best))
            left = seconds - (time.monotonic() - began)
            # 2a. The whole model for a while: CP-SAT's lower bound (and maybe better plans).
            global_share = left if len(model.sessions) <= 40 else min(30.0, left * 0.3)
            second = _solver(max(0.2, global_share), workers, seed)
            current.append(second)
            improver = _Watcher(model, on_progress, began, bound=0, floor=score)
            second_status = second.solve(model.m, improver)
            if second_status in (cp_model.OPTIMAL, cp_model.FEASIBLE, cp_model.UNKNOWN):
                bound = max(0, round(second.best_objective_bound))
            solutions += improver.solutions
            if improver.best is not None and improver.score <= score:
                best, score = improver.best, improver.score
            status = cp_model.OPTIMAL if second_status == cp_model.OPTIMAL else cp_model.FEASIBLE
            # 2b. Large neighbourhoods: free a few groups, keep the rest, improve, repeat.
            if status != cp_model.OPTIMAL and score > bound:
                best, score, improved = _improve_by_neighbourhoods(
                    model, best, score, bound, began + seconds, workers, seed,
                    on_progress, began, stopped, current,
                )  # fmt: skip
                solutions += improved
                if score <= bound:
                    status = cp_model.OPTIMAL
        elif best is not None and not model.objective:
            status = cp_model.OPTIMAL
        elif best is not None:
            status = cp_model.FEASIBLE
    finally:
        done.set()
    elapsed = time.monotonic() - began
    if best is not None:
        return Plan(
            Status.OPTIMAL if status == cp_model.OPTIMAL else Status.FEASIBLE,
            best,
            score=score,
            bound=score if status == cp_model.OPTIMAL else bound,
            seconds=elapsed,
            solutions=solutions,
            costs=wish_costs(campaign, best),
            stopped=stopped.is_set(),
        )
    if status == cp_model.INFEASIBLE:
        found: list[Reason] = []
        if explain_failure:
            found = explain.core(_Model(campaign), seconds=min(20.0, max(2.0, seconds / 3)))
        return Plan(
            Status.INFEASIBLE,
            reasons=tuple(found) or (Reason("base"),),
            seconds=time.monotonic() - began,
        )
    return Plan(Status.UNKNOWN, seconds=elapsed, stopped=stopped.is_set())
