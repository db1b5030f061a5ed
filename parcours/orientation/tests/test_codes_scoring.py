"""Pure logic: short codes and quiz / class scoring (hypothesis)."""

from __future__ import annotations

import random

from hypothesis import given
from hypothesis import strategies as st

from parcours.orientation import codes, scoring

code_text = st.text(alphabet=codes.ALPHABET, min_size=codes.LENGTH, max_size=codes.LENGTH)


def test_the_alphabet_has_no_lookalikes() -> None:
    for confusable in "0OQD1IL2Z5S8BUV":
        assert confusable not in codes.ALPHABET
    assert len(set(codes.ALPHABET)) == len(codes.ALPHABET)


@given(st.randoms(use_true_random=False))
def test_generated_codes_are_valid(rng: random.Random) -> None:
    code = codes.generate(choice=rng.choice)
    assert len(code) == codes.LENGTH
    assert codes.is_valid(code)
    assert codes.normalise(code) == code


@given(code_text, st.sampled_from(["", " ", "-"]))
def test_what_a_pupil_types_is_normalised(code: str, sep: str) -> None:
    typed = (code[:3] + sep + code[3:]).lower()
    assert codes.normalise(f"  {typed} ") == code


@given(st.text(max_size=40))
def test_normalise_never_fails_and_returns_only_valid_codes(text: str) -> None:
    result = codes.normalise(text)
    assert result is None or codes.is_valid(result)


def test_wrong_codes_are_refused() -> None:
    assert codes.normalise("ABC") is None
    assert codes.normalise("AAAAA0") is None  # 0 is not in the alphabet
    assert codes.normalise("A" * 500) is None


answers_st = st.dictionaries(
    st.integers(min_value=1, max_value=30), st.sampled_from(scoring.ANSWERS), max_size=30
)
worlds_of = st.dictionaries(
    st.integers(min_value=1, max_value=30), st.integers(min_value=1, max_value=6), min_size=1
)


@given(worlds_of, answers_st)
def test_scores_are_percentages_of_answered_worlds(
    statement_worlds: dict[int, int], answers: dict[int, int]
) -> None:
    scores = scoring.world_scores(statement_worlds, answers)
    answered = {statement_worlds[s] for s in answers if s in statement_worlds}
    assert set(scores) == answered
    assert all(0 <= v <= 100 for v in scores.values())


@given(worlds_of, answers_st, st.data())
def test_a_yes_never_lowers_its_world_score(
    statement_worlds: dict[int, int], answers: dict[int, int], data: st.DataObject
) -> None:
    statement = data.draw(st.sampled_from(sorted(statement_worlds)))
    world = statement_worlds[statement]
    before = scoring.world_scores(statement_worlds, {**answers, statement: scoring.NO})
    after = scoring.world_scores(statement_worlds, {**answers, statement: scoring.YES})
    assert after[world] >= before[world]


def test_all_yes_is_100_and_all_no_is_0() -> None:
    worlds = {1: 10, 2: 10, 3: 20}
    scores = scoring.world_scores(worlds, {1: 2, 2: 2, 3: 0})
    assert scores == {10: 100, 20: 0}
    assert scoring.suggest(scores, [20, 10]) == [10]


@given(
    st.dictionaries(st.integers(1, 12), st.integers(0, 100)),
    st.permutations(list(range(1, 13))),
    st.integers(0, 5),
)
def test_suggestions_best_first_and_bounded(
    scores: dict[int, int], order: list[int], limit: int
) -> None:
    chosen = scoring.suggest(scores, order, limit)
    assert len(chosen) <= limit
    assert all(scores[w] > 0 for w in chosen)
    values = [scores[w] for w in chosen]
    assert values == sorted(values, reverse=True)
    better_left_out = [
        w for w in scores if w not in chosen and scores[w] > 0 and values and scores[w] > values[-1]
    ]
    assert not better_left_out


events_st = st.lists(
    st.builds(
        scoring.Event,
        pupil=st.integers(1, 8),
        kind=st.sampled_from(["world", "occupation", "game", "quiz"]),
        world=st.integers(1, 4),
        occupation=st.integers(1, 6),
        value=st.integers(0, 10),
    ),
    max_size=60,
)


@given(events_st)
def test_class_summary_counts_pupils_not_clicks(events: list[scoring.Event]) -> None:
    summary = scoring.summarise(8, events)
    pupils = {e.pupil for e in events}
    for counts in (summary.world_likes, summary.quiz_tops, summary.occupations_opened):
        assert all(1 <= n <= len(pupils) for n in counts.values())
    assert sum(summary.games_played.values()) == sum(1 for e in events if e.kind == "game")
    assert scoring.summarise(8, events + events).world_likes == summary.world_likes
    assert scoring.ClassSummary.from_json(summary.as_json()) == summary
