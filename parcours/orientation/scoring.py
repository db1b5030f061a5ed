"""The interest quiz's scoring and the class's anonymous summary: pure Python, no Django.

A quiz is a list of statements ("J'aime réparer des objets"), each tied to one world. A person
answers each with 0 (pas pour moi), 1 (un peu) or 2 (oui !). A world's score is the share of the
points it could get, in percent (0 to 100); worlds nobody answered have no score. The worlds
suggested are those with the highest scores, at least one "un peu", ties broken by the order the
worlds were given in (the curator's order).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

NO, SOME, YES = 0, 1, 2
ANSWERS = (NO, SOME, YES)
MAX_POINTS = YES
SUGGESTIONS = 3


def world_scores(statement_worlds: Mapping[int, int], answers: Mapping[int, int]) -> dict[int, int]:
    """World id -> score in percent (rounded down), over the statements answered.

    ``statement_worlds`` maps each statement to its world; answers to unknown statements and
    values outside :data:`ANSWERS` are ignored (they were checked before, this never fails).
    """
    points: Counter[int] = Counter()
    possible: Counter[int] = Counter()
    for statement, value in answers.items():
        world = statement_worlds.get(statement)
        if world is None or value not in ANSWERS:
            continue
        points[world] += value
        possible[world] += MAX_POINTS
    return {world: (100 * points[world]) // possible[world] for world in possible}


def suggest(scores: Mapping[int, int], order: Sequence[int], limit: int = SUGGESTIONS) -> list[int]:
    """The ids of at most ``limit`` worlds with a positive score, best first; ties in ``order``."""
    rank = {world: index for index, world in enumerate(order)}
    candidates = [world for world, score in scores.items() if score > 0 and world in rank]
    candidates.sort(key=lambda world: (-scores[world], rank[world]))
    return candidates[: max(0, limit)]


@dataclass(frozen=True)
class Event:
    """One thing a pupil did in class mode, without who did it beyond an opaque pupil number."""

    pupil: int
    kind: str  # "world" (liked a world), "occupation" (opened a sheet), "game", "quiz"
    world: int | None = None
    occupation: int | None = None
    value: int = 0


@dataclass
class ClassSummary:
    """What the facilitator's screen and the follow-up kit show: counts only."""

    participants: int = 0
    world_likes: dict[int, int] = field(default_factory=dict)  # world -> pupils who liked it
    quiz_tops: dict[int, int] = field(default_factory=dict)  # world -> pupils whose top it is
    occupations_opened: dict[int, int] = field(default_factory=dict)  # occupation -> pupils
    games_played: dict[int, int] = field(default_factory=dict)  # world -> games played
    game_points: dict[int, int] = field(default_factory=dict)  # world -> points scored

    def top_worlds(self, limit: int = SUGGESTIONS) -> list[int]:
        """The worlds the class liked most (likes plus quiz tops), best first; ties by id."""
        interest: Counter[int] = Counter(self.world_likes)
        interest.update(self.quiz_tops)
        ranked = sorted((w for w, n in interest.items() if n > 0), key=lambda w: (-interest[w], w))
        return ranked[:limit]

    def as_json(self) -> dict[str, object]:
        return {
            "participants": self.participants,
            "world_likes": {str(k): v for k, v in self.world_likes.items()},
            "quiz_tops": {str(k): v for k, v in self.quiz_tops.items()},
            "occupations_opened": {str(k): v for k, v in self.occupations_opened.items()},
            "games_played": {str(k): v for k, v in self.games_played.items()},
            "game_points": {str(k): v for k, v in self.game_points.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> ClassSummary:
        def ints(key: str) -> dict[int, int]:
            raw = data.get(key) or {}
            if not isinstance(raw, Mapping):
                return {}
            return {int(k): int(v) for k, v in raw.items()}

        participants = data.get("participants") or 0
        if not isinstance(participants, int):
            participants = 0
        return cls(
            participants=participants,
            world_likes=ints("world_likes"),
            quiz_tops=ints("quiz_tops"),
            occupations_opened=ints("occupations_opened"),
            games_played=ints("games_played"),
            game_points=ints("game_points"),
        )


def summarise(participants: int, events: Iterable[Event]) -> ClassSummary:
    """Count, per world and occupation, the distinct pupils who liked / opened it.

    A pupil liking a world twice (two tablets, a replay) counts once; a "quiz" event carries the
    pupil's top world; games are counted each time they are played.
    """
    likes: dict[int, set[int]] = {}
    tops: dict[int, set[int]] = {}
    opened: dict[int, set[int]] = {}
    played: Counter[int] = Counter()
    points: Counter[int] = Counter()
    for event in events:
        if event.kind == "world" and event.world is not None:
            likes.setdefault(event.world, set()).add(event.pupil)
        elif event.kind == "quiz" and event.world is not None:
            tops.setdefault(event.world, set()).add(event.pupil)
        elif event.kind == "occupation" and event.occupation is not None:
            opened.setdefault(event.occupation, set()).add(event.pupil)
        elif event.kind == "game" and event.world is not None:
            played[event.world] += 1
            points[event.world] += max(0, event.value)
    return ClassSummary(
        participants=participants,
        world_likes={w: len(p) for w, p in likes.items()},
        quiz_tops={w: len(p) for w, p in tops.items()},
        occupations_opened={o: len(p) for o, p in opened.items()},
        games_played=dict(played),
        game_points=dict(points),
    )
