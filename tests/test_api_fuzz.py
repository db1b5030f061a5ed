"""Schemathesis against the live test server: no operation answers a 5xx, an undocumented
status code or a body that breaks its documented schema, for valid and invalid input.

Data is built by the real actions (an organisation with a site, a room, equipment, a published
module, session, pathway and badge); calls carry a Bearer token of an administrator of that
organisation, so the private operations run past authentication. A bounded number of examples
per operation and mode keeps the whole run well under a minute on two cores; the examples are
derandomised, so a failure replays identically.

A failure prints the operation, the check and a ``curl`` line to reproduce it.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import make_person
from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role

# ruff: noqa: F811  (the privacy scenario's fixtures are imported, then requested by name)
from parcours.privacy.tests.conftest import world  # noqa: F401

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "6"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.django_db(transaction=True)
def test_no_operation_fails_or_breaks_its_schema(live_server, org, world) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "fuzz@technofutur.test", "Fuzz", "Admin")
    _token, secret = account_actions.create_api_token(user=admin, name="schemathesis")
    headers = {"Authorization": f"Bearer {secret}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/v1/openapi.json")

    failures: list[str] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the document itself is valid
        operations.append(result.ok())
    assert len(operations) > 30
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: schemathesis.Case) -> None:
                case.call_and_validate(base_url=live_server.url, headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                pass  # nothing to make invalid (an operation without parameters): nothing to try
            except (Exception, BaseExceptionGroup) as exc:  # try every operation, then report
                failures.append(f"{operation.label} [{mode}]: {exc}")
    assert not failures, "\n\n".join(failures)
