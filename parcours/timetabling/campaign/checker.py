"""An independent check of a plan against every hard rule of its campaign, and the cost of
each soft wish. It reads dates, not the solver's slots: a plan the solver returns must pass
it (property-tested), and a plan re-checked before it is committed goes through it again.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

from parcours.timetabling.campaign.model import (
    AM,
    MAX_SPREAD_DAYS,
    MOBILE_SETUP_HALF_DAYS,
    PM,
    Campaign,
    HalfDay,
    Placement,
    covered,
    part_lengths,
    session_id,
)


@dataclass(frozen=True)
class Violation:
    kind: str
    session: str
    detail: str


def _order(h: HalfDay) -> int:
    return h.day.toordinal() * 2 + h.half


def _week(day: dt.date) -> tuple[int, int]:
    iso = day.isocalendar()
    return (iso.year, iso.week)


def check(campaign: Campaign, placements: tuple[Placement, ...]) -> list[Violation]:
    """Every broken hard rule; an empty list means the plan may be committed."""
    out: list[Violation] = []

    def bad(kind: str, session: str, detail: str) -> None:
        out.append(Violation(kind, session, detail))

    modules = {m.code: m for m in campaign.modules}
    cohorts = {c.code: c for c in campaign.cohorts}
    rooms = {r.code: r for r in campaign.rooms}
    trainers = {t.code: t for t in campaign.trainers}
    expected = {session_id(c.code, m) for c in campaign.cohorts for m in c.modules}
    seen: dict[str, int] = defaultdict(int)
    room_use: dict[tuple[str, HalfDay], list[str]] = defaultdict(list)
    trainer_use: dict[tuple[str, HalfDay], list[str]] = defaultdict(list)
    cohort_use: dict[tuple[str, HalfDay], list[str]] = defaultdict(list)
    trainer_days: dict[tuple[str, tuple[int, int]], set[dt.date]] = defaultdict(set)
    cohort_sites: dict[str, set[str]] = defaultdict(set)
    spans: dict[str, list[tuple[int, int, int, str]]] = defaultdict(list)
    stays: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)  # mobile units
    for p in placements:
        seen[p.session] += 1
        if p.session not in expected or p.session != session_id(p.cohort, p.module):
            bad("unknown_session", p.session, "not a session of this campaign")
            continue
        module, cohort = modules[p.module], cohorts[p.cohort]
        room, trainer = rooms.get(p.room), trainers.get(p.trainer)
        lengths = part_lengths(module)
        if len(p.starts) != len(lengths):
            bad("parts", p.session, f"{len(p.starts)} parts, expected {len(lengths)}")
            continue
        cohort_sites[p.cohort].add(p.site)
        if p.site not in campaign.sites or (cohort.site and p.site != cohort.site):
            bad("site", p.session, f"site {p.site}")
        half_days = covered(module, p.starts)
        # Calendar.
        for h in half_days:
            if not campaign.start <= h.day <= campaign.end:
                bad("period", p.session, f"{h.day} outside the period")
            elif h.day.weekday() not in campaign.weekdays or h.half not in campaign.halves:
                bad("calendar", p.session, f"{h.day} {h.half} not an allowed half-day")
            elif h.day in campaign.holidays or h.day in campaign.closed(p.site):
                bad("closed", p.session, f"{h.day} is a holiday or a closure")
        # Shape of the parts.
        for start, length in zip(p.starts, lengths, strict=True):
            if length % 2 == 0 and start.half != AM:
                bad("shape", p.session, "a whole-day block starts in the afternoon")
            block = covered(module.__class__(module.code, half_days=length), (start,))
            if len({_week(h.day) for h in block}) != 1:
                bad("shape", p.session, "a block runs across the end of a week")
        if not module.consecutive:
            days = [s.day for s in p.starts]
            if any(b <= a for a, b in itertools.pairwise(days)):
                bad("shape", p.session, "parts not on successive different days")
            if (days[-1] - days[0]).days > MAX_SPREAD_DAYS:
                bad("shape", p.session, "parts spread over more than two weeks")
        # Room.
        if room is None:
            bad("room", p.session, f"unknown room {p.room}")
        else:
            if not room.serves(p.site):
                bad("room", p.session, f"room {room.code} is not at {p.site}")
            if room.capacity < cohort.size:
                bad("capacity", p.session, f"room {room.code} holds {room.capacity}")
            if not module.features <= room.features:
                bad("features", p.session, f"room {room.code} lacks equipment")
            for h in half_days:
                if h in room.unavailable:
                    bad("room_busy", p.session, f"room {room.code} busy {h.day} {h.half}")
                room_use[(room.code, h)].append(p.session)
        # Trainer.
        if trainer is None:
            bad("trainer", p.session, f"unknown trainer {p.trainer}")
        else:
            if p.module not in trainer.modules:
                bad("trainer", p.session, f"{trainer.code} does not teach {p.module}")
            if trainer.sites and p.site not in trainer.sites:
                bad("trainer", p.session, f"{trainer.code} does not go to {p.site}")
            for h in half_days:
                if h in trainer.unavailable:
                    bad("trainer_busy", p.session, f"{trainer.code} away {h.day} {h.half}")
                trainer_use[(trainer.code, h)].append(p.session)
                trainer_days[(trainer.code, _week(h.day))].add(h.day)
        for h in half_days:
            cohort_use[(p.cohort, h)].append(p.session)
        first, last = _order(half_days[0]), _order(half_days[-1]) + 1
        if room is not None and room.mobile:
            stays[room.code].append((first, last, p.site, p.session))
            blocked = {_order(h) for h in room.unavailable}
            if any(first - k in blocked for k in range(1, MOBILE_SETUP_HALF_DAYS + 1)):
                bad("room_busy", p.session, f"no day to bring {room.code} after a booking")
        spans[p.cohort].append((first, last, module.phase, p.session))
    for session in expected:
        if seen[session] != 1:
            bad("count", session, f"placed {seen[session]} times")
    for label, use in (("room_clash", room_use), ("trainer_clash", trainer_use)):
        for (code, h), sessions in use.items():
            if len(sessions) > 1:
                bad(label, sessions[0], f"{code} twice on {h.day} {h.half}: {sessions}")
    for (code, h), sessions in cohort_use.items():
        if len(sessions) > 1:
            bad("cohort_clash", sessions[0], f"cohort {code} twice on {h.day} {h.half}")
    for (code, week), taught in trainer_days.items():
        limit = trainers[code].max_days_per_week
        if limit is not None and len(taught) > limit:
            bad("max_days", code, f"{len(taught)} days in week {week}")
    for code, visits in stays.items():
        for (a_first, a_last, a_site, a_id), (
            b_first,
            b_last,
            b_site,
            b_id,
        ) in itertools.combinations(visits, 2):
            if a_site != b_site and not (
                a_last + MOBILE_SETUP_HALF_DAYS <= b_first
                or b_last + MOBILE_SETUP_HALF_DAYS <= a_first
            ):
                bad("travel", b_id, f"{code} has no day to travel between {a_id} and {b_id}")
    for code, sites in cohort_sites.items():
        if len(sites) > 1:
            bad("site", code, f"cohort at several sites: {sorted(sites)}")
    gap = 2 * campaign.min_gap_days
    for items in spans.values():
        for i, (a_first, a_last, a_phase, a_id) in enumerate(items):
            for b_first, b_last, b_phase, b_id in items[i + 1 :]:
                if a_phase < b_phase and not a_last + gap <= b_first:
                    bad("order", b_id, f"{a_id} must end before {b_id}")
                elif b_phase < a_phase and not b_last + gap <= a_first:
                    bad("order", a_id, f"{b_id} must end before {a_id}")
                elif a_phase == b_phase and not (
                    a_last + gap <= b_first or b_last + gap <= a_first
                ):
                    bad("gap", a_id, f"{a_id} and {b_id} too close")
    by_session = {p.session: p for p in placements}
    for pin in campaign.pins:
        placed = by_session.get(pin.session)
        if placed is not None and (
            placed.starts != pin.starts or placed.room != pin.room or placed.trainer != pin.trainer
        ):
            bad("pin", pin.session, "a pinned session moved")
    return out


def wish_costs(campaign: Campaign, placements: tuple[Placement, ...]) -> dict[str, int]:
    """The unweighted cost of each soft wish (0 is perfect)."""
    w = campaign.wishes
    costs: dict[str, int] = {}
    weeks: dict[tuple[int, int], int] = defaultdict(int)
    for p in placements:
        # Weeks counted from the campaign's first Monday, as whole weeks of the period.
        weeks[_week(p.starts[0].day)] += 1
    first_monday = campaign.start - dt.timedelta(days=campaign.start.weekday())
    n_weeks = (campaign.end - first_monday).days // 7 + 1
    even = math.ceil(len(placements) / n_weeks) if placements else 0
    costs["spread"] = max(0, max(weeks.values(), default=0) - even)
    months = set()
    d = campaign.start
    while d <= campaign.end:
        months.add((d.year, d.month))
        d = (d.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    fixed_sites = {c.site for c in campaign.cohorts if c.site}
    busy = {(p.site, (p.starts[0].day.year, p.starts[0].day.month)) for p in placements}
    costs["monthly"] = sum(
        1 for site in fixed_sites for month in months if (site, month) not in busy
    )
    homes = {t.code: t.home_site for t in campaign.trainers}
    costs["trips"] = sum(
        1 for p in placements if homes.get(p.trainer) and homes[p.trainer] != p.site
    )
    if w.preferred_weekdays:
        costs["preferred_days"] = sum(
            1 for p in placements for s in p.starts if s.day.weekday() not in w.preferred_weekdays
        )
    else:
        costs["preferred_days"] = 0
    return costs


def weighted_cost(campaign: Campaign, costs: dict[str, int]) -> int:
    """The plan's score: each wish's cost times its weight."""
    w = campaign.wishes
    weights = {
        "spread": w.spread,
        "monthly": w.monthly,
        "trips": w.trips,
        "preferred_days": w.preferred_days if w.preferred_weekdays else 0,
    }
    return sum(weights[k] * costs.get(k, 0) for k in weights)


__all__ = ["PM", "Violation", "check", "weighted_cost", "wish_costs"]
