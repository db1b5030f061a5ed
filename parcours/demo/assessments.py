"""The demo's assessed completions and portfolio at Technofutur TIC (eduLAB).

The university certificate in techno-pedagogy (pathway NUMEFA, units UE1 to UE5) is passed by
projects, not by attendance: each unit gets its completion mode and its criteria. A group of
the fifth unit (UE5) starts with the trainer; Aïcha, one unit short of the certificate, hands in
her UE5 project and is asked to revise it (she stays one unit short). Sofia, a new teacher,
passes the first four units by project, is asked to revise her UE5 project, hands in a second
version and passes: the certificate's pathway is complete and its badge is issued, its
evidence pointing to her project (she agreed). Thomas waits for his review. Marc, who holds
the certificate, shares a public portfolio (the link is in the demo's summary).

Everything goes through the real actions; the people are fictitious (``@exemple.demo``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role, User
from parcours.accounts.permissions import Actor
from parcours.assessments import actions as assessments
from parcours.assessments.models import Criterion, SubmissionStatus
from parcours.catalogue import actions as catalogue
from parcours.catalogue.models import Module
from parcours.credentials import actions as credential_actions
from parcours.credentials.models import Achievement, IssuedCredential
from parcours.demo import data
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Session
from parcours.enrolment.slots import BRUSSELS
from parcours.enrolment.states import SessionStatus
from parcours.lib.urls import absolute_url
from parcours.portfolio import actions as portfolio
from parcours.portfolio import queries as portfolio_queries

ORG = data.TECHNOFUTUR
UNITS = ("UE1", "UE2", "UE3", "UE4", "UE5")
# What each unit's project is judged on (the trainer marks each one met or not).
CRITERIA: dict[str, tuple[str, ...]] = {
    "UE1": (
        "Le projet professionnel situe clairement le contexte de la classe ou de l'école.",
        "Les choix pédagogiques s'appuient sur un modèle d'intégration (SAMR ou TPACK).",
        "Le plan d'action est daté et réaliste.",
    ),
    "UE2": (
        "Les objectifs d'apprentissage et les critères d'évaluation sont alignés.",
        "Au moins un outil numérique d'évaluation est mis à l'essai avec des élèves.",
        "Le retour aux élèves est décrit et justifié.",
    ),
    "UE3": (
        "L'activité de pensée informatique est adaptée à l'âge des élèves.",
        "Une variante débranchée et une variante avec programmation par blocs sont proposées.",
        "Les traces des élèves sont analysées.",
    ),
    "UE4": (
        "Le scénario articule présentiel, distanciel et travail autonome.",
        "Chaque modalité a un rôle explicite dans l'apprentissage.",
        "Le dispositif a été testé et ajusté.",
    ),
    "UE5": (
        "La communauté de pratique a un objectif partagé et un rythme de rencontres.",
        "Au moins un livrable collaboratif est publié sous licence ouverte.",
        "La posture d'animation est analysée avec du recul.",
    ),
}
GROUP_CODE = "NUMEFA-UE5-GOS"


# A teacher who takes the certificate through its projects (created by this part).
SOFIA = ("sofia.martens@exemple.demo", "Sofia", "Martens")


def _learner(loader: Any, org: Any, coordinator: User) -> User:
    email, first, last = SOFIA
    user = loader.users.get(email)
    if user is None:
        admin = loader.staff[(ORG, Role.ADMINISTRATOR)]
        user = account_actions.create_user(
            email=email, password=None, first_name=first, last_name=last, actor=admin
        )
        account_actions.grant_role(user=user, organisation=org, role=Role.LEARNER, actor=admin)
        loader.users[email] = user
    # The demo password, without hashing it again (the core loop hashed it once for all).
    User.objects.filter(pk=user.pk).update(password=coordinator.password)
    return user


def _evenings(start: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """Two evenings after school, 18:00-21:00, a week apart (teachers train after class; no
    clash with the demo's day sessions, nor with the trainer's planned campaign)."""
    first = start
    while first.weekday() >= 5:
        first += dt.timedelta(days=1)
    return [
        (
            dt.datetime.combine(day, dt.time(18), tzinfo=BRUSSELS),
            dt.datetime.combine(day, dt.time(21), tzinfo=BRUSSELS),
        )
        for day in (first, first + dt.timedelta(days=7))
    ]


def load(loader: Any) -> list[str]:
    org = loader.orgs[ORG]
    coordinator = Actor.of(loader.coordinators[ORG])
    trainer_user = loader.staff[(ORG, Role.TRAINER)]
    trainer = Actor.of(trainer_user)
    units = {code: loader.modules[(ORG, code)] for code in UNITS}

    # The certificate's units are passed by a project, judged on the unit's criteria.
    for code, module in units.items():
        units[code] = catalogue.update_module(
            actor=coordinator,
            module=module,
            data={"completion_mode": Module.CompletionMode.ASSESSMENT},
        )
        assessments.set_criteria(actor=coordinator, module=units[code], texts=CRITERIA[code])

    # The UE5 group with its trainer (two evenings); its projects are handed in meanwhile.
    ue5 = units["UE5"]
    session = enrolment.create_session(
        actor=coordinator,
        organisation=org,
        data=enrolment.SessionData(
            module_id=ue5.pk,
            code=GROUP_CODE,
            capacity=20,
            slots=_evenings(loader.today + dt.timedelta(days=14)),
            site_id=loader.sites[data.GOSSELIES].pk,
            trainer_ids=[trainer_user.pk],
        ),
    )
    session = enrolment.set_session_status(
        actor=coordinator, session=session, status=SessionStatus.PUBLISHED
    )
    sofia = _learner(loader, org, coordinator.user)
    aicha, thomas = (loader.users[e] for e in (data.AICHA, data.THOMAS))
    for person in (sofia, aicha, thomas):
        enrolment.enrol(actor=Actor.of(person), session=session, learner=person)
    session = Session.objects.get(pk=session.pk)

    def judged(module: Module, *met: bool) -> dict[int, assessments.CriterionJudgement]:
        criteria = list(Criterion.objects.filter(module=module))
        return {
            c.pk: assessments.CriterionJudgement(met=m) for c, m in zip(criteria, met, strict=True)
        }

    def hand_in(person: Any, module: Module, text: str, link: str) -> Any:
        return assessments.submit_project(
            actor=Actor.of(person), module=module, text=text, link=link, evidence_consent=True
        )

    # Sofia passes the first four units by project (the UE5 group puts her on the pathway).
    for code in UNITS[:4]:
        passed = hand_in(
            sofia,
            units[code],
            _("Projet de l'unité %(code)s, mis en œuvre dans ma classe de 4e primaire.")
            % {"code": code},
            f"https://exemple.demo/sofia/{code.lower()}",
        )
        assessments.review_submission(
            actor=coordinator,  # no group of these units now: the coordinator reviews
            submission=passed,
            result=SubmissionStatus.PASSED,
            feedback=_("Critères rencontrés."),
            criteria=judged(units[code], True, True, True),
        )
    # Her UE5 project: asked to revise, then passed; the certificate's badge follows, its
    # evidence pointing to her project (she agreed when handing it in).
    first = hand_in(
        sofia,
        ue5,
        _(
            "Communauté de pratique « IA en classe » avec six collègues de mon école : trois "
            "rencontres, une banque de séquences partagée."
        ),
        "https://exemple.demo/sofia/communaute-ia",
    )
    assessments.review_submission(
        actor=trainer,
        submission=first,
        result=SubmissionStatus.TO_REVISE,
        feedback=_(
            "Belle dynamique. Publiez la banque de séquences sous licence ouverte et ajoutez une "
            "page sur votre rôle d'animatrice."
        ),
        criteria=judged(ue5, True, False, False),
    )
    second = hand_in(
        sofia,
        ue5,
        _(
            "Version 2 : la banque de séquences est publiée sous CC BY-SA ; une page analyse ma "
            "posture d'animatrice et ce que je changerais."
        ),
        "https://exemple.demo/sofia/communaute-ia-v2",
    )
    assessments.review_submission(
        actor=trainer,
        submission=second,
        result=SubmissionStatus.PASSED,
        feedback=_("Tous les critères sont rencontrés. Félicitations !"),
        criteria=judged(ue5, True, True, True),
    )
    # What the issuance task does after commit (the demo may load inside one transaction).
    for achievement in Achievement.objects.active().filter(pathway__code=data.CERTIFICATE):
        credential_actions.issue_for(achievement.pk, sofia.pk)
    # Aïcha (one unit short) is asked to revise her UE5 project; Thomas waits for his review.
    aicha_first = hand_in(
        aicha,
        ue5,
        _("Projet de communauté autour des jeux sérieux en mathématiques."),
        "https://exemple.demo/aicha/jeux",
    )
    assessments.review_submission(
        actor=trainer,
        submission=aicha_first,
        result=SubmissionStatus.TO_REVISE,
        feedback=_("Le projet est prometteur : il manque encore un livrable partagé."),
        criteria=judged(ue5, True, False, True),
    )
    assessments.submit_project(
        actor=Actor.of(thomas),
        module=ue5,
        text=_("Un réseau d'entraide numérique entre les titulaires de primaire de mon école."),
        link="https://exemple.demo/thomas/reseau",
    )

    # Marc shares his portfolio: his badges and his competences (DigCompEdu) are public.
    marc = loader.users[data.MARC]
    for credential in IssuedCredential.objects.filter(learner=marc):
        portfolio.set_public(person=marc, kind="badge", ref=str(credential.uuid), public=True)
    for group in portfolio_queries.build(marc).frameworks:
        portfolio.set_public(person=marc, kind="framework", ref=group.slug, public=True)
    token = portfolio.create_link(person=marc)
    url = absolute_url(reverse("portfolio:public", args=[token]))
    badge = IssuedCredential.objects.filter(learner=sofia).exists()
    return [
        _(
            "Évaluations : les cinq unités du certificat (NUMEFA) réussies par projet ; 7 versions "
            "revues et 1 en attente de revue (groupe UE5 %(code)s)."
        )
        % {"code": GROUP_CODE},
        _("%(name)s termine le certificat par ses projets : badge %(state)s.")
        % {"name": SOFIA[1] + " " + SOFIA[2], "state": _("délivré") if badge else _("non délivré")},
        _("Portfolio public de Marc Renard : %(url)s") % {"url": url},
    ]
