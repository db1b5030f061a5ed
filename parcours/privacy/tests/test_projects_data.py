"""Projects (assessments) and the portfolio in a person's export and erasure."""

# ruff: noqa: F811 - the assessments' fixtures are imported, then requested by name

from __future__ import annotations

from urllib.parse import urlsplit

from django.urls import reverse

from parcours.accounts.permissions import Actor
from parcours.assessments import actions as assessments
from parcours.assessments import uploads
from parcours.assessments.models import Submission
from parcours.assessments.tests.conftest import (  # noqa: F401 - fixtures
    _private_files,
    enrolled,
    pdf,
    session,
    unit,
)
from parcours.pathways.models import Completion
from parcours.privacy import actions
from parcours.privacy.export import collect


def _passed(enrolled, unit, trainer):
    submission = assessments.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Mon scénario", upload=pdf()
    )
    assessments.review_submission(actor=Actor.of(trainer), submission=submission, result="passed")
    return submission


def _share(client, person) -> str:
    """A share link made through the portfolio page (privacy does not import portfolio)."""
    client.force_login(person)
    client.post(reverse("portfolio:create_link"))
    url = client.session["portfolio_url"]
    client.logout()
    return urlsplit(url).path


def test_the_export_holds_projects_and_portfolio_links(client, enrolled, unit, trainer) -> None:
    _passed(enrolled, unit, trainer)
    _share(client, enrolled)
    data = collect(enrolled)
    assert data["projects"][0]["text"] == "Mon scénario"
    assert data["projects"][0]["status"] == "passed"
    assert len(data["portfolio"]["share_links"]) == 1
    assert "token" not in str(data["portfolio"])


def test_erasure_deletes_projects_files_and_links(
    client,
    enrolled,
    unit,
    trainer,
    django_capture_on_commit_callbacks,
) -> None:
    submission = _passed(enrolled, unit, trainer)
    shared = _share(client, enrolled)
    assert client.get(shared).status_code == 200
    assert uploads.storage().exists(submission.stored_name)
    with django_capture_on_commit_callbacks(execute=True):
        actions.erase_person(actor=Actor.of(enrolled), person=enrolled, reason=actions.Reason.SELF)
    assert not Submission.objects.exists()
    assert not uploads.storage().exists(submission.stored_name)
    assert collect(enrolled)["portfolio"]["share_links"] == []
    assert client.get(shared).status_code == 404
    assert Completion.objects.filter(module=unit).count() == 1  # the anonymous count stays
