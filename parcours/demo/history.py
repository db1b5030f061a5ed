"""The demo's past: about fifteen months of activity per organisation, so that the reports'
charts show trends and the previous year beside each figure.

Everything goes through the apps' actions (sessions, enrolments, roll calls, bookings with
catering, loans and their returns, outreach visits), on dates in the past, with a fixed random
seed so every load tells the same story. Orders of magnitude follow the seeds, scaled down so
the demo still loads in seconds: the truck and the domes visit a school every few weeks with
one or two classes (the truck: 40,000 pupils since 2009 before Parcours, typed as the
baseline; the domes about 2,000 pupils a year), each centre gives a one-day session every
three to four weeks to six to twelve people (women are a minority in the second centre's ICT
courses, as its seed says), the province lends its laptops and micro:bits a few times a month
and serves coffee and sandwiches at its meetings.

History learners are separate people (``…@historique.demo``), so the stories of the core demo
(who earned which pathway) do not change.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, LearnerProfile, Session
from parcours.lib.dates import platform_zone
from parcours.reporting import actions as reporting_actions
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Loan, OutreachActivity, Resource

SEED = 2009  # the year the truck started
MONTHS = 15
LEARNERS_PER_ORG = 24
HISTORY_DOMAIN = "historique.demo"
FIRST_NAMES_F = ("Léa", "Manon", "Julie", "Sophie", "Amandine", "Camille", "Inès", "Zoé")
FIRST_NAMES_M = ("Hugo", "Maxime", "Nicolas", "Thomas", "Youssef", "Arnaud", "Louis", "Simon")
LAST_NAMES = ("Dupont", "Lemaire", "Renard", "Collard", "Hermans", "Delvaux", "Marchal", "Piron")
# Share of women among the learners each centre trains (the second centre: ICT, few women).
WOMEN_SHARE = {"technofutur-tic": 0.55, "technocite": 0.25, "province-de-liege": 0.6}
SCHOOLS = (
    ("Athénée provincial de Flémalle", "Flémalle"),
    ("Institut provincial d'enseignement secondaire de Seraing", "Seraing"),
    ("École communale de Huy-Sud", "Huy"),
    ("Lycée Jean Boets", "Liège"),
    ("Institut Saint-Laurent", "Liège"),
    ("École fondamentale d'Amay", "Amay"),
    ("Collège Saint-Hadelin", "Visé"),
)
GRADES = ("P5", "P6", "S1", "S2")


def _weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _learners(loader: Any, org_slug: str, rng: random.Random) -> list[User]:
    org = loader.orgs[org_slug]
    women = WOMEN_SHARE.get(org_slug, 0.5)
    people = []
    for i in range(LEARNERS_PER_ORG):
        female = rng.random() < women
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        last = rng.choice(LAST_NAMES)
        user = account_actions.create_user(
            email=f"{org_slug}.{i:02d}@{HISTORY_DOMAIN}",
            password=None,
            first_name=first,
            last_name=last,
        )
        account_actions.grant_role(user=user, organisation=org, role=Role.LEARNER, actor=None)
        # About three in four fill in the optional profile; some prefer not to say.
        if rng.random() < 0.75:
            gender = LearnerProfile.Gender.FEMALE if female else LearnerProfile.Gender.MALE
            if rng.random() < 0.08:
                gender = LearnerProfile.Gender.UNDISCLOSED
            enrolment_actions.update_learner_profile(
                user=user,
                audience=rng.choice([Module.Audience.TEACHERS] * 3 + [Module.Audience.EMPLOYEES]),
                gender=gender,
                birth_year=rng.randint(1965, 2000) if rng.random() < 0.7 else None,
                age_band="" if rng.random() < 0.5 else LearnerProfile.AgeBand.FROM_36,
            )
        people.append(user)
    return people


def _sessions(loader: Any, org_slug: str, learners: list[User], rng: random.Random) -> int:
    org = loader.orgs[org_slug]
    actor = loader.actors[org_slug]
    trainer = loader.staff[(org_slug, Role.TRAINER)]
    modules = list(
        Module.objects.filter(
            organisation=org, status=Module.Status.PUBLISHED, format=Module.Format.IN_PERSON
        ).order_by("code")[:6]
    )
    sites = [s for s in loader.sites.values() if s.organisation_id == org.pk]
    if not modules or not sites:
        return 0
    zone = platform_zone()
    count = 0
    day = _weekday(loader.today - dt.timedelta(days=30 * MONTHS))
    last = loader.today - dt.timedelta(days=10)
    while day < last:
        module = rng.choice(modules)
        slots = [
            (
                dt.datetime.combine(day, dt.time(9), zone),
                dt.datetime.combine(day, dt.time(12), zone),
            ),
            (
                dt.datetime.combine(day, dt.time(13), zone),
                dt.datetime.combine(day, dt.time(16), zone),
            ),
        ]
        capacity = rng.choice((8, 10, 12))
        session = enrolment_actions.create_session(
            actor=actor,
            organisation=org,
            data=enrolment_actions.SessionData(
                module_id=module.pk,
                code=f"HIST-{day:%Y%m%d}",
                capacity=capacity,
                slots=slots,
                site_id=rng.choice(sites).pk,
                trainer_ids=[trainer.pk],
            ),
        )
        if rng.random() < 0.07:  # now and then a session is cancelled (too few people)
            enrolment_actions.set_session_status(
                actor=actor, session=session, status=Session.Status.CANCELLED
            )
        else:
            session = enrolment_actions.set_session_status(
                actor=actor, session=session, status=Session.Status.PUBLISHED
            )
            wanted = rng.sample(learners, min(len(learners), capacity + rng.choice((-4, -2, 0, 1))))
            enrolled: list[Enrolment] = []
            for person in wanted:  # beyond the capacity: waitlisted, never placed
                enrolled.append(
                    enrolment_actions.enrol(
                        actor=actor,
                        session=session,
                        learner=person,
                        source=Enrolment.Source.COORDINATOR,
                        now=slots[0][0] - dt.timedelta(days=10),
                    )
                )
            seated = [e for e in enrolled if e.status == Enrolment.Status.CONFIRMED]
            absent = [e.pk for e in seated if rng.random() < 0.12]
            for slot in session.slots.order_by("start"):
                enrolment_actions.record_roll_call(
                    actor=actor, slot=slot, absent=absent, now=slot.end + dt.timedelta(hours=1)
                )
        count += 1
        day = _weekday(day + dt.timedelta(days=rng.choice((21, 24, 28))))
    return count


def _meetings(loader: Any, org_slug: str, rng: random.Random) -> int:
    """Room bookings (meetings, with catering where the site has a caterer) in the past."""
    logistics = Actor.of(loader.staff[(org_slug, Role.LOGISTICS)])
    org = loader.orgs[org_slug]
    rooms = list(
        Resource.objects.filter(organisation=org, kind=Resource.Kind.ROOM).order_by("code")
    )
    parking = list(
        Resource.objects.filter(organisation=org, kind=Resource.Kind.PARKING).order_by("code")
    )
    has_catering = org.catering_items.exists()
    zone = platform_zone()
    count = 0
    day = _weekday(loader.today - dt.timedelta(days=30 * MONTHS - 3))
    last = loader.today - dt.timedelta(days=3)
    # Meetings, workshops and rentals: two or three a week per organisation, from two hours to
    # a full day, so the rooms' occupancy reads like a busy training centre's (30-45 %).
    shapes = (
        (dt.time(8), 2),
        (dt.time(10), 2),
        (dt.time(14), 2),
        (dt.time(8, 30), 3.5),
        (dt.time(13), 3.5),
        (dt.time(8, 30), 8),
    )
    while day < last and rooms:
        room = rng.choice(rooms)
        begins, hours = rng.choice(shapes)
        start = dt.datetime.combine(day, begins, zone)
        same_site_parking = [p for p in parking if p.site_id == room.site_id]
        resources = [room, *same_site_parking[:1]] if rng.random() < 0.3 else [room]
        catering = []
        if has_catering and rng.random() < 0.6:
            catering = [
                scheduling_actions.CateringRequest(item="cafe", count=rng.randint(6, 20)),
                scheduling_actions.CateringRequest(item="sandwiches", count=rng.randint(0, 2) * 6),
            ]
            catering = [c for c in catering if c.count]
        try:
            scheduling_actions.book(
                actor=logistics,
                resources=resources,
                start=start,
                end=start + dt.timedelta(hours=hours),
                title=rng.choice(
                    (_("Réunion d'équipe"), _("Comité de pilotage"), _("Accueil de partenaires"))
                ),
                participants=min(8, room.capacity or 8),
                catering=catering,
            )
            count += 1
        except scheduling_actions.BookingConflict:
            pass  # the room was taken that morning (a session): skip this one
        day = _weekday(day + dt.timedelta(days=rng.choice((1, 1, 2, 3))))
    # Week-long rentals to partners (a training of theirs, Monday 8:30 to Friday 17:00): most
    # weeks two rooms are let, which is what fills a training centre's rooms.
    monday = loader.today - dt.timedelta(days=30 * MONTHS - 7)
    monday -= dt.timedelta(days=monday.weekday())
    while monday + dt.timedelta(days=5) < last and rooms:
        for room in rng.sample(rooms, min(len(rooms), rng.choice((1, 2, 2, 3)))):
            start = dt.datetime.combine(monday, dt.time(8, 30), zone)
            try:
                scheduling_actions.book(
                    actor=logistics,
                    resources=[room],
                    start=start,
                    end=dt.datetime.combine(monday + dt.timedelta(days=4), dt.time(17), zone),
                    title=_("Location à un partenaire (formation d'une semaine)"),
                    participants=min(12, room.capacity or 12),
                )
                count += 1
            except scheduling_actions.BookingConflict:
                pass  # a session or a meeting holds the room that week
        monday += dt.timedelta(days=7)
    return count


def _loans(loader: Any, rng: random.Random) -> int:
    slug = "province-de-liege"
    logistics = Actor.of(loader.staff[(slug, Role.LOGISTICS)])
    borrowers = [
        loader.staff[(slug, Role.TRAINER)],
        loader.staff[(slug, Role.SCHOOL_CONTACT)],
    ]
    site = (
        Resource.objects.filter(organisation=loader.orgs[slug], kind=Resource.Kind.EQUIPMENT)
        .values_list("site", flat=True)
        .first()
    )
    if site is None:
        return 0
    for code, name in (
        ("TABLETTES-01", _("Valise de 12 tablettes")),
        ("THYMIO-01", _("Kit de 8 robots Thymio")),
    ):
        scheduling_actions.create_resource(
            actor=logistics,
            site=Site.objects.get(pk=site),
            name=str(name),
            code=code,
            kind=Resource.Kind.EQUIPMENT,
            features=[],
            description=str(_("Matériel prêté aux écoles et aux formateurs.")),
            requires_approval=True,
        )
    # Items out right now (the core demo's current loans) keep their story: skip them.
    items = (
        Resource.objects.filter(organisation=loader.orgs[slug], kind=Resource.Kind.EQUIPMENT)
        .exclude(pk__in=Loan.objects.filter(returned_at=None).values("resource_id"))
        .order_by("code")
    )
    zone = platform_zone()
    count = 0
    for item in items:
        day = loader.today - dt.timedelta(days=30 * MONTHS - rng.randint(0, 20))
        # Stop well before the core demo's current loans (at most two weeks old).
        while day < loader.today - dt.timedelta(days=30):
            start = dt.datetime.combine(day, dt.time(8), zone)
            due = start + dt.timedelta(days=rng.choice((7, 10, 14)))
            loan = scheduling_actions.lend(
                actor=logistics,
                resource=item,
                borrower=rng.choice(borrowers),
                start=start,
                due=due,
                condition_out=_("Complet, vérifié au départ."),
            )
            late = rng.random() < 0.15
            back = (
                due + dt.timedelta(days=rng.randint(1, 4))
                if late
                else due - dt.timedelta(days=rng.randint(0, 3))
            )
            scheduling_actions.return_loan(actor=logistics, loan=loan, returned_at=back)
            count += 1
            day = back.astimezone(zone).date() + dt.timedelta(days=rng.randint(3, 12))
    return count


def _outreach(loader: Any, rng: random.Random) -> tuple[int, int]:
    slug = "province-de-liege"
    logistics = Actor.of(loader.staff[(slug, Role.LOGISTICS)])
    visits = pupils = 0
    units = Resource.objects.filter(
        organisation=loader.orgs[slug], kind=Resource.Kind.MOBILE_UNIT
    ).order_by("code")
    for unit in units:
        activities = list(OutreachActivity.objects.filter(unit=unit).order_by("slug"))
        if not activities:
            continue
        # The truck visits a school every two to three weeks, a dome about every three weeks.
        gap = (14, 17, 21) if "TRUCK" in unit.code else (18, 21, 25)
        day = _weekday(loader.today - dt.timedelta(days=30 * MONTHS - rng.randint(2, 9)))
        while day < loader.today - dt.timedelta(days=5):
            if day.month in (7, 8):  # school holidays
                day = dt.date(day.year, 9, 3)
                continue
            school, city = rng.choice(SCHOOLS)
            days = 2 if "TRUCK" in unit.code else 1
            counts = {g: rng.randint(16, 26) for g in rng.sample(GRADES, rng.choice((1, 2, 3)))}
            try:
                scheduling_actions.request_outreach(
                    actor=logistics,
                    activity=rng.choice(activities),
                    first_day=day,
                    last_day=day + dt.timedelta(days=days - 1),
                    school_name=school,
                    school_city=city,
                    pupil_counts=counts,
                    travel_days_before=1,
                )
            except scheduling_actions.BookingConflict:  # another part of the demo uses the unit
                day = _weekday(day + dt.timedelta(days=2))
                continue
            visits += 1
            pupils += sum(counts.values())
            day = _weekday(day + dt.timedelta(days=rng.choice(gap)))
    baselines = (
        ("TECHNI-TRUCK", 40_000, 2009, _("Élèves accueillis par le camion depuis 2009 (bilan).")),
        ("TECHNOSPHERE-1", 1_000, 2024, _("Première année des dômes, avant Parcours.")),
        ("TECHNOSPHERE-2", 1_000, 2024, _("Première année des dômes, avant Parcours.")),
    )
    admin = Actor.of(loader.staff[(slug, Role.ADMINISTRATOR)])
    for code, count, since, note in baselines:
        unit = units.filter(code=code).first()
        if unit is not None:
            reporting_actions.set_outreach_baseline(
                actor=admin,
                organisation=loader.orgs[slug],
                unit=unit,
                pupils=count,
                since=since,
                note=note,
            )
    return visits, pupils


def load(loader: Any) -> list[str]:
    rng = random.Random(SEED)
    started = timezone.now()
    sessions = meetings = 0
    for org_slug in sorted(loader.orgs):
        learners = _learners(loader, org_slug, rng)
        sessions += _sessions(loader, org_slug, learners, rng)
        meetings += _meetings(loader, org_slug, rng)
    loans = _loans(loader, rng)
    visits, pupils = _outreach(loader, rng)
    seconds = (timezone.now() - started).total_seconds()
    return [
        _(
            "Historique (%(months)d mois, %(s).1f s) : %(sessions)d sessions passées, "
            "%(meetings)d réunions, %(loans)d prêts rendus, %(visits)d animations en école "
            "(%(pupils)d élèves)."
        )
        % {
            "months": MONTHS,
            "s": seconds,
            "sessions": sessions,
            "meetings": meetings,
            "loans": loans,
            "visits": visits,
            "pupils": pupils,
        }
    ]
