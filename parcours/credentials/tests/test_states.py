"""The state diagrams in README.md are the ones in states.py."""

from __future__ import annotations

import re
from pathlib import Path

from parcours.credentials.states import MACHINES, mermaid

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_diagrams_match_the_transitions() -> None:
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"^(\w+):\n\n```mermaid\n(.*?)```", text, flags=re.M | re.S)
    documented = {name: body.strip() for name, body in blocks}
    assert set(documented) == set(MACHINES)
    for name in MACHINES:
        assert documented[name] == mermaid(name), name


def test_every_state_has_an_entry() -> None:
    from parcours.credentials.states import AchievementStatus, BatchStatus, CredentialStatus

    for machine, choices in (
        ("Achievement", AchievementStatus),
        ("IssuedCredential", CredentialStatus),
        ("IssuanceBatch", BatchStatus),
    ):
        assert set(MACHINES[machine]) == set(choices.values)
