"""CP-SAT helpers shared by the timetabling solvers (ITC 2019 and training campaigns).

- ``forbid_incompatible``: two "exactly one of these options" groups and a table of which pairs
  of options may go together; posts one clause per option of the first group (``a ⇒ one of the
  compatible b``), optionally relaxed by a violation literal (soft constraint).
- ``solve``: runs CP-SAT with a time limit and a number of workers, keeps the best solution
  through a callback, records the time to the first solution and the objective/bound history
  (and the best values at given checkpoints), and can be stopped from another thread
  (``Run.stop()``) keeping the best solution so far.

Pure: no Django import (an import-linter contract enforces it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from ortools.sat.python import cp_model

Literal = Any  # cp_model literal (IntVar or its negation)


def forbid_incompatible(
    model: cp_model.CpModel,
    first: Sequence[Literal],
    second: Sequence[Literal],
    compatible: Sequence[Sequence[bool]] | np.ndarray,
    violation: Literal | None = None,
    *,
    first_negated: Sequence[Literal] | None = None,
    second_negated: Sequence[Literal] | None = None,
) -> int:
    """Forbid ``first[k]`` with any ``second[l]`` where ``compatible[k][l]`` is false.

    ``first`` and ``second`` are each an exactly-one group, so per option k of the first group
    either ``first[k] ⇒ OR(compatible second)`` or ``first[k] ⇒ AND(not incompatible second)``
    says it, whichever is shorter. With ``violation`` (soft constraint) the implication only
    holds when the violation literal is false. ``first_negated`` / ``second_negated``: the
    negations of the literals, when the caller keeps them (building a large model, negating
    the same literal again and again is a large part of the time). Returns the number of
    constraints posted.
    """
    ok = np.asarray(compatible, dtype=bool)
    if ok.size == 0:
        return 0
    width = ok.shape[1]
    counts = ok.sum(axis=1)
    rows = np.flatnonzero(counts < width)
    if not len(rows):
        return 0
    negated_second = second_negated
    relax = None if violation is None else violation.negated()
    # The compatible and the incompatible columns of every row, split once (not per row).
    sub = ok[rows]
    good_rows, good_cols = np.nonzero(sub)
    bad_rows, bad_cols = np.nonzero(~sub)
    good_ends = np.searchsorted(good_rows, np.arange(len(rows) + 1)).tolist()
    bad_ends = np.searchsorted(bad_rows, np.arange(len(rows) + 1)).tolist()
    good, bad = good_cols.tolist(), bad_cols.tolist()
    posted = 0
    for position, k in enumerate(rows.tolist()):
        allowed = good[good_ends[position] : good_ends[position + 1]]
        banned_indices = bad[bad_ends[position] : bad_ends[position + 1]]
        if len(allowed) <= len(banned_indices):
            head = first_negated[k] if first_negated is not None else first[k].negated()
            literals = [head, *[second[index] for index in allowed]]
            if violation is not None:
                literals.append(violation)
            model.add_bool_or(literals)
        else:
            if negated_second is None:
                negated_second = [literal.negated() for literal in second]
            banned = [negated_second[index] for index in banned_indices]
            enforcement = [first[k]] if relax is None else [first[k], relax]
            model.add_bool_and(banned).only_enforce_if(enforcement)
        posted += 1
    return posted


@dataclass(slots=True)
class Progress:
    """What a solve found, for progress displays and benchmarks."""

    status: str = "UNKNOWN"
    seconds: float = 0.0
    first_solution_seconds: float | None = None
    objective: float | None = None
    bound: float | None = None
    solutions: int = 0
    # (seconds, objective, bound) of each improving solution
    history: list[tuple[float, float, float]] = field(default_factory=list)
    # checkpoint (seconds since the start of the solve) → the best values at that moment
    snapshots: dict[float, list[int]] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.solutions > 0


class _Keeper(cp_model.CpSolverSolutionCallback):
    def __init__(
        self,
        variables: Sequence[cp_model.IntVar],
        progress: Progress,
        on_solution: Callable[[Progress], None] | None,
        checkpoints: Sequence[float] = (),
    ) -> None:
        super().__init__()
        self._checkpoints = list(checkpoints)
        self._variables = list(variables)
        self._progress = progress
        self._on_solution = on_solution
        self._started = time.monotonic()
        self.best: list[int] | None = None
        self.lock = threading.Lock()

    def on_solution_callback(self) -> None:
        elapsed = time.monotonic() - self._started
        values = [self.value(v) for v in self._variables]
        objective = self.objective_value
        bound = self.best_objective_bound
        with self.lock:
            progress = self._progress
            if progress.first_solution_seconds is None:
                progress.first_solution_seconds = elapsed
            progress.solutions += 1
            progress.objective = objective
            progress.bound = bound
            progress.history.append((elapsed, objective, bound))
            self.best = values
            for checkpoint in self._checkpoints:
                if elapsed <= checkpoint:
                    progress.snapshots[checkpoint] = values
        if self._on_solution is not None:
            self._on_solution(progress)


@dataclass(slots=True)
class Run:
    """A CP-SAT run that another thread may stop."""

    solver: cp_model.CpSolver = field(default_factory=cp_model.CpSolver)
    stopped: bool = False

    def stop(self) -> None:
        self.stopped = True
        self.solver.stop_search()


def solve(
    model: cp_model.CpModel,
    variables: Sequence[cp_model.IntVar],
    *,
    seconds: float,
    workers: int = 2,
    seed: int = 0,
    on_solution: Callable[[Progress], None] | None = None,
    run: Run | None = None,
    log: bool = False,
    checkpoints: Sequence[float] = (),
    stop_when: Callable[[Progress, float], bool] | None = None,
    parameters: dict[str, Any] | None = None,
) -> tuple[Progress, list[int] | None]:
    """Solve and return the progress and the values of ``variables`` in the best solution.

    ``stop_when(progress, seconds since the start)``, polled four times a second, ends the
    search early (keeping the best solution) when it returns true. ``parameters``: other CP-SAT
    parameters by name (e.g. ``max_presolve_iterations``).
    """
    run = run or Run()
    solver = run.solver
    solver.parameters.max_time_in_seconds = max(0.1, seconds)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.log_search_progress = log
    for name, value in (parameters or {}).items():
        setattr(solver.parameters, name, value)
    progress = Progress()
    keeper = _Keeper(variables, progress, on_solution, checkpoints)
    started = time.monotonic()
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.25):
            with keeper.lock:
                stop = stop_when is not None and stop_when(progress, time.monotonic() - started)
            if stop:
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True) if stop_when is not None else None
    if watcher is not None:
        watcher.start()
    try:
        status = solver.solve(model, keeper)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    progress.seconds = time.monotonic() - started
    progress.status = solver.status_name(status)
    if keeper.best is not None:
        progress.objective = solver.objective_value if model.has_objective() else 0.0
        progress.bound = solver.best_objective_bound if model.has_objective() else 0.0
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            keeper.best = [solver.value(v) for v in variables]
    return progress, keeper.best
