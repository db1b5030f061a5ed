"""The demo's career follow-up at Technocité: the career manager and her caseload, a past
qualifying cohort with its outcomes six months after, and the preparatory programme's
four-month cohorts at Hornu (la RUCHE) and Mons (le NID) created from a weekly pattern.

Everything goes through the real actions (``enrolment.actions.create_session_from_pattern``,
``careers.actions``); the people are fictitious (``@exemple.demo``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role, User
from parcours.accounts.permissions import Actor
from parcours.careers import actions as careers
from parcours.careers.models import FollowUp
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment
from parcours.enrolment import pattern
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.slots import BRUSSELS
from parcours.scheduling import actions as scheduling
from parcours.scheduling.models import Resource

ORG = "technocite"
HORNU = "Technocité Hornu — TIC"
MONS = "Technocité Mons — ICC"
CAREER_MANAGER = ("carriere@technocite.demo", "Nadia", "Vandenberghe")
MORNING = (dt.time(9, 0), dt.time(12, 30))
AFTERNOON = (dt.time(13, 30), dt.time(16, 30))

# The past qualifying cohort (SOC analysts): who they are and where they stand six months on.
# (first name, last name, postcode, outcome at +6 months, contract, note)
SOC_COHORT: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Yannick", "Demoulin", "7300", "employed", "permanent", "Analyste SOC niveau 1, Mons"),
    ("Fatima", "Ouali", "7000", "employed", "fixed_term", "Technicienne support, Charleroi"),
    ("Bastien", "Leroy", "7301", "employed", "temporary", "Mission d'intérim en helpdesk"),
    ("Chloé", "Vermeulen", "7500", "self_employed", "", "Consultante en sensibilisation"),
    ("Mehdi", "Aït Brahim", "7340", "training", "", "Bachelier en alternance"),
    ("Laura", "Dupuis", "7100", "internship", "", "Stage au CERT d'une intercommunale"),
    ("Grégory", "Hanot", "7080", "job_seeking", "", "Deux entretiens en cours"),
    ("Samira", "Benhaddou", "7370", "", "", ""),  # no answer yet: the survey is sent
)
# People of the coming preparatory cohorts followed from the start.
PREP_PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("Dylan", "Carpentier", "7300", HORNU),
    ("Océane", "Lambotte", "7301", HORNU),
    ("Nordine", "Zeroual", "7000", MONS),
    ("Justine", "Moreau", "7012", MONS),
)


def _monday_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7 or 7)


def _person(loader: Any, org: Any, admin: User, first: str, last: str, postcode: str) -> User:
    email = f"{first}.{last}@exemple.demo".lower().replace(" ", "").replace("é", "e")
    email = email.replace("ï", "i").replace("ë", "e").replace("è", "e")
    existing = loader.users.get(email)
    if existing is not None:
        return existing
    user = account_actions.create_user(
        email=email, password=None, first_name=first, last_name=last, postcode=postcode, actor=admin
    )
    account_actions.grant_role(user=user, organisation=org, role=Role.LEARNER, actor=admin)
    loader.users[email] = user
    return user


def _career_manager(loader: Any, org: Any, admin: User, coordinator: User) -> User:
    email, first, last = CAREER_MANAGER
    user = loader.users.get(email)
    if user is None:
        user = account_actions.create_user(
            email=email, password=None, first_name=first, last_name=last, actor=admin
        )
        account_actions.grant_role(
            user=user, organisation=org, role=Role.CAREER_MANAGER, actor=admin
        )
        loader.users[email] = user
    # The demo password, without hashing it again (the core loop hashed it once for all).
    User.objects.filter(pk=user.pk).update(password=coordinator.password)
    return user


def _cohort(
    loader: Any,
    actor: Actor,
    *,
    code: str,
    label: str,
    module: Any,
    site: Any,
    room: Resource | None,
    first: dt.date,
    last: dt.date,
    capacity: int,
    trainer_ids: list[int],
) -> tuple[Session, int]:
    """A session from the Monday-to-Thursday pattern; dates where the room is taken are left
    out, as a coordinator would untick them in the preview. Returns it and the days left out."""
    weekly = pattern.WeeklyPattern(
        first=first, last=last, weekdays=frozenset({0, 1, 2, 3}), ranges=(MORNING, AFTERNOON)
    )
    org = loader.orgs[ORG]
    preview = enrolment.preview_pattern(
        actor=actor,
        organisation=org,
        pattern=weekly,
        site_id=site.pk,
        room_id=room.pk if room else None,
    )
    keep = [d.day for d in preview.kept if d.day not in preview.conflict_days]
    session = enrolment.create_session_from_pattern(
        actor=actor,
        organisation=org,
        data=enrolment.SessionData(
            module_id=module.pk,
            code=code,
            label=label,
            capacity=capacity,
            slots=[],
            site_id=site.pk,
            room_id=room.pk if room else None,
            trainer_ids=trainer_ids,
        ),
        pattern=weekly,
        keep=keep,
    )
    session = enrolment.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )
    return session, len(preview.days) - len(keep)


def load(loader: Any) -> list[str]:
    org = loader.orgs[ORG]
    admin = loader.staff[(ORG, Role.ADMINISTRATOR)]
    coordinator = loader.coordinators[ORG]
    logistics = loader.staff[(ORG, Role.LOGISTICS)]
    trainer = loader.staff[(ORG, Role.TRAINER)]
    coord = Actor.of(coordinator)
    manager = _career_manager(loader, org, admin, coordinator)
    cm = Actor.of(manager)
    today: dt.date = loader.today
    hornu, mons = loader.sites[HORNU], loader.sites[MONS]

    # --- The preparatory programme: two four-month cohorts from a weekly pattern ------------
    ruche = loader.resources.get("HOR-RUCHE")
    nid = loader.resources.get("MON-NID")
    # The programme's module: the candidates' demo makes its own (and a first edition of the
    # cohorts, typed day by day); these are the next edition, from the weekly pattern.
    prep = Module.objects.get(organisation=org, code="PREP-NID-RUCHE")
    running = (
        Session.objects.filter(organisation=org, module=prep, ends_at__isnull=False)
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    after = running.astimezone(BRUSSELS).date() + dt.timedelta(days=7) if running else today
    first = _monday_after(max(after, today + dt.timedelta(days=21)))
    last = first + dt.timedelta(weeks=17, days=-4)  # four months, Monday to Thursday
    cohorts = []
    left_out = 0
    for code, label, site, room in (
        (f"RUCHE-{first:%Y%m}", "La RUCHE (Hornu)", hornu, ruche),
        (f"NID-{first:%Y%m}", "Le NID (Mons)", mons, nid),
    ):
        session, skipped = _cohort(
            loader,
            coord,
            code=code,
            label=label,
            module=prep,
            site=site,
            room=room,
            first=first,
            last=last,
            # 30 places a site (60 in all), within what the room holds.
            capacity=min(30, room.capacity or 30) if room else 30,
            trainer_ids=[trainer.pk],
        )
        cohorts.append(session)
        left_out += skipped

    # --- A past qualifying cohort and its outcomes at six months --------------------------
    laptop = scheduling.create_resource(
        actor=Actor.of(logistics),
        site=hornu,
        name="PC portable de prêt n° 1",
        code="HOR-PC1",
        kind=Resource.Kind.EQUIPMENT,
        requires_approval=False,
    )
    soc_last = today - dt.timedelta(days=230)
    soc_first = _monday_after(soc_last - dt.timedelta(weeks=16))
    soc, _skipped = _cohort(
        loader,
        coord,
        code=f"SOC-{soc_first:%Y%m}",
        label="Analyste SOC (demandeurs d'emploi)",
        module=loader.modules[(ORG, "CYB-SOC")],
        site=hornu,
        room=None,
        first=soc_first,
        last=soc_last,
        capacity=12,
        trainer_ids=[trainer.pk],
    )
    enrol_at = dt.datetime.combine(soc_first - dt.timedelta(days=20), dt.time(10), BRUSSELS)
    soc_people = []
    for first_name, last_name, postcode, *_rest in SOC_COHORT:
        person = _person(loader, org, admin, first_name, last_name, postcode)
        enrolment.enrol(
            actor=coord,
            session=soc,
            learner=person,
            source=Enrolment.Source.COORDINATOR,
            now=enrol_at,
        )
        soc_people.append(person)
    files = careers.assign_from_session(
        actor=coord, session=soc, learner_ids=[p.pk for p in soc_people], manager=manager
    )
    by_person = {f.person_id: f for f in files}
    # A laptop lent for the whole training to one of them (returned): it shows in her file.
    loan = scheduling.lend(
        actor=Actor.of(logistics),
        resource=laptop,
        borrower=soc_people[1],
        start=dt.datetime.combine(soc_first, dt.time(8, 30), BRUSSELS),
        due=dt.datetime.combine(soc_last, dt.time(17), BRUSSELS),
        condition_out="Complet, avec chargeur et sacoche.",
    )
    scheduling.return_loan(
        actor=Actor.of(logistics),
        loan=loan,
        returned_at=dt.datetime.combine(soc_last, dt.time(16), BRUSSELS),
        condition_in="Bon état.",
    )
    outcomes = 0
    for person, (_f, _l, _p, status, contract, note) in zip(soc_people, SOC_COHORT, strict=True):
        file = by_person[person.pk]
        careers.log_followup(
            actor=cm,
            file=file,
            kind=FollowUp.Kind.MEETING,
            happened_on=soc_last + dt.timedelta(days=3),
            note="Bilan de fin de formation : CV mis à jour, cibles d'emploi définies.",
        )
        careers.record_outcome(
            actor=cm, file=file, milestone="end", status="job_seeking", note="Fin de formation"
        )
        if status:
            careers.record_outcome(
                actor=cm, file=file, milestone="m6", status=status, contract=contract, note=note
            )
            outcomes += 1
        else:
            careers.log_followup(
                actor=cm,
                file=file,
                kind=FollowUp.Kind.CALL,
                happened_on=today - dt.timedelta(days=12),
                note="Pas de réponse ; message laissé.",
                next_action="Rappeler et renvoyer l'enquête à 6 mois",
                next_due=today - dt.timedelta(days=2),  # overdue: first in the caseload
            )
            careers.request_survey(actor=cm, file=file)
    # Grégory, still job seeking: a next action this week.
    careers.log_followup(
        actor=cm,
        file=by_person[soc_people[6].pk],
        kind=FollowUp.Kind.MEETING,
        happened_on=today - dt.timedelta(days=5),
        note="Prépare deux entretiens ; simulation prévue.",
        next_action="Simulation d'entretien (poste de technicien réseau)",
        next_due=today + dt.timedelta(days=4),
    )

    # --- People of the coming preparatory cohorts, followed from the start -----------------
    enrol_now = dt.datetime.combine(today, dt.time(10), BRUSSELS)
    for index, (first_name, last_name, postcode, site_name) in enumerate(PREP_PEOPLE):
        person = _person(loader, org, admin, first_name, last_name, postcode)
        session = cohorts[0] if site_name == HORNU else cohorts[1]
        enrolment.enrol(
            actor=coord,
            session=session,
            learner=person,
            source=Enrolment.Source.COORDINATOR,
            now=enrol_now,
        )
        [file] = careers.assign_from_session(
            actor=coord, session=session, learner_ids=[person.pk], manager=manager
        )
        careers.log_followup(
            actor=cm,
            file=file,
            kind=FollowUp.Kind.MEETING,
            happened_on=today - dt.timedelta(days=3 + index),
            note="Premier entretien : projet professionnel à clarifier, motivation forte.",
            next_action="Vérifier l'inscription au Forem et l'attestation de demandeur d'emploi",
            next_due=today + dt.timedelta(days=7 + index) if index else today - dt.timedelta(1),
        )
    # Applications of the candidates' demo, when there are selected ones with an account.
    try:
        from parcours.candidates.models import Application

        selected = list(
            Application.objects.filter(
                call__organisation=org, decision="selected", person__isnull=False
            ).select_related("call", "person")[:3]
        )
    except Exception:  # the candidates app's demo may not exist yet
        selected = []
    for application in selected:
        careers.assign_from_application(actor=coord, application=application, manager=manager)

    followed = len(soc_people) + len(PREP_PEOPLE) + len(selected)
    return [
        _(
            "Suivi de carrière : %(manager)s (%(email)s) suit %(n)d personnes ; %(o)d situations "
            "à 6 mois enregistrées pour la cohorte %(code)s."
        )
        % {
            "manager": manager.get_full_name(),
            "email": manager.email,
            "n": followed,
            "o": outcomes,
            "code": soc.code,
        },
        _(
            "Programme préparatoire : cohortes %(a)s et %(b)s de quatre mois créées d'un rythme "
            "hebdomadaire (%(n)d créneaux chacune ; %(skipped)d jours écartés : fériés, "
            "fermetures, salle prise)."
        )
        % {
            "a": cohorts[0].code,
            "b": cohorts[1].code,
            "n": cohorts[0].slots.count(),
            "skipped": left_out,
        },
    ]
