"""The demo's events: the eduLAB's Learning Room at the Ludovia#BE fair (Technofutur TIC, seed
001: more than 50 workshops by teachers and experts over two days) and Technocité's Job IT Day
in Mons (seed 002: the yearly training and jobs fair of the digital media trades).

The Learning Room ran yesterday and runs today: its 50 workshops were created from rows (as a
coordinator's file would be), visitors registered the week before, and the door staff scanned
the tickets of the workshops already held. The Job IT Day is in three weeks, public, open to
visitors without an account. Everything goes through ``events.actions`` (and, through them,
``enrolment.actions``); the visitors are fictitious (``@exemple.demo``).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue
from parcours.demo import data
from parcours.events import actions
from parcours.events.models import Event, Registration, Workshop
from parcours.scheduling.models import Resource

SLOTS = (("09:30", "10:15"), ("10:30", "11:15"), ("11:30", "12:15"), ("13:30", "14:15"),
         ("14:30", "15:15"))  # fmt: skip
SPACES = ("Espace Découvrir", "Espace Créer", "Espace Collaborer", "Espace Évaluer",
          "Espace Inclure")  # fmt: skip
# 25 workshops a day, one per space and time slot, in the words of the demo.
DAY_ONE = (
    "Premiers pas avec un assistant conversationnel en classe",
    "Créer une capsule vidéo en dix minutes",
    "Un mur collaboratif pour le conseil de classe",
    "Quiz interactifs : évaluer sans stresser",
    "Des textes adaptés aux élèves dyslexiques",
    "Coder un petit robot en maternelle",
    "Le podcast scolaire, de l'idée à la diffusion",
    "Écrire à plusieurs mains sur un document partagé",
    "Grilles critériées et rétroaction numérique",
    "La synthèse vocale au service de la lecture",
    "Escape game pédagogique : la méthode",
    "Concevoir une affiche avec un outil de mise en page",
    "Classe inversée : organiser le temps en classe",
    "Portfolio numérique de l'élève",
    "Sous-titrer ses vidéos pour tous",
    "Cartes mentales pour réviser",
    "Photographier la démarche scientifique",
    "Jumelage entre classes à distance",
    "Auto-évaluation avec des badges",
    "Tablettes et élèves à besoins spécifiques",
    "Débusquer les fausses informations",
    "Impression 3D en technologie",
    "Projets eTwinning : bien démarrer",
    "Analyser les réponses d'un formulaire",
    "Accessibilité des documents de cours",
)
DAY_TWO = (
    "Rédiger de bonnes consignes pour une IA générative",
    "Stop motion en classe de langues",
    "Gérer un projet de classe en tableau Kanban",
    "Corriger plus vite avec des commentaires types",
    "Pictogrammes et emplois du temps visuels",
    "Programmer un jeu simple avec Scratch",
    "Réalité augmentée en géographie",
    "Un wiki de classe pour les synthèses",
    "Évaluer l'oral avec des enregistrements",
    "Outils de dictée vocale pour écrire",
    "Ludifier une séquence de mathématiques",
    "Montage vidéo sur smartphone",
    "Co-enseignement et outils partagés",
    "Banques de questions et tests adaptatifs",
    "Lecture facile à lire et à comprendre",
    "L'IA pour différencier les exercices",
    "Créer un livre numérique avec ses élèves",
    "Animer une communauté d'enseignants en ligne",
    "Suivre les compétences avec un tableau de bord",
    "Claviers et souris adaptés : panorama",
    "Protéger les données des élèves (RGPD)",
    "Microcontrôleurs et capteurs en sciences",
    "Le tableau blanc interactif au-delà du cours magistral",
    "Retours d'expérience : une année d'IA en classe",
    "Concevoir des cours universels (CUA)",
)
JOB_DAY = (
    ("Salle Studio 3D", "Les métiers de l'animation 3D", 12),
    ("Salle Studio 3D", "Portfolio : montrer son travail de graphiste", 12),
    ("Salle Studio 3D", "Rencontre : studios de jeu vidéo de la région", 12),
    ("Salle Studio 3D", "Se former au développement de jeux", 12),
    ("Espace job dating", "Job dating : développeurs web", 8),
    ("Espace job dating", "Job dating : techniciens réseaux", 8),
    ("Espace job dating", "Job dating : métiers du son et de la vidéo", 8),
    ("Espace job dating", "Entretien d'embauche : s'entraîner", 8),
)
JOB_SLOTS = (("10:00", "11:00"), ("11:15", "12:15"), ("13:30", "14:30"), ("14:45", "15:45"))
FIRST_NAMES = ("Anne", "Benoît", "Céline", "David", "Élise", "François", "Gaëlle", "Hugo",
               "Inès", "Julien", "Karima", "Louis", "Manon", "Nicolas", "Olivia", "Pierre",
               "Quentin", "Rachel", "Sophie", "Thomas")  # fmt: skip
LAST_NAMES = ("Lambert", "Dubois", "Jacobs", "Martin", "Peeters", "Renard", "Simon", "Lejeune",
              "Collignon", "Mertens")  # fmt: skip
VISITORS = 60
SHOW_RATE = 0.6


def _visitors(count: int, prefix: str, admin: User) -> list[User]:
    people = []
    for n in range(count):
        first = FIRST_NAMES[n % len(FIRST_NAMES)]
        last = LAST_NAMES[(n // len(FIRST_NAMES) + n) % len(LAST_NAMES)]
        people.append(
            account_actions.create_user(
                email=f"{prefix}{n + 1:03d}@exemple.demo",
                password=None,  # a light account: no password until they accept an invitation
                first_name=first,
                last_name=last,
                actor=admin,
            )
        )
    return people


def _register_all(
    event: Event, people: list[User], per_person: int, at: dt.datetime, rng: random.Random
) -> int:
    """Each visitor picks ``per_person`` workshops at different times and registers in one go."""
    workshops = list(Workshop.objects.filter(event=event).select_related("session"))
    by_start: dict[Any, list[Workshop]] = {}
    for workshop in workshops:
        by_start.setdefault(workshop.session.starts_at, []).append(workshop)
    starts = sorted(by_start, key=lambda s: s or at)
    count = 0
    for person in people:
        chosen = [rng.choice(by_start[s]) for s in rng.sample(starts, min(per_person, len(starts)))]
        result = actions.register(
            actor=Actor.of(person),
            event=event,
            session_ids=[w.session_id for w in chosen],
            now=at + dt.timedelta(seconds=count),
        )
        count += 1
        del result
    return count


def _learning_room(loader: Any, rng: random.Random) -> list[str]:
    org = loader.orgs[data.TECHNOFUTUR]
    coordinator = Actor.of(loader.coordinators[data.TECHNOFUTUR])
    admin = loader.users[data.ADMIN.email]
    today = timezone.localdate()
    first_day = today - dt.timedelta(days=1)
    site = account_actions.create_site(
        organisation=org,
        name="Learning Room — salon Ludovia#BE",
        city="Belgique",  # the fair's venue is not in the seeds
        actor=admin,
    )
    module = catalogue.create_module(
        actor=coordinator,
        organisation=org,
        data=catalogue.ModuleData(
            code="LR-ATELIER",
            title_fr="Atelier de la Learning Room",
            title_en="Learning Room workshop",
            summary_fr="Trois quarts d'heure pour découvrir une pratique numérique en classe.",
            duration_hours="0.75",
            audience="teachers",
        ),
    )
    event = actions.create_event(
        actor=coordinator,
        organisation=org,
        data=actions.EventData(
            title="Learning Room — Ludovia#BE",
            slug="learning-room",
            description=(
                "L'eduLAB anime la Learning Room du salon Ludovia#BE : une cinquantaine "
                "d'ateliers courts animés par des enseignants et des experts du numérique "
                "éducatif, pour essayer des outils et repartir avec des idées concrètes."
            ),
            starts_on=first_day,
            ends_on=today,
            site_ids=[site.pk],
            is_public=True,
            allows_light_registration=True,
            max_workshops_per_visitor=6,
            default_module_id=module.pk,
        ),
    )
    for space in SPACES:
        actions.add_track(actor=coordinator, event=event, name=space)
    rows: list[actions.WorkshopRow] = []
    for day, titles in ((first_day, DAY_ONE), (today, DAY_TWO)):
        for i, title in enumerate(titles):
            start, end = SLOTS[i // len(SPACES)]
            rows.append(
                actions.WorkshopRow(
                    line=len(rows) + 1,
                    day=day.isoformat(),
                    start=start,
                    end=end,
                    track=SPACES[i % len(SPACES)],
                    title=title,
                    capacity=str(rng.choice((12, 16, 20, 24))),
                )
            )
    workshops = actions.create_workshops(actor=coordinator, event=event, rows=rows)
    people = _visitors(VISITORS, "ludovia", admin)
    week_before = dt.datetime.combine(
        first_day - dt.timedelta(days=7), dt.time(20, 0), tzinfo=dt.UTC
    )
    registered = _register_all(event, people, 3, week_before, rng)
    # The door: tickets scanned at the workshops already held (about three in five came).
    now = timezone.now()
    scanned = 0
    codes = dict(Registration.objects.filter(event=event).values_list("person_id", "ticket_code"))
    for workshop in workshops:
        session = workshop.session
        if session.starts_at is None or session.starts_at > now:
            continue
        for learner_id in session.enrolments.filter(status="confirmed").values_list(
            "learner_id", flat=True
        ):
            if rng.random() > SHOW_RATE:
                continue
            outcome = actions.check_in(
                actor=coordinator,
                event=event,
                workshop=workshop,
                code=codes[learner_id],
                now=session.starts_at + dt.timedelta(minutes=rng.randint(-10, 5)),
            )
            scanned += outcome.outcome == "ok"
    return [
        _(
            "Learning Room (Ludovia#BE) : %(w)d ateliers sur deux jours, %(v)d visiteurs "
            "inscrits, %(c)d billets scannés."
        )
        % {"w": len(workshops), "v": registered, "c": scanned}
    ]


def _job_day(loader: Any, rng: random.Random) -> list[str]:
    org = loader.orgs[data.TECHNOCITE]
    coordinator = Actor.of(loader.coordinators[data.TECHNOCITE])
    admin = loader.users[data.ADMIN.email]
    day = timezone.localdate() + dt.timedelta(days=21)
    site = loader.sites[data.MONS]
    module = loader.modules[(data.TECHNOCITE, "ICC-ACAD")]
    event = actions.create_event(
        actor=coordinator,
        organisation=org,
        data=actions.EventData(
            title="Job IT Day",
            slug="job-it-day",
            description=(
                "Le salon de la formation et de l'emploi des métiers des médias numériques : "
                "présentations des métiers, rencontres avec des employeurs et job dating."
            ),
            starts_on=day,
            ends_on=day,
            site_ids=[site.pk],
            is_public=True,
            allows_light_registration=True,
            max_workshops_per_visitor=3,
            default_module_id=module.pk,
        ),
    )
    rooms = list(Resource.objects.filter(site=site, kind=Resource.Kind.ROOM))
    for name, code in (("Salle Studio 3D", "MON-3D"), ("Espace job dating", "")):
        room = next((r for r in rooms if code and r.code == code), None)
        actions.add_track(
            actor=coordinator, event=event, name=name, room_id=room.pk if room else None
        )
    rows: list[actions.WorkshopRow] = []
    per_track: dict[str, int] = {}
    for track, title, places in JOB_DAY:
        index = per_track.get(track, 0)
        per_track[track] = index + 1
        start, end = JOB_SLOTS[index]
        rows.append(
            actions.WorkshopRow(
                line=len(rows) + 1,
                day=day.isoformat(),
                start=start,
                end=end,
                track=track,
                title=title,
                capacity=str(places),
            )
        )
    workshops = actions.create_workshops(actor=coordinator, event=event, rows=rows)
    people = _visitors(16, "jobitday", admin)
    registered = _register_all(event, people, 2, timezone.now(), rng)
    return [
        _("Job IT Day (Technocité, Mons) : %(w)d ateliers, %(v)d visiteurs déjà inscrits.")
        % {"w": len(workshops), "v": registered}
    ]


def load(loader: Any) -> list[str]:
    rng = random.Random(15)
    return [*_learning_room(loader, rng), *_job_day(loader, rng)]
