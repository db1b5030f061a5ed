"""The pure parts: LMS roles → Parcours roles, refusal messages → causes, custom targets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.integrations.lti import roles, targets
from parcours.integrations.lti.actions import cause_of

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"


@pytest.mark.parametrize(
    ("lti_roles", "switch", "expected"),
    [
        ([LIS + "membership#Learner"], False, {"learner"}),
        ([LIS + "membership#Instructor"], False, {"trainer"}),
        (["Instructor"], False, {"trainer"}),
        ([LIS + "membership/Instructor#TeachingAssistant"], False, {"trainer"}),
        ([LIS + "membership#Administrator"], False, {"trainer"}),
        ([LIS + "membership#Administrator"], True, {"coordinator"}),
        ([LIS + "system/person#Administrator"], True, {"coordinator"}),
        ([LIS + "institution/person#Instructor", LIS + "membership#Learner"], False, {"learner"}),
        ([LIS + "system/person#None"], False, {"learner"}),
        ([], True, {"learner"}),
    ],
)
def test_role_mapping(lti_roles: list[str], switch: bool, expected: set[str]) -> None:
    assert roles.parcours_roles(lti_roles, admin_as_coordinator=switch) == expected


@given(st.lists(st.one_of(st.text(max_size=80), st.integers(), st.none()), max_size=8))
def test_any_role_claim_gives_known_roles_and_never_coordinator_without_the_switch(
    claim: list[object],
) -> None:
    got = roles.parcours_roles(claim, admin_as_coordinator=False)  # type: ignore[arg-type]
    assert got and got <= {"learner", "trainer"}


@pytest.mark.parametrize(
    ("message", "cause"),
    [
        ("Missing state param", "missing_state"),
        ("State not found", "bad_state"),
        ("Invalid Nonce", "bad_nonce"),
        ("Unable to find deployment", "unknown_deployment"),
        ("Error during fetch URL http://x/jwks: refused", "keyset_unavailable"),
        ("Can't decode id_token: Signature has expired", "expired"),
        ("Can't decode id_token: Signature verification failed", "bad_signature"),
        ("Registration not found.", "unknown_issuer"),
        ("something else", "invalid_message"),
    ],
)
def test_refusal_causes(message: str, cause: str) -> None:
    assert cause_of(message) == cause


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=30), max_size=4))
def test_custom_parameters_never_give_an_unbounded_target(custom: dict[str, str]) -> None:
    target = targets.parse(custom)
    assert target is None or target.kind in targets.KINDS
    assert target is None or target.id is None or 0 < target.id < 2**63


def test_targets_parse() -> None:
    assert targets.parse({"parcours_type": "module", "parcours_id": "12"}) == targets.Target(
        "module", 12
    )
    assert targets.parse({"parcours_type": "badges"}) == targets.Target("badges")
    assert targets.parse({"parcours_type": "module", "parcours_id": "99999999999999999999"}) is None
    assert targets.parse({"parcours_type": "user", "parcours_id": "1"}) is None
    assert targets.parse("module:1") is None
