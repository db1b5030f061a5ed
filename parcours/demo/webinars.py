"""The demo's eduLAB TV (Technofutur TIC's web TV for teachers): a webinar held two weeks ago
with 1,200 registrations, its Teams attendance report imported (reconnections, guests who had
not registered, people who left early), and a few replays with captions, transcripts and
viewing hours.

The eduLAB is Technofutur TIC's teacher-training space (seed 001: webinars of more than 1,000
live participants, 42,000 hours viewed on its web TV), so the webinar is Technofutur TIC's
module ``EDULAB-WEB1``. Everything goes through the actions: ``enrolment.actions.enrol_many``
(one bulk call: the 1,200 people are recorded after the fact, without e-mails),
``webinars.actions`` (details, upload, confirm: minutes, roll call, completions), replays and
player beacons. People are fictitious (``@edulab-tv.demo``).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import User
from parcours.demo import data
from parcours.enrolment import actions as enrolment
from parcours.enrolment.models import Session
from parcours.lib.dates import platform_zone
from parcours.webinars import actions as webinars

SEED = 2020  # the year eduLAB TV started
REGISTRATIONS = 1_200
ORG = data.TECHNOFUTUR
MODULE = "EDULAB-WEB1"
FIRST_NAMES = (
    "Anne", "Benoît", "Camille", "Damien", "Élise", "François", "Géraldine", "Hugo", "Inès",
    "Julien", "Karima", "Luc", "Manon", "Nicolas", "Olivia", "Pierre", "Quentin", "Rachida",
    "Sophie", "Thomas", "Valérie", "William", "Yasmine", "Zoé",
)  # fmt: skip
LAST_NAMES = (
    "Dubois", "Lambert", "Martin", "Simon", "Laurent", "Lejeune", "Renard", "Collard",
    "Leclercq", "Michel", "Wauters", "Hubert", "Jacobs", "Claes", "Goossens", "Mertens",
    "Dupont", "Gilson", "Fontaine", "Denis", "Piron", "Lemaire", "Masson", "Delhaye",
    "Baudoux", "Stievenart", "Bastin", "Charlier", "Mathieu", "Noël",
)  # fmt: skip
REPLAYS = (
    (
        "L'IA générative en classe, par où commencer ?",
        "IA",
        "La rediffusion du webinaire : les usages de base, les limites et vos questions.",
        3600,
    ),
    (
        "Évaluer avec le numérique : trois outils en 20 minutes",
        "Évaluation",
        "Un tour rapide de trois manières de donner un retour formatif avec le numérique.",
        1200,
    ),
    (
        "Continuité pédagogique à distance (cycle 2020)",
        "Enseignement à distance",
        "Un épisode du cycle lancé pendant le confinement pour garder le lien avec les élèves.",
        2700,
    ),
)


def _people(admin: User) -> list[User]:
    rng = random.Random(SEED)
    out = []
    for i in range(REGISTRATIONS):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        out.append(
            account_actions.create_user(
                email=f"enseignant{i + 1:04d}@edulab-tv.demo",
                password=None,
                first_name=first,
                last_name=last,
                actor=admin,
            )
        )
    return out


def _stamp(value: dt.datetime) -> str:
    """As a French Teams attendance report writes a time."""
    return value.astimezone(platform_zone()).strftime("%d/%m/%Y %H:%M:%S")


def teams_report(
    people: list[User], start: dt.datetime, end: dt.datetime, rng: random.Random
) -> bytes:
    """A French Teams attendance report (UTF-16, tabs, summary then participants then
    activities): most people stay, some reconnect, some leave early, some never come, guests
    who had not registered join too."""
    rows: list[tuple[str, str, dt.datetime, dt.datetime]] = []
    minute = dt.timedelta(minutes=1)
    for person in people:
        luck = rng.random()
        name = f"{person.first_name} {person.last_name}"
        join = start + rng.randint(-10, 8) * minute
        if luck < 0.12:  # registered, never came
            continue
        if luck < 0.22:  # left early
            rows.append((name, person.email, join, join + rng.randint(5, 35) * minute))
        elif luck < 0.40:  # lost the connection once or twice, came back
            cut = start + rng.randint(15, 40) * minute
            back = cut + rng.randint(1, 6) * minute
            rows.append((name, person.email, join, cut))
            rows.append((name, person.email, back, end + rng.randint(0, 5) * minute))
        else:
            rows.append((name, person.email, join, end + rng.randint(-3, 6) * minute))
    for i in range(40):  # the link was shared: guests who had not registered
        rows.append(
            (
                f"Invité {i + 1}",
                f"invite{i + 1}@ecole.demo",
                start,
                end - rng.randint(0, 30) * minute,
            )
        )
    rows.sort(key=lambda r: r[2])
    lines = [
        "1. Résumé",
        "Titre de la réunion\tWebinaire eduLAB TV : l'IA générative en classe",
        f"Participants\t{len({r[1] for r in rows})}",
        f"Heure de début\t{_stamp(start)}",
        f"Heure de fin\t{_stamp(end)}",
        "Durée de la réunion\t1 h",
        "",
        "2. Participants",
        "Nom\tPremière participation\tDernier départ\tDurée de la réunion\tE-mail\tRôle",
    ]
    firsts: dict[str, tuple[str, dt.datetime, dt.datetime]] = {}
    for name, email, join, leave in rows:
        known = firsts.get(email)
        firsts[email] = (
            name,
            min(join, known[1]) if known else join,
            max(leave, known[2]) if known else leave,
        )
    for email, (name, join, leave) in firsts.items():
        lines.append(f"{name}\t{_stamp(join)}\t{_stamp(leave)}\t\t{email}\tParticipant")
    lines += [
        "",
        "3. Activités de la réunion",
        "Nom\tHeure de participation\tHeure de départ\tDurée\tE-mail\tRôle",
    ]
    for name, email, join, leave in rows:
        minutes = int((leave - join).total_seconds() // 60)
        lines.append(
            f"{name}\t{_stamp(join)}\t{_stamp(leave)}\t{minutes} min\t{email}\tParticipant"
        )
    return ("\r\n".join(lines) + "\r\n").encode("utf-16")


def _webinar(loader: Any, people: list[User], rng: random.Random) -> tuple[Session, Any]:
    org = loader.orgs[ORG]
    actor = loader.actors[ORG]
    module = loader.modules[(ORG, MODULE)]
    zone = platform_zone()
    day = loader.today - dt.timedelta(days=14)
    day -= dt.timedelta(days=(day.weekday() - 2) % 7)  # a Wednesday afternoon
    start = dt.datetime.combine(day, dt.time(16), tzinfo=zone)
    end = start + dt.timedelta(hours=1)
    session = enrolment.create_session(
        actor=actor,
        organisation=org,
        data=enrolment.SessionData(
            module_id=module.pk,
            code=f"EDULAB-TV-{day:%Y%m%d}",
            label="eduLAB TV",
            capacity=1_500,
            slots=[(start, end)],
            online_url="https://edulab.technofutur-tic.demo/tv",
        ),
    )
    session = enrolment.set_session_status(
        actor=actor, session=session, status=Session.Status.PUBLISHED
    )
    enrolment.enrol_many(
        actor=actor,
        session=session,
        learners=people,
        now=start - dt.timedelta(days=10),
        announce=False,
    )
    webinar = webinars.save_webinar(
        actor=actor,
        session=session,
        data=webinars.WebinarData(
            provider="teams",
            live_url="https://teams.microsoft.com/l/meetup-join/edulab-tv-demo",
            show_link_minutes=15,
        ),
    )
    upload = webinars.upload_report(
        actor=actor,
        webinar=webinar,
        filename="Rapport de présence eduLAB TV.csv",
        content=teams_report(people, start, end, rng),
        provider="teams",
    )
    result = webinars.confirm_report(actor=actor, upload=upload, now=end + dt.timedelta(hours=2))
    return session, result


def _replays(loader: Any, session: Session, people: list[User], rng: random.Random) -> float:
    org = loader.orgs[ORG]
    actor = loader.actors[ORG]
    module = loader.modules[(ORG, MODULE)]
    seconds = 0
    for index, (title, theme, description, duration) in enumerate(REPLAYS):
        replay = webinars.save_replay(
            actor=actor,
            organisation=org,
            data=webinars.ReplayData(
                title=title,
                video_url=f"https://tv.edulab.demo/videos/{index + 1}",
                description=description,
                theme=theme,
                module_id=module.pk,
                session_id=session.pk if index == 0 else None,
                duration_seconds=duration,
                transcript=_(
                    "Bonjour à toutes et à tous, bienvenue sur l'eduLAB TV. Aujourd'hui, nous "
                    "parlons de %(t)s."
                )
                % {"t": title},
                captions=(
                    "WEBVTT\n\n00:00.000 --> 00:04.000\nBonjour à toutes et à tous, bienvenue "
                    "sur l'eduLAB TV.\n"
                ).encode(),
            ),
        )
        for i, viewer in enumerate(rng.sample(people, 20)):
            watched = rng.randint(120, 300)  # a few minutes each (every beat is a write)
            beats = (watched + 59) // 60
            for beat in range(1, beats + 1):
                webinars.record_beat(
                    replay=replay,
                    viewer=viewer,
                    view_key=f"demo-{index}-{i:04d}",
                    beat=beat,
                    seconds=min(60, watched - (beat - 1) * 60),
                    now=timezone.now() - dt.timedelta(days=rng.randint(0, 12)),
                )
            seconds += watched
    return seconds / 3600


def load(loader: Any) -> list[str]:
    rng = random.Random(SEED)
    started = timezone.now()
    admin = loader.coordinators[ORG]
    people = _people(admin)
    session, result = _webinar(loader, people, rng)
    hours = _replays(loader, session, people, rng)
    seconds = (timezone.now() - started).total_seconds()
    return [
        _(
            "eduLAB TV (%(s).1f s) : un webinaire de %(n)d inscrits, rapport Teams importé "
            "(%(p)d personnes reconnues, %(c)d formations terminées), %(r)d rediffusions "
            "(%(h).0f heures vues)."
        )
        % {
            "s": seconds,
            "n": REGISTRATIONS,
            "p": result.recorded,
            "c": len(result.completed),
            "r": len(REPLAYS),
            "h": hours,
        }
    ]
