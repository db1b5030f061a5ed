"""Pages (learner, verifier, coordinator), served documents and the API."""

from __future__ import annotations

import json
from io import BytesIO

import pytest
from django.test import Client

from parcours.credentials.core import statuslist
from parcours.credentials.models import Achievement, IssuedCredential
from parcours.credentials.states import AchievementStatus, BatchStatus
from parcours.credentials.tests.conftest import EARNING, complete, make_achievement

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def earned(learner, ai_badge, ai_modules, django_capture_on_commit_callbacks) -> IssuedCredential:
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, *EARNING)
    return IssuedCredential.objects.get(learner=learner)


def test_my_badges_lists_only_mine(
    as_user, learner, earned, make_learners, django_assert_max_num_queries
):
    client = as_user(learner)
    with django_assert_max_num_queries(8):
        page = client.get("/badges/")
    assert "Référent IA" in page.content.decode()
    (other,) = make_learners(1)
    assert "Référent IA" not in as_user(other).get("/badges/").content.decode()
    assert as_user(other).get(f"/badges/{earned.uuid}/").status_code == 404
    assert as_user(other).get(f"/badges/{earned.uuid}/badge.json").status_code == 404


def test_badge_detail_offers_every_download(as_user, learner, earned):
    client = as_user(learner)
    html = client.get(f"/badges/{earned.uuid}/").content.decode()
    assert "Badge authentique et valide" in html
    for suffix in ("badge.json", "badge.png", "badge.svg", "certificat.pdf", "portefeuille.json"):
        assert f"/badges/{earned.uuid}/{suffix}" in html
    wallet = client.get(f"/badges/{earned.uuid}/portefeuille.json")
    presentation = json.loads(wallet.content)
    assert presentation["type"] == ["VerifiablePresentation"]
    assert earned.document in wallet.content.decode()  # embedded byte for byte
    assert wallet["Content-Disposition"].startswith("attachment")


def test_pdf_certificate_with_qr_code(as_user, learner, earned):
    response = as_user(learner).get(f"/badges/{earned.uuid}/certificat.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_share_link_is_off_by_default_then_shows_the_name(as_user, client, learner, earned):
    url = f"/badges/public/{earned.share_token}/"
    assert Client().get(url).status_code == 404
    as_user(learner).post(f"/badges/{earned.uuid}/partage/", {"shared": "1"})
    page = Client().get(url).content.decode()
    assert "Chloé Renard" in page and "Badge authentique et valide" in page
    as_user(learner).post(f"/badges/{earned.uuid}/partage/", {"shared": "0"})
    assert Client().get(url).status_code == 404


def test_share_toggle_needs_csrf(learner, earned):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(f"/badges/{earned.uuid}/partage/", {"shared": "1"}).status_code == 403


def test_verification_page_without_login(earned):
    client = Client()
    assert client.get("/badges/verifier/").status_code == 200
    page = client.post("/badges/verifier/", {"credential": earned.document}).content.decode()
    assert "Badge authentique et valide" in page
    assert "Identité protégée" in page
    assert "Référent IA" in page and "Technofutur TIC" in page
    edited = earned.document.replace("Référent IA", "Référent IA expert", 1)
    page = client.post("/badges/verifier/", {"credential": edited}).content.decode()
    assert "Badge non authentique" in page
    assert "le contenu a été modifié après signature" in page
    upload = BytesIO(earned.document.encode())
    upload.name = "badge.json"
    page = client.post("/badges/verifier/", {"file": upload}).content.decode()
    assert "Badge authentique et valide" in page
    page = client.post(
        "/badges/verifier/", {"credential": earned.document, "email": "chloe@exemple.test"}
    ).content.decode()
    assert "Cette adresse e-mail est bien celle du titulaire." in page
    page = client.get(f"/badges/verifier/{earned.uuid}/").content.decode()
    assert "Badge authentique et valide" in page


def test_verification_page_in_english(earned):
    client = Client(headers={"accept-language": "en"})
    client.cookies["django_language"] = "en"
    page = client.post("/badges/verifier/", {"credential": earned.document}).content.decode()
    assert "Authentic and valid badge" in page


def test_revoked_badge_shows_as_revoked_everywhere(coordinator, as_user, earned):
    client = as_user(coordinator)
    response = client.post(
        f"/badges/gestion/delivres/{earned.uuid}/revoquer/", {"reason": "Doublon"}
    )
    assert response.status_code == 302
    page = Client().get(f"/badges/verifier/{earned.uuid}/").content.decode()
    assert "Badge révoqué" in page and "Doublon" not in page  # anyone: revoked, not why
    assert "Doublon" in client.get(f"/badges/verifier/{earned.uuid}/").content.decode()
    assertion = Client().get(f"/badges/ob2/assertions/{earned.uuid}")
    assert assertion.status_code == 410
    body = json.loads(assertion.content)
    assert body["revoked"] is True and "revocationReason" not in body


def test_documents_for_verifiers(earned):
    client = Client()
    document = json.loads(earned.document)
    did = json.loads(client.get("/badges/issuers/technofutur-tic/did.json").content)
    assert did["id"] == document["issuer"]["id"]
    (method,) = did["verificationMethod"]
    assert method["id"] == document["proof"]["verificationMethod"]
    assert method["type"] == "Multikey" and method["publicKeyMultibase"].startswith("z6Mk")
    assert did["assertionMethod"] == [method["id"]]
    profile = client.get("/badges/issuers/technofutur-tic/")
    assert profile["Access-Control-Allow-Origin"] == "*"
    assert (
        json.loads(profile.content)["verificationMethod"][0]["publicKeyMultibase"]
        == (method["publicKeyMultibase"])
    )
    status_url = document["credentialStatus"]["statusListCredential"]
    status_doc = json.loads(client.get(status_url.replace("http://127.0.0.1:8000", "")).content)
    bits = statuslist.decode(status_doc["credentialSubject"]["encodedList"])
    assert not statuslist.get_bit(bits, earned.status_index)
    achievement = json.loads(client.get(f"/badges/achievements/{earned.achievement.uuid}/").content)
    assert achievement["name"] == "Référent IA"
    image = client.get(f"/badges/achievements/{earned.achievement.uuid}/image.png")
    assert image.content.startswith(b"\x89PNG")
    assertion = json.loads(client.get(f"/badges/ob2/assertions/{earned.uuid}").content)
    badge = json.loads(client.get(assertion["badge"].replace("http://127.0.0.1:8000", "")).content)
    issuer = json.loads(client.get(badge["issuer"].replace("http://127.0.0.1:8000", "")).content)
    assert (assertion["type"], badge["type"], issuer["type"]) == (
        "Assertion",
        "BadgeClass",
        "Issuer",
    )
    assert assertion["verification"] == {"type": "HostedBadge"}


def test_coordinator_creates_activates_and_bulk_issues(
    as_user,
    coordinator,
    org,
    ai_pathway,
    ai_modules,
    make_learners,
    django_capture_on_commit_callbacks,
):
    learners = make_learners(3)
    for learner in learners:
        complete(learner, ai_modules, *EARNING)
    client = as_user(coordinator)
    response = client.post(
        "/badges/gestion/nouveau/",
        {
            "name_fr": "Référent IA",
            "description_fr": "Référent IA à l'école.",
            "criteria_fr": "Quatre modules.",
            "kind": "Badge",
            "pathway": ai_pathway.pk,
            "color": "#aa3300",
        },
    )
    achievement = Achievement.objects.get()
    assert response.status_code == 302
    assert achievement.status == AchievementStatus.DRAFT
    client.post(f"/badges/gestion/{achievement.pk}/statut/", {"status": "active"})
    page = client.get(f"/badges/gestion/{achievement.pk}/").content.decode()
    assert "3 apprenants remplissent les conditions" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/badges/gestion/{achievement.pk}/emission-groupee/")
    assert response.status_code == 302
    batch_page = client.get(response["Location"]).content.decode()
    assert "3 sur 3 (100 %)" in batch_page
    assert IssuedCredential.objects.count() == 3
    assert achievement.batches.get().status == BatchStatus.COMPLETED


def test_coordinator_form_errors_are_shown(as_user, coordinator, ai_pathway, ai_modules):
    response = as_user(coordinator).post(
        "/badges/gestion/nouveau/",
        {
            "name_fr": "X",
            "description_fr": "d",
            "criteria_fr": "c",
            "kind": "Badge",
            "pathway": ai_pathway.pk,
            "module": ai_modules["O1"].pk,
            "color": "#000000",
        },
    )
    assert response.status_code == 200
    assert "soit un parcours, soit un module" in response.content.decode()


def test_other_tenants_get_404(as_user, outsider, earned):
    client = as_user(outsider)
    achievement = earned.achievement
    assert client.get(f"/badges/gestion/{achievement.pk}/").status_code in (403, 404)
    assert client.post(
        f"/badges/gestion/delivres/{earned.uuid}/revoquer/", {"reason": "x"}
    ).status_code in (403, 404)
    assert not IssuedCredential.objects.get().is_revoked


def test_manage_pages_query_counts(
    as_user, coordinator, earned, make_learners, django_assert_max_num_queries
):
    client = as_user(coordinator)
    with django_assert_max_num_queries(14):
        assert client.get("/badges/gestion/").status_code == 200
    with django_assert_max_num_queries(22):
        assert client.get(f"/badges/gestion/{earned.achievement_id}/").status_code == 200


def test_issuer_profile_and_key_rotation_pages(as_user, coordinator, earned):
    client = as_user(coordinator)
    page = client.get("/badges/gestion/emetteur/").content.decode()
    assert "did:web:" in page and "key-1" in page
    client.post("/badges/gestion/emetteur/nouvelle-cle/")
    page = client.get("/badges/gestion/emetteur/").content.decode()
    assert "key-2" in page
    assert (
        Client()
        .post("/badges/verifier/", {"credential": earned.document})
        .content.decode()
        .count("Badge authentique et valide")
    )


# --- API --------------------------------------------------------------------------------


def test_api_issue_list_get_revoke_verify(
    as_user, coordinator, learner, ai_badge, ai_modules, django_assert_max_num_queries
):
    complete(learner, ai_modules, *EARNING)  # on-commit not run: nothing issued yet
    client = as_user(coordinator)
    response = client.post(
        "/api/v1/credentials",
        {"achievement_id": ai_badge.pk, "learner_id": learner.pk},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    again = client.post(
        "/api/v1/credentials",
        {"achievement_id": ai_badge.pk, "learner_id": learner.pk},
        content_type="application/json",
    )
    assert again.status_code == 200 and again.json()["uuid"] == created["uuid"]
    with django_assert_max_num_queries(6):
        listing = client.get("/api/v1/credentials").json()
    assert [c["uuid"] for c in listing] == [created["uuid"]]
    detail = client.get(f"/api/v1/credentials/{created['uuid']}").json()
    assert detail["document"]["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    stored = IssuedCredential.objects.get().document
    verdict = Client().post("/api/v1/credentials/verify", stored, content_type="application/json")
    assert verdict.json()["valid"] is True
    revoked = client.post(
        f"/api/v1/credentials/{created['uuid']}/revoke",
        {"reason": "Erreur"},
        content_type="application/json",
    )
    assert revoked.json()["status"] == "revoked"
    verdict = Client().post("/api/v1/credentials/verify", stored, content_type="application/json")
    assert verdict.json()["revoked"] is True and verdict.json()["valid"] is False
    # The learner sees their own credential; an outsider sees nothing.
    assert len(as_user(learner).get("/api/v1/credentials").json()) == 1


def test_api_errors_are_problem_json(as_user, coordinator, learner, outsider, ai_badge):
    client = as_user(coordinator)
    response = client.post(
        "/api/v1/credentials",
        {"achievement_id": ai_badge.pk, "learner_id": learner.pk},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert "conditions" in response.json()["title"]
    outsider_client = Client()
    outsider_client.force_login(outsider)
    response = outsider_client.post(
        "/api/v1/credentials",
        {"achievement_id": ai_badge.pk, "learner_id": learner.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert Client().get("/api/v1/credentials").status_code == 401


def test_module_badge_api_list_for_learner(
    coordinator, org, learner, ai_modules, as_user, django_capture_on_commit_callbacks
):
    make_achievement(coordinator, org, module=ai_modules["O4"])
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O4")
    listing = as_user(learner).get("/api/v1/credentials").json()
    assert len(listing) == 1 and listing[0]["learner_id"] == learner.pk


def test_learner_without_badges(as_user, learner):
    assert "pas encore de badge" in as_user(learner).get("/badges/").content.decode()


def test_verifications_are_counted_for_the_reports(earned):
    from django.utils import timezone

    from parcours.credentials.figures import verifications
    from parcours.credentials.models import Verification

    client = Client()
    client.post("/badges/verifier/", {"credential": earned.document})  # pasted: 1
    client.post(  # the e-mail check on the same page: not counted again
        "/badges/verifier/", {"credential": earned.document, "email": "chloe@exemple.test"}
    )
    client.get(f"/badges/verifier/{earned.uuid}/")  # the same badge again at once: a reload
    client.post("/api/v1/credentials/verify", earned.document, content_type="application/json")
    edited = earned.document.replace("Référent IA", "Référent IA expert", 1)
    client.post("/badges/verifier/", {"credential": "not a badge"})  # not ours: nothing
    client.post("/api/v1/credentials/verify", edited, content_type="application/json")
    rows = list(Verification.objects.values_list("channel", flat=True).order_by("pk"))
    assert rows[:2] == ["page", "api"]
    day = timezone.localdate(Verification.objects.order_by("pk")[0].verified_at)
    figures = {f.key: f.value for f in verifications([earned.organisation_id], day, day).figures}
    assert figures["credentials.verified_badges"] == 1
    assert figures["credentials.verifications"] == len(rows)
    assert verifications([earned.organisation_id + 1000], day, day).figures[0].value == 0


def test_robots_and_reloads_are_not_verifications(earned):
    import datetime as dt

    from django.utils import timezone

    from parcours.credentials import actions
    from parcours.credentials.models import Verification

    preview = Client(HTTP_USER_AGENT="Mozilla/5.0 (compatible; Slackbot-LinkExpanding 1.0)")
    preview.get(f"/badges/verifier/{earned.uuid}/")
    Client(HTTP_USER_AGENT="facebookexternalhit/1.1").get(f"/badges/verifier/{earned.uuid}/")
    assert not Verification.objects.exists()
    person = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0")
    person.get(f"/badges/verifier/{earned.uuid}/")
    person.get(f"/badges/verifier/{earned.uuid}/")  # a reload
    assert Verification.objects.count() == 1
    later = timezone.now() + actions.VERIFICATION_REPEAT_WINDOW + dt.timedelta(seconds=1)
    assert actions.record_verification(earned, channel="page", now=later)
    assert Verification.objects.count() == 2
