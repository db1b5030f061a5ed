"""Honest verdicts (issue #9), page by page: who reads a revocation reason, a badge of an
issuer this platform does not know, a tampered badge, and the name printed on a certificate."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from parcours.accounts.permissions import Actor
from parcours.credentials import actions, keys
from parcours.credentials.core.multikey import did_key_verification_method
from parcours.credentials.core.proof import sign
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import EARNING, complete

pytestmark = pytest.mark.usefixtures("no_network")
VECTORS = Path(__file__).parents[1] / "core/tests/vectors"


@pytest.fixture
def earned(learner, ai_badge, ai_modules, django_capture_on_commit_callbacks) -> IssuedCredential:
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, *EARNING)
    return IssuedCredential.objects.get(learner=learner)


def _verdict(html: str) -> str:
    match = re.search(r'data-verdict="([a-z_]+)"', html)
    assert match, "no verdict on the page"
    return match.group(1)


def test_the_revocation_reason_is_for_the_holder_and_the_issuers_staff_only(
    as_user, coordinator, learner, outsider, earned
):
    earned.shared = True
    earned.save(update_fields=["shared"])
    actions.revoke_credential(
        actor=Actor.of(coordinator), credential=earned, reason="Fraude à l'examen"
    )
    pages = {
        "verify": f"/badges/verifier/{earned.uuid}/",
        "share": f"/badges/public/{earned.share_token}/",
    }
    for url in pages.values():
        for client in (Client(), as_user(outsider)):
            html = client.get(url).content.decode()
            assert _verdict(html) == "revoked"
            assert "Révoqué le" in html and "Fraude" not in html
        for person in (learner, coordinator):
            assert "Fraude à l&#x27;examen" in as_user(person).get(url).content.decode()
    holder_page = as_user(learner).get(f"/badges/{earned.uuid}/").content.decode()
    assert "Fraude à l&#x27;examen" in holder_page
    # Pasting the badge on the public page does not reveal it either.
    pasted = Client().post("/badges/verifier/", {"credential": earned.document})
    assert "Fraude" not in pasted.content.decode()
    api = Client().post("/api/v1/credentials/verify", earned.document, "application/json").json()
    assert api["verdict"] == "revoked" and "Fraude" not in json.dumps(api)


def test_a_valid_badge_of_another_issuer_is_not_called_fake(db):
    sample = json.loads((VECTORS / "ob3-typical-credential.json").read_text())
    stranger = keys.generate_private_key()
    signed = sign(
        sample, stranger, did_key_verification_method(stranger.public_key()), timezone.now()
    )
    html = Client().post("/badges/verifier/", {"credential": json.dumps(signed)}).content.decode()
    assert _verdict(html) == "unverifiable"
    assert "Badge impossible à vérifier ici" in html
    assert "non authentique" not in html and "Signature invalide" not in html
    assert "check-ok" not in html  # nothing claimed as checked
    assert "Ce que le document déclare (non vérifié)" in html
    issuer = sample["issuer"]["id"]
    assert issuer in html  # what we can tell: who it says issued it
    api = Client().post("/api/v1/credentials/verify", json.dumps(signed), "application/json")
    assert api.json()["verdict"] == "unverifiable" and api.json()["valid"] is False


def test_a_tampered_badge_shows_only_the_failure(earned):
    document = json.loads(earned.document)
    document["credentialSubject"]["achievement"]["name"] = "Docteur en IA"
    response = Client().post("/badges/verifier/", {"credential": json.dumps(document)})
    html = response.content.decode()
    assert _verdict(html) == "not_authentic"
    assert "Badge non authentique" in html
    assert "le contenu a été modifié après signature" in html
    assert "check-ok" not in html and "✓" not in html
    assert "n&#x27;est pas révoqué" not in html and "n&#x27;a pas expiré" not in html
    assert "Vérifier le titulaire" not in html  # no e-mail check against a forged hash


def _certificate_link(client: Client, credential: IssuedCredential) -> str:
    pdf = client.get(f"/badges/{credential.uuid}/certificat.pdf").content
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf)).pages)
    text = re.sub(r"\s+", "", text)
    match = re.search(r"(/badges/verifier/[0-9a-f-]+/\?titulaire=[0-9a-f]+)", text)
    assert match, text
    return match.group(1)


def test_the_certificates_qr_page_confirms_the_printed_name(as_user, learner, earned):
    assert not earned.shared  # the verification page alone shows no name
    link = _certificate_link(as_user(learner), earned)
    html = Client().get(link).content.decode()
    assert _verdict(html) == "valid"
    assert "Chloé Renard" in html and 'data-check="printed_name"' in html
    assert "Chloé Renard" not in Client().get(f"/badges/verifier/{earned.uuid}/").content.decode()

    forged = Client().get(link[:-4] + "0000").content.decode()
    assert _verdict(forged) == "name_not_confirmed"
    assert "Nom du titulaire non confirmé" in forged and "Chloé Renard" not in forged

    learner.first_name = "Zoé"  # renamed since printing: the paper no longer matches
    learner.save(update_fields=["first_name"])
    renamed = Client().get(link).content.decode()
    assert _verdict(renamed) == "name_not_confirmed" and "Zoé" not in renamed
    # A certificate downloaded now carries the new name, confirmed.
    assert (
        "Zoé Renard" in Client().get(_certificate_link(as_user(learner), earned)).content.decode()
    )


def test_a_status_that_cannot_be_read_here_is_neither_ticked_nor_crossed() -> None:
    """A revocation status this platform does not publish is unknown: a "?", not a green tick."""
    from django.template.loader import render_to_string

    from parcours.credentials.verification import Check, Report

    report = Report(
        checks=[
            Check("signature", True, "Signature valide."),
            Check("status_unknown", None, "Statut de révocation inconnu."),
        ]
    )
    html = render_to_string("credentials/_verdict.html", {"report": report})
    unknown = html.split('data-check="status_unknown"')[0].rsplit("<li", 1)[1]
    assert "check-unknown" in unknown and "check-ok" not in unknown
    assert report.reason_codes == []
