"""A long session from a weekly pattern: the preview (dates, what is left out and why, the
room's conflicts) and the creation (the session, its slots and its room bookings in one
all-or-nothing step, through ``create_session``)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Site
from parcours.accounts.permissions import Actor, require_role
from parcours.enrolment import bounds
from parcours.enrolment import pattern as core
from parcours.enrolment.actions._base import MANAGERS
from parcours.enrolment.actions.sessions import SessionData, create_session
from parcours.enrolment.models import Session
from parcours.lib.dates import format_date
from parcours.scheduling.models import ClosurePeriod, Resource
from parcours.scheduling.planning import SiteCalendar, find_conflicts

MAX_PATTERN_DAYS = 370  # a pattern spans a year at most

PROBLEMS = {
    "order": ("last", lambda: _("La date de fin doit suivre la date de début.")),
    "weekdays": ("weekdays", lambda: _("Choisissez au moins un jour de la semaine.")),
    "ranges": ("ranges", lambda: _("Indiquez au moins une plage horaire.")),
    "range_order": ("ranges", lambda: _("Chaque plage horaire doit finir après son début.")),
    "range_overlap": ("ranges", lambda: _("Les plages horaires se chevauchent.")),
}


def reason_label(reason: str) -> str:
    return {
        core.HOLIDAY: _("Jour férié"),
        core.CLOSED: _("Fermeture du site"),
        core.SCHOOL_HOLIDAY: _("Congé scolaire"),
    }.get(reason, "")


@dataclass(frozen=True)
class DayConflict:
    day: dt.date
    start: dt.datetime
    end: dt.datetime
    title: str  # the taken booking's title


@dataclass
class PatternPreview:
    days: list[core.PatternDay]
    conflicts: list[DayConflict] = field(default_factory=list)

    @property
    def kept(self) -> list[core.PatternDay]:
        return [d for d in self.days if not d.skipped]

    @property
    def skipped(self) -> list[core.PatternDay]:
        return [d for d in self.days if d.skipped]

    @property
    def conflict_days(self) -> set[dt.date]:
        return {c.day for c in self.conflicts}


def validate_pattern(pattern: core.WeeklyPattern) -> None:
    errors: dict[str, list[str]] = {}
    for name, value in (("first", pattern.first), ("last", pattern.last)):
        if not bounds.year_ok(value):
            errors[name] = [
                _("Les dates doivent être comprises entre %(a)d et %(b)d.")
                % {"a": bounds.MIN_YEAR, "b": bounds.MAX_YEAR}
            ]
    if errors:
        raise ValidationError(errors)
    for code in pattern.problems():
        name, message = PROBLEMS[code]
        errors.setdefault(name, []).append(message())
    if not errors and (pattern.last - pattern.first).days > MAX_PATTERN_DAYS:
        errors["last"] = [_("Un rythme couvre une année au plus.")]
    if errors:
        raise ValidationError(errors)


def _closures(
    site: Site | None, first: dt.date, last: dt.date, skip_school_holidays: bool
) -> dict[dt.date, tuple[str, str]]:
    if site is None:
        return {}
    calendar = SiteCalendar.load(site, first, last)
    out: dict[dt.date, tuple[str, str]] = {}
    for period in calendar.closures:
        if period.kind == ClosurePeriod.Kind.HOLIDAY and not skip_school_holidays:
            continue
        reason = core.CLOSED if period.kind == ClosurePeriod.Kind.CLOSED else core.SCHOOL_HOLIDAY
        day = max(period.start, first)
        while day <= min(period.end, last):
            # A closure wins over a school holiday on the same day.
            if day not in out or reason == core.CLOSED:
                out[day] = (reason, period.reason)
            day += dt.timedelta(days=1)
    return out


def _room_conflicts(room: Resource | None, days: Iterable[core.PatternDay]) -> list[DayConflict]:
    if room is None:
        return []
    setup = dt.timedelta(minutes=room.setup_minutes)
    cleanup = dt.timedelta(minutes=room.cleanup_minutes)
    out: list[DayConflict] = []
    for day in days:
        for start, end in day.slots:
            for conflict in find_conflicts([room.pk], start - setup, end + cleanup):
                out.append(DayConflict(day.day, start, end, conflict.title))
    return out


def _place(
    organisation: Organisation, site_id: int | None, room_id: int | None
) -> tuple[Site | None, Resource | None]:
    site = (
        Site.objects.filter(pk=site_id, organisation=organisation).first()
        if site_id is not None and 1 <= site_id <= bounds.MAX_ID
        else None
    )
    room = (
        Resource.objects.filter(
            pk=room_id, organisation=organisation, kind__in=Resource.SESSION_KINDS
        ).first()
        if room_id is not None and 1 <= room_id <= bounds.MAX_ID
        else None
    )
    if site_id is not None and site is None:
        raise ValidationError({"site": [_("Ce site n'appartient pas à votre organisation.")]})
    if room_id is not None and (room is None or site is None or not room.serves_site(site.pk)):
        raise ValidationError({"room": [_("Choisissez une salle du site de la session.")]})
    return site, room


def preview_pattern(
    *,
    actor: Actor,
    organisation: Organisation,
    pattern: core.WeeklyPattern,
    site_id: int | None = None,
    room_id: int | None = None,
    skip_school_holidays: bool = False,
    keep: Iterable[dt.date] | None = None,
) -> PatternPreview:
    """Every date of the pattern (public holidays and the site's closures marked, school
    holidays too when asked) and the room's conflicts on the dates that would be kept. Reads
    only."""
    require_role(actor, organisation, MANAGERS)
    validate_pattern(pattern)
    site, room = _place(organisation, site_id, room_id)
    expansion = core.expand(
        pattern, closures=_closures(site, pattern.first, pattern.last, skip_school_holidays)
    )
    chosen = core.choose(expansion, keep=keep)
    return PatternPreview(days=expansion.days, conflicts=_room_conflicts(room, chosen))


def create_session_from_pattern(
    *,
    actor: Actor,
    organisation: Organisation,
    data: SessionData,
    pattern: core.WeeklyPattern,
    skip_school_holidays: bool = False,
    keep: Iterable[dt.date] | None = None,
) -> Session:
    """A draft session whose slots are the pattern's dates (``keep``: the dates ticked in the
    preview; by default every date not left out). Its room is booked for every slot in the
    same transaction: a taken slot refuses the whole session, with every conflict listed, and
    nothing is written."""
    require_role(actor, organisation, MANAGERS)
    validate_pattern(pattern)
    site, room = _place(organisation, data.site_id, data.room_id)
    expansion = core.expand(
        pattern, closures=_closures(site, pattern.first, pattern.last, skip_school_holidays)
    )
    chosen = core.choose(expansion, keep=keep)
    if not chosen:
        raise ValidationError({"keep": [_("Aucune date retenue : cochez au moins un jour.")]})
    slots = core.slots_of(chosen)
    if len(slots) > bounds.MAX_SLOTS:
        raise ValidationError(
            {"keep": [_("%(n)d créneaux au plus par session.") % {"n": bounds.MAX_SLOTS}]}
        )
    conflicts = _room_conflicts(room, chosen)
    if conflicts:
        listed = ", ".join(sorted({format_date(c.day, "short") for c in conflicts}))
        raise ValidationError(
            {
                "room": [
                    _("La salle est déjà prise ces jours-là : %(days)s. Rien n'a été créé.")
                    % {"days": listed}
                ]
            },
            code="conflict",
        )
    session = create_session(
        actor=actor, organisation=organisation, data=dataclasses.replace(data, slots=slots)
    )
    audit.record(
        "session.create_from_pattern",
        actor=actor.user,
        organisation=organisation,
        obj=session,
        changes={
            "first": pattern.first.isoformat(),
            "last": pattern.last.isoformat(),
            "weekdays": sorted(pattern.weekdays),
            "ranges": [[a.isoformat(), b.isoformat()] for a, b in sorted(pattern.ranges)],
            "days": len(chosen),
            "left_out": sorted(
                d.day.isoformat() for d in expansion.days if d.day not in {c.day for c in chosen}
            ),
        },
    )
    return session
