"""The training-campaign planner: a pure model (no Django), a CP-SAT solver, an independent
checker and the explanations of an infeasible campaign. See docs/timetabling.md."""

from __future__ import annotations

from parcours.timetabling.campaign.checker import Violation, check, wish_costs
from parcours.timetabling.campaign.model import (
    AM,
    PM,
    Campaign,
    Cohort,
    HalfDay,
    Module,
    Phase,
    Pin,
    Placement,
    Plan,
    Reason,
    Room,
    Status,
    Trainer,
    Wishes,
    covered,
    session_id,
)
from parcours.timetabling.campaign.solver import Progress, solve

__all__ = [
    "AM",
    "PM",
    "Campaign",
    "Cohort",
    "HalfDay",
    "Module",
    "Phase",
    "Pin",
    "Placement",
    "Plan",
    "Progress",
    "Reason",
    "Room",
    "Status",
    "Trainer",
    "Violation",
    "Wishes",
    "check",
    "covered",
    "session_id",
    "solve",
    "wish_costs",
]
