"""Every figure equals a naive recount from the raw rows, on generated data (hypothesis).

The rows are written straight to the tables (not through the actions) because the edge cases
are states the actions reach only over weeks: an enrolment cancelled after attendance was
taken, a person erased after training, people left on a waitlist, slots at 23:30 on
31 December or 00:30 on 1 January in Brussels, slots in the night of a DST change. The recount
reads every row into Python and applies the definitions of docs/reporting.md literally; the
figures come from ``build_report``, the same path as the pages and the API.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.accounts.models import Organisation, Site, User
from parcours.catalogue.models import Module
from parcours.enrolment.models import Attendance, Enrolment, LearnerProfile, Session, SessionSlot
from parcours.enrolment.states import SEAT_HOLDING, EnrolmentStatus, SessionStatus
from parcours.lib.dates import platform_zone
from parcours.reporting import facts
from parcours.reporting.figures import build_report
from parcours.reporting.models import DirtySession, OutreachBaseline
from parcours.reporting.periods import Filters, Period
from parcours.reporting.training import age_band
from parcours.scheduling.models import (
    Booking,
    Loan,
    OutreachActivity,
    OutreachPupilCount,
    OutreachRequest,
    Resource,
)
from parcours.scheduling.states import BookingStatus

pytestmark = pytest.mark.django_db
TZ = platform_zone()

# Local instants chosen to sit on the edges: year ends, DST changes (30 March / 26 October
# 2025, 31 March / 27 October 2024), the school year's first day, ordinary days.
EDGES = [
    (2024, 12, 31, 23, 30),
    (2025, 1, 1, 0, 30),
    (2025, 12, 31, 23, 0),
    (2026, 1, 1, 0, 15),
    (2025, 3, 30, 1, 30),
    (2025, 3, 30, 3, 30),
    (2025, 10, 26, 1, 45),
    (2025, 10, 26, 3, 0),
    (2024, 3, 31, 3, 0),
    (2024, 10, 27, 1, 0),
    (2024, 8, 31, 22, 0),
    (2024, 9, 1, 8, 0),
    (2025, 8, 31, 23, 59),
    (2025, 9, 1, 0, 0),
    (2025, 5, 14, 9, 0),
    (2024, 5, 14, 13, 30),
]
PERIODS = [
    Period.calendar_year(2025),
    Period.school_year(2024),
    Period.school_year(2025),
    Period.between(dt.date(2025, 3, 30), dt.date(2025, 10, 26)),
    Period.between(dt.date(2025, 12, 31), dt.date(2026, 1, 1)),
]

person = st.fixed_dictionaries(
    {
        "profile": st.booleans(),
        "audience": st.sampled_from(["", "teachers", "pupils", "jobseekers"]),
        "gender": st.sampled_from(["", *LearnerProfile.Gender.values]),
        "birth_year": st.one_of(st.none(), st.integers(1950, 2015)),
        "age_band": st.sampled_from(["", *LearnerProfile.AgeBand.values]),
        "school_year": st.sampled_from(["", "P5", "S2"]),
        "erased": st.booleans(),
    }
)
slot = st.tuples(st.sampled_from(EDGES), st.integers(1, 8))  # start, quarter-hours
session = st.fixed_dictionaries(
    {
        "cancelled": st.booleans(),
        "capacity": st.integers(1, 4),
        "module": st.integers(0, 1),
        "other_org": st.booleans(),
        "slots": st.lists(slot, min_size=1, max_size=3),
    }
)
enrolment = st.tuples(
    st.integers(0, 5),  # session
    st.integers(0, 7),  # person
    st.sampled_from(EnrolmentStatus.values),
    st.lists(st.one_of(st.none(), st.booleans()), min_size=3, max_size=3),  # marks per slot
)
outreach = st.tuples(
    st.sampled_from(EDGES),
    st.sampled_from(BookingStatus.values),
    st.lists(st.tuples(st.sampled_from(["P5", "S1"]), st.integers(1, 30)), max_size=2),
)
loan = st.tuples(
    st.sampled_from(EDGES), st.integers(1, 40), st.one_of(st.none(), st.integers(0, 60))
)
world = st.fixed_dictionaries(
    {
        "people": st.lists(person, min_size=1, max_size=8),
        "sessions": st.lists(session, min_size=1, max_size=6),
        "enrolments": st.lists(enrolment, max_size=20),
        "outreach": st.lists(outreach, max_size=4),
        "loans": st.lists(loan, max_size=4),
        "baseline": st.one_of(st.none(), st.integers(0, 50_000)),
        "period": st.sampled_from(PERIODS),
    }
)


def aware(local: tuple[int, int, int, int, int]) -> dt.datetime:
    year, month, day, hour, minute = local
    return dt.datetime(year, month, day, hour, minute, tzinfo=TZ)


def build(data: dict[str, Any], org: Organisation, other: Organisation) -> dict[str, Any]:
    site = Site.objects.create(organisation=org, slug="s", name="Site", city="Mons")
    other_site = Site.objects.create(organisation=other, slug="s", name="Autre", city="Liège")
    modules = [
        Module.objects.create(
            organisation=org,
            code=f"M{i}",
            title_fr=f"M{i}",
            duration_hours=Decimal(6),
            audience=["teachers", "pupils"][i],
        )
        for i in range(2)
    ]
    other_module = Module.objects.create(
        organisation=other, code="X", title_fr="X", duration_hours=Decimal(6)
    )
    users = []
    for i, p in enumerate(data["people"]):
        user = User.objects.create(email=f"p{i}@test.invalid", first_name=f"P{i}")
        if p["erased"]:  # what privacy.erase leaves: a pseudonym, the enrolments kept
            User.objects.filter(pk=user.pk).update(
                email=f"erased-{i}@erased.invalid", first_name="", erased_at=timezone.now()
            )
        if p["profile"]:
            LearnerProfile.objects.create(
                user=user,
                audience=p["audience"],
                gender=p["gender"],
                birth_year=p["birth_year"],
                age_band=p["age_band"],
                school_year=p["school_year"],
            )
        users.append(user)
    sessions = []
    for i, s in enumerate(data["sessions"]):
        theirs = s["other_org"]
        starts = sorted(
            {(aware(start), aware(start) + dt.timedelta(minutes=15 * q)) for start, q in s["slots"]}
        )
        session = Session.objects.create(
            organisation=other if theirs else org,
            module=other_module if theirs else modules[s["module"]],
            code=f"S{i}",
            site=other_site if theirs else site,
            capacity=s["capacity"],
            status=SessionStatus.CANCELLED if s["cancelled"] else SessionStatus.PUBLISHED,
            starts_at=starts[0][0],
            ends_at=max(end for _s, end in starts),
        )
        slots = [SessionSlot.objects.create(session=session, start=a, end=b) for a, b in starts]
        sessions.append((session, slots))
    seen: set[tuple[int, int]] = set()
    for s_index, p_index, status, marks in data["enrolments"]:
        if s_index >= len(sessions) or p_index >= len(users):
            continue
        session, slots = sessions[s_index]
        if (session.pk, users[p_index].pk) in seen:
            continue
        seen.add((session.pk, users[p_index].pk))
        e = Enrolment.objects.create(
            session=session, learner=users[p_index], status=status, source="coordinator"
        )
        for slot_row, mark in zip(slots, marks, strict=False):
            if mark is not None:  # marks even on cancelled enrolments: cancelled after attendance
                Attendance.objects.create(
                    slot=slot_row, enrolment=e, present=mark, method="trainer"
                )
    unit = Resource.objects.create(
        organisation=org, site=site, kind=Resource.Kind.MOBILE_UNIT, name="Camion", code="T"
    )
    activity = OutreachActivity.objects.create(organisation=org, unit=unit, slug="a", title_fr="A")
    for i, (start, status, counts) in enumerate(data["outreach"]):
        booking = Booking.objects.create(
            organisation=org,
            site=site,
            title="x",
            purpose="outreach",
            status=status,
            requester=users[0],
            start=aware(start),
            end=aware(start) + dt.timedelta(hours=6),
        )
        request = OutreachRequest.objects.create(
            organisation=org,
            booking=booking,
            activity=activity,
            school_name=f"École {i}",
            school_city="Mons",
        )
        for grade, n in dict(counts).items():
            OutreachPupilCount.objects.create(request=request, grade=grade, count=n)
    if data["baseline"] is not None:
        OutreachBaseline.objects.create(organisation=org, pupils=data["baseline"])
    for i, (start, days, returned_after) in enumerate(data["loans"]):
        item = Resource.objects.create(
            organisation=org, site=site, kind=Resource.Kind.EQUIPMENT, name=f"PC{i}", code=f"E{i}"
        )
        begin = aware(start)
        booking = Booking.objects.create(
            organisation=org,
            site=site,
            title="prêt",
            purpose="loan",
            status="approved",
            requester=users[0],
            start=begin,
            end=begin + dt.timedelta(days=days),
        )
        Loan.objects.create(
            organisation=org,
            resource=item,
            booking=booking,
            borrower=users[0],
            start=begin,
            due=begin + dt.timedelta(days=days),
            returned_at=None
            if returned_after is None
            else begin + dt.timedelta(days=returned_after),
        )
    return {"org": org, "modules": modules}


def pct(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def hours(seconds: float) -> Decimal:
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


def recount(org: Organisation, period: Period) -> dict[str, Any]:
    """The definitions of docs/reporting.md applied literally to every row."""
    now = timezone.now()

    def in_period(instant: dt.datetime) -> bool:
        return period.contains(instant.astimezone(TZ).date())

    profiles = {p.user_id: p for p in LearnerProfile.objects.all()}
    trained: set[int] = set()
    per_site: dict[str, set[int]] = {}
    per_module: dict[str, set[int]] = {}
    seconds = 0.0
    by_month: Counter[tuple[int, int]] = Counter()
    month_people: dict[tuple[int, int], set[int]] = {}
    marks_total = marks_present = 0
    for a in Attendance.objects.select_related(
        "slot__session__site", "slot__session__module", "enrolment"
    ):
        s = a.slot.session
        if s.organisation_id != org.pk or s.status == SessionStatus.CANCELLED:
            continue
        if not in_period(a.slot.start) or a.enrolment.status not in SEAT_HOLDING:
            continue
        marks_total += 1
        if a.present:
            marks_present += 1
            trained.add(a.enrolment.learner_id)
            per_site.setdefault(s.site.name if s.site else "", set()).add(a.enrolment.learner_id)
            per_module.setdefault(s.module.code, set()).add(a.enrolment.learner_id)
            seconds += (a.slot.end - a.slot.start).total_seconds()
            local = a.slot.start.astimezone(TZ)
            month_people.setdefault((local.year, local.month), set()).add(a.enrolment.learner_id)
    for key, people in month_people.items():
        by_month[key] = len(people)
    held = cancelled = capacity = seats = 0
    unmet: set[int] = set()
    for s in Session.objects.filter(organisation=org).prefetch_related("slots", "enrolments"):
        slots_in = [x for x in s.slots.all() if in_period(x.start)]
        if s.status == SessionStatus.CANCELLED:
            cancelled += bool(slots_in)
            continue
        if any(x.start < now for x in slots_in):
            held += 1
            capacity += s.capacity
            seats += sum(1 for e in s.enrolments.all() if e.status in SEAT_HOLDING)
        if s.starts_at and in_period(s.starts_at):
            unmet |= {e.learner_id for e in s.enrolments.all() if e.status == "waitlisted"}
    genders: Counter[str] = Counter()
    ages: Counter[str] = Counter()
    audiences: Counter[str] = Counter()
    for user_id in trained:
        p = profiles.get(user_id)
        genders[p.gender if p else ""] += 1
        ages[age_band(p.birth_year, p.age_band, period.last) if p else ""] += 1
        audiences[p.audience if p else ""] += 1
    pupils = visits = since = 0
    for r in OutreachRequest.objects.filter(organisation=org).select_related("booking"):
        if r.booking.status != BookingStatus.APPROVED or r.booking.start >= now:
            continue
        n = sum(c.count for c in r.pupil_counts.all())
        end = period.bounds()[1]
        if r.booking.start < end:
            since += n
        if in_period(r.booking.start):
            pupils += n
            visits += 1
    since += sum(b.pupils for b in OutreachBaseline.objects.filter(organisation=org))
    loans = [x for x in Loan.objects.filter(organisation=org) if in_period(x.start)]
    overdue = sum(
        1
        for x in loans
        if (x.returned_at and x.returned_at > x.due) or (x.returned_at is None and x.due < now)
    )
    done = [(x.returned_at - x.start).total_seconds() / 86400 for x in loans if x.returned_at]
    women = genders["female"]
    return {
        "training.people": len(trained),
        "training.hours": hours(seconds),
        "training.sessions_held": held,
        "training.sessions_cancelled": cancelled,
        "training.fill_rate": pct(seats, capacity),
        "training.attendance_rate": pct(marks_present, marks_total),
        "training.unmet_demand": len(unmet),
        "people.women": women,
        "people.gender_not_said": genders[""] + genders["undisclosed"],
        "people.women_share": pct(women, len(trained) - genders[""] - genders["undisclosed"]),
        "outreach.pupils": pupils,
        "outreach.visits": visits,
        "outreach.pupils_since_start": since,
        "logistics.loans": len(loans),
        "logistics.loans_overdue": overdue,
        "logistics.loan_days": (Decimal(sum(done)) / Decimal(len(done))).quantize(Decimal("0.1"))
        if done
        else None,
        "_by_month": {f"{y}-{m:02d}": by_month[(y, m)] for y, m in period.months()},
        "_gender": genders,
        "_age": ages,
        "_audience": audiences,
        "_site": {name: len(people) for name, people in per_site.items()},
        "_module": {code: len(people) for code, people in per_module.items()},
    }


@pytest.mark.parametrize("path", ["facts", "facts_set_based", "raw"])
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world)
def test_every_figure_equals_a_naive_recount(
    data: dict[str, Any], path: str, org, other_org
) -> None:
    """Every path: the pre-aggregated facts (what pages and the API read) rebuilt per session
    on read, or all at once by the set-based ``rebuild_all`` (after a bulk import), and the
    raw rows."""
    with transaction.atomic():
        build(data, org, other_org)
        if path == "facts_set_based":
            facts.rebuild_all()
            assert not DirtySession.objects.exists()
        check(org, data["period"], raw=path == "raw")
        transaction.set_rollback(True)


# Writes between two reads: each changes a raw row the facts are built from, through the
# ORM (the database triggers mark the session dirty whatever wrote it).
write = st.one_of(
    st.tuples(st.just("cancel"), st.integers(0, 5)),
    st.tuples(st.just("status"), st.integers(0, 19), st.sampled_from(EnrolmentStatus.values)),
    st.tuples(st.just("mark"), st.integers(0, 59)),
    st.tuples(st.just("unmark"), st.integers(0, 59)),
    st.tuples(st.just("profile"), st.integers(0, 7), st.sampled_from(["", "female", "male"])),
    st.tuples(st.just("erase"), st.integers(0, 7)),
    st.tuples(st.just("move_slot"), st.integers(0, 17), st.sampled_from(EDGES)),
    st.tuples(st.just("drop_enrolment"), st.integers(0, 19)),
    st.tuples(st.just("drop_session"), st.integers(0, 5)),
)


def apply(op: tuple[Any, ...], org: Organisation) -> None:
    kind, index = op[0], op[1]

    def nth(qs: Any) -> Any:
        rows = list(qs.order_by("pk"))
        return rows[index % len(rows)] if rows else None

    if kind == "cancel" and (session := nth(Session.objects.all())):
        Session.objects.filter(pk=session.pk).update(status=SessionStatus.CANCELLED)
    elif kind == "status" and (enrolment := nth(Enrolment.objects.all())):
        enrolment.status = op[2]
        enrolment.save(update_fields=["status"])
    elif kind == "mark" and (mark := nth(Attendance.objects.all())):
        Attendance.objects.filter(pk=mark.pk).update(present=not mark.present)
    elif kind == "unmark" and (mark := nth(Attendance.objects.all())):
        mark.delete()
    elif kind == "profile" and (user := nth(User.objects.filter(email__endswith=".invalid"))):
        LearnerProfile.objects.update_or_create(user=user, defaults={"gender": op[2]})
    elif kind == "erase" and (user := nth(User.objects.filter(email__endswith=".invalid"))):
        # What privacy.erase_person does to the profile (its own test checks the action).
        LearnerProfile.objects.filter(user=user).update(
            gender="", birth_year=None, age_band="", school_year=""
        )
    elif kind == "move_slot" and (slot := nth(SessionSlot.objects.all())):
        start = aware(op[2])
        SessionSlot.objects.filter(pk=slot.pk).update(
            start=start, end=start + (slot.end - slot.start)
        )
    elif kind == "drop_enrolment" and (enrolment := nth(Enrolment.objects.all())):
        enrolment.delete()
    elif kind == "drop_session" and (session := nth(Session.objects.all())):
        session.delete()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world, writes=st.lists(st.lists(write, min_size=1, max_size=3), max_size=3))
def test_facts_follow_writes_between_reads(
    data: dict[str, Any], writes: list[list[tuple[Any, ...]]], org, other_org
) -> None:
    """Read (facts built and cached), write, read again: the second read sees the writes —
    the dirty sessions are rebuilt — and still equals the naive recount and the raw path."""
    with transaction.atomic():
        build(data, org, other_org)
        period = data["period"]
        check(org, period, raw=False)
        for batch in writes:
            for op in batch:
                apply(op, org)
            check(org, period, raw=False)
            same_as_raw(org, period)
        transaction.set_rollback(True)


def training_tables(report: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("training", "people"):
        section = report.section(key)
        out.update({f.key: (f.value, f.previous_value) for f in section.figures})
        out.update({t.key: t.rows for t in section.tables})
    return out


def same_as_raw(org: Organisation, period: Period, filters: Filters | None = None) -> None:
    filters = filters or Filters()
    facts_report = build_report([org.pk], period, filters)
    raw_report = build_report([org.pk], period, filters, raw=True)
    assert training_tables(facts_report) == training_tables(raw_report)


@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=world, which=st.sampled_from(["site", "module", "audience", "format", "none"]))
def test_fact_path_equals_raw_path_with_filters(
    data: dict[str, Any], which: str, org, other_org
) -> None:
    """Every training figure and table (both years) is the same from the facts and the raw
    rows, with or without a filter."""
    with transaction.atomic():
        built = build(data, org, other_org)
        module = built["modules"][1]
        filters = {
            "site": Filters(site=Site.objects.filter(organisation=org).first().pk),  # type: ignore[union-attr]
            "module": Filters(module=module.pk),
            "audience": Filters(audience="pupils"),
            "format": Filters(format=module.format),
            "none": Filters(),
        }[which]
        same_as_raw(org, data["period"], filters)
        transaction.set_rollback(True)


def check(org: Organisation, period: Period, *, raw: bool) -> None:
    """The report of ``org`` for ``period`` (facts or raw path) equals the naive recount."""
    report = build_report([org.pk], period, Filters(), raw=raw)
    for this, expected in ((period, recount(org, period)), (period.previous(), None)):
        if expected is None:
            expected = recount(org, this)
            values = {k: report.previous_value(k) for k in expected if not k.startswith("_")}
        else:
            values = {k: report.value(k) for k in expected if not k.startswith("_")}
        assert values == {k: v for k, v in expected.items() if not k.startswith("_")}
    month = report.table("training.by_month")
    assert month is not None
    assert {row[0]: row[1] for row in month.rows} == expected_month(recount(org, period))
    gender = report.table("people.gender")
    assert gender is not None
    assert sum(row[1] for row in gender.rows) == report.value("training.people")  # type: ignore[misc]
    labels = dict(LearnerProfile.Gender.choices)
    counts = recount(org, period)["_gender"]
    for row in gender.rows[:-1]:
        value = next(k for k, v in labels.items() if str(v) == row[0])
        assert row[1] == counts[value]
    assert gender.rows[-1][1] == counts[""]
    age = report.table("people.age")
    assert age is not None
    ages = recount(org, period)["_age"]
    assert [row[1] for row in age.rows] == [ages[v] for v in LearnerProfile.AgeBand.values] + [
        ages[""]
    ]
    audience = report.table("training.by_audience")
    assert audience is not None
    audiences = recount(org, period)["_audience"]
    assert [row[1] for row in audience.rows] == [audiences[v] for v in Module.Audience.values] + [
        audiences[""]
    ]
    by_site = report.table("training.by_site")
    top = report.table("training.top_modules")
    assert by_site is not None and top is not None
    assert {row[0]: row[1] for row in by_site.rows} == recount(org, period)["_site"]
    assert {row[0]: row[2] for row in top.rows} == recount(org, period)["_module"]


def expected_month(expected: dict[str, Any]) -> dict[str, int]:
    return dict(expected["_by_month"])
