"""The real LRS for the xAPI tests: Ralph, started once per test process (session) by
``scripts/ralph_lrs.py`` — or the one named by ``RALPH_LRS_ENDPOINT`` /
``RALPH_LRS_USERNAME`` / ``RALPH_LRS_PASSWORD`` (``scripts/ralph_lrs.py -- pytest``).

Without Ralph the tests that need it are skipped with the reason; with ``CI=true`` they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from scripts.ralph_lrs import RalphServer, RalphUnavailable


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


@dataclass
class Lrs:
    endpoint: str
    username: str
    password: str
    server: RalphServer | None = None

    def get(self, **params: Any) -> list[dict[str, Any]]:
        """Statements read back through the LRS's xAPI API (every page)."""
        session = requests.Session()
        session.auth = (self.username, self.password)
        session.headers["X-Experience-API-Version"] = "1.0.3"
        answer = session.get(self.endpoint + "statements", params=params, timeout=30)
        answer.raise_for_status()
        body = answer.json()
        if "statements" not in body:  # ?statementId= answers the statement itself
            return [body]
        return list(body["statements"])

    def by_id(self, statement_id: str) -> dict[str, Any] | None:
        found = self.get(statementId=statement_id)
        return found[0] if found else None


@pytest.fixture(scope="session")
def ralph() -> Iterator[Lrs]:
    endpoint = os.environ.get("RALPH_LRS_ENDPOINT")
    if endpoint:
        yield Lrs(endpoint, os.environ["RALPH_LRS_USERNAME"], os.environ["RALPH_LRS_PASSWORD"])
        return
    try:
        with RalphServer.temporary() as server:
            yield Lrs(server.endpoint, server.username, server.password, server)
    except RalphUnavailable as exc:
        reason = f"no Ralph LRS: {exc}"
        if _ci():
            pytest.fail(f"{reason} (CI=true: the LRS tests must run)", pytrace=False)
        pytest.skip(reason)


# The enrolment and credentials tests' fixtures (sessions, learners, the AI pathway and badge).
from parcours.credentials.tests.conftest import (  # noqa: E402, F401
    ai_badge,
    ai_modules,
    ai_pathway,
    digcompedu,
)
from parcours.enrolment.tests.conftest import make_learner, make_session, module, site  # noqa: E402, F401
