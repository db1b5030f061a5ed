"""A quick constructive plan, given to CP-SAT as a hint: each group's modules in order, each
at the earliest start where a fitting room and an able trainer are free. CP-SAT then starts
from a complete plan instead of searching for a first one (on large campaigns that search is
what takes time). The hint is only a hint: the solver checks it, and the checker checks the
result; when the greedy pass gets stuck, it returns the sessions it could place."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from parcours.timetabling.campaign.model import (
    MAX_SPREAD_DAYS,
    MOBILE_SETUP_HALF_DAYS,
    Campaign,
    Placement,
    Room,
    SessionSpec,
    Trainer,
)

if TYPE_CHECKING:
    from parcours.timetabling.campaign.solver import _Grid


def greedy(campaign: Campaign, grid: _Grid) -> tuple[Placement, ...]:
    """The best of a few passes: groups' first starts staggered over part of the period
    (better for the wishes) or all from the start; complete plans first, then lower cost."""
    from parcours.timetabling.campaign.checker import weighted_cost, wish_costs

    best: tuple[Placement, ...] = ()
    best_key: tuple[int, int] | None = None
    total = len(campaign.sessions())
    for stagger in (0.7, 0.5, 0.25, 0.0):
        plan = _greedy(campaign, grid, stagger=stagger)
        cost = weighted_cost(campaign, wish_costs(campaign, plan)) if len(plan) == total else 0
        key = (total - len(plan), cost)
        if best_key is None or key < best_key:
            best, best_key = plan, key
    return best


def _greedy(campaign: Campaign, grid: _Grid, *, stagger: float) -> tuple[Placement, ...]:
    c, g = campaign, grid
    allowed = {site: g.allowed(site) for site in c.sites}
    room_busy: dict[str, set[int]] = defaultdict(set)
    trainer_busy: dict[str, set[int]] = defaultdict(set)
    week_days: dict[tuple[str, int], int] = defaultdict(int)
    load: dict[str, int] = defaultdict(int)
    for room in c.rooms:
        room_busy[room.code] |= {g.slot(h) for h in room.unavailable}
    booked = {room.code: {g.slot(h) for h in room.unavailable} for room in c.rooms if room.mobile}
    stays: dict[str, list[tuple[int, int, str]]] = defaultdict(list)  # mobile unit → visits

    def room_ok(site: str) -> Callable[[Room, int, int], bool]:
        """A mobile unit can be brought to ``site`` for [first, end): a day free of its
        bookings before, and a day between it and its visits to other sites."""
        pad = MOBILE_SETUP_HALF_DAYS

        def ok(room: Room, first: int, end: int) -> bool:
            if not room.mobile:
                return True
            if any(first - k in booked[room.code] for k in range(1, pad + 1)):
                return False
            return all(
                e + pad <= first or end + pad <= f
                for f, e, where in stays[room.code]
                if where != site
            )

        return ok

    for trainer in c.trainers:
        trainer_busy[trainer.code] |= {g.slot(h) for h in trainer.unavailable}
    structural: dict[int, list[int]] = {}
    gap = 2 * c.min_gap_days
    by_cohort: dict[str, list[SessionSpec]] = defaultdict(list)
    for spec in c.sessions():
        by_cohort[spec.cohort.code].append(spec)
    pinned = {p.session: p for p in c.pins}
    result: list[Placement] = []
    by_id = {spec.id: spec for specs in by_cohort.values() for spec in specs}
    for pin in c.pins:  # pinned sessions first, exactly where they are
        pinned_spec = by_id.get(pin.session)
        if pinned_spec is None:
            continue
        site = pinned_spec.cohort.site or next(
            (r.site for r in c.rooms if r.code == pin.room), c.sites[0]
        )
        starts = [g.slot(h) for h in pin.starts]
        if pin.room in booked and starts:
            lengths = pinned_spec.part_lengths()
            stays[pin.room].append((starts[0], starts[-1] + lengths[len(starts) - 1], site))
        for start, length in zip(starts, pinned_spec.part_lengths(), strict=False):
            span = set(range(start, start + length))
            room_busy[pin.room] |= span
            trainer_busy[pin.trainer] |= span
            week_days[(pin.trainer, g.week(start))] += math.ceil(length / 2)
        result.append(
            Placement(
                pinned_spec.id,
                pinned_spec.cohort.code,
                pinned_spec.module.code,
                site,
                pin.room,
                pin.trainer,
                tuple(pin.starts),
            )
        )
    # Sessions in rounds: every group's first module, then every group's second, ...
    queues = {
        code: sorted(specs, key=lambda s: s.module.phase) for code, specs in by_cohort.items()
    }
    # The earliest start of each group's next module: the groups' first starts are spread.
    ready = {
        code: int(i * stagger * g.slots) // max(1, len(queues))
        for i, code in enumerate(_interleaved(queues))
    }
    site_of: dict[str, str] = {}
    for round_index in range(max((len(q) for q in queues.values()), default=0)):
        for code, queue in queues.items():
            if round_index >= len(queue):
                continue
            spec = queue[round_index]
            lengths = spec.part_lengths()
            sites = (
                [spec.cohort.site]
                if spec.cohort.site
                else [site_of.get(code) or s for s in c.sites]
            )
            placed = None
            if spec.id in pinned:  # placed above; the group's next module comes after it
                pin = pinned[spec.id]
                ready[code] = max(ready[code], g.slot(pin.starts[-1]) + lengths[-1] + gap)
                continue
            for site in dict.fromkeys(sites):
                rooms = sorted(
                    (
                        r
                        for r in c.rooms
                        if r.serves(site)
                        and r.capacity >= spec.cohort.size
                        and spec.module.features <= r.features
                    ),
                    key=lambda r: r.capacity,
                )
                trainers = [
                    t
                    for t in c.trainers
                    if spec.module.code in t.modules and (not t.sites or site in t.sites)
                ]
                if not rooms or not trainers:
                    continue
                trainers.sort(key=lambda t: (t.home_site != site, load[t.code]))
                placed = _place(
                    g, allowed[site], structural, lengths, ready[code], rooms, trainers,
                    room_busy, trainer_busy, week_days, room_ok(site),
                )  # fmt: skip
                if placed is not None:
                    starts, room_code, trainer_code = placed
                    site_of[code] = site
                    for start, length in zip(starts, lengths, strict=True):
                        span = set(range(start, start + length))
                        room_busy[room_code] |= span
                        trainer_busy[trainer_code] |= span
                        week_days[(trainer_code, g.week(start))] += math.ceil(length / 2)
                    load[trainer_code] += 1
                    if room_code in booked:
                        stays[room_code].append((starts[0], starts[-1] + lengths[-1], site))
                    ready[code] = starts[-1] + lengths[-1] + gap
                    result.append(
                        Placement(
                            spec.id, code, spec.module.code, site, room_code, trainer_code,
                            tuple(g.half_day(s) for s in starts),
                        )
                    )  # fmt: skip
                    break
            if placed is None:
                ready[code] = g.slots  # stuck: the group's later modules are left to CP-SAT
    return tuple(result)


def _interleaved(queues: dict[str, list[SessionSpec]]) -> list[str]:
    """Group codes ordered so that the groups of one site are far apart in the order."""
    by_site: dict[str, list[str]] = defaultdict(list)
    for code, specs in queues.items():
        by_site[str(specs[0].cohort.site) if specs else ""].append(code)
    order: list[str] = []
    lists = list(by_site.values())
    for i in range(max((len(x) for x in lists), default=0)):
        order.extend(x[i] for x in lists if i < len(x))
    return order


def _place(
    g: _Grid,
    allowed: list[bool],
    structural: dict[int, list[int]],
    lengths: tuple[int, ...],
    earliest: int,
    rooms: list[Room],
    trainers: list[Trainer],
    room_busy: dict[str, set[int]],
    trainer_busy: dict[str, set[int]],
    week_days: dict[tuple[str, int], int],
    room_ok: Callable[[Room, int, int], bool],
) -> tuple[list[int], str, str] | None:
    def starts_of(length: int) -> list[int]:
        if length not in structural:
            structural[length] = g.structural_starts(length)
        return structural[length]

    def fits(start: int, length: int) -> bool:
        return all(allowed[start + k] for k in range(length))

    for first in starts_of(lengths[0]):
        if first < earliest or not fits(first, lengths[0]):
            continue
        starts = [first]
        for i in range(1, len(lengths)):
            low = starts[-1] + max(2, lengths[i - 1])
            nxt = next((s for s in starts_of(lengths[i]) if s >= low and fits(s, lengths[i])), None)
            if nxt is None or nxt - first > 2 * MAX_SPREAD_DAYS:
                break
            starts.append(nxt)
        if len(starts) != len(lengths):
            continue
        slots = [set(range(s, s + n)) for s, n in zip(starts, lengths, strict=True)]
        every = set().union(*slots)
        end = starts[-1] + lengths[-1]
        room = next(
            (r for r in rooms if not every & room_busy[r.code] and room_ok(r, starts[0], end)),
            None,
        )
        if room is None:
            continue
        for trainer in trainers:
            if every & trainer_busy[trainer.code]:
                continue
            if trainer.max_days_per_week is not None:
                extra: dict[int, int] = defaultdict(int)
                for s, n in zip(starts, lengths, strict=True):
                    extra[g.week(s)] += math.ceil(n / 2)
                if any(
                    week_days[(trainer.code, w)] + d > trainer.max_days_per_week
                    for w, d in extra.items()
                ):
                    continue
            return starts, room.code, trainer.code
    return None
