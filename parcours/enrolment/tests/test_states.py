"""The state machines: the table of allowed moves, and the diagrams in docs/enrolment.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from parcours.enrolment.states import (
    ACTIVE,
    SEAT_HOLDING,
    SESSION_TRANSITIONS,
    TRANSITIONS,
    SessionStatus,
    can_transition,
    mermaid_enrolment,
    mermaid_session,
)
from parcours.enrolment.states import (
    EnrolmentStatus as S,
)

DOC = Path(__file__).resolve().parents[3] / "docs" / "enrolment.md"

ALLOWED = {
    (S.REQUESTED, S.CONFIRMED),
    (S.REQUESTED, S.WAITLISTED),
    (S.REQUESTED, S.REJECTED),
    (S.REQUESTED, S.CANCELLED),
    (S.WAITLISTED, S.CONFIRMED),
    (S.WAITLISTED, S.CANCELLED),
    (S.CONFIRMED, S.CANCELLED),
    (S.CONFIRMED, S.COMPLETED),
    (S.CONFIRMED, S.ATTENDED),
    (S.CONFIRMED, S.NO_SHOW),
    (S.ATTENDED, S.COMPLETED),
    (S.ATTENDED, S.NO_SHOW),
    (S.NO_SHOW, S.COMPLETED),
    (S.NO_SHOW, S.ATTENDED),
}


@pytest.mark.parametrize("source", S.values)
@pytest.mark.parametrize("target", S.values)
def test_every_pair_of_states_is_allowed_or_refused_as_the_table_says(
    source: str, target: str
) -> None:
    assert can_transition(source, target) is ((source, target) in ALLOWED)


def test_terminal_states_have_no_way_out() -> None:
    assert {s for s, targets in TRANSITIONS.items() if not targets} == {
        S.CANCELLED,
        S.REJECTED,
        S.COMPLETED,
    }


def test_seat_holding_and_active_sets() -> None:
    assert {S.CONFIRMED, S.ATTENDED, S.NO_SHOW, S.COMPLETED} == SEAT_HOLDING
    assert set(S.values) - {S.CANCELLED, S.REJECTED} == ACTIVE
    assert SESSION_TRANSITIONS[SessionStatus.CANCELLED] == frozenset()


def test_the_documented_diagrams_are_the_ones_the_code_draws() -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "```mermaid\n" + mermaid_enrolment() + "```" in text, (
        "docs/enrolment.md is stale: paste the output of `manage.py enrolment_diagram`"
    )
    assert "```mermaid\n" + mermaid_session() + "```" in text


def test_every_transition_appears_in_the_diagram() -> None:
    diagram = mermaid_enrolment()
    for source, target in ALLOWED:
        assert f"    {source} --> {target}:" in diagram


def test_the_command_prints_the_diagrams(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("enrolment_diagram", skip_checks=True)
    assert mermaid_enrolment() in capsys.readouterr().out
