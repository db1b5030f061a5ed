"""Demo part: the worlds' games and quiz, and one finished class visit of the Techni Truck.

Loaded after the orientation content part (which makes the province's worlds and job sheets):
each world gets a short game (themed questions where the world's subject is recognised, plus
"which world?" questions built from its job sheets) and two quiz statements; a 6th-year primary
class that the truck visited twelve days ago has played, and its anonymous results are there.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.demo import data
from parcours.lib.text import fold
from parcours.orientation import class_actions
from parcours.orientation.class_models import ClassVisit, GameItem
from parcours.orientation.models import JobSheet, World
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import OutreachActivity

if TYPE_CHECKING:
    from parcours.demo.loader import _Loader

# Themes recognised in a world's slug or name: (keywords, game questions, quiz statements).
# A question: (kind, prompt, right answer, wrong answers, explanation).
THEMES: tuple[
    tuple[tuple[str, ...], tuple[tuple[str, str, str, tuple[str, ...], str], ...], tuple[str, ...]],
    ...,
] = (
    (
        ("atom", "chimi", "labo"),
        (
            (
                "tool",
                "Avec quoi mesure-t-on un liquide au millilitre près ?",
                "Une pipette graduée",
                ("Une louche", "Un arrosoir"),
                "Au labo, on mesure avec précision : la pipette est graduée.",
            ),
            (
                "this_or_that",
                "Au laboratoire, on porte plutôt…",
                "Des lunettes de protection",
                ("Des lunettes de soleil",),
                "Les lunettes protègent les yeux des éclaboussures.",
            ),
        ),
        (
            "J'aime faire des expériences et observer ce qui se passe.",
            "Je me demande de quoi sont faites les choses.",
        ),
    ),
    (
        ("elec", "eletro"),
        (
            (
                "tool",
                "Quel outil vérifie qu'il n'y a plus de courant dans un fil ?",
                "Un testeur de tension",
                ("Un marteau", "Un mètre ruban"),
                "On vérifie toujours l'absence de tension avant de toucher un câble.",
            ),
            (
                "sort",
                "Qui installe les prises et les tableaux électriques d'une maison ?",
                "L'électricien ou l'électricienne",
                ("Le ou la géologue", "Le ou la chimiste"),
                "",
            ),
        ),
        (
            "J'aime comprendre comment une lampe s'allume.",
            "J'aimerais monter un circuit avec des LED.",
        ),
    ),
    (
        ("meca", "mecano", "machine"),
        (
            (
                "tool",
                "Pour serrer un écrou, on prend…",
                "Une clé plate",
                ("Un tournevis cruciforme", "Une pince à épiler"),
                "La clé plate a la taille exacte de l'écrou.",
            ),
            (
                "this_or_that",
                "Un robot d'usine est réglé par…",
                "Un technicien de maintenance",
                ("Un fleuriste",),
                "La maintenance garde les machines en bon état.",
            ),
        ),
        (
            "J'aime démonter des objets pour voir comment ils marchent.",
            "Les moteurs et les engrenages me fascinent.",
        ),
    ),
    (
        ("geo", "terra", "sol"),
        (
            (
                "tool",
                "Pour savoir de quoi est fait le sous-sol, la géologue prélève…",
                "Une carotte de roche",
                ("Une carotte du potager", "Un seau d'eau de mer"),
                "Un long cylindre de roche raconte les couches du sol.",
            ),
            (
                "this_or_that",
                "Où la géologue passe-t-elle une partie de son temps ?",
                "Sur le terrain, dehors",
                ("Dans une cuisine",),
                "Elle observe les roches là où elles sont.",
            ),
        ),
        (
            "J'aime ramasser des pierres et savoir d'où elles viennent.",
            "Les volcans et les tremblements de terre m'intéressent.",
        ),
    ),
    (
        ("eau", "aqua", "hydro"),
        (
            (
                "tool",
                "Quel appareil indique si une eau est acide ?",
                "Un pH-mètre",
                ("Un thermomètre de bain", "Une boussole"),
                "",
            ),
        ),
        (
            "J'aimerais savoir comment l'eau arrive au robinet.",
            "Protéger les rivières, ça compte pour moi.",
        ),
    ),
    (
        ("energ", "eol", "solaire", "vent"),
        (
            (
                "this_or_that",
                "Une éolienne produit de l'électricité grâce…",
                "Au vent",
                ("À la pluie",),
                "",
            ),
        ),
        (
            "Je me demande comment produire de l'énergie sans polluer.",
            "Les panneaux solaires et les éoliennes m'intéressent.",
        ),
    ),
    (
        ("numer", "digit", "info", "pixel", "code"),
        (
            (
                "tool",
                "Pour écrire un programme, le développeur utilise…",
                "Un éditeur de code",
                ("Un fer à souder", "Une truelle"),
                "",
            ),
        ),
        (
            "J'aime inventer des jeux ou des programmes.",
            "Je voudrais savoir comment marche Internet.",
        ),
    ),
    (
        ("constru", "bati", "archi"),
        (
            (
                "tool",
                "Pour tracer une ligne bien droite sur un chantier, on utilise…",
                "Un niveau laser",
                ("Une paille", "Un crayon de couleur"),
                "",
            ),
        ),
        ("J'aime construire des cabanes ou des maquettes.", "J'aimerais voir un chantier de près."),
    ),
    (
        ("bio", "vivant", "sante", "vie"),
        (
            (
                "tool",
                "Pour observer une cellule, on regarde dans…",
                "Un microscope",
                ("Des jumelles", "Un miroir"),
                "",
            ),
        ),
        ("Le corps humain et les animaux m'intéressent.", "J'aime prendre soin des plantes."),
    ),
)

PUPILS = (
    "Lina", "Noah", "Emma", "Adam", "Jade", "Louis", "Zoé", "Nathan", "Léa", "Mohamed",
    "Inès", "Arthur", "Chloé", "Lucas", "Sarah", "Rayan", "Alice", "Victor", "Maëlle", "Théo",
    "Yasmine", "Hugo",
)  # fmt: skip


def _theme(world: World) -> tuple[Any, ...] | None:
    text = fold(f"{world.slug} {world.name_fr}")
    for theme in THEMES:
        if any(keyword in text for keyword in theme[0]):
            return theme
    return None


def _games_and_quiz(actor: Actor, worlds: list[World]) -> tuple[int, int]:
    items = statements = 0
    sheets_by_world: dict[int, list[JobSheet]] = {}
    for sheet in JobSheet.objects.filter(world__in=worlds, is_published=True).order_by("order"):
        sheets_by_world.setdefault(sheet.world_id, []).append(sheet)
    for index, world in enumerate(worlds):
        if GameItem.objects.filter(world=world).exists():
            continue
        theme = _theme(world)
        if theme is not None:
            for kind, prompt, answer, wrong, explanation in theme[1]:
                class_actions.add_game_item(
                    actor=actor,
                    world=world,
                    kind=kind,
                    prompt_fr=prompt,
                    answer_fr=answer,
                    wrong_fr=wrong,
                    explanation_fr=explanation,
                )
                items += 1
        others = [w.name_fr for w in worlds if w.pk != world.pk]
        for offset, sheet in enumerate(sheets_by_world.get(world.pk, [])[:3]):
            wrong = [others[(index + offset + k) % len(others)] for k in (0, 3)] if others else []
            if not wrong:
                break
            class_actions.add_game_item(
                actor=actor,
                world=world,
                kind=GameItem.Kind.SORT,
                prompt_fr=f"Dans quel monde travaille « {sheet.title_fr} » ?",
                answer_fr=world.name_fr,
                wrong_fr=list(dict.fromkeys(wrong)),
                explanation_fr=sheet.summary_fr,
            )
            items += 1
        texts = (
            theme[2]
            if theme
            else (
                f"J'aimerais découvrir le monde {world.name_fr}.",
                world.tagline_fr or f"Les métiers de {world.name_fr} me tentent.",
            )
        )
        for text in texts:
            class_actions.add_quiz_statement(actor=actor, world=world, text_fr=text[:200])
            statements += 1
    return items, statements


def _truck_visit(loader: _Loader, actor: Actor, worlds: list[World]) -> ClassVisit | None:
    activity = (
        OutreachActivity.objects.filter(unit__code="TECHNI-TRUCK")
        .filter(Q(slug="electronique") | Q(is_active=True))
        .order_by("-slug")
        .first()
    )
    if activity is None:
        return None
    day = loader.today - dt.timedelta(days=12)
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    outreach = scheduling_actions.request_outreach(
        actor=actor,
        activity=activity,
        first_day=day,
        last_day=day,
        school_name="École fondamentale des Tilleuls",
        school_city="Herstal",
        pupil_counts={"P6": len(PUPILS)},
        contact_name="Mme Delvaux",
        contact_email="delvaux@ecole-tilleuls.test",
    )
    organisation = loader.orgs[data.PROVINCE]
    visit = class_actions.open_class_visit(
        actor=actor,
        organisation=organisation,
        title="6e primaire A — École des Tilleuls",
        grade="P6",
        outreach=outreach,
        teacher_email="delvaux@ecole-tilleuls.test",
    )
    rng = random.Random(12)
    sheets = list(JobSheet.objects.filter(world__in=worlds, is_published=True))
    statements = class_actions.quiz_statements(organisation)
    favourite = worlds[: min(3, len(worlds))]
    for name in PUPILS:
        pupil, _token = class_actions.join_class(code=visit.code, pseudonym=name)
        liked = rng.sample(favourite, k=min(len(favourite), rng.randint(1, 2)))
        answers: list[dict[str, Any]] = [
            {"id": str(uuid.uuid4()), "kind": "world", "world": w.pk} for w in liked
        ]
        answers += [
            {"id": str(uuid.uuid4()), "kind": "occupation", "sheet": s.pk}
            for s in rng.sample(sheets, k=min(len(sheets), 2))
        ]
        answers.append(
            {
                "id": str(uuid.uuid4()),
                "kind": "game",
                "world": liked[0].pk,
                "value": rng.randint(1, 4),
            }
        )
        quiz = {str(s.pk): (2 if s.world in liked else rng.choice((0, 1))) for s in statements}
        answers.append({"id": str(uuid.uuid4()), "kind": "quiz", "answers": quiz})
        class_actions.record_answers(pupil=pupil, answers=answers)
    visit = class_actions.close_class_visit(actor=actor, visit=visit)
    # The visit took place on the truck's day (the demo is loaded today).
    when = dt.datetime.combine(day, dt.time(10, 30), tzinfo=dt.UTC)
    ClassVisit.objects.filter(pk=visit.pk).update(
        opened_at=when, closed_at=when + dt.timedelta(hours=1, minutes=40)
    )
    return visit


def load(loader: _Loader) -> list[str]:
    organisation = loader.orgs.get(data.PROVINCE)
    if organisation is None:
        return []
    worlds = list(World.objects.filter(organisation=organisation, is_published=True))
    if not worlds:
        return [_("Orientation (mode classe) : aucun monde publié, jeux et visite non créés.")]
    actor = Actor.of(loader.staff[(data.PROVINCE, Role.LOGISTICS)])
    administrator = Actor.of(loader.staff[(data.PROVINCE, Role.ADMINISTRATOR)])
    items, statements = _games_and_quiz(administrator, worlds)
    visit = _truck_visit(loader, actor, worlds)
    lines = [
        _("Orientation : %(i)d questions de jeu, %(s)d affirmations de quiz.")
        % {"i": items, "s": statements}
    ]
    if visit is not None:
        lines.append(
            _("Mode classe : une visite du Techni Truck terminée, %(n)d élèves, code %(c)s.")
            % {"n": visit.participant_count, "c": visit.code}
        )
    return lines
