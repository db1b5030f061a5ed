"""A candidate's applications are in their export and go with their erasure."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from parcours.accounts.models import AuditEntry, Organisation, User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions as candidate_actions
from parcours.candidates.models import Application
from parcours.candidates.tests.conftest import call_data, pdf_bytes, upload
from parcours.privacy import actions, export

pytestmark = pytest.mark.django_db(transaction=True)  # stored files are removed on commit


def _apply(org: Organisation, coordinator: User, learner: User) -> Application:
    call = candidate_actions.open_call(
        actor=Actor.of(coordinator), organisation=org, data=call_data(questions=[])
    )
    return candidate_actions.apply(
        call=call,
        data=candidate_actions.ApplicationData(
            email=learner.email,
            first_name="Chloé",
            last_name="Martin",
            consent=True,
            audience="jobseekers",
        ),
        files={"cv": upload("cv.pdf", pdf_bytes())},
    )


def test_export_lists_applications(
    org: Organisation, coordinator: User, learner: User, settings: object, tmp_path: Path
) -> None:
    settings.CANDIDATES_FILES_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    _apply(org, coordinator, learner)
    (item,) = export.collect(learner)["applications"]
    assert item["last_name"] == "Martin"
    (path,) = item["files"]
    assert path.startswith("candidatures/") and path.endswith("-cv.pdf")
    with zipfile.ZipFile(io.BytesIO(b"".join(export.stream_zip(learner)))) as archive:
        assert archive.read(path) == pdf_bytes()


def test_erasure_removes_applications_personal_data_and_files(
    org: Organisation, coordinator: User, learner: User, settings: object, tmp_path: Path
) -> None:
    settings.CANDIDATES_FILES_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    application = _apply(org, coordinator, learner)
    actions.erase_person(actor=Actor.of(learner), person=learner, reason=actions.Reason.SELF)
    application.refresh_from_db()
    assert application.purged_at and application.email == "" and application.person is None
    assert not any(tmp_path.rglob("*.pdf"))
    reprs = AuditEntry.objects.filter(object_type="candidates.application").values_list(
        "object_repr", flat=True
    )
    assert not any("Martin" in r for r in reprs)
