"""What a campaign is made of, and what a plan says: plain, frozen dataclasses, no Django.

Time is counted in half-days: a :class:`HalfDay` is a date and ``AM`` (0) or ``PM`` (1). A
session of a module runs for ``half_days`` half-days: in one block of consecutive half-days
(``consecutive=True``: a two-day module is Monday-Tuesday or Thursday-Friday, never across a
weekend) or in parts of one day each, on different days, at most ``MAX_SPREAD_DAYS`` apart
(``consecutive=False``). A block of an even number of half-days starts in the morning, and no
part runs across the end of a week (Sunday to Monday).

A *cohort* (a group of learners) follows some modules of the campaign, in order of their
``phase`` (0: introduction, 1: options, 2: closing), at one site (given, or chosen by the
solver when ``site`` is None), with at least ``min_gap_days`` days between the end of one of
its sessions and the start of the next (counted in half-days: ``2 x min_gap_days``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum

AM = 0
PM = 1
MAX_SPREAD_DAYS = 14  # the parts of a non-consecutive session lie within two weeks
MAX_HALF_DAYS = 20  # a module lasts at most ten days
MAX_DAYS = 400  # a campaign lasts at most about thirteen months
MOBILE_SETUP_HALF_DAYS = 2  # a mobile unit travels and is set up the day before it is used


class Phase(IntEnum):
    INTRODUCTION = 0
    OPTION = 1
    CLOSING = 2


@dataclass(frozen=True, order=True)
class HalfDay:
    day: dt.date
    half: int = AM  # AM or PM

    def __post_init__(self) -> None:
        if self.half not in (AM, PM):
            raise ValueError("half must be AM (0) or PM (1)")


@dataclass(frozen=True)
class Module:
    code: str
    name: str = ""
    half_days: int = 4
    consecutive: bool = True
    phase: Phase = Phase.OPTION
    features: frozenset[str] = frozenset()  # equipment the room must have


@dataclass(frozen=True)
class Cohort:
    code: str
    site: str | None  # None: the solver chooses the site (all sessions of a cohort at one site)
    size: int
    modules: tuple[str, ...]


@dataclass(frozen=True)
class Room:
    """A room of a site, or a mobile unit (``mobile``: a truck, a dome) that goes to the sites
    (``sites``; empty: any site of the campaign) from its home ``site``.

    A mobile unit is in one place at a time and needs a day to travel and set up
    (``MOBILE_SETUP_HALF_DAYS``): between two of its sessions at different sites, and between
    an existing booking and a session, there is at least that much free time.
    """

    code: str
    site: str
    capacity: int
    features: frozenset[str] = frozenset()
    unavailable: frozenset[HalfDay] = frozenset()  # existing bookings, outside opening hours
    name: str = ""
    mobile: bool = False
    sites: frozenset[str] = frozenset()

    def serves(self, site: str) -> bool:
        """Sessions at ``site`` may be held here."""
        if not self.mobile:
            return site == self.site
        return not self.sites or site in self.sites


@dataclass(frozen=True)
class Trainer:
    code: str
    modules: frozenset[str]
    sites: frozenset[str] = frozenset()  # where they may teach; empty: everywhere
    home_site: str | None = None
    unavailable: frozenset[HalfDay] = frozenset()
    max_days_per_week: int | None = None
    name: str = ""


@dataclass(frozen=True)
class Wishes:
    """Soft wishes and their weights (0 switches a wish off)."""

    spread: int = 1  # weight of the busiest week's excess over an even spread
    monthly: int = 1  # weight of each month without any session at a site
    trips: int = 1  # weight of each session a trainer teaches away from their home site
    preferred_days: int = 0  # weight of each session part starting on another weekday
    preferred_weekdays: frozenset[int] = frozenset()  # 0 = Monday


@dataclass(frozen=True)
class Pin:
    """A session kept as it is when re-solving the rest."""

    session: str
    starts: tuple[HalfDay, ...]
    room: str
    trainer: str


@dataclass(frozen=True)
class Campaign:
    start: dt.date
    end: dt.date  # included
    sites: tuple[str, ...]
    modules: tuple[Module, ...]
    cohorts: tuple[Cohort, ...]
    rooms: tuple[Room, ...]
    trainers: tuple[Trainer, ...]
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    halves: frozenset[int] = frozenset({AM, PM})
    holidays: frozenset[dt.date] = frozenset()
    closures: tuple[tuple[str, frozenset[dt.date]], ...] = ()  # (site, closed days)
    min_gap_days: int = 0
    wishes: Wishes = field(default_factory=Wishes)
    pins: tuple[Pin, ...] = ()

    def module(self, code: str) -> Module:
        return self._modules[code]

    @property
    def _modules(self) -> dict[str, Module]:
        return {m.code: m for m in self.modules}

    def closed(self, site: str) -> frozenset[dt.date]:
        for name, days in self.closures:
            if name == site:
                return days
        return frozenset()

    def sessions(self) -> list[SessionSpec]:
        modules = self._modules
        return [
            SessionSpec(session_id(c.code, m), c, modules[m])
            for c in self.cohorts
            for m in c.modules
        ]


def session_id(cohort: str, module: str) -> str:
    return f"{cohort}/{module}"


@dataclass(frozen=True)
class SessionSpec:
    id: str
    cohort: Cohort
    module: Module

    def part_lengths(self) -> tuple[int, ...]:
        return part_lengths(self.module)


def part_lengths(module: Module) -> tuple[int, ...]:
    """The half-days of each part: one block, or whole days (the last maybe a half-day)."""
    if module.consecutive:
        return (module.half_days,)
    return tuple([2] * (module.half_days // 2) + ([1] if module.half_days % 2 else []))


@dataclass(frozen=True)
class Placement:
    session: str
    cohort: str
    module: str
    site: str
    room: str
    trainer: str
    starts: tuple[HalfDay, ...]  # the first half-day of each part


class Status:
    OPTIMAL = "optimal"
    FEASIBLE = "feasible"
    INFEASIBLE = "infeasible"
    UNKNOWN = "unknown"  # stopped or out of time before any plan


@dataclass(frozen=True)
class Reason:
    """Why no plan exists, as a kind and its figures; the adapter turns it into words."""

    kind: str
    params: tuple[tuple[str, str | int], ...] = ()

    def param(self, name: str) -> str | int:
        return dict(self.params)[name]


@dataclass
class Plan:
    status: str
    placements: tuple[Placement, ...] = ()
    score: int | None = None  # the weighted cost of the soft wishes (lower is better)
    bound: int | None = None  # CP-SAT's lower bound on the best possible score
    seconds: float = 0.0
    solutions: int = 0
    costs: dict[str, int] = field(default_factory=dict)  # per soft wish, unweighted
    reasons: tuple[Reason, ...] = ()
    stopped: bool = False

    @property
    def found(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)


def covered(module: Module, starts: tuple[HalfDay, ...]) -> list[HalfDay]:
    """Every half-day a session with these part starts occupies."""
    result: list[HalfDay] = []
    for start, length in zip(starts, part_lengths(module), strict=True):
        day, half = start.day, start.half
        for _ in range(length):
            result.append(HalfDay(day, half))
            if half == PM:
                day, half = day + dt.timedelta(days=1), AM
            else:
                half = PM
    return result
