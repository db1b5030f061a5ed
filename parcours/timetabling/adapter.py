"""Between the database and the pure planner: a stored campaign read as a
:class:`~parcours.timetabling.campaign.Campaign` (sites, rooms with their bookings and opening
hours, trainers with their absences and other sessions, holidays and closures), plans stored as
JSON and read back, and reasons put into words.

Codes in the pure model: a site is ``str(site.pk)``, a room ``str(resource.pk)``, a trainer
``str(user.pk)``, a module its catalogue code, a group ``"<site pk>-<n>"``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from parcours.accounts.models import Site, User
from parcours.enrolment.models import SessionSlot
from parcours.enrolment.slots import AFTERNOON, BRUSSELS, MORNING
from parcours.enrolment.states import SessionStatus
from parcours.scheduling.models import ClosurePeriod, OpeningHours, Reservation, Resource
from parcours.timetabling import campaign as pure
from parcours.timetabling.models import Campaign, CampaignModule, TrainerProfile

HALVES = (MORNING, AFTERNOON)


def half_day_times(half_day: pure.HalfDay) -> tuple[dt.datetime, dt.datetime]:
    start, end = HALVES[half_day.half]
    return (
        dt.datetime.combine(half_day.day, start, BRUSSELS),
        dt.datetime.combine(half_day.day, end, BRUSSELS),
    )


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]


def _overlapping_half_days(
    start: dt.datetime, end: dt.datetime, first: dt.date, last: dt.date
) -> set[pure.HalfDay]:
    local_start = max(start.astimezone(BRUSSELS).date(), first)
    local_end = min(end.astimezone(BRUSSELS).date(), last)
    found = set()
    for day in _days(local_start, local_end) if local_start <= local_end else []:
        for half in (pure.AM, pure.PM):
            a, b = half_day_times(pure.HalfDay(day, half))
            if a < end and start < b:
                found.add(pure.HalfDay(day, half))
    return found


@dataclass
class Names:
    """What people read for each code of the pure model."""

    sites: dict[str, str]
    rooms: dict[str, str]
    trainers: dict[str, str]
    modules: dict[str, str]

    def cohort(self, code: str, at: str | None = None) -> str:
        """A group's name: its site and number; ``at``: the site the plan chose for a group
        without one (``groups_total``)."""
        site, _sep, number = code.rpartition("-")
        if site == FREE_SITE:
            if at is None:
                return _("Groupe %(n)s") % {"n": number}
            site = at
        return _("%(site)s — groupe %(n)s") % {"site": self.sites.get(site, site), "n": number}


FREE_SITE = "0"  # the site part of the code of a group whose site the solver chooses


def cohort_code(site: Site | None, number: int) -> str:
    return f"{site.pk if site is not None else FREE_SITE}-{number}"


def rooms_of(campaign: Campaign) -> list[Resource]:
    """The rooms of the campaign's sites and the organisation's mobile units (any site)."""
    return list(
        Resource.objects.filter(
            Q(kind=Resource.Kind.ROOM, site__in=campaign.sites.all())
            | Q(kind=Resource.Kind.MOBILE_UNIT),
            organisation=campaign.organisation_id,
            is_active=True,
        )
        .select_related("site")
        .prefetch_related("features")
        .order_by("site_id", "name", "pk")
    )


def trainers_of(campaign: Campaign) -> list[TrainerProfile]:
    modules = campaign.modules.values_list("module_id", flat=True)
    return list(
        TrainerProfile.objects.filter(organisation=campaign.organisation_id, modules__in=modules)
        .distinct()
        .select_related("user", "home_site")
        .prefetch_related("modules", "sites")
        .order_by("user__last_name", "user__first_name", "pk")
    )


def _room_name(room: Resource) -> str:
    if room.kind == Resource.Kind.MOBILE_UNIT:
        return str(_("%(name)s (unité mobile)") % {"name": room.name})
    return f"{room.name} ({room.site.name})"


def names(campaign: Campaign) -> Names:
    return Names(
        sites={str(s.pk): s.name for s in campaign.sites.all()},
        rooms={str(r.pk): _room_name(r) for r in rooms_of(campaign)},
        trainers={
            str(t.user_id): t.user.get_full_name() or t.user.email for t in trainers_of(campaign)
        },
        modules={m.module.code: m.module.title for m in campaign.modules.select_related("module")},
    )


def cohorts(
    campaign: Campaign, sites: list[Site], modules: list[CampaignModule]
) -> tuple[pure.Cohort, ...]:
    """The groups: ``groups_per_site`` at each site, or ``groups_total`` groups whose sites the
    solver chooses. Each follows every module, or, as asked,
    one introduction (in turn) and ``options_per_group`` options (in turn), then the closing."""
    intros = [m.module.code for m in modules if m.phase == CampaignModule.Phase.INTRODUCTION]
    options = [m.module.code for m in modules if m.phase == CampaignModule.Phase.OPTION]
    closing = [m.module.code for m in modules if m.phase == CampaignModule.Phase.CLOSING]
    result = []
    groups: list[tuple[Site | None, int]] = (
        [(None, n) for n in range(1, campaign.groups_total + 1)]
        if campaign.groups_total
        else [(site, n) for site in sites for n in range(1, campaign.groups_per_site + 1)]
    )
    for index, (site, n) in enumerate(groups):
        chosen_intros = (
            [intros[index % len(intros)]] if campaign.one_introduction and intros else intros
        )
        k = campaign.options_per_group
        chosen_options = (
            [options[(index * k + j) % len(options)] for j in range(k)]
            if k and options
            else options
        )
        result.append(
            pure.Cohort(
                cohort_code(site, n),
                str(site.pk) if site is not None else None,
                campaign.group_size,
                tuple(dict.fromkeys([*chosen_intros, *chosen_options, *closing])),
            )
        )
    return tuple(result)


def _dates(values: list[Any]) -> frozenset[dt.date]:
    result = set()
    for value in values:
        try:
            result.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(result)


def describe(campaign: Campaign, *, with_pins: bool = True) -> pure.Campaign:
    """The campaign as the planner sees it, with the bookings and sessions as they are now."""
    first, last = campaign.start, campaign.end
    sites = list(campaign.sites.order_by("name", "pk"))
    site_ids = [s.pk for s in sites]
    window = (
        dt.datetime.combine(first, dt.time.min, BRUSSELS),
        dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, BRUSSELS),
    )
    # Opening hours: a half-day outside every opening window of its weekday is closed.
    hours: dict[int, list[OpeningHours]] = defaultdict(list)
    for row in OpeningHours.objects.filter(site__in=site_ids):
        hours[row.site_id].append(row)
    shut: dict[int, set[pure.HalfDay]] = defaultdict(set)
    for site_id, rows in hours.items():
        for day in _days(first, last):
            for half in (pure.AM, pure.PM):
                a, b = HALVES[half]
                if not any(
                    r.weekday == day.weekday() and r.opens <= a and r.closes >= b for r in rows
                ):
                    shut[site_id].add(pure.HalfDay(day, half))
    closures: dict[int, set[dt.date]] = defaultdict(set)
    for period in ClosurePeriod.objects.filter(
        site__in=site_ids, kind=ClosurePeriod.Kind.CLOSED, start__lte=last, end__gte=first
    ):
        closures[period.site_id].update(_days(max(period.start, first), min(period.end, last)))
    rooms = rooms_of(campaign)
    busy: dict[int, set[pure.HalfDay]] = defaultdict(set)
    for res in Reservation.objects.active().filter(
        resource__in=[r.pk for r in rooms],
        blocked_start__lt=window[1],
        blocked_end__gt=window[0],
    ):
        busy[res.resource_id] |= _overlapping_half_days(
            res.blocked_start, res.blocked_end, first, last
        )
    profiles = trainers_of(campaign)
    away: dict[int, set[pure.HalfDay]] = defaultdict(set)
    for profile in profiles:
        for day in _dates(profile.unavailable):
            if first <= day <= last:
                away[profile.user_id] |= {pure.HalfDay(day, pure.AM), pure.HalfDay(day, pure.PM)}
    for trainer_id, start, end in (
        SessionSlot.objects.filter(
            session__trainers__in=[p.user_id for p in profiles],
            start__lt=window[1],
            end__gt=window[0],
        )
        .exclude(session__status=SessionStatus.CANCELLED)
        .values_list("session__trainers", "start", "end")
    ):
        away[trainer_id] |= _overlapping_half_days(start, end, first, last)
    modules = list(campaign.modules.select_related("module"))
    placements = {p.session: p for p in plan_of(campaign)} if with_pins else {}
    pins = tuple(
        pure.Pin(p.session, p.starts, p.room, p.trainer)
        for session in campaign.pins
        if (p := placements.get(str(session))) is not None
    )
    halves = frozenset(
        h for h, on in ((pure.AM, campaign.mornings), (pure.PM, campaign.afternoons)) if on
    )
    return pure.Campaign(
        start=first,
        end=last,
        sites=tuple(str(s.pk) for s in sites),
        modules=tuple(
            pure.Module(
                m.module.code,
                m.module.title,
                m.half_days,
                m.consecutive,
                pure.Phase(m.phase),
                frozenset(str(f) for f in m.features),
            )
            for m in modules
        ),
        cohorts=cohorts(campaign, sites, modules),
        rooms=tuple(
            pure.Room(
                str(r.pk),
                str(r.site_id),
                r.capacity or 0,
                frozenset(f.slug for f in r.features.all()),
                # a mobile unit keeps no site's hours: only its own bookings
                frozenset(busy[r.pk] if mobile else busy[r.pk] | shut[r.site_id]),
                r.name,
                mobile=mobile,
            )
            for r in rooms
            for mobile in [r.kind == Resource.Kind.MOBILE_UNIT]
        ),
        trainers=tuple(
            pure.Trainer(
                str(p.user_id),
                frozenset(m.code for m in p.modules.all()),
                frozenset(str(s.pk) for s in p.sites.all()),
                str(p.home_site_id) if p.home_site_id else None,
                frozenset(away[p.user_id]),
                p.max_days_per_week,
                p.user.get_full_name() or p.user.email,
            )
            for p in profiles
        ),
        weekdays=frozenset(int(d) for d in campaign.weekdays),
        halves=halves,
        holidays=_dates(campaign.holidays),
        closures=tuple((str(site_id), frozenset(days)) for site_id, days in closures.items()),
        min_gap_days=campaign.min_gap_days,
        wishes=pure.Wishes(
            spread=campaign.spread_weight,
            monthly=campaign.monthly_weight,
            trips=campaign.trips_weight,
            preferred_days=campaign.preferred_weight,
            preferred_weekdays=frozenset(int(d) for d in campaign.preferred_weekdays),
        ),
        pins=pins,
    )


# --- Plans as JSON ---------------------------------------------------------------------------


def plan_to_json(placements: tuple[pure.Placement, ...]) -> list[dict[str, Any]]:
    return [
        {
            "session": p.session,
            "cohort": p.cohort,
            "module": p.module,
            "site": p.site,
            "room": p.room,
            "trainer": p.trainer,
            "starts": [[s.day.isoformat(), s.half] for s in p.starts],
        }
        for p in placements
    ]


def plan_of(campaign: Campaign) -> tuple[pure.Placement, ...]:
    result = []
    for item in campaign.plan or []:
        result.append(
            pure.Placement(
                str(item["session"]),
                str(item["cohort"]),
                str(item["module"]),
                str(item["site"]),
                str(item["room"]),
                str(item["trainer"]),
                tuple(pure.HalfDay(dt.date.fromisoformat(d), int(h)) for d, h in item["starts"]),
            )
        )
    return tuple(result)


def reasons_to_json(reasons: tuple[pure.Reason, ...]) -> list[dict[str, Any]]:
    return [{"kind": r.kind, "params": dict(r.params)} for r in reasons]


# --- Reasons in words ------------------------------------------------------------------------


def reason_text(kind: str, params: dict[str, Any], n: Names) -> str:
    def site(code: object) -> str:
        return n.sites.get(str(code), _("un site au choix"))

    def module(code: object) -> str:
        codes = [c.strip() for c in str(code).split(",")]
        return ", ".join(f"{c} ({n.modules[c]})" if c in n.modules else c for c in codes)

    def trainers(codes: object) -> str:
        return ", ".join(
            n.trainers.get(c.strip(), c.strip()) for c in str(codes).split(",") if c.strip()
        )

    if kind == "trainer_days":
        return _(
            "Les %(groups)s groupes du module %(module)s demandent %(needed)s jours de "
            "formation ; %(trainers)s : %(available)s jours disponibles sur la période."
        ) % {
            "groups": params.get("groups"),
            "module": module(params.get("module")),
            "needed": params.get("needed"),
            "trainers": params.get("trainers"),
            "available": params.get("available"),
        }
    if kind == "no_trainer":
        return _("Aucun formateur ne peut animer le module %(module)s.") % {
            "module": module(params.get("module"))
        }
    if kind == "no_room":
        return _(
            "Aucune salle de %(site)s n'accueille %(size)s participants pour le module "
            "%(module)s (équipement requis : %(features)s)."
        ) % {
            "site": site(params.get("site")),
            "size": params.get("size"),
            "module": module(params.get("module")),
            "features": params.get("features"),
        }
    if kind == "cohort_days":
        return _(
            "Un groupe de %(site)s suit %(needed)s jours de formation, mais le site n'est "
            "ouvert que %(available)s jours sur la période."
        ) % {
            "site": site(params.get("site")),
            "needed": params.get("needed"),
            "available": params.get("available"),
        }
    if kind == "site_room_days":
        return _(
            "Les groupes de %(site)s demandent %(needed)s journées de salle ; ses %(rooms)s "
            "salles en offrent %(available)s sur la période."
        ) % {
            "site": site(params.get("site")),
            "needed": params.get("needed"),
            "rooms": params.get("rooms"),
            "available": params.get("available"),
        }
    if kind == "calendar":
        return _(
            "Le calendrier de %(site)s (jours permis, jours fériés, fermetures) laisse trop "
            "peu de place."
        ) % {"site": site(params.get("site"))}
    if kind == "room_busy":
        return _("Les réservations existantes et les heures d'ouverture de la salle %(room)s.") % {
            "room": n.rooms.get(str(params.get("room")), str(params.get("room")))
        }
    if kind == "trainer_busy":
        return _("Les absences et autres sessions de %(trainer)s.") % {
            "trainer": trainers(params.get("trainer"))
        }
    if kind == "max_days":
        return _("Le maximum de %(days)s jours par semaine de %(trainer)s.") % {
            "days": params.get("days"),
            "trainer": trainers(params.get("trainer")),
        }
    if kind == "order":
        return _(
            "L'ordre des modules du groupe %(cohort)s (introduction d'abord, clôture en dernier)."
        ) % {"cohort": n.cohort(str(params.get("cohort")))}
    if kind == "gap":
        return _("L'écart d'au moins %(days)s jours entre deux modules du groupe %(cohort)s.") % {
            "days": params.get("days"),
            "cohort": n.cohort(str(params.get("cohort"))),
        }
    if kind == "pins":
        return _("Les sessions épinglées.")
    if kind == "too_large":
        return _(
            "Campagne trop grande pour l'optimisation (plus de 1 000 sessions) et le placement "
            "rapide n'a pas tout placé : découpez-la en plusieurs campagnes."
        )
    return _(
        "Les règles de base (une salle, un formateur et un groupe ne sont qu'à un endroit à "
        "la fois) ne laissent aucun plan sur la période."
    )


def users_by_code(codes: set[str]) -> dict[str, User]:
    ids = [int(c) for c in codes if c.isdigit()]
    return {str(u.pk): u for u in User.objects.filter(pk__in=ids)}
