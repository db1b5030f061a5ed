"""Training figures (people trained, hours, sessions, rates, completions, credentials) and the
gender / age breakdowns. Reads enrolment, pathways, credentials and documents; writes nothing.

Definitions are in docs/reporting.md; the short form sits in each figure's ``definition``.
The roll-call and session measures (people, hours, rates, sessions, the breakdowns) are read
from the pre-aggregated facts (``facts.py``, refreshed by ``build_report`` before reading) or,
with ``raw=True``, recomputed from the raw rows (the reference the tests compare them with);
the other counts are one SQL aggregate over the raw rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Count, F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Site, User
from parcours.catalogue.models import Module
from parcours.credentials.models import IssuedCredential
from parcours.documents.models import Attestation
from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.lib import dates
from parcours.lib.figures import Cell, Contribution, Figure, Table
from parcours.pathways import rules
from parcours.pathways.models import Completion, Pathway
from parcours.reporting import facts, partials
from parcours.reporting.periods import Filters, Period
from parcours.scheduling.models import OutreachPupilCount

NOT_SAID = _("Non communiqué")
TOP_MODULES = 10
MEASURES_TTL = 24 * 3600  # s: a cached measure is dropped after a day at most

D = {
    "people": _(
        "Personnes distinctes présentes à au moins un créneau de la période, dans une session "
        "non annulée, avec une inscription confirmée (ou clôturée). Une personne en liste "
        "d'attente, refusée ou dont l'inscription est annulée n'est jamais comptée."
    ),
    "hours": _(
        "Somme des durées des créneaux où chaque personne comptée était présente ; un créneau "
        "compte dans la période où il commence (heure de Bruxelles)."
    ),
    "held": _(
        "Sessions non annulées dont au moins un créneau a commencé dans la période, avant "
        "aujourd'hui."
    ),
    "cancelled": _("Sessions annulées dont au moins un créneau tombait dans la période."),
    "fill": _(
        "Places occupées (inscriptions confirmées ou clôturées) divisées par les places "
        "offertes, sur les sessions tenues."
    ),
    "attendance": _(
        "Présences relevées divisées par l'ensemble des relevés (présent ou absent) des "
        "créneaux de la période, pour les inscriptions confirmées ou clôturées."
    ),
    "unmet": _(
        "Personnes distinctes encore en liste d'attente d'une session commençant dans la "
        "période : jamais placées."
    ),
    "completions": _(
        "Modules réussis (une fois par personne et par module), datés dans la période : "
        "présence suffisante, import ou saisie d'un coordinateur."
    ),
    "pathways": _(
        "Parcours dont la règle est devenue satisfaite dans la période : satisfaite avec les "
        "réussites jusqu'au dernier jour, pas avec celles d'avant le premier jour."
    ),
    "badges": _("Badges et certificats numériques émis dans la période (révoqués compris)."),
    "revoked": _("Badges révoqués dans la période, quelle que soit leur date d'émission."),
    "attestations": _("Attestations de participation émises dans la période."),
    "gender": _(
        "Personnes formées selon le genre qu'elles ont déclaré sur leur profil (facultatif) ; "
        "sans réponse : « non communiqué »."
    ),
    "age": _(
        "Personnes formées selon leur âge au dernier jour de la période (année de naissance) "
        "ou la tranche qu'elles ont déclarée ; sans réponse : « non communiqué »."
    ),
}


def _sessions(ids: Sequence[int], filters: Filters) -> QuerySet[Session]:
    qs = Session.objects.filter(organisation_id__in=ids)
    if filters.site:
        qs = qs.filter(site_id=filters.site)
    if filters.module:
        qs = qs.filter(module_id=filters.module)
    if filters.pathway:
        qs = qs.filter(module__pathways=filters.pathway)
    if filters.audience:
        qs = qs.filter(module__audience=filters.audience)
    if filters.format:
        qs = qs.filter(module__format=filters.format)
    return qs


def _modules(ids: Sequence[int], filters: Filters) -> QuerySet[Module]:
    qs = Module.objects.filter(organisation_id__in=ids)
    if filters.module:
        qs = qs.filter(pk=filters.module)
    if filters.pathway:
        qs = qs.filter(pathways=filters.pathway)
    if filters.audience:
        qs = qs.filter(audience=filters.audience)
    if filters.format:
        qs = qs.filter(format=filters.format)
    return qs


def _slots(ids: Sequence[int], period: Period, filters: Filters) -> QuerySet[SessionSlot]:
    start, end = period.bounds()
    held = _sessions(ids, filters).exclude(status=SessionStatus.CANCELLED)
    return SessionSlot.objects.filter(session__in=held, start__gte=start, start__lt=end)


def present_marks(ids: Sequence[int], period: Period, filters: Filters) -> QuerySet[Attendance]:
    """The attendance marks that make people "trained": present, on a slot of the period of a
    session not cancelled, for an enrolment holding its seat."""
    return Attendance.objects.filter(
        slot__in=_slots(ids, period, filters),
        present=True,
        enrolment__status__in=sorted(SEAT_HOLDING),
    )


def _hours(value: dt.timedelta | None) -> Decimal:
    seconds = value.total_seconds() if value else 0
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


def _percent(part: int, whole: int) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _pathways_completed(ids: Sequence[int], period: Period, filters: Filters) -> int:
    pathways = Pathway.objects.filter(organisation_id__in=ids)
    if filters.pathway:
        pathways = pathways.filter(pk=filters.pathway)
    total = 0
    for pathway in pathways.prefetch_related("memberships__module"):
        hours = {m.module_id: float(m.module.duration_hours) for m in pathway.memberships.all()}
        if not hours:
            continue
        before: dict[int, dict[int, float]] = defaultdict(dict)
        until: dict[int, dict[int, float]] = defaultdict(dict)
        rows = Completion.objects.filter(
            module_id__in=list(hours), completed_on__lte=period.last
        ).values_list("learner_id", "module_id", "hours", "completed_on")
        for learner_id, module_id, done_hours, day in rows.iterator(chunk_size=20_000):
            until[learner_id][module_id] = float(done_hours)
            if day < period.first:
                before[learner_id][module_id] = float(done_hours)
        modules = list(hours)
        now = rules.evaluate_many(pathway.rule, until, module_hours=hours, pathway_modules=modules)
        was = rules.evaluate_many(pathway.rule, before, module_hours=hours, pathway_modules=modules)
        total += sum(1 for learner, ok in now.items() if ok and not was.get(learner, False))
    return total


@dataclass(frozen=True)
class SlotFacts:
    """One slot of the period with its roll-call counts (seat-holding enrolments only)."""

    start: dt.datetime
    length: dt.timedelta
    site: int | None
    module: int
    marks: int
    present: int


def _slot_facts(ids: Sequence[int], period: Period, filters: Filters) -> list[SlotFacts]:
    """The slots of the period that have marks: two integer queries, durations in Python.

    Durations and local months are computed here from aware datetimes rather than in SQL: on
    SQLite date arithmetic runs as a Python function per row (slow at millions of marks), and
    per slot it is a few thousand subtractions."""
    counts = {
        row["slot_id"]: row
        for row in Attendance.objects.filter(
            slot__in=_slots(ids, period, filters), enrolment__status__in=sorted(SEAT_HOLDING)
        )
        .values("slot_id")
        .annotate(marks=Count("pk"), present=Count("pk", filter=Q(present=True)))
        .order_by()
    }
    if not counts:
        return []
    slots = (
        _slots(ids, period, filters)
        .filter(pk__in=list(counts))
        .values_list(
            "pk",
            "start",
            "end",
            "session__site_id",
            "session__module_id",
        )
        .order_by()
    )
    return [
        SlotFacts(
            start=start,
            length=end - start,
            site=site,
            module=module,
            marks=counts[pk]["marks"],
            present=counts[pk]["present"],
        )
        for pk, start, end, site, module in slots
    ]


@dataclass(frozen=True)
class ProfileGroup:
    """People trained who share the same declared profile (blank: no profile or no answer)."""

    audience: str
    school_year: str
    gender: str
    birth_year: int | None
    age_band: str
    people: int


def profile_groups(marks: QuerySet[Attendance]) -> list[ProfileGroup]:
    """One scan of the marks: distinct people trained per declared profile.

    A person has one profile (or none), so they fall in exactly one group and the groups' sums
    are exact distinct counts: the total of people trained, by audience, school year, gender
    and age all come from this one query."""
    # The people (a semi-join on the marks), then their profiles grouped: each person is one
    # row of the outer query, so a plain COUNT is the distinct count (no COUNT(DISTINCT), which
    # PostgreSQL sorts).
    trained = marks.values("enrolment__learner_id")
    rows = (
        User.objects.filter(pk__in=trained)
        .values(
            audience=F("learner_profile__audience"),
            school_year=F("learner_profile__school_year"),
            gender=F("learner_profile__gender"),
            birth_year=F("learner_profile__birth_year"),
            age_band=F("learner_profile__age_band"),
        )
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        ProfileGroup(
            audience=row["audience"] or "",
            school_year=row["school_year"] or "",
            gender=row["gender"] or "",
            birth_year=row["birth_year"],
            age_band=row["age_band"] or "",
            people=row["n"],
        )
        for row in rows
    ]


@dataclass(frozen=True)
class Measures:
    """What the training figures read from the roll calls and sessions of the period: from the
    pre-aggregated facts (``facts.py``, the default) or from the raw rows (``raw=True``)."""

    groups: list[ProfileGroup]
    marks: int  # roll-call marks (present or absent) of seat-holding enrolments
    present: int
    seconds: int  # present seconds
    held: int
    cancelled: int
    capacity: int
    seats: int
    by_month: dict[tuple[int, int], tuple[int, int]]  # (year, month) -> (people, seconds)
    by_site: list[tuple[int | None, int, int]]  # (site id or None: online, people, seconds)
    by_module: list[tuple[int, int, int]]  # (module id, people, seconds)
    next_start: dt.datetime | None = None  # a session's first slot still to come, if any
    unmet: int = 0  # distinct people still waiting for a session starting in the period


def _raw_measures(ids: Sequence[int], period: Period, filters: Filters) -> Measures:
    start, end = period.bounds()
    now = timezone.now()
    marks = present_marks(ids, period, filters)
    groups = profile_groups(marks)
    slots = _slot_facts(ids, period, filters)
    sessions = _sessions(ids, filters)
    slots_in = SessionSlot.objects.filter(start__gte=start, start__lt=end)
    held_ids = (
        sessions.exclude(status=SessionStatus.CANCELLED)
        .filter(pk__in=slots_in.filter(start__lt=now).values("session_id"))
        .values("pk")
    )
    held = Session.objects.filter(pk__in=held_ids)
    cancelled = (
        sessions.filter(status=SessionStatus.CANCELLED)
        .filter(pk__in=slots_in.values("session_id"))
        .count()
    )
    zone = dates.platform_zone()
    by_month: dict[tuple[int, int], tuple[int, int]] = {}
    month_seconds: dict[tuple[int, int], float] = defaultdict(float)
    site_seconds: dict[int | None, float] = defaultdict(float)
    module_seconds: dict[int, float] = defaultdict(float)
    for slot in slots:
        local = slot.start.astimezone(zone)
        seconds = slot.present * slot.length.total_seconds()
        month_seconds[(local.year, local.month)] += seconds
        site_seconds[slot.site] += seconds
        module_seconds[slot.module] += seconds
    for y, m in period.months():
        first = dt.datetime(y, m, 1, tzinfo=zone)
        after = dt.datetime(y + (m == 12), m % 12 + 1, 1, tzinfo=zone)
        month = marks.filter(slot__start__gte=first, slot__start__lt=after)
        people = User.objects.filter(pk__in=month.values("enrolment__learner_id")).count()
        by_month[(y, m)] = (people, int(month_seconds.get((y, m), 0)))
    # Over the enrolments with a present mark: a mark's slot is one of its session's slots.
    trained = _trained_enrolments(marks)
    by_site = [
        (row["site"], row["people"], int(site_seconds[row["site"]]))
        for row in trained.values(site=F("session__site_id"))
        .annotate(people=Count("learner_id", distinct=True))
        .order_by()
    ]
    by_module = [
        (r["module"], r["people"], int(module_seconds[r["module"]]))
        for r in trained.values(module=F("session__module_id"))
        .annotate(people=Count("learner_id", distinct=True))
        .order_by()
    ]
    unmet = (
        Enrolment.objects.filter(
            session__in=sessions.exclude(status=SessionStatus.CANCELLED).filter(
                starts_at__gte=start, starts_at__lt=end
            ),
            status=EnrolmentStatus.WAITLISTED,
        )
        .values("learner_id")
        .distinct()
        .count()
    )
    return Measures(
        unmet=unmet,
        groups=groups,
        marks=sum(s.marks for s in slots),
        present=sum(s.present for s in slots),
        seconds=int(sum(s.present * s.length.total_seconds() for s in slots)),
        held=held.count(),
        cancelled=cancelled,
        capacity=held.aggregate(total=Sum("capacity"))["total"] or 0,
        seats=Enrolment.objects.filter(
            session__in=held_ids, status__in=sorted(SEAT_HOLDING)
        ).count(),
        by_month=by_month,
        by_site=by_site,
        by_module=by_module,
    )


def _digest(parts: Iterable[str]) -> str:
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def _module_ids(ids: Sequence[int], filters: Filters) -> list[int] | None:
    """The modules the filters keep (``None``: no module filter)."""
    if filters.module or filters.pathway or filters.audience or filters.format:
        return sorted(_modules(ids, filters).values_list("pk", flat=True))
    return None


def _fact_measures(
    ids: Sequence[int], period: Period, filters: Filters, now: dt.datetime
) -> Measures:
    """From the per-(organisation, month) partials (``partials.py``): only the months whose
    facts were rebuilt since they were cached are read again."""
    merged = partials.merge(
        partials.partials(ids, period.first, period.last, filters.site, _module_ids(ids, filters))
    )
    groups = [
        ProfileGroup(
            audience=profile[0],
            school_year=profile[1],
            gender=profile[2],
            birth_year=profile[3],
            age_band=profile[4],
            people=n,
        )
        for profile, n in merged.groups.items()
    ]
    held = cancelled = capacity = seats = 0
    next_start: dt.datetime | None = None
    for is_cancelled, first, places, taken in merged.sessions.values():
        if is_cancelled:
            cancelled += 1
        elif first < now:
            held += 1
            capacity += places
            seats += taken
        elif next_start is None or first < next_start:
            next_start = first
    return Measures(
        unmet=merged.unmet,
        groups=groups,
        marks=merged.marks,
        present=merged.present,
        seconds=merged.seconds,
        held=held,
        cancelled=cancelled,
        capacity=capacity,
        seats=seats,
        by_month={ym: merged.by_month.get(ym, (0, 0)) for ym in period.months()},
        by_site=merged.by_site,
        by_module=merged.by_module,
        next_start=next_start,
    )


def measures(
    ids: Sequence[int], period: Period, filters: Filters, *, raw: bool = False
) -> Measures:
    """The period's roll-call and session measures; the facts must be fresh (``build_report``
    calls ``facts.refresh`` first) unless ``raw``.

    From the facts, the result is kept in the cache under the facts' generation (bumped by
    every rebuild, so any write that reached the facts makes a new key) until the next slot of
    a session not cancelled starts (when "sessions held" changes without a write)."""
    if raw:
        return _raw_measures(ids, period, filters)
    key = "reporting:measures:" + _digest(
        str(part)
        for part in (
            facts.scope_token(ids, period.first, period.last),
            ",".join(map(str, sorted(ids))),
            period.first,
            period.last,
            filters.site,
            _module_ids(ids, filters),
        )
    )
    found = cache.get(key)
    if isinstance(found, Measures):
        return found
    now = timezone.now()
    found = _fact_measures(ids, period, filters, now)
    expires = found.next_start
    seconds = MEASURES_TTL if expires is None else int((expires - now).total_seconds())
    if seconds > 0:
        cache.set(key, found, min(seconds, MEASURES_TTL))
    return found


def training_and_people(
    ids: Sequence[int], period: Period, filters: Filters, *, raw: bool = False
) -> tuple[Contribution, Contribution]:
    """The training section and the gender / age section, sharing their measures."""
    found = measures(ids, period, filters, raw=raw)
    return training(ids, period, filters, found), people(ids, period, filters, found.groups)


def training(ids: Sequence[int], period: Period, filters: Filters, found: Measures) -> Contribution:
    start, end = period.bounds()
    groups = found.groups
    people = sum(g.people for g in groups)
    hours = _hours(dt.timedelta(seconds=found.seconds))
    sessions = _sessions(ids, filters)
    unmet = found.unmet
    completions = Completion.objects.filter(
        module__in=_modules(ids, filters),
        completed_on__gte=period.first,
        completed_on__lte=period.last,
    ).count()
    credentials = IssuedCredential.objects.filter(organisation_id__in=ids)
    issued = credentials.filter(issued_at__gte=start, issued_at__lt=end).count()
    revoked = credentials.filter(revoked_at__gte=start, revoked_at__lt=end).count()
    attestations = Attestation.objects.filter(
        session__in=sessions, issued_at__gte=start, issued_at__lt=end
    ).count()

    figures = (
        Figure("training.people", _("Personnes formées"), people, "people", D["people"], True),
        Figure("training.hours", _("Heures-apprenants"), hours, "hours", D["hours"]),
        Figure(
            "training.sessions_held",
            _("Sessions tenues"),
            found.held,
            "count",
            D["held"],
            link=reverse("enrolment:manage_list"),
        ),
        Figure(
            "training.sessions_cancelled",
            _("Sessions annulées"),
            found.cancelled,
            "count",
            D["cancelled"],
        ),
        Figure(
            "training.fill_rate",
            _("Taux de remplissage"),
            _percent(found.seats, found.capacity),
            "percent",
            D["fill"],
        ),
        Figure(
            "training.attendance_rate",
            _("Taux de présence"),
            _percent(found.present, found.marks),
            "percent",
            D["attendance"],
        ),
        Figure(
            "training.unmet_demand", _("Demande non satisfaite"), unmet, "people", D["unmet"], True
        ),
        Figure(
            "training.completions", _("Modules réussis"), completions, "count", D["completions"]
        ),
        Figure(
            "training.pathways_completed",
            _("Parcours achevés"),
            _pathways_completed(ids, period, filters),
            "count",
            D["pathways"],
        ),
        Figure("training.badges_issued", _("Badges émis"), issued, "count", D["badges"]),
        Figure("training.badges_revoked", _("Badges révoqués"), revoked, "count", D["revoked"]),
        Figure(
            "training.attestations",
            _("Attestations émises"),
            attestations,
            "count",
            D["attestations"],
        ),
    )
    tables = (
        _by_month(found, period),
        _by_audience(groups),
        _pupils_by_school_year(groups),
        _by_site(found),
        _top_modules(found),
    )
    return Contribution(figures=figures, tables=tables)


def _choice_rows(
    choices: Sequence[tuple[str, Any]], counts: Counter[str]
) -> tuple[tuple[Cell, ...], ...]:
    """One row per choice, then "non communiqué" (blank or no profile)."""
    rows: list[tuple[Cell, ...]] = [(str(label), counts.get(value, 0)) for value, label in choices]
    rows.append((str(NOT_SAID), counts.get("", 0)))
    return tuple(rows)


def _month_label(year: int, month: int) -> str:
    return f"{year}-{month:02d}"


def _by_month(found: Measures, period: Period) -> Table:
    rows = tuple(
        (
            _month_label(y, m),
            found.by_month.get((y, m), (0, 0))[0],
            _hours(dt.timedelta(seconds=found.by_month.get((y, m), (0, 0))[1])),
        )
        for y, m in period.months()
    )
    return Table(
        key="training.by_month",
        title=_("Personnes formées et heures par mois"),
        columns=(_("Mois"), _("Personnes formées"), _("Heures-apprenants")),
        rows=rows,
        people_columns=(1,),
        chart="line",
        definition=_("Une personne formée deux mois différents compte dans chacun des deux mois."),
    )


def _by_audience(groups: list[ProfileGroup]) -> Table:
    merged: Counter[str] = Counter()
    for group in groups:
        merged[group.audience] += group.people
    rows = _choice_rows(Module.Audience.choices, merged)
    return Table(
        key="training.by_audience",
        title=_("Personnes formées par public"),
        columns=(_("Public"), _("Personnes formées")),
        rows=rows,
        people_columns=(1,),
        chart="bar",
        definition=_("Le public que la personne a déclaré sur son profil (« je suis »)."),
    )


def _pupils_by_school_year(groups: list[ProfileGroup]) -> Table:
    counts: Counter[str] = Counter()
    for group in groups:
        if group.audience == Module.Audience.PUPILS:
            counts[group.school_year] += group.people
    rows = _choice_rows(OutreachPupilCount.Grade.choices, counts)
    return Table(
        key="training.pupils_by_school_year",
        title=_("Élèves formés par année scolaire"),
        columns=(_("Année"), _("Élèves")),
        rows=rows,
        people_columns=(1,),
        chart="bar",
    )


def _trained_enrolments(marks: QuerySet[Attendance]) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(pk__in=marks.values("enrolment_id"))


def _by_site(found: Measures) -> Table:
    remote = str(_("À distance"))
    names = dict(
        Site.objects.filter(pk__in=[s for s, _n, _sec in found.by_site if s]).values_list(
            "pk", "name"
        )
    )
    rows = sorted(
        (
            (names.get(site, "") if site else remote, n, _hours(dt.timedelta(seconds=sec)))
            for site, n, sec in found.by_site
        ),
        key=lambda row: (row[0] != remote, row[0]),
    )
    return Table(
        key="training.by_site",
        title=_("Personnes formées par site"),
        columns=(_("Site"), _("Personnes formées"), _("Heures-apprenants")),
        rows=tuple(rows),
        people_columns=(1,),
        chart="bar",
    )


def _top_modules(found: Measures) -> Table:
    modules = {
        pk: (code, title)
        for pk, code, title in Module.objects.filter(
            pk__in=[m for m, _n, _sec in found.by_module]
        ).values_list("pk", "code", "title_fr")
    }
    named = [(*modules.get(m, ("", "")), n, sec) for m, n, sec in found.by_module]
    top = sorted(named, key=lambda row: (-row[2], row[0]))[:TOP_MODULES]
    return Table(
        key="training.top_modules",
        title=_("Modules les plus suivis"),
        columns=(_("Code"), _("Module"), _("Personnes formées"), _("Heures-apprenants")),
        rows=tuple(
            (code, title, n, _hours(dt.timedelta(seconds=sec))) for code, title, n, sec in top
        ),
        people_columns=(2,),
        chart="bar",
    )


def age_band(profile_year: int | None, declared: str, on: dt.date) -> str:
    """The age band of a person on a day: from the birth year when given, else as declared."""
    if profile_year:
        age = on.year - profile_year
        bands = LearnerProfile.AgeBand
        if age < 18:
            return bands.UNDER_18
        if age <= 25:
            return bands.FROM_18
        if age <= 35:
            return bands.FROM_26
        if age <= 45:
            return bands.FROM_36
        if age <= 55:
            return bands.FROM_46
        return bands.FROM_56
    return declared or ""


def people(
    ids: Sequence[int], period: Period, filters: Filters, groups: list[ProfileGroup]
) -> Contribution:
    total = sum(g.people for g in groups)
    genders: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    for group in groups:
        genders[group.gender] += group.people
        ages[age_band(group.birth_year, group.age_band, period.last)] += group.people
    women = genders.get(LearnerProfile.Gender.FEMALE, 0)
    declared = total - genders[""] - genders.get(LearnerProfile.Gender.UNDISCLOSED, 0)
    figures = (
        Figure("people.women", _("Femmes formées"), women, "people", D["gender"], True),
        Figure(
            "people.women_share",
            _("Part des femmes (parmi les réponses)"),
            _percent(women, declared),
            "percent",
            _("Femmes divisées par les personnes formées ayant déclaré femme, homme ou autre."),
        ),
        Figure(
            "people.gender_not_said",
            _("Genre non communiqué"),
            genders[""] + genders.get(LearnerProfile.Gender.UNDISCLOSED, 0),
            "people",
            D["gender"],
            True,
        ),
    )
    gender_rows = _choice_rows(LearnerProfile.Gender.choices, genders)
    age_rows = _choice_rows(LearnerProfile.AgeBand.choices, ages)
    tables = (
        Table(
            key="people.gender",
            title=_("Personnes formées par genre"),
            columns=(_("Genre"), _("Personnes formées")),
            rows=gender_rows,
            people_columns=(1,),
            chart="pie",
            definition=D["gender"],
        ),
        Table(
            key="people.age",
            title=_("Personnes formées par âge"),
            columns=(_("Âge"), _("Personnes formées")),
            rows=age_rows,
            people_columns=(1,),
            chart="bar",
            definition=D["age"],
        ),
    )
    return Contribution(figures=figures, tables=tables)
