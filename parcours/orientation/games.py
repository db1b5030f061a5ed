"""A world's game: its items with their choices in a stable shuffled order, and the score."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from parcours.orientation.class_models import GameItem
from parcours.orientation.models import World

MAX_ITEMS = 12


@dataclass(frozen=True)
class Choice:
    key: str  # "a", "b", … (what the form sends)
    text: str
    correct: bool


@dataclass(frozen=True)
class Question:
    item: GameItem
    choices: tuple[Choice, ...]

    @property
    def correct_key(self) -> str:
        return next(choice.key for choice in self.choices if choice.correct)


def _rank(item_id: int, text: str) -> str:
    return hashlib.sha256(f"{item_id}:{text}".encode()).hexdigest()


def questions(world: World) -> list[Question]:
    """The published items of ``world``, each with its answers shuffled (the same order on
    every visit, so a page cached for offline use matches the server's scoring)."""
    items = GameItem.objects.filter(world=world, is_published=True)[:MAX_ITEMS]
    result = []
    for item in items:
        texts = [(item.answer, True)] + [(wrong, False) for wrong in item.wrong_answers]
        texts.sort(key=lambda pair: _rank(item.pk, pair[0]))
        choices = tuple(
            Choice(key="abcd"[index], text=text, correct=correct)
            for index, (text, correct) in enumerate(texts)
        )
        result.append(Question(item=item, choices=choices))
    return result


def score(questions: list[Question], answers: Mapping[str, str]) -> int:
    """How many questions were answered right (``answers``: "q<item id>" -> choice key)."""
    return sum(1 for q in questions if answers.get(f"q{q.item.pk}") == q.correct_key)
