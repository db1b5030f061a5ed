"""Double submissions under REAL concurrent writers (threads, own connections): one
application, the others told it was already received, no stray file (SQLite and PostgreSQL)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from parcours.accounts.models import User
from parcours.candidates import actions
from parcours.candidates.models import Application, ApplicationFile, Call
from parcours.candidates.tests.conftest import pdf_bytes, upload


def _apply(call_id: int, n: int) -> int:
    call = Call.objects.select_related("organisation").get(pk=call_id)
    data = actions.ApplicationData(
        email="double-clic@exemple.test",
        first_name="Sam",
        last_name="Leroy",
        consent=True,
        answers={},
        audience="jobseekers",
    )
    return actions.apply(call=call, data=data, files={"cv": upload(f"cv{n}.pdf", pdf_bytes())}).pk


@pytest.mark.django_db(transaction=True)
def test_eight_identical_submissions_make_one_application(
    org: object, coordinator: User, run_concurrently: object, _private_files: Path
) -> None:
    from parcours.accounts.permissions import Actor
    from parcours.candidates.tests.conftest import call_data

    call = actions.open_call(
        actor=Actor.of(coordinator),
        organisation=org,  # type: ignore[arg-type]
        data=call_data(questions=[]),
    )
    run = run_concurrently.each([partial(_apply, call.pk, i) for i in range(8)])  # type: ignore[attr-defined]
    assert len(run.successes) == 1
    assert all(isinstance(e, ValidationError) and e.code == "duplicate" for e in run.errors)
    assert Application.objects.count() == 1
    assert User.objects.filter(email="double-clic@exemple.test").count() == 1
    assert ApplicationFile.objects.count() == 1
    assert len(list(_private_files.rglob("*.pdf"))) == 1
