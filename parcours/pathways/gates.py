"""What a module's completion waits for beyond attendance, contributed by higher apps.

A module's ``completion_mode`` (catalogue) says whether attendance completes it
(``attendance``), an assessment does (``assessment``), or both are needed (``both``). The
attendance rule lives in ``enrolment`` and the assessment in ``assessments``, a higher layer
that neither pathways nor enrolment may import: ``assessments`` registers a *gate* here::

    gates.register(gates.Gate(key="assessments.passed", passed=passed_learners))

A gate is ``(module, learner ids) -> the learner ids that passed the module's assessment``. With
``both``, enrolment records the completion only for learners every registered gate lets
through; with no gate registered nobody passes (an assessment that cannot be taken is never
assumed passed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from parcours.catalogue.models import Module


@dataclass(frozen=True)
class Gate:
    key: str
    passed: Callable[[Module, list[int]], set[int]]


_GATES: dict[str, Gate] = {}


def register(gate: Gate) -> None:
    _GATES[gate.key] = gate


def passed_assessment(module: Module, learner_ids: Iterable[int]) -> set[int]:
    """The learners among ``learner_ids`` who passed the module's assessment (every gate)."""
    ids = list(learner_ids)
    if not _GATES or not ids:
        return set()
    result = set(ids)
    for gate in _GATES.values():
        result &= gate.passed(module, ids)
    return result


def attendance_completes(module: Module, learner_ids: Iterable[int]) -> set[int]:
    """The learners whose attendance (already judged sufficient) completes the module, given
    its completion mode: everyone (attendance), nobody (assessment), or those who also passed
    the assessment (both)."""
    ids = list(learner_ids)
    mode = module.completion_mode
    if mode == Module.CompletionMode.ATTENDANCE:
        return set(ids)
    if mode == Module.CompletionMode.BOTH:
        return passed_assessment(module, ids)
    return set()
