"""A CP-SAT model of ITC 2019 and the solve: times, rooms, then students.

The model (one decision per class: a time and, when it takes one, a room):

- ``x[c][k]``: class c at its k-th time; ``y[c][r]``: class c in its r-th room; exactly one of
  each. When a class has several times and several rooms, ``z[c][k,r]`` (the pair) with
  ``x = Σ_r z`` and ``y = Σ_k z``; pairs whose room is unavailable at that time do not exist.
- Room conflicts: for each room, day of each week and start of a placement, at most one of the
  placements that cover that instant (clique constraints, deduplicated).
- Pairwise distributions: a table of which pairs of times (or rooms) go together, computed with
  numpy from the same formulas as the rules, and one clause per option (``x[i][k] ⇒ one of the
  compatible x[j][l]``), relaxed by a violation literal when the constraint is soft.
  SameAttendees adds room-pair clauses where only the travel between rooms breaks it.
- MaxDays (day-use literals), MaxDayLoad (a linear load per day of each week) hard or soft.
  MaxBreaks and MaxBlock exactly (a literal per meeting that starts a block; for MaxBlock, the
  chain of "the block is still open" literals). A MaxBlock too large for the model
  (``MAX_BLOCK_TERMS``), when required, is cut off after the solve by a clause forbidding that
  combination of times, and the solve resumes (lazy cuts); when soft, only measured.
- Students: sectioned inside the model by tracks when it stays small enough (see
  ``_Model._tracks``); otherwise sectioned before timetabling (see ``sectioning``), each pair
  of classes that share n students then being a soft "same attendees" pair of weight n. After
  each solve the students are re-sectioned against the fixed times.

Solving: CP-SAT with the objective (2 workers; its feasibility-jump heuristic gives the first
timetable; a first run without objective would pay the long presolve twice), in rounds when
there are students (``RoundPlan``: after each, the students are re-sectioned exactly against
its timetable and the next round starts from the best plan); the best solution kept by a
callback, snapshots at checkpoints for the benchmark. Every plan is checked by the independent
checker, and the best checked one is the answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

from ..core.cpsat import Progress, Run, forbid_incompatible
from ..core.cpsat import solve as run_cpsat
from . import sectioning
from .checker import Report, check, student_conflict
from .model import Placement, Problem, Solution, Time, first_bit
from .rules import Slot

TIME_KINDS = {
    "SameStart",
    "SameTime",
    "DifferentTime",
    "SameDays",
    "DifferentDays",
    "SameWeeks",
    "DifferentWeeks",
    "Overlap",
    "NotOverlap",
    "Precedence",
    "WorkDay",
    "MinGap",
}
ROOM_KINDS = {"SameRoom", "DifferentRoom"}
WEEKLY_KINDS = {"MaxDayLoad", "MaxBreaks", "MaxBlock"}  # a soft cost divided by the weeks
# A MaxBreaks or MaxBlock over more meetings a day (Σ over its distinct days of their meetings
# squared) is not in the model: when required, a broken one is cut off after the solve; when
# soft, only measured.
MAX_BLOCK_TERMS = 200_000
# Above this many (class, time, room) placements, the first round leaves the students out.
LEAN_PLACEMENTS = 60_000
# Up to this many placements, the students are sectioned inside the model (tracks), unless
# that takes more than this many clash terms (then: pairs of fixed weights, re-sectioned
# between rounds).
TRACK_PLACEMENTS = LEAN_PLACEMENTS
TRACK_TERMS = 100_000


def _placements(problem: Problem) -> int:
    """How many (class, time, room) placements the model may have (an upper bound)."""
    return sum(
        len(k.times) * (len(k.rooms) if k.needs_room and k.rooms else 1)
        for k in problem.classes.values()
    )


# One presolve pass instead of three: on yach-fal17 (420,000 constraints) the presolve took
# 70 s of a loaded machine with three passes, 21 s with one; the later passes removed 1 % of
# the clauses. Every round pays it again.
PARAMETERS: dict[str, Any] = {"max_presolve_iterations": 1}


@dataclass(slots=True)
class _Times:
    """The time options of one class as numpy columns."""

    days: np.ndarray
    start: np.ndarray
    end: np.ndarray
    weeks: np.ndarray
    first_week: np.ndarray
    first_day: np.ndarray

    @classmethod
    def of(cls, times: list[Time]) -> _Times:
        return cls(
            days=np.array([t.days for t in times], dtype=np.int64),
            start=np.array([t.start for t in times], dtype=np.int64),
            end=np.array([t.end for t in times], dtype=np.int64),
            weeks=np.array([t.weeks for t in times], dtype=np.int64),
            first_week=np.array([first_bit(t.weeks) for t in times], dtype=np.int64),
            first_day=np.array([first_bit(t.days) for t in times], dtype=np.int64),
        )


def time_table(kind: str, params: tuple[int, ...], a: _Times, b: _Times) -> np.ndarray:
    """ok[k, l]: time k of the first class and time l of the second satisfy ``kind``."""
    sa, ea, sb, eb = a.start[:, None], a.end[:, None], b.start[None, :], b.end[None, :]
    da, db, wa, wb = a.days[:, None], b.days[None, :], a.weeks[:, None], b.weeks[None, :]
    share = ((da & db) != 0) & ((wa & wb) != 0)
    if kind == "SameStart":
        return np.asarray(sa == sb)
    if kind == "SameTime":
        return np.asarray(((sa <= sb) & (eb <= ea)) | ((sb <= sa) & (ea <= eb)))
    if kind == "DifferentTime":
        return np.asarray((ea <= sb) | (eb <= sa))
    if kind == "SameDays":
        union = da | db
        return np.asarray((union == da) | (union == db))
    if kind == "DifferentDays":
        return np.asarray((da & db) == 0)
    if kind == "SameWeeks":
        union = wa | wb
        return np.asarray((union == wa) | (union == wb))
    if kind == "DifferentWeeks":
        return np.asarray((wa & wb) == 0)
    if kind == "Overlap":
        return np.asarray((sb < ea) & (sa < eb) & share)
    if kind in ("NotOverlap", "SameAttendees"):
        gap = params[0] if params else 0
        return np.asarray((ea + gap <= sb) | (eb + gap <= sa) | ~share)
    if kind == "Precedence":
        fwa, fwb = a.first_week[:, None], b.first_week[None, :]
        fda, fdb = a.first_day[:, None], b.first_day[None, :]
        return np.asarray(
            (fwa < fwb) | ((fwa == fwb) & ((fda < fdb) | ((fda == fdb) & (ea <= sb))))
        )
    if kind == "WorkDay":
        return np.asarray(~share | (np.maximum(ea, eb) - np.minimum(sa, sb) <= params[0]))
    if kind == "MinGap":
        return np.asarray(~share | (ea + params[0] <= sb) | (eb + params[0] <= sa))
    raise ValueError(kind)


def _overlapping(a: _Times, b: _Times) -> np.ndarray:
    """over[k, l]: time k of ``a`` and time l of ``b`` overlap (Time.overlaps, as a table)."""
    return np.asarray(
        (a.start[:, None] < b.end[None, :])
        & (b.start[None, :] < a.end[:, None])
        & ((a.days[:, None] & b.days[None, :]) != 0)
        & ((a.weeks[:, None] & b.weeks[None, :]) != 0)
    )


def _gaps(a: _Times, b: _Times) -> np.ndarray:
    """Slots between two meetings that share a day and week (-1 when they overlap; big if not)."""
    share = ((a.days[:, None] & b.days[None, :]) != 0) & (
        (a.weeks[:, None] & b.weeks[None, :]) != 0
    )
    gap = np.maximum(b.start[None, :] - a.end[:, None], a.start[:, None] - b.end[None, :])
    return np.where(share, gap, 1 << 30)


@dataclass(slots=True)
class Result:
    solution: Solution | None
    report: Report | None
    progress: Progress
    build_seconds: float = 0.0
    first_feasible_seconds: float | None = None
    stats: dict[str, int] = field(default_factory=dict)
    # (seconds since start, total as the model counts it) for every improving solution
    history: list[tuple[float, float]] = field(default_factory=list)
    # the total as the model counts it (before re-sectioning the students)
    model_total: float | None = None
    # (seconds, checked total or None when infeasible) of the best plan at each checkpoint
    checkpoints: list[tuple[float, int | None]] = field(default_factory=list)
    # each round of timetabling then sectioning: (seconds at its end, its checked total)
    rounds: list[tuple[float, int | None]] = field(default_factory=list)


class _Model:
    def __init__(
        self,
        problem: Problem,
        enrolments: dict[int, list[int]],
        tracks: list[sectioning.Track] | None = None,
    ) -> None:
        self.problem = problem
        self.model = cp_model.CpModel()
        self.stats: dict[str, int] = {}
        # MaxDayLoad's soft cost is divided by the number of weeks: everything else is
        # multiplied by it instead (integer objective)
        self.scale = (
            problem.nr_weeks
            if any(not d.required and d.kind in WEEKLY_KINDS for d in problem.distributions)
            else 1
        )
        self.objective: list[tuple[Any, int]] = []
        self.times: dict[int, list[Time]] = {}
        self.rooms: dict[int, list[tuple[int, int]]] = {}
        self.x: dict[int, list[Any]] = {}
        self.y: dict[int, list[Any]] = {}
        self.nx: dict[int, list[Any]] = {}  # the negations, kept (negating is costly)
        self.ny: dict[int, list[Any]] = {}
        self.columns: dict[int, _Times] = {}
        self.unavailable = {
            room_id: _Times.of(room.unavailable)
            for room_id, room in problem.rooms.items()
            if room.unavailable
        }
        self._classes(problem)
        ids = sorted(problem.rooms)
        position = {room_id: index for index, room_id in enumerate(ids)}
        self.travel_matrix = np.zeros((len(ids), len(ids)), dtype=np.int64)
        for room_id in ids:
            for other, value in problem.rooms[room_id].travel.items():
                if other in position:
                    a, b = position[room_id], position[other]
                    longest = max(value, self.travel_matrix[a, b])
                    self.travel_matrix[a, b] = self.travel_matrix[b, a] = longest
        np.fill_diagonal(self.travel_matrix, 0)
        self.has_travel = bool(self.travel_matrix.any())
        self.room_index = {
            c: np.array([position[r] for r, _ in self.rooms[c]], dtype=np.int64) for c in self.rooms
        }
        # classes with a room from which some travel is needed
        self.far = {
            c: bool(len(rows)) and bool(self.travel_matrix[rows].any())
            for c, rows in self.room_index.items()
        }
        self._room_conflicts()
        self._distributions()
        self.pairs: dict[tuple[int, int], Any] = {}  # classes sharing students → violation
        self.shared: dict[tuple[int, int], int] = {}  # → how many students they share
        # With tracks: each track's choice per course with several enrolments (its literals,
        # the enrolments), and the hint of its current choice.
        self.tracks: list[tuple[sectioning.Track, dict[int, tuple[list[Any], list[Any]]]]] = []
        self.track_hint: list[int] = []
        weighted = bool(problem.weights.get("student"))
        if tracks is None or not weighted or not self._tracks(tracks):
            self._students(enrolments)
        self.stats["variables"] = len(self.model.proto.variables)
        self.stats["constraints"] = len(self.model.proto.constraints)

    # -- classes -----------------------------------------------------------------------------

    def _classes(self, problem: Problem) -> None:
        m = self.model
        self.items: dict[int, list[tuple[int, int, Any]]] = {}  # room → (class, time, literal)
        w = problem.weights
        for class_id, klass in problem.classes.items():
            rooms = klass.rooms if klass.needs_room else []
            times = klass.times
            valid: dict[int, list[int]] = {}
            free = np.ones((len(times), len(rooms)), dtype=bool)
            if rooms:
                columns = _Times.of(times)
                for r, (room_id, _) in enumerate(rooms):
                    blocked = self.unavailable.get(room_id)
                    if blocked is not None:
                        free[:, r] = ~_overlapping(columns, blocked).any(axis=1)
            for k in range(len(times)):
                valid[k] = np.flatnonzero(free[k]).tolist()
            if rooms:
                times = [option for k, option in enumerate(times) if valid[k]]
                valid = {new: valid[old] for new, old in enumerate(k for k in valid if valid[k])}
                # No time left in any available room: the exactly-one below is infeasible.
            self.times[class_id] = times
            self.rooms[class_id] = rooms
            self.columns[class_id] = _Times.of(times)
            x = [m.new_bool_var(f"x{class_id}_{k}") for k in range(len(times))]
            m.add_exactly_one(x)
            self.x[class_id] = x
            self.nx[class_id] = [literal.negated() for literal in x]
            for k, option in enumerate(times):
                if option.penalty and w["time"]:
                    self.objective.append((x[k], w["time"] * option.penalty * self.scale))
            if not rooms:
                self.y[class_id] = []
                self.ny[class_id] = []
                continue
            y = [m.new_bool_var(f"y{class_id}_{r}") for r in range(len(rooms))]
            m.add_exactly_one(y)
            self.y[class_id] = y
            self.ny[class_id] = [literal.negated() for literal in y]
            for r, (_, room_penalty) in enumerate(rooms):
                if room_penalty and w["room"]:
                    self.objective.append((y[r], w["room"] * room_penalty * self.scale))
            pairs: dict[tuple[int, int], Any] = {}
            if len(rooms) == 1:
                pairs = {(k, 0): x[k] for k in range(len(times))}
            elif len(times) == 1:
                pairs = {(0, r): y[r] for r in valid[0]}
                for r in range(len(rooms)):
                    if r not in valid[0]:
                        m.add(y[r] == 0)
            else:
                pairs = {
                    (k, r): m.new_bool_var(f"z{class_id}_{k}_{r}") for k in valid for r in valid[k]
                }
                by_time: dict[int, list[Any]] = {}
                by_room: dict[int, list[Any]] = {}
                for (k, r), literal in pairs.items():
                    by_time.setdefault(k, []).append(literal)
                    by_room.setdefault(r, []).append(literal)
                for k in range(len(times)):
                    m.add(sum(by_time.get(k, [])) == x[k])
                for r in range(len(rooms)):
                    m.add(sum(by_room.get(r, [])) == y[r])
            for (k, r), literal in pairs.items():
                self.items.setdefault(rooms[r][0], []).append((class_id, k, literal))
        self.stats["room_time_pairs"] = sum(len(v) for v in self.items.values())

    def _room_conflicts(self) -> None:
        count = 0
        for items in self.items.values():
            count += self._no_overlap([(c, self.times[c][k], literal) for c, k, literal in items])
        self.stats["room_cliques"] = count

    def _no_overlap(self, items: list[tuple[int, Time, Any]]) -> int:
        """At most one of ``items`` (class, time, literal) at any instant of any day and week.

        For each day of each week, the placements meeting then are swept by start; the ones
        running at each start form a clique (two meetings overlap exactly when one is running
        at the other's start). Cliques within one class only are skipped, duplicates too.
        """
        if len({c for c, _, _ in items}) < 2:
            return 0
        problem = self.problem
        owner = np.array([c for c, _, _ in items], dtype=np.int64)
        starts = np.array([t.start for _, t, _ in items], dtype=np.int64)
        ends = np.array([t.start + t.length for _, t, _ in items], dtype=np.int64)
        by_mask: dict[tuple[int, int], list[int]] = {}
        for index, (_, option, _) in enumerate(items):
            by_mask.setdefault((option.days, option.weeks), []).append(index)
        masks = list(by_mask)
        mask_days = np.array([d for d, _ in masks], dtype=np.int64)
        mask_weeks = np.array([w for _, w in masks], dtype=np.int64)
        groups = [np.array(by_mask[mask], dtype=np.int64) for mask in masks]
        seen_keys: set[bytes] = set()
        cliques: set[frozenset[int]] = set()
        for week in range(problem.nr_weeks):
            in_week = (mask_weeks >> week & 1).astype(bool)
            if not in_week.any():
                continue
            for day in range(problem.nr_days):
                present = in_week & (mask_days >> day & 1).astype(bool)
                key = present.tobytes()
                if not present.any() or key in seen_keys:
                    continue
                seen_keys.add(key)
                members = np.concatenate([groups[g] for g in np.flatnonzero(present).tolist()])
                if len(members) < 2:
                    continue
                members = members[np.argsort(starts[members], kind="stable")]
                s, e = starts[members], ends[members]
                # Running at the i-th start: the earlier ones not yet ended. That set is a
                # maximal clique when one of them ends before the next start (or i is last).
                ended = np.sort(e)
                before = np.searchsorted(ended, s, side="right")
                maximal = np.ones(len(members), dtype=bool)
                maximal[:-1] = np.searchsorted(ended, s[1:], side="right") > before[:-1]
                for i in np.flatnonzero(maximal).tolist():
                    running = members[: i + 1][e[: i + 1] > s[i]]
                    if len(running) < 2:
                        continue
                    who = owner[running]
                    if (who == who[0]).all():
                        continue
                    clique = frozenset(running.tolist())
                    if clique not in cliques:
                        cliques.add(clique)
                        self.model.add_at_most_one([items[j][2] for j in running.tolist()])
        return len(cliques)

    # -- distributions -----------------------------------------------------------------------

    def _violation(self, weight: int) -> Any:
        literal = self.model.new_bool_var("v")
        self.objective.append((literal, weight * self.scale_factor))
        return literal

    @property
    def scale_factor(self) -> int:
        return self.scale

    def _table(
        self, i: int, j: int, ok: np.ndarray, weight: int | None, both: bool, given: Any = None
    ) -> None:
        if ok.all():
            return
        violation = (
            given if given is not None else None if weight is None else self._violation(weight)
        )
        if ok.shape[0] <= ok.shape[1] or not both:
            self._forbid(i, j, ok, violation)
        else:
            self._forbid(j, i, ok.T, violation)

    def _forbid(self, i: int, j: int, ok: np.ndarray, violation: Any, rooms: bool = False) -> None:
        first, second = (self.y, self.ny) if rooms else (self.x, self.nx)
        forbid_incompatible(
            self.model,
            first[i],
            first[j],
            ok,
            violation,
            first_negated=second[i],
            second_negated=second[j],
        )

    def _room_table(self, kind: str, i: int, j: int, weight: int | None) -> None:
        if not self.y[i] or not self.y[j]:
            return
        ri = np.array([room for room, _ in self.rooms[i]], dtype=np.int64)
        rj = np.array([room for room, _ in self.rooms[j]], dtype=np.int64)
        same = ri[:, None] == rj[None, :]
        ok = same if kind == "SameRoom" else ~same
        if ok.all():
            return
        violation = None if weight is None else self._violation(weight)
        self._forbid(i, j, ok, violation, rooms=True)

    def attendees(
        self, i: int, j: int, weight: int | None, times: bool = True, given: Any = None
    ) -> None:
        """i and j can be attended by the same people: apart by at least the travel.

        ``times=False``: the overlap part is posted elsewhere (cliques); only the travel part.
        """
        a, b = self.columns[i], self.columns[j]
        travel = self._travel(i, j)
        longest = int(travel.max()) if travel.size else 0
        if longest == 0:
            if times:
                self._table(
                    i, j, time_table("NotOverlap", (), a, b), weight, both=True, given=given
                )
            return
        gaps = _gaps(a, b)
        ok = gaps >= 0
        middle = ok & (gaps < longest)
        if (ok.all() or not times) and not middle.any():
            return
        violation = (
            given if given is not None else None if weight is None else self._violation(weight)
        )
        if times and not ok.all():
            self._forbid(i, j, ok, violation)
        # For each gap shorter than some travel: "i and j are g slots apart" (implied by each
        # time of i with the times of j that far apart), then the room pairs too far for g are
        # excluded.
        apart: dict[int, Any] = {}
        relax = None if violation is None else violation.negated()
        rows, cols = np.nonzero(middle)
        for gap in np.unique(gaps[rows, cols]).tolist():
            literal = self.model.new_bool_var(f"apart{i}_{j}_{gap}")
            apart[gap] = literal
            far_i, far_j = np.nonzero(travel > gap)
            for r in np.unique(far_i).tolist():
                banned = [self.ny[j][q] for q in far_j[far_i == r].tolist()]
                enforcement = [literal, self.y[i][r]]
                if relax is not None:
                    enforcement.append(relax)
                self.model.add_bool_and(banned).only_enforce_if(enforcement)
            ks, ms = np.nonzero(middle & (gaps == gap))
            cut = np.flatnonzero(np.diff(ks)) + 1
            not_apart = literal.negated()
            for k, times_j in zip(ks[np.r_[0, cut]].tolist(), np.split(ms, cut), strict=True):
                # x_i_k and not apart_g: none of the times of j at that gap
                banned = [self.nx[j][m] for m in times_j.tolist()]
                self.model.add_bool_and(banned).only_enforce_if([self.x[i][k], not_apart])
            self.stats["travel_clauses"] = self.stats.get("travel_clauses", 0) + len(cut) + 1

    def _travel(self, i: int, j: int) -> np.ndarray:
        if not self.far[i] or not self.far[j]:
            return np.zeros((0, 0), dtype=np.int64)
        return self.travel_matrix[self.room_index[i]][:, self.room_index[j]]

    def _distributions(self) -> None:
        problem = self.problem
        weight = problem.weights["distribution"]
        self.lazy: list[int] = []
        for index, distribution in enumerate(problem.distributions):
            kind, members = distribution.kind, distribution.classes
            cost = None if distribution.required else distribution.penalty * weight
            if cost == 0:
                continue
            if kind in ("NotOverlap", "SameAttendees") and cost is None:
                items = [
                    (c, t, x)
                    for c in members
                    for t, x in zip(self.times[c], self.x[c], strict=True)
                ]
                self.stats["distribution_cliques"] = self.stats.get(
                    "distribution_cliques", 0
                ) + self._no_overlap(items)
                if kind == "SameAttendees" and self.has_travel:
                    for i, j in combinations(members, 2):
                        self.attendees(i, j, None, times=False)
            elif kind in TIME_KINDS:
                for i, j in combinations(members, 2):
                    ok = time_table(kind, distribution.params, self.columns[i], self.columns[j])
                    self._table(i, j, ok, cost, both=True)
            elif kind in ROOM_KINDS:
                for i, j in combinations(members, 2):
                    self._room_table(kind, i, j, cost)
            elif kind == "SameAttendees":
                for i, j in combinations(members, 2):
                    self.attendees(i, j, cost)
            elif kind == "MaxDays":
                self._max_days(members, distribution.params[0], cost)
            elif kind == "MaxDayLoad":
                self._max_day_load(members, distribution.params[0], cost)
            elif kind == "MaxBreaks":
                breaks, gap = distribution.params[:2]
                if not self._max_breaks(members, breaks, gap, cost) and distribution.required:
                    self.lazy.append(index)  # too large: cut off when broken
            elif kind == "MaxBlock":
                longest, gap = distribution.params[:2]
                if not self._max_block(members, longest, gap, cost) and distribution.required:
                    self.lazy.append(index)  # too large: cut off when broken

    def _max_days(self, members: list[int], limit: int, cost: int | None) -> None:
        m, used = self.model, []
        for day in range(self.problem.nr_days):
            literal = m.new_bool_var("day")
            for c in members:
                on_day = [
                    x for x, t in zip(self.x[c], self.times[c], strict=True) if t.days >> day & 1
                ]
                if on_day:
                    m.add(literal >= sum(on_day))
            used.append(literal)
        if cost is None:
            m.add(sum(used) <= limit)
        else:
            excess = m.new_int_var(0, self.problem.nr_days, "days_over")
            m.add(excess >= sum(used) - limit)
            self.objective.append((excess, cost * self.scale))

    def _day_patterns(
        self, members: list[int], least: int = 2
    ) -> dict[tuple[tuple[int, int], ...], int]:
        """The meetings (class, time) of each day of each week, in order (start, end, class),
        as distinct patterns → how many days have that pattern (only the days where at least
        ``least`` classes may meet)."""
        days: dict[tuple[tuple[int, int], ...], int] = {}
        for week in range(self.problem.nr_weeks):
            for day in range(self.problem.nr_days):
                terms = sorted(
                    (
                        (c, k)
                        for c in members
                        for k, t in enumerate(self.times[c])
                        if t.days >> day & 1 and t.weeks >> week & 1
                    ),
                    key=lambda ck: (
                        self.times[ck[0]][ck[1]].start,
                        self.times[ck[0]][ck[1]].end,
                        ck[0],
                    ),
                )
                if len({c for c, _ in terms}) >= least:
                    days[tuple(terms)] = days.get(tuple(terms), 0) + 1
        return days

    def _block_starts(self, order: tuple[tuple[int, int], ...], gap: int, exact: bool) -> list[Any]:
        """For each meeting of a day: "it starts a block" (held, and none of the meetings
        before it ends within ``gap`` of its start). At least that when not ``exact`` (a cost
        on the blocks keeps it from being more); exactly that when ``exact``."""
        m = self.model
        starters = []
        for i, (c, k) in enumerate(order):
            start = self.times[c][k].start
            before = [
                self.x[c2][k2]
                for c2, k2 in order[:i]
                if c2 != c and self.times[c2][k2].end + gap >= start
            ]
            if not before:
                starters.append(self.x[c][k])
                continue
            starter = m.new_bool_var("block")
            m.add(starter + sum(before) >= self.x[c][k])
            if exact:
                m.add_implication(starter, self.x[c][k])
                for literal in before:
                    m.add_implication(starter, literal.negated())
            starters.append(starter)
        return starters

    def _max_breaks(self, members: list[int], breaks: int, gap: int, cost: int | None) -> bool:
        """At most ``breaks`` breaks (``breaks + 1`` blocks) a day, exactly: the blocks are
        the meetings that start one (``_block_starts``). Days with the same meetings share
        their literals (and, when soft, count as many times as they occur). False (nothing
        built) when that takes more than ``MAX_BLOCK_TERMS`` terms."""
        m = self.model
        days = self._day_patterns(members)
        if sum(len(order) ** 2 for order in days) > MAX_BLOCK_TERMS:
            return False
        for order, repeats in days.items():
            if len({c for c, _ in order}) <= breaks + 1:
                continue  # never too many blocks
            starters = self._block_starts(order, gap, exact=False)
            if cost is None:
                m.add(sum(starters) <= breaks + 1)
            else:
                excess = m.new_int_var(0, len(starters), "breaks_over")
                m.add(excess >= sum(starters) - breaks - 1)
                self.objective.append((excess, cost * repeats))
        return True

    def _max_block(self, members: list[int], length: int, gap: int, cost: int | None) -> bool:
        """No block of two or more classes longer than ``length`` slots, exactly; False (nothing
        built) when that takes more than ``MAX_BLOCK_TERMS`` literals.

        With exact block starts, the block that meeting a starts is still open at the j-th
        meeting after it when no meeting between them starts another; it is too long when it
        is open at a held meeting of another class, and a or that meeting ends more than
        ``length`` after a starts.
        """
        m = self.model
        days = self._day_patterns(members)
        size = sum(len(order) ** 2 for order in days)
        if size > MAX_BLOCK_TERMS:
            return False
        for order, repeats in days.items():
            times = [self.times[c][k] for c, k in order]
            if all(t.end - times[0].start <= length for t in times):
                continue  # no block of this day can be too long
            starters = self._block_starts(order, gap, exact=True)
            longs = []
            for i, (c, _) in enumerate(order):
                late = [
                    j
                    for j in range(i + 1, len(order))
                    if order[j][0] != c
                    and max(times[i].end, times[j].end) - times[i].start > length
                ]
                if not late:
                    continue
                too_long = m.new_bool_var("long")
                is_open = starters[i]
                for j in range(i + 1, late[-1] + 1):
                    still = m.new_bool_var("open")
                    # open at j: open before it and j starts no other block
                    m.add_bool_or([is_open.negated(), starters[j], still])
                    is_open = still
                    if j in late:
                        c2, k2 = order[j]
                        m.add_bool_or([is_open.negated(), self.x[c2][k2].negated(), too_long])
                longs.append(too_long)
            if not longs:
                continue
            if cost is None:
                for literal in longs:
                    m.add(literal == 0)
            else:
                for literal in longs:
                    self.objective.append((literal, cost * repeats))
        return True

    def _max_day_load(self, members: list[int], limit: int, cost: int | None) -> None:
        """At most ``limit`` slots of classes a day: a linear load per distinct day pattern
        (soft: its excess counts as many times as the pattern occurs)."""
        m = self.model
        for terms, repeats in self._day_patterns(members, least=1).items():
            most = sum(
                max((self.times[c][k].length for cc, k in terms if cc == c), default=0)
                for c in members
            )
            if most <= limit:
                continue
            load = sum(self.times[c][k].length * self.x[c][k] for c, k in terms)
            if cost is None:
                m.add(load <= limit)
            else:
                excess = m.new_int_var(0, most, "load_over")
                m.add(excess >= load - limit)
                self.objective.append((excess, cost * repeats))

    # -- students ----------------------------------------------------------------------------

    def _students(self, enrolments: dict[int, list[int]]) -> None:
        """Each pair of classes that share students: a violation literal, its weight the
        number of students they share. A later round calls this again with the new sectioning:
        only the new pairs are built (the model is kept), the weights are replaced."""
        weight = self.problem.weights["student"]
        if not weight:
            return
        shared: dict[tuple[int, int], int] = {}
        for classes in enrolments.values():
            for a, b in combinations(sorted(classes), 2):
                shared[a, b] = shared.get((a, b), 0) + 1
        self.stats["student_pairs"] = len(shared)
        for pair in shared:
            if pair not in self.pairs:
                literal = self.model.new_bool_var("shared")
                self.pairs[pair] = literal
                self.attendees(pair[0], pair[1], None, given=literal)
        self.shared = shared
        self.stats["student_pairs_built"] = len(self.pairs)

    def _pair(self, a: int, b: int) -> Any:
        """The literal "a and b are too close for someone attending both" (built once)."""
        pair = (a, b) if a < b else (b, a)
        literal = self.pairs.get(pair)
        if literal is None:
            literal = self.model.new_bool_var("shared")
            self.pairs[pair] = literal
            self.attendees(pair[0], pair[1], None, given=literal)
        return literal

    def can_clash(self, a: int, b: int) -> bool:
        """Some times and rooms of a and b put them too close for one person to attend both."""
        travel = self._travel(a, b)
        longest = int(travel.max()) if travel.size else 0
        return bool((_gaps(self.columns[a], self.columns[b]) < longest).any())

    def _tracks(self, tracks: list[sectioning.Track]) -> bool:
        """The students sectioned inside the model, a track at a time.

        Each track (students with the same courses and classes) chooses one enrolment per
        course; its classes' seats are counted; each pair of classes it may attend together
        and that may clash costs the track's size when it attends both and they clash. The
        timetable and the sectioning are then optimised together (the track sizes are fixed:
        a later round splits the tracks again from the best sectioning). False, and nothing
        built, when that would take more than ``TRACK_TERMS`` clash terms.
        """
        options = sectioning.all_options(self.problem)
        clash: dict[tuple[int, int], bool] = {}
        planned: list[tuple[sectioning.Track, dict[int, list[Any]], list[tuple[int, int]]]] = []
        terms = examined = 0
        for track in tracks:
            varying: dict[int, list[Any]] = {}  # course → its enrolments (several)
            classes: list[tuple[int, int]] = []  # (class, course), each once
            for course_id, current in track.chosen:
                if not current:
                    continue  # nothing fitted: left out, as the sectioning does
                known = options.get(course_id, [])
                if current not in known:
                    known = [*known, current]
                if len(known) > 1:
                    varying[course_id] = known
                held = sorted({c for option in known for c in option})
                classes.extend((c, course_id) for c in held)
            examined += len(classes) * (len(classes) - 1) // 2
            if examined > 20 * TRACK_TERMS:
                return False  # a big instance: even counting them would take long
            pairs = []
            for (a, course_a), (b, course_b) in combinations(classes, 2):
                if course_a == course_b and not self._together(varying, course_a, a, b):
                    continue
                key = (a, b) if a < b else (b, a)
                if key not in clash:
                    clash[key] = self.can_clash(*key)
                if clash[key]:
                    pairs.append(key)
                    terms += course_a in varying or course_b in varying
            planned.append((track, varying, pairs))
            if terms > TRACK_TERMS:
                return False
        self._build_tracks(planned)
        self.stats["tracks"] = len(tracks)
        self.stats["track_terms"] = terms
        return True

    def _build_tracks(
        self, planned: list[tuple[sectioning.Track, dict[int, list[Any]], list[tuple[int, int]]]]
    ) -> None:
        weight = self.problem.weights["student"] * self.scale
        takers: dict[int, list[tuple[int, Any]]] = {}
        shared: dict[tuple[int, int], int] = {}
        for track, varying, pairs in planned:
            choices: dict[int, tuple[list[Any], list[Any]]] = {}
            attend: dict[int, Any] = {}  # class → its literal (absent: always attended)
            for course_id, current in track.chosen:
                if course_id not in varying:
                    continue
                known = varying[course_id]
                literals = [self.model.new_bool_var("track") for _ in known]
                self.model.add_exactly_one(literals)
                choices[course_id] = (literals, known)
                self.track_hint.extend(int(option == current) for option in known)
                holders: dict[int, list[Any]] = {}
                for literal, option in zip(literals, known, strict=True):
                    for c in option:
                        holders.setdefault(c, []).append(literal)
                for c, held in holders.items():
                    if len(held) == 1:
                        attend[c] = held[0]
                    else:
                        literal = self.model.new_bool_var("attends")
                        self.model.add(sum(held) == literal)
                        attend[c] = literal
                    takers.setdefault(c, []).append((track.size, attend[c]))
            self.tracks.append((track, choices))
            for key in pairs:
                pair = self._pair(*key)
                present = [attend[c] for c in key if c in attend]
                if not present:
                    shared[key] = shared.get(key, 0) + track.size
                    continue
                both = self.model.new_bool_var("clash")
                self.model.add_bool_or([pair.negated(), *(x.negated() for x in present), both])
                self.objective.append((both, weight * track.size))
        for c, held in takers.items():
            self.model.add(
                sum(size * literal for size, literal in held) <= self.problem.classes[c].limit
            )
        self.shared = shared
        self.stats["student_pairs"] = len(self.pairs)

    @staticmethod
    def _together(varying: dict[int, list[Any]], course_id: int, a: int, b: int) -> bool:
        """Some enrolment of the course holds both classes (else never attended together)."""
        if course_id not in varying:
            return True
        return any(a in option and b in option for option in varying[course_id])

    def sections(self, values: list[int]) -> dict[int, list[int]]:
        """Student id → classes, as the tracks of ``values`` chose them."""
        result: dict[int, list[int]] = {s: [] for s in self.problem.students}
        position = self.xy_count
        for track, choices in self.tracks:
            classes: list[int] = []
            for course_id, current in track.chosen:
                if course_id in choices:
                    literals, known = choices[course_id]
                    picked = values[position : position + len(literals)]
                    position += len(literals)
                    classes.extend(known[picked.index(1)])
                else:
                    classes.extend(current)
            for student_id in track.students:
                result[student_id] = list(classes)
        return result

    def students(self, enrolments: dict[int, list[int]]) -> None:
        """A new sectioning: the new pairs' constraints, then the objective's new weights."""
        self._students(enrolments)
        self.stats["variables"] = len(self.model.proto.variables)
        self.stats["constraints"] = len(self.model.proto.constraints)

    # -- reading a solution ------------------------------------------------------------------

    def variables(self) -> list[Any]:
        """The times and rooms of every class, then the tracks' choices (if any)."""
        return [
            *(v for c in self.problem.classes for v in (*self.x[c], *self.y[c])),
            *(
                literal
                for _, choices in self.tracks
                for literals, _ in choices.values()
                for literal in literals
            ),
        ]

    def placements(self, values: list[int]) -> dict[int, Placement]:
        placements, position = {}, 0
        for c in self.problem.classes:
            xs = values[position : position + len(self.x[c])]
            position += len(self.x[c])
            ys = values[position : position + len(self.y[c])]
            position += len(self.y[c])
            option = self.times[c][xs.index(1)]
            room = self.rooms[c][ys.index(1)][0] if ys else None
            placements[c] = Placement(option.days, option.start, option.weeks, room)
        return placements

    def set_objective(self) -> None:
        weight = self.problem.weights["student"] * self.scale
        terms = [
            *self.objective,
            *((self.pairs[pair], weight * count) for pair, count in self.shared.items()),
        ]
        self.model.minimize(sum(coefficient * literal for literal, coefficient in terms))

    @property
    def has_objective(self) -> bool:
        return bool(self.objective or self.shared)

    @property
    def xy_count(self) -> int:
        """How many of ``variables()`` are times and rooms (the tracks' choices follow)."""
        return sum(len(self.x[c]) + len(self.y[c]) for c in self.problem.classes)

    def hint_tracks(self) -> None:
        """Hint the tracks' current choices only (a partial hint)."""
        literals = self.variables()[self.xy_count :]
        for literal, value in zip(literals, self.track_hint, strict=True):
            self.model.add_hint(literal, value)

    def hint(self, values: list[int]) -> None:
        self.model.clear_hints()
        for variable, value in zip(self.variables(), values, strict=True):
            self.model.add_hint(variable, value)

    def complete_hint(self, values: list[int], seconds: float, workers: int) -> bool:
        """Hint every variable, not only the times and rooms: a short solve with the times and
        rooms fixed to ``values`` fills in the rest (violations, days used, pairs), so that the
        next solve starts from a complete, feasible assignment. False when that failed (the
        partial hint stays)."""
        self.hint(values)
        solver = cp_model.CpSolver()
        solver.parameters.fix_variables_to_their_hinted_value = True
        solver.parameters.max_time_in_seconds = max(1.0, seconds)
        solver.parameters.num_workers = workers
        for name, value in PARAMETERS.items():
            setattr(solver.parameters, name, value)
        status = solver.solve(self.model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return False
        solution = list(solver.response_proto.solution)
        self.model.clear_hints()
        hint = self.model.proto.solution_hint
        hint.vars.extend(range(len(solution)))
        hint.values.extend(solution)
        return True

    def cut(self, placements: dict[int, Placement], members: list[int]) -> None:
        """Forbid this combination of times for these classes (a broken lazy constraint)."""
        literals = []
        for c in members:
            placement = placements[c]
            for k, option in enumerate(self.times[c]):
                if (option.days, option.start, option.weeks) == (
                    placement.days,
                    placement.start,
                    placement.weeks,
                ):
                    literals.append(self.x[c][k].negated())
        self.model.add_bool_or(literals)


def solve(
    problem: Problem,
    seconds: float = 600.0,
    *,
    workers: int = 2,
    seed: int = 0,
    log: bool = False,
    run: Run | None = None,
    on_progress: Callable[[float, float], None] | None = None,
    checkpoint_seconds: tuple[float, ...] = (),
    rounds: int | None = None,
    tracks: bool | None = None,
) -> Result:
    """Timetable ``problem`` within ``seconds`` (wall clock, building included)."""
    started = time.monotonic()
    columns = {c: _Times.of(k.times) for c, k in problem.classes.items()}
    forced: dict[tuple[int, int], bool] = {}

    def always_overlap(a: int, b: int) -> bool:
        """Whatever their times and rooms, a and b are too close: students of both clash.

        (Overlapping, or apart by less than the shortest travel between their rooms.)
        """
        key = (a, b) if a < b else (b, a)
        if key not in forced:
            rooms_a: list[int | None] = [r for r, _ in problem.classes[a].rooms] or [None]
            rooms_b: list[int | None] = [r for r, _ in problem.classes[b].rooms] or [None]
            shortest = min(problem.travel(x, y) for x in rooms_a for y in rooms_b)
            table = time_table("NotOverlap", (shortest,), columns[a], columns[b])
            forced[key] = not table.any()
        return forced[key]

    enrolments = sectioning.initial(problem, always_overlap)
    plan = RoundPlan.of(problem, seconds, rounds)
    # A large model with students: the first round without the students' pairs (about half
    # the constraints of yach-fal17: half the building and presolve before a first timetable),
    # stopped soon after its first timetable; the next round adds the pairs to the same model.
    plan.lean = plan.rounds and rounds is None and _placements(problem) > LEAN_PLACEMENTS
    # Sectioning inside the model (tracks) when the model stays small enough; else the
    # students' pairs with fixed weights, re-sectioned between rounds.
    with_tracks = (
        tracks
        if tracks is not None
        else bool(problem.students) and _placements(problem) <= TRACK_PLACEMENTS
    )
    with_tracks = with_tracks and bool(problem.weights.get("student"))
    model = (
        _Model(problem, enrolments, tracks=sectioning.tracks(problem, enrolments))
        if with_tracks and not plan.lean
        else _Model(problem, {} if plan.lean else enrolments)
    )
    with_tracks = with_tracks and (plan.lean or bool(model.tracks))
    model.hint_tracks()  # the first sectioning (the times are left to CP-SAT)
    build = time.monotonic() - started
    history: list[tuple[float, float]] = []

    def remaining() -> float:
        return seconds - (time.monotonic() - started)

    # CP-SAT with the objective (its presolve is the long part on big instances: a run without
    # objective first would pay it twice). Snapshots of the best plan at each checkpoint. With
    # students and enough time, several rounds: after each, the students are re-sectioned
    # against its timetable (local search, then every student at once with CP-SAT) and the
    # model rebuilt with the new "these two classes share n students" pairs, hinted with the
    # timetable: the timetable and the sectioning improve in turn.
    # The last sectioning's time is kept aside, and a margin for re-sectioning and checking
    # the plan (measured: up to 16 s for yach-fal17 on a loaded machine).
    final = seconds - plan.polish - min(10.0, 0.05 * seconds)
    checkpoints: list[tuple[float, int | None]] = []
    pending = sorted(c for c in checkpoint_seconds if c < seconds)
    trace: list[tuple[float, int | None]] = []
    first: float | None = None
    values: list[int] | None = None
    total = Progress()
    solution: Solution | None = None
    report: Report | None = None
    round_index = 0
    while True:
        if round_index:
            left = final - (time.monotonic() - started)
            if values is None or solution is None or left < plan.least_left():
                break
            if run is not None and run.stopped:
                break
            # The students of the best plan so far (sectioned against its timetable).
            enrolments = {s: [] for s in problem.students}
            for class_id, placement in solution.placements.items():
                for student_id in placement.students:
                    enrolments[student_id].append(class_id)
            if with_tracks:  # a new model: the tracks split again from this sectioning
                times = values[: model.xy_count]
                model = _Model(problem, enrolments, tracks=sectioning.tracks(problem, enrolments))
                values = [*times, *model.track_hint]
                with_tracks = bool(model.tracks)  # else too large: pairs from now on
            else:  # the same model: new pairs built, weights replaced
                model.students(enrolments)
        if model.has_objective:
            model.set_objective()
        if round_index and values is not None:
            # the objective first: the hint's other variables (violations, clashes) are then
            # set to their cheapest values, not to any feasible ones
            model.complete_hint(values, min(20.0, remaining() / 4), workers)
        offset = time.monotonic() - started
        scale = model.scale

        def report_progress(p: Progress, offset: float = offset, scale: int = scale) -> None:
            elapsed = offset + (p.history[-1][0] if p.history else 0.0)
            value = round(p.objective or 0.0) / scale
            history.append((elapsed, value))
            if on_progress is not None:
                on_progress(elapsed, value)

        here = [c for c in pending if c > offset]
        # Probes: the best timetable every few seconds of the round, re-sectioned and checked
        # after it (a timetable better for the model's pairs can be worse once the students
        # are sectioned again: the best checked one is kept, not only the round's last).
        probes: list[float] = []
        if plan.rounds:
            every = max(20.0, 0.05 * seconds)
            while offset + every * (len(probes) + 1) < final:
                probes.append(every * (len(probes) + 1))
        outcome, found = run_cpsat(
            model.model,
            model.variables(),
            seconds=final - (time.monotonic() - started),
            workers=workers,
            seed=seed,
            log=log,
            run=run,
            on_solution=report_progress,
            checkpoints=sorted({c - offset for c in here} | set(probes)),
            stop_when=plan.stop_when(round_index, offset, final),
            parameters=PARAMETERS,
        )
        if first is None and outcome.first_solution_seconds is not None:
            first = offset + outcome.first_solution_seconds
            plan.overhead = first  # building and presolving again costs about as much
        now = time.monotonic() - started
        for at in [c for c in pending if c <= now]:
            # before this run started (building took long): the best plan then
            snapshot = outcome.snapshots.get(at - offset, values) if at > offset else values
            _, checked = _finish(problem, model, snapshot, enrolments, started, workers)
            checkpoints.append(
                (at, checked.total if checked is not None and checked.feasible else None)
            )
            pending.remove(at)
        if found is None:
            if values is None:
                total = outcome
            else:
                trace.append((round(now, 1), None))
            break
        candidate, candidate_report = _finish(
            problem,
            model,
            found,
            enrolments,
            started,
            workers,
            polish=plan.polish,
            deadline=started + seconds - 1.0,
        )
        seen = {tuple(found)}
        for probe in sorted(probes, reverse=True):  # the latest first
            if remaining() < 1.0:
                break  # out of time (a loaded machine): the probes left are not checked
            snapshot = outcome.snapshots.get(probe)
            if snapshot is None or probe > outcome.seconds or tuple(snapshot) in seen:
                continue
            seen.add(tuple(snapshot))
            earlier, earlier_report = _finish(
                problem, model, snapshot, enrolments, started, workers
            )
            if (
                earlier_report is not None
                and earlier_report.feasible
                and (candidate_report is None or earlier_report.total < candidate_report.total)
            ):
                found, candidate, candidate_report = snapshot, earlier, earlier_report
        trace.append(
            (
                round(time.monotonic() - started, 1),
                candidate_report.total
                if candidate_report is not None and candidate_report.feasible
                else None,
            )
        )
        better = report is None or (
            candidate_report is not None
            and (candidate_report.feasible, -candidate_report.total)
            > (report.feasible, -report.total)
        )
        if better:
            values, total, solution, report = found, outcome, candidate, candidate_report
        if run is not None and run.stopped:
            break
        if not plan.rounds or (plan.count is not None and round_index + 1 >= plan.count):
            break
        if not better and outcome.status == "OPTIMAL":
            break  # the same pairs again: nothing left to gain
        round_index += 1
        if not better:
            seed += 1  # the next round starts from the same plan: search elsewhere
    # Checkpoints after the solve ended early (optimal): the best plan then is the final one.
    for at in pending:
        checkpoints.append((at, report.total if report is not None and report.feasible else None))
    # Lazy cuts for the constraints the model leaves out (a required MaxBreaks or MaxBlock too
    # large for it).
    while (
        report is not None
        and solution is not None
        and model.lazy
        and remaining() > 2
        and not (run is not None and run.stopped)
    ):
        broken = [
            index for index in model.lazy if _broken(problem, report, problem.distributions[index])
        ]
        if not broken:
            break
        for index in broken:
            model.cut(solution.placements, problem.distributions[index].classes)
        model.hint(values or [])
        again, retry = run_cpsat(
            model.model,
            model.variables(),
            seconds=remaining(),
            workers=workers,
            seed=seed,
            run=run,
            parameters=PARAMETERS,
        )
        if retry is None:
            if again.status == "INFEASIBLE":  # no timetable keeps every lazy constraint
                solution, report, total = None, None, again
            break
        values, total = retry, again
        solution, report = _finish(problem, model, values, enrolments, started, workers)
    return Result(
        solution=solution,
        report=report,
        progress=total,
        build_seconds=build,
        first_feasible_seconds=first,
        stats=model.stats,
        history=history,
        model_total=None if total.objective is None else round(total.objective) / model.scale,
        checkpoints=checkpoints,
        rounds=trace,
    )


def _broken(problem: Problem, report: Report, distribution: Any) -> bool:
    label = f"required {distribution.label} on classes {distribution.classes}"
    return any(message.startswith(label) for message in report.hard)


def _finish(
    problem: Problem,
    model: _Model,
    values: list[int] | None,
    enrolments: dict[int, list[int]],
    started: float,
    workers: int,
    polish: float = 0.0,
    deadline: float | None = None,
) -> tuple[Solution | None, Report | None]:
    """The solution of ``values`` with its students re-sectioned, and its checked report.

    The students are re-sectioned against the fixed timetable: course by course (greedy), then
    the local search (exact moves per student, swaps); with ``polish`` seconds, also sectioned
    afresh (greedy with the actual conflicts) and then every student at once with CP-SAT,
    hinted with the best so far. The sectioning with the fewest conflicts that gives every
    student a class in each subpart of their courses is kept. The polishing steps are skipped
    or shortened past ``deadline`` (a ``time.monotonic()`` instant).
    """

    def left() -> float:
        return float("inf") if deadline is None else deadline - time.monotonic()

    if values is None:
        return None, None
    if model.tracks:
        enrolments = model.sections(values)
    placements = model.placements(values)
    slots: dict[int, Slot] = {}
    for c, placement in placements.items():
        option = next(
            t
            for t in model.times[c]
            if (t.days, t.start, t.weeks) == (placement.days, placement.start, placement.weeks)
        )
        slots[c] = Slot(option.days, option.start, option.length, option.weeks, placement.room)
    cache: dict[tuple[int, int], bool] = {}

    def conflict(a: int, b: int) -> bool:
        key = (a, b) if a < b else (b, a)
        if key not in cache:
            cache[key] = student_conflict(problem, slots[a], slots[b])
        return cache[key]

    sections = sectioning.improve(problem, {s: list(c) for s, c in enrolments.items()}, conflict)
    budget = max(1.0, min(5.0, polish / 4)) if polish else 1.0
    sections = sectioning.local_search(problem, sections, conflict, seconds=budget)
    best = sectioning.conflicts(sections, conflict)

    def complete(candidate: dict[int, list[int]]) -> bool:
        return all(len(candidate.get(s, ())) >= len(sections[s]) for s in sections)

    if polish and best and left() > 2 * budget:
        again = sectioning.improve(problem, sectioning.initial(problem, conflict), conflict)
        again = sectioning.local_search(problem, again, conflict, seconds=budget)
        if sectioning.conflicts(again, conflict) < best and complete(again):
            sections, best = again, sectioning.conflicts(again, conflict)
        if best and left() > 1.0:
            exact = sectioning.optimal(
                problem,
                conflict,
                sections,
                seconds=max(1.0, min(polish - 2 * budget, left())),
                workers=workers,
            )
            if exact is not None and complete(exact):
                count = sectioning.conflicts(exact, conflict)
                if count < best:
                    sections, best = exact, count
    for student_id, classes in sections.items():
        for class_id in classes:
            placements[class_id].students.append(student_id)
    solution = Solution(
        name=problem.name,
        placements=placements,
        runtime=time.monotonic() - started,
        cores=workers,
    )
    return solution, check(problem, solution)


@dataclass(slots=True)
class RoundPlan:
    """How the time is shared between rounds of timetabling then sectioning.

    Without students (or under 100 s): one round. With students, rounds follow each other
    until the time is up: the first lasts at least ``first`` seconds (25 % of the time, at
    least 60 s) and at least 2.5 times its first timetable's time (when the machine is slow,
    a first round cut short would leave a poor timetable); each next one at least ``step``
    seconds (15 %, at least 60 s); every round also ends when its timetable has not improved
    for ``patience`` seconds (5 %, at least 15 s) after half that minimum. No round starts
    without twice the time the first timetable took (its model and presolve) still ahead: on a
    loaded machine the first round simply goes on. ``polish``: the seconds of
    the sectioning after each round (CP-SAT over every student), kept aside for the last one.
    ``rounds`` (tests): that many rounds of equal length after the first.
    """

    rounds: bool
    first: float
    step: float
    patience: float
    polish: float
    count: int | None = None
    overhead: float = 0.0  # time to the first timetable: what a new round costs before it helps
    lean: bool = False  # the first round without the students' pairs (a large model)

    def least_left(self) -> float:
        """The time a new round needs: its model, its presolve, then some search."""
        return max(min(15.0, self.step / 2), 2 * self.overhead)

    @classmethod
    def of(cls, problem: Problem, seconds: float, rounds: int | None = None) -> RoundPlan:
        many = bool(problem.students and problem.weights.get("student"))
        many = many and (seconds >= 100 if rounds is None else rounds > 1)
        first = max(60.0, 0.12 * seconds) if rounds is None else seconds * 0.4
        step = (
            max(45.0, 0.1 * seconds) if rounds is None else (seconds - first) / max(1, rounds - 1)
        )
        polish = min(20.0, 0.04 * seconds) if many else min(5.0, 0.04 * seconds)
        return cls(many, first, step, max(15.0, 0.05 * seconds), polish, rounds)

    def stop_when(
        self, index: int, offset: float, final: float
    ) -> Callable[[Progress, float], bool] | None:
        """When round ``index`` (started ``offset`` seconds in) should end early."""
        if not self.rounds:
            return None
        if self.count is not None and index >= self.count - 1:
            return None  # the last of a fixed number of rounds: until the end
        least = self.first if index == 0 else self.step
        lean = self.lean and index == 0

        def stop(progress: Progress, elapsed: float) -> bool:
            if progress.first_solution_seconds is None:
                return False
            overhead = self.overhead or offset + progress.first_solution_seconds
            if final - (offset + elapsed) < max(self.step / 2, 2 * overhead):
                return False  # too little left for another round: this one goes on
            if lean:  # a first timetable and a few seconds of improving it: now the students
                return elapsed >= progress.first_solution_seconds + 5.0
            minimum = max(least, 2.5 * progress.first_solution_seconds) if index == 0 else least
            if self.count is not None:
                return elapsed >= least
            last = progress.history[-1][0] if progress.history else 0.0
            return elapsed >= minimum or (elapsed >= least / 2 and elapsed - last > self.patience)

        return stop
