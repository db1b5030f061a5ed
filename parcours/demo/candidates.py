"""The demo's calls for applications (seed 002: Technocité).

Technocité recruits jobseekers for a qualifying ICT training (the SOC analyst training at Hornu)
through a call with information sessions, entry tests and interviews; 40 candidates are spread
over the stages. Candidates not selected are referred to the preparatory programme, "le NID"
(Mons) and "la RUCHE" (Hornu): four months, 60 places over the two sites, its own call and two
cohorts; at its end the people are invited to apply again.

Everything goes through the apps' actions (catalogue, enrolment, candidates).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.candidates import actions
from parcours.candidates.models import Call, Decision, Stage
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Module
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Session
from parcours.enrolment.slots import full_days
from parcours.enrolment.states import SessionStatus

ORG = "technocite"
HORNU = "Technocité Hornu — TIC"
MONS = "Technocité Mons — ICC"
QUALIFYING_MODULE = "CYB-SOC"

FIRST_NAMES = (
    "Amina", "Bastien", "Céline", "Dylan", "Elif", "Florian", "Gaëlle", "Hugo", "Ilyas", "Julie",
    "Karim", "Laura", "Mehdi", "Nora", "Olivier", "Pauline", "Quentin", "Rania", "Sébastien",
    "Tiffany", "Ugo", "Valérie", "William", "Yasmine", "Zoé", "Arnaud", "Bérénice", "Cédric",
    "Dounia", "Eddy", "Fatima", "Grégory", "Hanane", "Igor", "Jessica", "Kenza", "Loïc",
    "Mélissa", "Nicolas", "Océane",
)  # fmt: skip
LAST_NAMES = (
    "Dubois", "Lambert", "Martin", "Peeters", "Janssens", "Leroy", "Dupont", "Claes", "Renard",
    "Maes", "Hubert", "Lejeune", "Wouters", "Mertens", "Baudoux", "Ghislain", "Deprez", "Ouali",
    "Yilmaz", "Benali",
)  # fmt: skip
# How many of the 40 candidates stand at each stage (in the stages' order), and the decisions
# taken for the last stage.
SPREAD = (12, 9, 8, 5, 6)
DECISIONS = (
    Decision.SELECTED,
    Decision.SELECTED,
    Decision.SELECTED,
    Decision.WAITLISTED,
    Decision.NOT_SELECTED,
    Decision.NOT_SELECTED,
)


def _weekdays(monday: dt.date, weeks: int, days: tuple[int, ...]) -> list[dt.date]:
    """These days of the week (0 = Monday) for ``weeks`` weeks from ``monday``."""
    return [monday + dt.timedelta(days=7 * week + day) for week in range(weeks) for day in days]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _session(
    loader: Any,
    module: Module,
    code: str,
    site: str,
    capacity: int,
    days: list[dt.date],
    label: str = "",
) -> Session:
    actor = loader.actors[ORG]
    session = enrolment_actions.create_session(
        actor=actor,
        organisation=loader.orgs[ORG],
        data=enrolment_actions.SessionData(
            module_id=module.pk,
            code=code,
            label=label,
            capacity=capacity,
            slots=full_days(*days),
            site_id=loader.sites[site].pk,
            trainer_ids=[loader.staff[(ORG, Role.TRAINER)].pk],
        ),
    )
    return enrolment_actions.set_session_status(
        actor=actor, session=session, status=SessionStatus.PUBLISHED
    )


def _module(loader: Any, code: str, title: str, title_en: str, hours: int, summary: str) -> Module:
    actor = loader.actors[ORG]
    module = catalogue_actions.create_module(
        actor=actor,
        organisation=loader.orgs[ORG],
        data=catalogue_actions.ModuleData(
            code=code,
            title_fr=title,
            title_en=title_en,
            summary_fr=summary,
            duration_hours=hours,
            format=Module.Format.IN_PERSON,
            audience=Module.Audience.JOBSEEKERS,
        ),
    )
    return catalogue_actions.publish_module(actor=actor, module=module)


def load(loader: Any) -> list[str]:
    org = loader.orgs[ORG]
    actor = loader.actors[ORG]
    now = timezone.now()
    today = loader.today
    start = _monday(today + dt.timedelta(days=70))

    # The qualifying training: its sessions (an information session, the entry tests, the
    # training itself), then its call.
    info_module = _module(
        loader,
        "SEL-INFO",
        "Séance d'information et tests d'entrée des formations qualifiantes",
        "Information session and entry tests for qualifying trainings",
        7,
        "Présentation du métier et de la formation, puis tests de logique et d'anglais "
        "technique pour les candidats aux formations qualifiantes.",
    )
    info = _session(
        loader,
        info_module,
        "SOC-INFO",
        HORNU,
        40,
        [today + dt.timedelta(days=9)],
        "Séance d'information",
    )
    tests = _session(
        loader,
        info_module,
        "SOC-TESTS",
        HORNU,
        30,
        [today + dt.timedelta(days=16)],
        "Tests d'entrée",
    )
    training = _session(
        loader,
        loader.modules[(ORG, QUALIFYING_MODULE)],
        "SOC-2027",
        HORNU,
        16,
        _weekdays(start, 14, (0, 1, 2, 3)),
    )

    # The preparatory programme: its own module, two cohorts (la RUCHE at Hornu, le NID at
    # Mons; 30 places each), four months.
    prep_module = _module(
        loader,
        "PREP-NID-RUCHE",
        "Le NID et la RUCHE : programme préparatoire aux formations qualifiantes",
        "Le NID and la RUCHE: preparatory programme for qualifying trainings",
        480,
        "Quatre mois pour se mettre à niveau en technologies et travailler les compétences "
        "douces avant de poser à nouveau sa candidature à une formation qualifiante.",
    )
    prep_start = _monday(today + dt.timedelta(days=21))
    ruche = _session(
        loader,
        prep_module,
        "RUCHE-2027",
        HORNU,
        30,
        _weekdays(prep_start, 17, (0, 1, 2)),
        "La RUCHE",
    )
    nid = _session(
        loader, prep_module, "NID-2027", MONS, 30, _weekdays(prep_start, 17, (0, 1, 2)), "Le NID"
    )

    prep_call = actions.open_call(
        actor=actor,
        organisation=org,
        data=actions.CallData(
            title="Le NID et la RUCHE — programme préparatoire 2027",
            slug="nid-ruche-2027",
            kind=Call.Kind.PREPARATORY,
            description=(
                "Une offre intermédiaire pour les candidats dont la candidature à une formation "
                "qualifiante n'a pas été retenue : quatre mois de remise à niveau technologique "
                "et de compétences douces, à Mons (le NID) ou à Hornu (la RUCHE)."
            ),
            opens_at=now - dt.timedelta(days=30),
            closes_at=now + dt.timedelta(days=20),
            places=60,
            audiences=[Module.Audience.JOBSEEKERS],
            session_ids=[ruche.pk, nid.pk],
            stages=["Orientation reçue", "Entretien d'accueil", "Inscrit·e"],
            questions=[
                actions.QuestionData(
                    "Site préféré", "choice", ["Mons (le NID)", "Hornu (la RUCHE)"]
                )
            ],
        ),
    )
    call = actions.open_call(
        actor=actor,
        organisation=org,
        data=actions.CallData(
            title="Analyste SOC — formation qualifiante 2027",
            slug="analyste-soc-2027",
            description=(
                "Quatorze semaines à Hornu pour devenir analyste en centre opérationnel de "
                "sécurité, puis un stage en entreprise. Réservé aux demandeurs d'emploi inscrits. "
                "Sélection : séance d'information, tests de logique et d'anglais, entretien."
            ),
            opens_at=now - dt.timedelta(days=20),
            closes_at=now + dt.timedelta(days=25),
            places=16,
            audiences=[Module.Audience.JOBSEEKERS],
            session_ids=[training.pk],
            referral_call_id=prep_call.pk,
            questions=[
                actions.QuestionData("Pourquoi la cybersécurité ?", "text", required=True),
                actions.QuestionData(
                    "Diplôme le plus élevé",
                    "choice",
                    ["CEB", "CESS", "Bachelier", "Master", "Autre"],
                    True,
                ),
                actions.QuestionData(
                    "Inscrit·e comme demandeur·euse d'emploi ?", "yes_no", required=True
                ),
                actions.QuestionData("Disponible à partir du", "date"),
                actions.QuestionData("Années d'expérience en informatique", "number"),
                actions.QuestionData("Lettre de motivation", "file"),
            ],
            criteria=[("Motivation et projet", 3), ("Logique et méthode", 2), ("Communication", 1)],
        ),
    )
    Call.objects.filter(pk=prep_call.pk).update(followup_call=call)
    prep_call.followup_call = call

    questions = {q.kind: q for q in call.questions.all()}
    stages = list(call.stages.order_by("order"))
    applications = []
    for n in range(40):
        first, last = FIRST_NAMES[n], LAST_NAMES[n % len(LAST_NAMES)]
        applications.append(
            actions.apply(
                call=call,
                data=actions.ApplicationData(
                    email=f"candidat{n + 1:02d}@candidats.technocite.demo",
                    first_name=first,
                    last_name=last,
                    phone=f"0470 12 {n:02d} {(n * 7) % 100:02d}",
                    consent=True,
                    audience=Module.Audience.JOBSEEKERS,
                    answers={
                        questions["text"].pk: "Je veux me reconvertir dans un métier qui recrute.",
                        questions["choice"].pk: ("CESS", "Bachelier", "CEB", "Master")[n % 4],
                        questions["yes_no"].pk: "oui",
                        questions["number"].pk: str(n % 6),
                    },
                ),
                now=now - dt.timedelta(days=19, hours=-n * 9),
            )
        )
    # Spread them over the stages: the first 12 stay in "received", the others move on.
    boundaries = [sum(SPREAD[:i]) for i in range(len(SPREAD) + 1)]
    info_ids = [a.pk for a in applications[boundaries[1] :]]
    actions.invite_to_session(
        actor=actor,
        call=call,
        application_ids=info_ids,
        session=info,
        purpose=Stage.Milestone.INFORMATION,
    )
    tested = [a.pk for a in applications[boundaries[2] :]]
    actions.invite_to_session(
        actor=actor, call=call, application_ids=tested, session=tests, purpose=Stage.Milestone.TESTS
    )
    for index, application in enumerate(applications[boundaries[2] :]):
        actions.record_score(
            actor=actor,
            application=application,
            test="Logique",
            score=Decimal(8 + index % 12),
            out_of=Decimal(20),
        )
        actions.record_score(
            actor=actor,
            application=application,
            test="Anglais technique",
            score=Decimal(10 + index % 9),
            out_of=Decimal(20),
        )
    actions.move(
        actor=actor,
        call=call,
        application_ids=[a.pk for a in applications[boundaries[3] :]],
        stage=stages[3],
    )
    criteria = list(call.criteria.order_by("order"))
    for index, application in enumerate(applications[boundaries[3] :]):
        actions.record_interview(
            actor=actor,
            application=application,
            scores={c.pk: (2 + (index + c.order) % 4, "") for c in criteria},
        )
    decided = applications[boundaries[4] :]
    for application, decision in zip(decided, DECISIONS, strict=True):
        subject, body = actions.template_for(decision)
        actions.decide(
            actor=actor,
            call=call,
            application_ids=[application.pk],
            decision=decision,
            subject=subject,
            body=body,
        )
    # The two not selected are referred to the programme; one of them already finished it in
    # the story, and was invited to apply again.
    referred = []
    for application in decided[-2:]:
        application.refresh_from_db()
        subject, body = actions.template_for(Decision.REFERRED)
        referred.append(
            actions.refer(actor=actor, application=application, subject=subject, body=body)
        )
    subject, body = actions.template_for("reapply")
    actions.invite_to_reapply(
        actor=actor, call=prep_call, application_ids=[referred[0].pk], subject=subject, body=body
    )
    return [
        _(
            "Candidatures : l'appel « %(t)s » (%(n)s candidats, de la réception à la "
            "décision) et le programme préparatoire « %(p)s » (60 places : le NID à Mons, "
            "la RUCHE à Hornu)."
        )
        % {"t": call.title, "n": len(applications), "p": prep_call.title},
    ]
