"""A completion added in Django admin goes through pathways' action: the badge follows."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.accounts.models import AuditEntry, User
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import make_achievement
from parcours.pathways.models import Completion

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def superuser(db: None) -> User:
    return User.objects.create_superuser(email="racine@exemple.test", password="x" * 16)


def test_completion_added_in_admin_issues_the_badge(
    client, superuser, coordinator, org, learner, ai_modules, django_capture_on_commit_callbacks
):
    badge = make_achievement(coordinator, org, module=ai_modules["O3"])
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:pathways_completion_add"),
            {
                "learner": learner.pk,
                "module": ai_modules["O3"].pk,
                "completed_on": "2026-01-15",
                "hours": "12",
                "reason": "Attestation d'un autre centre",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    completion = Completion.objects.get(learner=learner)
    assert completion.source == Completion.Source.MANUAL
    assert IssuedCredential.objects.get(learner=learner).achievement == badge
    entry = AuditEntry.objects.get(action="completion.record")
    assert entry.changes["reason"] == "Attestation d'un autre centre"


def test_admin_add_needs_a_reason_and_refuses_a_second_completion(
    client, superuser, learner, ai_modules
):
    client.force_login(superuser)
    url = reverse("admin:pathways_completion_add")
    data = {
        "learner": learner.pk,
        "module": ai_modules["O1"].pk,
        "completed_on": "2026-01-15",
        "hours": "12",
    }
    assert client.post(url, data).status_code == 200  # the form again, with its error
    assert not Completion.objects.exists()
    assert client.post(url, {**data, "reason": "RAF"}).status_code == 302
    assert client.post(url, {**data, "reason": "RAF"}).status_code == 200
    assert Completion.objects.count() == 1


def test_admin_change_is_read_only_and_delete_is_audited(
    client, superuser, coordinator, org, learner, ai_modules
):
    from parcours.pathways.actions import record_completion

    completion = record_completion(learner=learner, module=ai_modules["O1"]).completion
    client.force_login(superuser)
    change = reverse("admin:pathways_completion_change", args=[completion.pk])
    client.post(change, {"hours": "99", "completed_on": "2020-01-01"})
    completion.refresh_from_db()
    assert completion.hours != 99
    delete = reverse("admin:pathways_completion_delete", args=[completion.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert not Completion.objects.exists()
    assert AuditEntry.objects.filter(action="completion.withdraw").count() == 1


def test_admin_action_withdraws_and_revokes_the_badge(
    client, superuser, coordinator, org, learner, ai_modules, django_capture_on_commit_callbacks
):
    from parcours.pathways.actions import record_completion

    make_achievement(coordinator, org, module=ai_modules["O3"])
    with django_capture_on_commit_callbacks(execute=True):
        completion = record_completion(learner=learner, module=ai_modules["O3"]).completion
    client.force_login(superuser)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:pathways_completion_changelist"),
            {"action": "withdraw_and_revoke", "_selected_action": [completion.pk]},
        )
    assert response.status_code == 302
    assert not Completion.objects.exists()
    assert IssuedCredential.objects.get(learner=learner).status == "revoked"
