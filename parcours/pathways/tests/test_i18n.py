"""The rule engine speaks English when the visitor chose English (issue #2).

The explanation sentences come from ``rules.explain`` (gettext/ngettext); their English lives in
``parcours/pathways/locale/en``. Module titles are data: without an English title they stay French.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from parcours.accounts.models import User
from parcours.pathways import rules
from parcours.pathways.models import Pathway

from .conftest import complete

# The AI-referent rule: (M1A | M1B) & 2 of (O1 … O8) & CLOSE, with ids instead of modules.
M1A, M1B, CLOSE = 1, 2, 3
OPTIONS = list(range(11, 19))
NAMES = {M1A: "M1A", M1B: "M1B", CLOSE: "CLOSE"} | {m: f"O{i}" for i, m in enumerate(OPTIONS, 1)}
AI_RULE: dict[str, Any] = {
    "all_of": [
        {"any_of": [{"module": M1A}, {"module": M1B}]},
        {"at_least": 2, "of": OPTIONS},
        {"module": CLOSE},
    ]
}
ALL_OPTIONS = ", ".join(f"O{i}" for i in range(1, 9))


def explain(done: list[int], rule: Mapping[str, Any] = AI_RULE, language: str = "en") -> list[str]:
    with translation.override(language):
        evaluation = rules.evaluate(rule, dict.fromkeys(done, 12.0))
        return rules.explain(evaluation, NAMES)


@pytest.mark.parametrize(
    ("done", "english"),
    [
        (
            [],
            [
                "One module from: M1A, M1B",
                f"2 optional modules from: {ALL_OPTIONS}",
                "Required module: CLOSE",
            ],
        ),
        (
            [M1A, OPTIONS[0]],
            ["1 more optional module from: O2, O3, O4, O5, O6, O7, O8", "Required module: CLOSE"],
        ),
        ([M1B, OPTIONS[2], OPTIONS[5]], ["Required module: CLOSE"]),
        ([M1A, M1B, OPTIONS[3], OPTIONS[7], CLOSE], []),
    ],
)
def test_ai_referent_explanations_are_english(done: list[int], english: list[str]) -> None:
    assert explain(done) == english


def test_the_same_explanations_stay_french_in_french() -> None:
    assert explain([M1A, OPTIONS[0]], language="fr") == [
        "Encore 1 module optionnel parmi : O2, O3, O4, O5, O6, O7, O8",
        "Module requis : CLOSE",
    ]


def test_hours_and_alternatives_are_english_too() -> None:
    hours_rule = {"min_hours": 30, "of": [M1A, M1B]}
    assert explain([M1A], hours_rule) == ["18 more hours needed from: M1B"]
    assert explain([], {"min_hours": 1}) == ["1 more hour of training needed"]
    alternatives = {"any_of": [{"all_of": [M1A, CLOSE]}, {"at_least": 2, "of": OPTIONS[:3]}]}
    [sentence] = explain([], alternatives)
    assert sentence.startswith("One of the following: M1A and CLOSE")
    assert sentence.endswith("2 modules from (O1, O2, O3)")


def test_rule_errors_are_english() -> None:
    with translation.override("en"), pytest.raises(rules.RuleError) as exc:
        rules.parse_text("M1A & NOPE", {"M1A": M1A})
    assert exc.value.message == "Unknown module code “NOPE” (position 7)."


def test_a_learner_reads_the_ai_referent_page_in_english(
    client, learner: User, ai_pathway: Pathway, ai_modules
) -> None:
    complete(learner, ai_modules, "M1A", "O1")
    client.force_login(learner)
    switched = client.post(reverse("set_language"), {"language": "en", "next": "/parcours/"})
    assert switched.status_code == 302

    page = client.get(reverse("pathways:detail", args=["technofutur-tic", "REF-IA"]))

    body = html.unescape(page.content.decode())
    assert '<html lang="en">' in body
    assert "To complete this pathway" in body
    # Sentences in English; module titles have no English version in this test, so stay French.
    assert "Required module: Module de clôture" in body
    assert "1 more optional module from: Éthique et regard critique, Apprendre par le jeu" in body
    assert "2 of 4 requirements met" in body
    assert "parmi" not in body and "Module requis" not in body
