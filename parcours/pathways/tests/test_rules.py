"""Tests for the pure-Python pathway rule engine (no database)."""

from __future__ import annotations

import random
from typing import Any

import pytest
from django.utils.translation import override
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parcours.pathways.rules import (
    AllOf,
    AnyOf,
    AtLeast,
    Evaluation,
    MinHours,
    Missing,
    ModuleInfo,
    ModuleReq,
    Rule,
    RuleError,
    RuleErrors,
    compile_rule,
    describe_path,
    evaluate,
    evaluate_many,
    explain,
    format_text,
    module_ids,
    parse_rule,
    parse_text,
    rule_to_data,
)

# --------------------------------------------------------------------------------------------
# Fixtures: the AI-referent pathway
# --------------------------------------------------------------------------------------------

M1A, M1B, CLOSE = 1, 2, 3
OPTIONS = list(range(11, 19))  # O1..O8
OPTION_TITLES = [
    "Éthique de l'IA",
    "Jeux sérieux",
    "Données personnelles",
    "IA générative",
    "Évaluation",
    "Accessibilité",
    "Pédagogie active",
    "Droit d'auteur",
]
AI_CODES = {"M1A": M1A, "M1B": M1B, "CLOSE": CLOSE} | {
    f"O{i}": module for i, module in enumerate(OPTIONS, start=1)
}
AI_CODE_NAMES = {v: k for k, v in AI_CODES.items()}
AI_TITLES = {
    M1A: "Découvrir l'IA (A)",
    M1B: "Découvrir l'IA (B)",
    CLOSE: "Module de clôture",
} | dict(zip(OPTIONS, OPTION_TITLES, strict=True))
AI_TEXT = "(M1A | M1B) & 2 of (O1, O2, O3, O4, O5, O6, O7, O8) & CLOSE"
AI_DATA: dict[str, Any] = {
    "all_of": [
        {"any_of": [{"module": M1A}, {"module": M1B}]},
        {"at_least": 2, "of": OPTIONS},
        {"module": CLOSE},
    ]
}
AI_KNOWN = {
    m: ModuleInfo(m, AI_CODE_NAMES[m], AI_TITLES[m], 7.0) for m in [M1A, M1B, CLOSE, *OPTIONS]
}


def ai_rule() -> Rule:
    return parse_rule(AI_DATA, known_modules=AI_KNOWN)


def errors_of(exc: pytest.ExceptionInfo[Any]) -> list[tuple[str, str]]:
    return [(e.path, e.message) for e in exc.value.errors]


# --------------------------------------------------------------------------------------------
# Parsing and data round trip
# --------------------------------------------------------------------------------------------


def test_parse_ai_rule_builds_typed_ast() -> None:
    rule = ai_rule()
    assert rule == AllOf(
        (
            AnyOf((ModuleReq(M1A), ModuleReq(M1B))),
            AtLeast(2, tuple(ModuleReq(m) for m in OPTIONS)),
            ModuleReq(CLOSE),
        )
    )
    assert module_ids(rule) == frozenset([M1A, M1B, CLOSE, *OPTIONS])


def test_rule_to_data_is_canonical_and_round_trips() -> None:
    data = rule_to_data(ai_rule())
    assert data["all_of"][1] == {"at_least": 2, "of": [{"module": m} for m in OPTIONS]}
    assert parse_rule(data) == ai_rule()
    assert rule_to_data(MinHours(30.0)) == {"min_hours": 30}
    assert rule_to_data(MinHours(7.5, (1, 2))) == {"min_hours": 7.5, "of": [1, 2]}
    assert module_ids(MinHours(30.0)) == frozenset()


def test_parse_min_hours() -> None:
    assert parse_rule({"min_hours": 30, "of": [1, 2]}) == MinHours(30.0, (1, 2))
    assert parse_rule({"min_hours": 2.5}) == MinHours(2.5, None)


# --------------------------------------------------------------------------------------------
# Validation errors
# --------------------------------------------------------------------------------------------

KNOWN = {
    1: ModuleInfo(1, "UE1", "Fondamentaux", 10),
    2: ModuleInfo(2, "UE2", "Pratique", 10),
    3: ModuleInfo(3, "UE3", "Brouillon", 5, published=False),
}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({}, [("", "La règle est vide.")]),
        (
            {"all_of": []},
            [("/all_of", "La règle est vide : « toutes les conditions » n'en contient aucune.")],
        ),
        (
            {"any_of": []},
            [("/any_of", "La règle est vide : « l'une des conditions » n'en contient aucune.")],
        ),
        ({"at_least": 2, "of": []}, [("/of", "Aucun module dans « au moins 2 parmi … ».")]),
        ({"min_hours": 5, "of": []}, [("/of", "Aucun module dans « 5 heures parmi … ».")]),
        ({"at_least": 3, "of": [1, 2]}, [("/at_least", "La règle demande 3 modules parmi 2.")]),
        (
            {"at_least": 3, "of": [1, {"any_of": [2]}]},
            [("/at_least", "La règle demande 3 conditions parmi 2.")],
        ),
        (
            {"at_least": 0, "of": [1, 2]},
            [("/at_least", "« au moins 0 parmi … » doit demander au moins 1 module.")],
        ),
        (
            {"at_least": "2", "of": [1, 2]},
            [
                (
                    "/at_least",
                    'Le nombre de « au moins … parmi » doit être un entier (reçu : "2").',
                )
            ],
        ),
        (
            {"at_least": 1},
            [("", "« au moins 1 parmi … » : la liste « of » est manquante.")],
        ),
        (
            {"min_hours": 0, "of": [1]},
            [
                (
                    "/min_hours",
                    "Le nombre d'heures doit être strictement positif (reçu : 0).",
                )
            ],
        ),
        (
            {"min_hours": "10"},
            [("/min_hours", 'Le nombre d\'heures doit être un nombre (reçu : "10").')],
        ),
        (
            {"min_hours": 25, "of": [1, 2]},
            [
                (
                    "/min_hours",
                    "La règle demande 25 heures, mais les modules listés n'en totalisent que 20.",
                )
            ],
        ),
        (
            {"min_hours": 20.5},
            [
                (
                    "/min_hours",
                    "La règle demande 20,5 heures, mais les modules du parcours "
                    "n'en totalisent que 20.",
                )
            ],
        ),
        ({"module": 99}, [("/module", "Module inconnu : n° 99.")]),
        (
            {"any_of": [1, {"module": 3}]},
            [("/any_of/1/module", "Le module « UE3 — Brouillon » n'est pas publié.")],
        ),
        (
            {"module": "UE1"},
            [
                (
                    "/module",
                    'Un module doit être désigné par son identifiant entier (reçu : "UE1").',
                )
            ],
        ),
        (
            {"all_of": [1, 2, {"module": 1}]},
            [
                (
                    "/all_of/2",
                    "Le module « UE1 — Fondamentaux » figure plusieurs fois dans la même liste.",
                )
            ],
        ),
        (
            {"min_hours": 5, "of": [2, 2]},
            [
                (
                    "/of/1",
                    "Le module « UE2 — Pratique » figure plusieurs fois dans la même liste.",
                )
            ],
        ),
        ({"all_of": [1], "extra": True}, [("/extra", "Clé inconnue « extra ».")]),
        ({"all_of": [1], "of": [2]}, [("/of", "Clé inconnue « of ».")]),
        (
            {"all_of": [1], "any_of": [2]},
            [("", "La règle mélange plusieurs types (all_of, any_of) ; un seul est permis.")],
        ),
        (
            {"one_of": [1]},
            [
                ("/one_of", "Clé inconnue « one_of »."),
                (
                    "",
                    "Type de règle manquant : utilisez all_of, any_of, at_least, "
                    "min_hours ou module.",
                ),
            ],
        ),
        ({"all_of": 1}, [("/all_of", "« all_of » doit être une liste (reçu : 1).")]),
        (
            [1, 2],
            [
                (
                    "",
                    "Une règle doit être un objet avec l'une des clés all_of, any_of, "
                    "at_least, min_hours ou module (reçu : [1, 2]).",
                )
            ],
        ),
        (
            {"module": True},
            [
                (
                    "/module",
                    "Un module doit être désigné par son identifiant entier (reçu : true).",
                )
            ],
        ),
    ],
)
def test_validation_errors(data: object, expected: list[tuple[str, str]]) -> None:
    with override("fr"), pytest.raises(RuleError) as exc:
        parse_rule(data, known_modules=KNOWN)
    assert errors_of(exc) == expected


def test_all_errors_are_collected_with_nested_paths() -> None:
    data = {
        "all_of": [
            {"module": 1},
            {"at_least": 3, "of": [1, 1, {"module": 99}]},
            {"min_hours": -1, "foo": 2},
            {"any_of": [{"at_least": 1, "of": [{"module": 3}]}]},
        ]
    }
    with override("fr"), pytest.raises(RuleErrors) as exc:
        parse_rule(data, known_modules=KNOWN)
    assert errors_of(exc) == [
        (
            "/all_of/1/of/1",
            "Le module « UE1 — Fondamentaux » figure plusieurs fois dans la même liste.",
        ),
        ("/all_of/1/of/2/module", "Module inconnu : n° 99."),
        ("/all_of/2/foo", "Clé inconnue « foo »."),
        ("/all_of/2/min_hours", "Le nombre d'heures doit être strictement positif (reçu : -1)."),
        ("/all_of/3/any_of/0/of/0/module", "Le module « UE3 — Brouillon » n'est pas publié."),
    ]
    # RuleErrors behaves like its first error.
    assert exc.value.path == "/all_of/1/of/1"
    assert len(exc.value.messages) == 5


def test_error_locations_read_as_words() -> None:
    """Coordinators read where a problem is, not "/all_of/1/module" (issue #9)."""
    data = {"all_of": [{"module": 1}, {"module": 99}]}
    with override("fr"), pytest.raises(RuleError) as exc:
        parse_rule(data, known_modules=KNOWN)
    assert exc.value.path == "/all_of/1/module"  # the machine path stays, for programs
    assert exc.value.user_message == ("Dans la 2e condition du « et » : module inconnu : n° 99.")
    with override("en"):
        with pytest.raises(RuleError) as exc:
            parse_rule(data, known_modules=KNOWN)
        assert exc.value.user_message == "In the 2nd condition of the “and”: unknown module: #99."


@pytest.mark.parametrize(
    ("path", "french"),
    [
        ("", ""),
        ("/module", ""),
        ("/all_of/0", "Dans la 1re condition du « et »"),
        ("/any_of/2/module", "Dans la 3e possibilité du « ou »"),
        (
            "/all_of/1/of/3",
            "Dans la 2e condition du « et », le 4e élément d'une liste « parmi »",
        ),
        ("/of/0", "Dans le 1er élément d'une liste « parmi »"),
        ("/all_of/4/at_least", "Dans la 5e condition du « et », le nombre d'un « … parmi »"),
        ("/min_hours", "Dans le nombre d'heures"),
        ("/a~1b~0", "Dans la clé « a/b~ »"),
    ],
)
def test_describe_path(path: str, french: str) -> None:
    with override("fr"):
        assert describe_path(path) == french


def test_module_errors_need_known_modules() -> None:
    # Without known modules, any integer id is accepted.
    assert parse_rule({"module": 99}) == ModuleReq(99)
    assert parse_rule({"min_hours": 1000, "of": [1]}) == MinHours(1000.0, (1,))


def test_pointer_escapes_keys() -> None:
    with pytest.raises(RuleError) as exc:
        parse_rule({"module": 1, "a/b~": 0})
    assert exc.value.path == "/a~1b~0"


def test_too_deep_nesting_is_an_error_not_a_crash() -> None:
    data: object = {"module": 1}
    for _ in range(50):
        data = {"all_of": [data]}
    with pytest.raises(RuleError) as exc:
        parse_rule(data)
    assert "trop profondément imbriquée" in exc.value.message


# --------------------------------------------------------------------------------------------
# Evaluation: the AI-referent rule
# --------------------------------------------------------------------------------------------


def done(*modules: int, hours: float = 7.0) -> dict[int, float]:
    return dict.fromkeys(modules, hours)


@pytest.mark.parametrize(
    ("completed", "satisfied", "met", "sentences"),
    [
        (
            done(),
            False,
            0,
            [
                "Un module parmi : Découvrir l'IA (A), Découvrir l'IA (B)",
                "2 modules optionnels parmi : " + ", ".join(OPTION_TITLES),
                "Module requis : Module de clôture",
            ],
        ),
        (
            done(M1A, OPTIONS[0]),
            False,
            2,
            [
                "Encore 1 module optionnel parmi : " + ", ".join(OPTION_TITLES[1:]),
                "Module requis : Module de clôture",
            ],
        ),
        (
            done(M1B, OPTIONS[2], OPTIONS[5]),
            False,
            3,
            ["Module requis : Module de clôture"],
        ),
        (
            done(OPTIONS[0], OPTIONS[1], OPTIONS[2], CLOSE),
            False,
            3,
            ["Un module parmi : Découvrir l'IA (A), Découvrir l'IA (B)"],
        ),
        (done(M1A, M1B, OPTIONS[3], OPTIONS[7], CLOSE), True, 4, []),
        (done(M1A, *OPTIONS, CLOSE), True, 4, []),
    ],
)
def test_ai_referent_rule(
    completed: dict[int, float], satisfied: bool, met: int, sentences: list[str]
) -> None:
    rule = ai_rule()
    evaluation = evaluate(rule, completed)
    assert evaluation.satisfied is satisfied
    assert (evaluation.met, evaluation.total) == (met, 4)
    assert evaluation.progress == met / 4
    with override("fr"):
        assert evaluation.explain(AI_TITLES) == sentences
        assert explain(evaluation, AI_TITLES) == sentences
    assert compile_rule(rule)(completed) is satisfied
    assert compile_rule(rule)(set(completed)) is satisfied


def test_ai_rule_structured_missing() -> None:
    evaluation = evaluate(AI_DATA, done(M1A, OPTIONS[0]))
    assert evaluation.missing == [
        Missing("choice", needed=1, candidates=tuple(OPTIONS[1:]), done=1),
        Missing("module", needed=1, candidates=(CLOSE,)),
    ]


def test_all_five_teaching_units() -> None:
    units = [1, 2, 3, 4, 5]
    names = {u: f"UE{u}" for u in units}
    rule = parse_text("UE1 & UE2 & UE3 & UE4 & UE5", {v: k for k, v in names.items()})
    assert rule == {"all_of": [{"module": u} for u in units]}
    evaluation = evaluate(rule, done(1, 2, 4))
    assert (evaluation.satisfied, evaluation.met, evaluation.total) == (False, 3, 5)
    with override("fr"):
        assert evaluation.explain(names) == ["Module requis : UE3", "Module requis : UE5"]
    full = evaluate(rule, done(*units))
    assert (full.satisfied, full.met, full.total, full.missing) == (True, 5, 5, [])
    # "5 of 5" says the same thing.
    same = evaluate({"at_least": 5, "of": units}, done(1, 2, 4))
    assert (same.met, same.total, same.missing) == (3, 5, evaluation.missing)


def test_min_hours() -> None:
    names = {1: "UE1", 2: "UE2", 3: "UE3"}
    rule = {"min_hours": 30, "of": [1, 2, 3]}
    evaluation = evaluate(rule, {1: 14.0, 2: 10.0, 9: 100.0})
    assert (evaluation.satisfied, evaluation.met, evaluation.total) == (False, 0, 1)
    assert evaluation.missing == [Missing("hours", 1, (3,), hours_short=6.0)]
    with override("fr"):
        assert evaluation.explain(names) == ["Il manque 6 heures parmi : UE3"]
    assert evaluate(rule, {1: 14.0, 2: 10.0, 3: 6.0}).satisfied
    with override("fr"):
        half = evaluate({"min_hours": 7.5, "of": [1, 2]}, {1: 6.0, 5: 10.0})
        assert half.explain(names) == ["Il manque 1,5 heure parmi : UE2"]
        anywhere = evaluate({"min_hours": 30}, {1: 10.0})
        assert anywhere.explain(names) == ["Il manque 20 heures de formation"]
        scoped = evaluate({"min_hours": 30}, {1: 10.0, 9: 50.0}, pathway_modules=[1, 2, 3])
        assert not scoped.satisfied
        assert scoped.explain(names) == ["Il manque 20 heures parmi : UE2, UE3"]
    assert evaluate({"min_hours": 30}, {1: 10.0, 9: 50.0}).satisfied
    # With plain sets, compile_rule uses the modules' nominal hours.
    predicate = compile_rule(rule, module_hours={1: 14, 2: 10, 3: 7})
    assert predicate({1, 2, 3})
    assert not predicate({1, 2})


def test_nested_alternatives_are_explained() -> None:
    names = {1: "A", 2: "B", 3: "C", 4: "D", 5: "E"}
    rule = {"any_of": [{"all_of": [1, 2]}, {"min_hours": 10, "of": [3, 4]}, {"module": 5}]}
    evaluation = evaluate(rule, {1: 3.0, 3: 4.0})
    assert (evaluation.met, evaluation.total) == (0, 1)
    with override("fr"):
        assert evaluation.explain(names) == [
            "L'une des conditions suivantes : B ; 6 heures parmi (D) ; E"
        ]
    two = evaluate(
        {"at_least": 2, "of": [{"all_of": [1, 2]}, {"at_least": 2, "of": [3, 4, 5]}, 5]},
        {1: 1.0, 2: 1.0},
    )
    assert (two.satisfied, two.met, two.total) == (False, 2, 3)
    with override("fr"):
        assert two.explain(names) == [
            "Encore 1 condition parmi : 2 modules parmi (C, D, E) ; E",
        ]


def test_evaluate_many_agrees_with_evaluate() -> None:
    rule = ai_rule()
    rng = random.Random(42)
    pool = [M1A, M1B, CLOSE, *OPTIONS, 50, 51, 52]
    learners = {
        learner: dict.fromkeys(rng.sample(pool, rng.randint(0, 8)), 7.0) for learner in range(5_000)
    }
    # Speed is measured in benchmarks/, not asserted here.
    results = evaluate_many(rule, learners)
    for learner in range(0, 5_000, 97):
        assert results[learner] is evaluate(rule, learners[learner]).satisfied
    as_sets = {learner: frozenset(c) for learner, c in learners.items()}
    assert evaluate_many(rule, as_sets) == results


# --------------------------------------------------------------------------------------------
# Text syntax
# --------------------------------------------------------------------------------------------


AI_TEXT_FR = "(M1A | M1B) & 2 parmi (O1, O2, O3, O4, O5, O6, O7, O8) & CLOSE"


def test_text_ai_rule_parses_and_prints() -> None:
    assert parse_text(AI_TEXT, AI_CODES) == rule_to_data(ai_rule())
    assert parse_text(AI_TEXT_FR, AI_CODES) == rule_to_data(ai_rule())
    with override("en"):
        assert format_text(AI_DATA, AI_CODE_NAMES) == AI_TEXT
        assert format_text(ai_rule(), AI_CODE_NAMES) == AI_TEXT


def test_the_printed_rule_follows_the_interface_language() -> None:
    """The saved rule read "2 of" in the French interface (issue #9)."""
    data = {"all_of": [{"at_least": 2, "of": [1, 2, 3]}, {"min_hours": 30, "of": [4]}]}
    names = {1: "A", 2: "B", 3: "C", 4: "D"}
    nested = {"all_of": [{"all_of": [1]}, {"any_of": [2]}]}
    with override("fr"):
        assert format_text(data, names) == "2 parmi (A, B, C) & heures(30, parmi (D))"
        assert format_text(nested, names) == "tous(A) & un(B)"
    with override("en"):
        assert format_text(data, names) == "2 of (A, B, C) & hours(30, of (D))"
        assert format_text(nested, names) == "all(A) & any(B)"
    # An explicit language wins over the active one.
    with override("en"):
        assert format_text(data, names, language="fr").startswith("2 parmi")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M1A | M1B", {"any_of": [{"module": 1}, {"module": 2}]}),
        ("M1A & CLOSE", {"all_of": [{"module": 1}, {"module": 3}]}),
        ("m1a", {"module": 1}),  # case-insensitive fallback
        (
            "2 parmi (O1, O2, O3)",
            {"at_least": 2, "of": [{"module": 11}, {"module": 12}, {"module": 13}]},
        ),
        ("2 OF (O1, O2)", {"at_least": 2, "of": [{"module": 11}, {"module": 12}]}),
        ("hours(30, of (O1, O2))", {"min_hours": 30, "of": [11, 12]}),
        ("heures(7.5, parmi (O1))", {"min_hours": 7.5, "of": [11]}),
        ("hours(30)", {"min_hours": 30}),
        (
            "M1A | M1B & CLOSE",
            {"any_of": [{"module": 1}, {"all_of": [{"module": 2}, {"module": 3}]}]},
        ),
        (
            "(M1A & M1B) & CLOSE",
            {"all_of": [{"all_of": [{"module": 1}, {"module": 2}]}, {"module": 3}]},
        ),
        ("all(M1A)", {"all_of": [{"module": 1}]}),
        ("un(M1A)", {"any_of": [{"module": 1}]}),
        ("#3", {"module": 3}),
        ('"M1A"', {"module": 1}),
        (
            "1 of (M1A & M1B, hours(7, of (O1)))",
            {
                "at_least": 1,
                "of": [{"all_of": [{"module": 1}, {"module": 2}]}, {"min_hours": 7, "of": [11]}],
            },
        ),
    ],
)
def test_parse_text(text: str, expected: dict[str, Any]) -> None:
    assert parse_text(text, AI_CODES) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", [(0, "La règle est vide.")]),
        ("M1A &", [(5, "Texte incomplet : un code de module ou « ( » attendu à la fin.")]),
        ("M1A ; M1B", [(4, "Caractère inattendu « ; » à la position 5.")]),
        ('"M1A', [(0, "Guillemet non fermé à la position 1.")]),
        (
            "M1A M1B",
            [(4, "« M1B » inattendu à la position 5 : « & », « | » ou la fin du texte attendu.")],
        ),
        ("(M1A | M1B", [(10, "Texte incomplet : « ) » attendu à la fin.")]),
        ("hours(x)", [(6, "« x » inattendu à la position 7 : un nombre d'heures attendu.")]),
        (
            "hours(3, (O1))",
            [(9, "« ( » inattendu à la position 10 : « of » ou « parmi » attendu.")],
        ),
        (
            "2 of (M9, M1A) | ZZ",
            [
                (6, "Code de module inconnu « M9 » (position 7)."),
                (17, "Code de module inconnu « ZZ » (position 18)."),
            ],
        ),
        ("#77", [(0, "Module inconnu : n° 77 (position 1).")]),
        (
            "ZZ &",
            [
                (0, "Code de module inconnu « ZZ » (position 1)."),
                (4, "Texte incomplet : un code de module ou « ( » attendu à la fin."),
            ],
        ),
    ],
)
def test_parse_text_errors(text: str, expected: list[tuple[int, str]]) -> None:
    with override("fr"), pytest.raises(RuleErrors) as exc:
        parse_text(text, AI_CODES)
    assert [(e.position, e.message) for e in exc.value.errors] == expected


def test_parse_text_structure_errors_use_json_paths() -> None:
    with override("fr"), pytest.raises(RuleError) as exc:
        parse_text("M1A & 3 parmi (O1, O2)", AI_CODES)
    assert errors_of(exc) == [("/all_of/1/at_least", "La règle demande 3 modules parmi 2.")]
    with override("fr"), pytest.raises(RuleError) as exc:
        parse_text("2 of ()", AI_CODES)
    assert errors_of(exc) == [("/of", "Aucun module dans « au moins 2 parmi … ».")]


def test_format_text_quotes_awkward_codes() -> None:
    names = {1: "a b", 2: "12", 3: "of", 4: 'x"y', 5: "OPT-ETHICS"}
    data = {"all_of": [{"module": m} for m in [1, 2, 3, 4, 5, 6]]}
    text = format_text(data, names)
    assert text == '"a b" & "12" & "of" & "x\\"y" & OPT-ETHICS & #6'
    codes = {v: k for k, v in names.items()} | {"M6": 6}
    assert parse_text(text, codes) == data
    assert format_text({"min_hours": 7.5, "of": [5]}, names) == "heures(7.5, parmi (OPT-ETHICS))"
    with override("en"):
        assert format_text({"min_hours": 7.5, "of": [5]}, names) == "hours(7.5, of (OPT-ETHICS))"
    assert format_text({"any_of": [{"any_of": [1, 5]}, 2]}, names) == '("a b" | OPT-ETHICS) | "12"'


# --------------------------------------------------------------------------------------------
# Properties
# --------------------------------------------------------------------------------------------

HOURS = {1: 7.0, 2: 14.0, 3: 3.5, 4: 21.0, 5: 7.0, 6: 10.0, 7: 2.0, 8: 30.0, 9: 7.0, 10: 1.5}
PROP_KNOWN = {m: ModuleInfo(m, f"M{m}", f"Module {m}", h) for m, h in HOURS.items()}
PROP_NAMES = {
    1: "M1A",
    2: "M1B",
    3: "OPT-ETHICS",
    4: "UE1",
    5: "101",
    6: "of",
    7: "a b",
    8: "Éthique",
    9: 'x"y',
    10: "hours",
}
PROP_CODES = {v: k for k, v in PROP_NAMES.items()}
IDS = sorted(HOURS)

leaves = st.sampled_from(IDS).map(ModuleReq)


@st.composite
def min_hours_rules(draw: st.DrawFn) -> Rule:
    modules = draw(st.none() | st.lists(st.sampled_from(IDS), min_size=1, max_size=4, unique=True))
    available = sum(HOURS[m] for m in (IDS if modules is None else modules))
    halves = draw(st.integers(1, int(available * 2)))
    return MinHours(halves / 2, None if modules is None else tuple(modules))


def _dedupe(children: list[Rule]) -> tuple[Rule, ...]:
    seen: set[int] = set()
    result: list[Rule] = []
    for child in children:
        if isinstance(child, ModuleReq):
            if child.module in seen:
                continue
            seen.add(child.module)
        result.append(child)
    return tuple(result)


def _groups(children: st.SearchStrategy[Rule]) -> st.SearchStrategy[Rule]:
    @st.composite
    def group(draw: st.DrawFn) -> Rule:
        kids = _dedupe(draw(st.lists(children, min_size=1, max_size=4)))
        kind = draw(st.sampled_from(["all", "any", "at_least"]))
        if kind == "all":
            return AllOf(kids)
        if kind == "any":
            return AnyOf(kids)
        return AtLeast(draw(st.integers(1, len(kids))), kids)

    return group()


rules = st.recursive(leaves | min_hours_rules(), _groups, max_leaves=8)
completions = st.dictionaries(
    st.sampled_from([*IDS, 40, 41]), st.sampled_from([0.0, 1.5, 3.5, 7.0, 14.0]), max_size=8
)
fast = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(rules, completions, st.sampled_from([*IDS, 40]), st.sampled_from([0.0, 2.0, 10.0]))
def test_monotonic(rule: Rule, completed: dict[int, float], extra: int, hours: float) -> None:
    if extra in completed:
        return
    before = evaluate(rule, completed)
    after = evaluate(rule, {**completed, extra: hours})
    assert after.total == before.total
    assert after.met >= before.met
    assert after.satisfied or not before.satisfied


@fast
@given(rules, completions)
def test_met_bounds(rule: Rule, completed: dict[int, float]) -> None:
    evaluation = evaluate(rule, completed)
    assert isinstance(evaluation, Evaluation)
    assert 0 <= evaluation.met <= evaluation.total
    assert (evaluation.met == evaluation.total) is evaluation.satisfied
    assert (evaluation.missing == []) is evaluation.satisfied
    assert 0.0 <= evaluation.progress <= 1.0
    with override("fr"):
        assert len(evaluation.explain(PROP_NAMES)) == len(evaluation.missing)


@fast
@given(rules, completions, st.booleans())
def test_compile_agrees_with_evaluate(
    rule: Rule, completed: dict[int, float], scoped: bool
) -> None:
    pathway = IDS if scoped else None
    expected = evaluate(rule, completed, pathway_modules=pathway).satisfied
    assert compile_rule(rule, pathway_modules=pathway)(completed) is expected
    # Sets + nominal hours behave like the mapping of nominal hours.
    nominal = {m: HOURS.get(m, 0.0) for m in completed}
    predicate = compile_rule(rule, module_hours=HOURS, pathway_modules=pathway)
    assert predicate(set(completed)) is evaluate(rule, nominal, pathway_modules=pathway).satisfied


@fast
@given(rules, st.sampled_from(["fr", "en"]))
def test_round_trips(rule: Rule, language: str) -> None:
    data = rule_to_data(rule)
    assert parse_rule(data, known_modules=PROP_KNOWN) == rule
    text = format_text(data, PROP_NAMES, language=language)
    assert parse_text(text, PROP_CODES) == data
    # The printed rule speaks the language asked for, never the other one's keywords.
    other = {"fr": (" of (", "hours(", "all(", "any("), "en": (" parmi (", "heures(", "tous(")}
    assert not any(word in text for word in other[language])


@fast
@given(rules)
def test_completing_everything_satisfies(rule: Rule) -> None:
    parse_rule(rule_to_data(rule), known_modules=PROP_KNOWN)  # the rule is valid
    everything = dict(HOURS)
    evaluation = evaluate(rule, everything, pathway_modules=IDS)
    assert evaluation.satisfied
    assert evaluation.met == evaluation.total
    # Completing just the modules it names suffices unless it counts pathway-wide hours.
    named = {m: HOURS[m] for m in module_ids(rule)}
    if not _counts_pathway_hours(rule):
        assert evaluate(rule, named).satisfied


def _counts_pathway_hours(rule: Rule) -> bool:
    if isinstance(rule, MinHours):
        return rule.modules is None
    if isinstance(rule, AllOf | AnyOf | AtLeast):
        return any(_counts_pathway_hours(c) for c in rule.children)
    return False


@fast
@given(rules, st.data())
def test_every_error_of_a_broken_rule_is_located_in_words(rule: Rule, data: Any) -> None:
    """Break one module reference anywhere in a valid rule: the error a person reads names
    its place in words and never shows the JSON path."""
    tree = rule_to_data(rule)
    spots: list[tuple[list[Any], int]] = []

    def walk(node: Any) -> None:
        for key in ("all_of", "any_of", "of"):
            items = node.get(key) if isinstance(node, dict) else None
            if isinstance(items, list):
                for i, item in enumerate(items):
                    if (isinstance(item, dict) and "module" in item) or isinstance(item, int):
                        spots.append((items, i))
                    walk(item)

    walk(tree)
    if not spots:
        return
    items, index = data.draw(st.sampled_from(spots))
    items[index] = {"module": 424242} if isinstance(items[index], dict) else 424242
    for language in ("fr", "en"):
        with override(language):
            with pytest.raises(RuleError) as exc:
                parse_rule(tree, known_modules=PROP_KNOWN)
            for error in exc.value.errors:
                assert "/" not in error.user_message
                assert error.user_message.startswith("Dans " if language == "fr" else "In ")
                assert "424242" in error.user_message
