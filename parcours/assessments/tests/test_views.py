"""The assessment pages as people use them: hand in, review (page and grid), files kept private,
the public evidence page, recognition of prior learning."""

from __future__ import annotations

from django.urls import reverse

from conftest import make_person
from parcours.accounts.models import AuditEntry, Role
from parcours.accounts.permissions import Actor
from parcours.assessments import actions
from parcours.assessments.models import Submission, SubmissionStatus
from parcours.assessments.tests.conftest import pdf
from parcours.pathways.models import Completion


def test_learner_hands_in_a_file_and_sees_the_history(as_user, enrolled, unit):
    client = as_user(enrolled)
    page = reverse("assessments:module", args=[unit.pk])
    html = client.get(page).content.decode()
    assert "Le scénario est décrit" in html and "Remettre mon projet" in html
    response = client.post(page, {"text": "Mon projet", "file": pdf()})
    assert response.status_code == 302
    html = client.get(page).content.decode()
    assert "Version 1" in html and "En attente de revue" in html
    assert "Remettre" not in html.split("Historique")[0].split("Critères")[1]
    assert "UE2" in client.get(reverse("assessments:mine")).content.decode()


def test_bad_upload_fails_in_place_with_a_message(as_user, enrolled, unit):
    response = as_user(enrolled).post(
        reverse("assessments:module", args=[unit.pk]),
        {"text": "Mon projet", "file": pdf("virus.exe", b"MZ")},
    )
    assert response.status_code == 422
    assert "seuls les PDF" in response.content.decode()
    assert not Submission.objects.exists()


def test_files_are_served_only_to_the_learner_and_reviewers(
    as_user, client, enrolled, unit, trainer, coordinator, outsider, org
):
    submission = actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Projet", upload=pdf()
    )
    url = reverse("assessments:download", args=[submission.pk])
    assert as_user(enrolled).get(url).status_code == 200
    assert as_user(trainer).get(url).status_code == 200
    assert as_user(coordinator).get(url).status_code == 200
    other_learner = make_person(org, Role.LEARNER, "autre@exemple.test", "Autre", "Apprenant")
    assert as_user(other_learner).get(url).status_code == 404
    assert as_user(outsider).get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    assert "/media/" not in submission.stored_name


def test_trainer_reviews_with_criteria_and_the_module_is_completed(
    as_user, enrolled, unit, trainer
):
    submission = actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Projet", link="https://exemple.test/p"
    )
    client = as_user(trainer)
    assert "Projet" in client.get(reverse("assessments:queue")).content.decode()
    url = reverse("assessments:review", args=[submission.pk])
    criteria = list(unit.assessment_criteria.all())
    bad = client.post(url, {"result": "to_revise", "feedback": ""})
    assert bad.status_code == 422 and "le retour est requis" in bad.content.decode()
    data = {"result": "passed", "feedback": "Bravo"}
    for c in criteria:
        data[f"met_{c.pk}"] = "1"
    assert client.post(url, data).status_code == 302
    assert Completion.objects.get(learner=enrolled, module=unit).source == "assessment"
    assert Submission.objects.get().criterion_results.count() == 2


def test_grid_reviews_a_row_and_fails_in_place(as_user, session, enrolled, unit, trainer):
    submission = actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Projet", link="https://exemple.test/p"
    )
    client = as_user(trainer)
    grid = client.get(reverse("assessments:grid", args=[session.pk]))
    assert grid.status_code == 200 and "data-swap-errors" in grid.content.decode()
    url = reverse("assessments:grid_review", args=[session.pk, submission.pk])
    bad = client.post(url, {"result": "failed", "feedback": ""}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 422
    assert (
        bad.content.decode().lstrip().startswith("<tr")
        and "retour est requis" in bad.content.decode()
    )
    ok = client.post(
        url, {"result": "to_revise", "feedback": "Ajoutez la grille"}, HTTP_HX_REQUEST="true"
    )
    assert ok.status_code == 200 and "À retravailler" in ok.content.decode()


def test_grid_is_not_shown_to_other_trainers_or_tenants(as_user, session, outsider, org):
    other_trainer = make_person(org, Role.TRAINER, "f2@exemple.test", "Autre", "Formateur")
    url = reverse("assessments:grid", args=[session.pk])
    assert as_user(other_trainer).get(url).status_code == 404
    assert as_user(outsider).get(url).status_code in (403, 404)


def test_evidence_page_only_with_consent(as_user, client, enrolled, unit, trainer):
    submission = actions.submit_project(
        actor=Actor.of(enrolled), module=unit, text="Mon projet public", upload=pdf()
    )
    actions.review_submission(
        actor=Actor.of(trainer), submission=submission, result=SubmissionStatus.PASSED
    )
    url = reverse("assessments:evidence", args=[submission.uuid])
    assert client.get(url).status_code == 404
    as_user(enrolled).post(reverse("assessments:consent", args=[submission.pk]), {"consent": "1"})
    client.logout()
    assert "Mon projet public" in client.get(url).content.decode()
    assert (
        client.get(reverse("assessments:evidence_file", args=[submission.uuid])).status_code == 200
    )


def test_prior_learning_page(as_user, coordinator, trainer, learner, unit):
    url = reverse("assessments:prior_learning")
    assert as_user(trainer).get(url).status_code == 403
    client = as_user(coordinator)
    bad = client.post(url, {"email": learner.email, "module": unit.pk, "reason": ""})
    assert bad.status_code == 422
    ok = client.post(url, {"email": learner.email, "module": unit.pk, "reason": "Titre équivalent"})
    assert ok.status_code == 302
    completion = Completion.objects.get(learner=learner)
    assert completion.source == Completion.Source.RECOGNITION
    client.post(reverse("assessments:withdraw", args=[completion.pk]), {"reason": "Erreur"})
    assert not Completion.objects.exists()
    assert AuditEntry.objects.filter(action="completion.withdraw").exists()


def test_withdrawing_a_recognised_module_revokes_its_badge_when_asked(
    as_user, coordinator, org, learner, unit, django_capture_on_commit_callbacks
):
    from parcours.credentials.models import IssuedCredential
    from parcours.credentials.tests.conftest import make_achievement

    make_achievement(coordinator, org, module=unit)
    client = as_user(coordinator)
    url = reverse("assessments:prior_learning")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"email": learner.email, "module": unit.pk, "reason": "Titre équivalent"})
    badge = IssuedCredential.objects.get(learner=learner)
    html = client.get(url).content.decode()
    assert 'name="revoke_credentials"' in html and "checked" in html
    completion = Completion.objects.get(learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assessments:withdraw", args=[completion.pk]),
            {"reason": "Mauvaise personne", "revoke_credentials": "on"},
            follow=True,
        )
    assert "sont révoqués" in response.content.decode()
    badge.refresh_from_db()
    assert badge.status == "revoked"
    assert "Mauvaise personne" in badge.revocation_reason


def test_withdrawing_without_the_box_keeps_the_badge(
    as_user, coordinator, org, learner, unit, django_capture_on_commit_callbacks
):
    from parcours.credentials.models import IssuedCredential
    from parcours.credentials.tests.conftest import make_achievement

    make_achievement(coordinator, org, module=unit)
    client = as_user(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("assessments:prior_learning"),
            {"email": learner.email, "module": unit.pk, "reason": "Titre équivalent"},
        )
    completion = Completion.objects.get(learner=learner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("assessments:withdraw", args=[completion.pk]), {"reason": "Erreur"})
    assert not Completion.objects.exists()
    assert IssuedCredential.objects.get(learner=learner).status == "issued"
