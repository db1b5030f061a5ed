"""Worlds, job sheets, game items and quiz statements for the class-mode tests."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from parcours.accounts.models import Organisation
from parcours.orientation.class_models import GameItem, QuizStatement
from parcours.orientation.models import JobSheet, World


@dataclass
class Content:
    worlds: list[World]
    sheets: list[JobSheet]
    statements: list[QuizStatement]
    items: list[GameItem]


def make_content(org: Organisation, prefix: str = "") -> Content:
    worlds = [
        World.objects.create(
            organisation=org,
            slug=f"{prefix}{slug}",
            name_fr=name,
            order=index,
            is_published=True,
            resources_fr=f"Ressources de **{name}**",
        )
        for index, (slug, name) in enumerate(
            [
                ("mecanosphere", "Mécanosphère"),
                ("geoterra", "Géoterra"),
                ("atominatis", "Atominatis"),
            ]
        )
    ]
    sheets = [
        JobSheet.objects.create(
            organisation=org,
            world=world,
            slug=f"{prefix}{world.slug}-metier",
            title_fr=f"Métier de {world.name_fr}",
            is_published=True,
        )
        for world in worlds
    ]
    statements = [
        QuizStatement.objects.create(world=world, text_fr=f"J'aime {world.name_fr} {n}", order=n)
        for world in worlds
        for n in (1, 2)
    ]
    items = [
        GameItem.objects.create(
            world=world,
            prompt_fr=f"Quel outil pour {world.name_fr} ?",
            answer_fr="La clé",
            wrong_1_fr="La cuillère",
            wrong_2_fr="Le pinceau",
        )
        for world in worlds
    ]
    return Content(worlds, sheets, statements, items)


def answer(kind: str, **fields: Any) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "kind": kind, **fields}
