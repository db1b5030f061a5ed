"""Issuance, the OB 3.0 document, keys, revocation and verification verdicts."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.utils import timezone

from parcours.accounts.models import AuditEntry, Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.credentials import actions, documents, keys, verification
from parcours.credentials.core import statuslist
from parcours.credentials.core.contexts import CREDENTIALS_V2, OB_V3P0
from parcours.credentials.models import Achievement, IssuedCredential, SigningKey, StatusList
from parcours.credentials.tests.conftest import EARNING, complete, make_achievement

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.fixture
def earn(ai_modules, django_capture_on_commit_callbacks):
    """Complete the four modules that satisfy the AI-referent rule, running on-commit work
    (signal → task) as a real commit would."""

    def run(learner: User) -> IssuedCredential:
        with django_capture_on_commit_callbacks(execute=True):
            complete(learner, ai_modules, *EARNING)
        return IssuedCredential.objects.get(learner=learner)

    return run


def test_completing_the_pathway_issues_the_badge_automatically_once(
    learner, ai_modules, ai_badge, earn, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "M1A", "O1", "O3")
    assert not IssuedCredential.objects.exists()  # not yet: the closing module is missing
    credential = earn(learner)
    assert credential.source == IssuedCredential.Source.AUTOMATIC
    # More completions, and the task running again, change nothing.
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O5", "M1B")
    assert actions.issue_for(ai_badge.pk, learner.pk) == credential
    assert IssuedCredential.objects.count() == 1
    assert AuditEntry.objects.filter(action="credentials.issue").count() == 1


def test_the_document_is_an_open_badge_3_credential(learner, ai_badge, earn):
    credential = earn(learner)
    document = json.loads(credential.document)
    assert document["@context"] == [CREDENTIALS_V2, OB_V3P0]
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["id"] == f"urn:uuid:{credential.uuid}"
    assert document["issuer"]["id"].startswith("did:web:")
    assert document["issuer"]["type"] == ["Profile"]
    assert document["issuer"]["name"] == "Technofutur TIC"
    assert document["validFrom"].endswith("Z")
    assert "validUntil" not in document
    subject = document["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"]
    (identity,) = subject["identifier"]
    assert identity["type"] == "IdentityObject"
    assert identity["hashed"] is True
    assert identity["identityType"] == "emailAddress"
    assert identity["identityHash"] == documents.identity_hash(learner.email, identity["salt"])
    assert learner.email not in credential.document
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["name"] == "Référent IA"
    assert achievement["criteria"]["narrative"].startswith("Avoir suivi")
    (alignment,) = achievement["alignment"]
    assert alignment["targetCode"] == "3.1"
    assert alignment["targetFramework"] == "DigCompEdu"
    assert [e["name"].split(" ")[0] for e in document["evidence"]] == list(EARNING)
    assert all(e["type"] == ["Evidence"] for e in document["evidence"])
    status = document["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry"
    assert status["statusPurpose"] == "revocation"
    assert int(status["statusListIndex"]) == credential.status_index
    proof = document["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == credential.signing_key.verification_method


def test_stored_exactly_as_issued(learner, ai_badge, earn, as_user):
    credential = earn(learner)
    stored = IssuedCredential.objects.get(pk=credential.pk).document
    assert stored == credential.document
    # What the learner downloads is the stored text, byte for byte.
    response = as_user(learner).get(f"/badges/{credential.uuid}/badge.json")
    assert response.content.decode("utf-8") == stored


def test_expiry_sets_valid_until(
    coordinator, org, learner, ai_modules, django_capture_on_commit_callbacks
):
    make_achievement(coordinator, org, module=ai_modules["O2"], expiry_days=365)
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O2")
    credential = IssuedCredential.objects.get(learner=learner)
    assert credential.valid_until == credential.valid_from + timedelta(days=365)
    assert json.loads(credential.document)["validUntil"] == documents.xsd(credential.valid_until)


def test_module_achievement_is_issued_on_that_module(
    coordinator, org, learner, ai_modules, django_capture_on_commit_callbacks
):
    badge = make_achievement(coordinator, org, module=ai_modules["O3"])
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O1")
    assert not IssuedCredential.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O3")
    assert IssuedCredential.objects.get().achievement == badge


def test_draft_or_archived_achievements_are_not_issued(
    coordinator, org, learner, ai_pathway, ai_modules, earn
):
    draft = make_achievement(coordinator, org, pathway=ai_pathway, activate=False)
    with pytest.raises(IssuedCredential.DoesNotExist):
        earn(learner)
    with pytest.raises(ValidationError):
        actions.issue_credential(achievement=draft, learner=learner, actor=Actor.of(coordinator))


def test_manual_issue_requires_eligibility_and_coordinator(
    coordinator, trainer, learner, ai_badge, ai_modules
):
    with pytest.raises(actions.NotEligible):
        actions.issue_credential(achievement=ai_badge, learner=learner, actor=Actor.of(coordinator))
    complete(learner, ai_modules, *EARNING)  # on-commit work not run: no automatic badge
    with pytest.raises(PermissionDenied):
        actions.issue_credential(achievement=ai_badge, learner=learner, actor=Actor.of(trainer))
    result = actions.issue_credential(
        achievement=ai_badge, learner=learner, actor=Actor.of(coordinator), source="manual"
    )
    assert result.created
    again = actions.issue_credential(
        achievement=ai_badge, learner=learner, actor=Actor.of(coordinator)
    )
    assert not again.created and again.credential == result.credential


def test_achievement_validation(coordinator, org, other_org, ai_pathway, ai_modules):
    actor = Actor.of(coordinator)
    foreign = Module.objects.create(
        organisation=other_org, code="X", title_fr="X", duration_hours=1, status="published"
    )
    with pytest.raises(ValidationError) as both:
        actions.create_achievement(
            actor=actor,
            organisation=org,
            data=actions.AchievementData(
                name_fr="",
                description_fr="d",
                criteria_fr="c",
                pathway_id=ai_pathway.pk,
                module_id=ai_modules["O1"].pk,
                color="bleu",
            ),
        )
    assert set(both.value.message_dict) == {"name_fr", "target", "color"}
    with pytest.raises(ValidationError) as other:
        actions.create_achievement(
            actor=actor,
            organisation=org,
            data=actions.AchievementData(
                name_fr="n", description_fr="d", criteria_fr="c", module_id=foreign.pk
            ),
        )
    assert "target" in other.value.message_dict


def test_private_keys_are_encrypted_at_rest(org, ai_badge):
    profile = actions.ensure_issuer_profile(org)
    key = SigningKey.objects.get(issuer=profile)
    private = keys.decrypt_private_key(key.encrypted_private_key)
    from parcours.credentials.core.multikey import encode_public_key, encode_secret_key

    assert encode_public_key(private.public_key()) == key.public_key_multibase
    assert encode_secret_key(private)[1:] not in key.encrypted_private_key
    assert key.encrypted_private_key.startswith("gAAAA")  # a Fernet token


def test_credentials_key_from_environment(settings, org):
    settings.CREDENTIALS_KEY = "new-secret,old-secret"
    private = keys.generate_private_key()
    token = keys.encrypt_private_key(private)
    settings.CREDENTIALS_KEY = "other"
    with pytest.raises(keys.KeyDecryptionError):
        keys.decrypt_private_key(token)
    settings.CREDENTIALS_KEY = "newer,new-secret"
    assert keys.decrypt_private_key(keys.reencrypt(token)).public_key() is not None


def test_key_rotation_keeps_old_credentials_valid(coordinator, org, ai_badge, earn, make_learners):
    first, second = make_learners(2)
    old = earn(first)
    new_key = actions.rotate_signing_key(actor=Actor.of(coordinator), organisation=org)
    assert new_key.number == 2
    new = earn(second)
    assert new.signing_key == new_key
    assert old.signing_key.verification_method.endswith("#key-1")
    assert verification.verify_input(old.document).valid
    assert verification.verify_input(new.document).valid
    did = documents.did_document(new_key.issuer, SigningKey.objects.filter(issuer=new_key.issuer))
    assert [m["id"].rsplit("#", 1)[1] for m in did["verificationMethod"]] == ["key-1", "key-2"]
    assert did["assertionMethod"] == [m["id"] for m in did["verificationMethod"]]


# --- Verification verdicts: each failure with its own reason ----------------------------


def test_tampered_field_fails_with_bad_signature(learner, ai_badge, earn):
    document = json.loads(earn(learner).document)
    document["credentialSubject"]["achievement"]["name"] = "Docteur en IA"
    report = verification.verify_document(document)
    assert not report.valid
    assert report.signature_reason == "bad_signature"
    assert "bad_signature" in report.reason_codes


def test_wrong_key_fails(learner, ai_badge, earn):
    document = json.loads(earn(learner).document)
    from parcours.credentials.core.multikey import did_key_verification_method
    from parcours.credentials.core.proof import sign

    stranger = keys.generate_private_key()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    forged = sign(
        unsigned, stranger, did_key_verification_method(stranger.public_key()), timezone.now()
    )
    report = verification.verify_document(forged)
    assert not report.valid and report.signature_reason == "unknown_key"
    # Signed by another issuer of this platform while claiming to be this one.
    forged_vm = copy.deepcopy(document)
    forged_vm["proof"]["verificationMethod"] = forged_vm["proof"]["verificationMethod"].replace(
        "#key-1", "#key-9"
    )
    assert verification.verify_document(forged_vm).signature_reason == "unknown_key"


def test_key_of_another_issuer_is_refused(learner, outsider, other_org, ai_badge, earn):
    document = json.loads(earn(learner).document)
    other_profile = actions.ensure_issuer_profile(other_org)
    document["issuer"]["id"] = other_profile.did  # claims another issuer; signed by ours
    from parcours.credentials.core.proof import sign

    mine = SigningKey.objects.exclude(issuer=other_profile).get()
    unsigned = {k: v for k, v in document.items() if k != "proof"}
    resigned = sign(
        unsigned,
        keys.decrypt_private_key(mine.encrypted_private_key),
        mine.verification_method,
        timezone.now(),
    )
    report = verification.verify_document(resigned)
    assert not report.valid and report.signature_reason == "key_not_issuer"


def test_expired_credential_fails_with_expired(
    coordinator, org, learner, ai_modules, django_capture_on_commit_callbacks
):
    make_achievement(coordinator, org, module=ai_modules["O2"], expiry_days=30)
    with django_capture_on_commit_callbacks(execute=True):
        complete(learner, ai_modules, "O2")
    credential = IssuedCredential.objects.get()
    assert verification.verify_input(credential.document).valid
    later = timezone.now() + timedelta(days=31)
    report = verification.verify_input(credential.document, now=later)
    assert report.signature_valid and report.expired and not report.valid
    assert report.reason_codes == ["expired"]


def test_revoked_credential_fails_with_revoked(coordinator, learner, ai_badge, earn, make_learners):
    credential = earn(learner)
    (bystander,) = make_learners(1)
    kept = earn(bystander)
    revoked = actions.revoke_credential(
        actor=Actor.of(coordinator), credential=credential, reason="Erreur d'encodage"
    )
    report = verification.verify_input(credential.document)
    assert report.signature_valid and report.revoked is True and not report.valid
    assert report.reason_codes == ["revoked"]
    assert report.revocation_reason == ""  # public: that it is revoked, not why
    for viewer, sees in ((coordinator, True), (learner, True), (bystander, False)):
        disclosed = verification.disclose_to(
            verification.verify_input(credential.document), Actor.of(viewer)
        )
        assert (disclosed.revocation_reason == "Erreur d'encodage") is sees
    assert verification.verify_input(kept.document).valid
    # The published list has exactly that bit set.
    status_list = StatusList.objects.get()
    bits = statuslist.decode(json.loads(status_list.document)["credentialSubject"]["encodedList"])
    assert statuslist.get_bit(bits, revoked.status_index)
    assert not statuslist.get_bit(bits, kept.status_index)
    with pytest.raises(ValidationError):
        actions.revoke_credential(actor=Actor.of(coordinator), credential=revoked, reason="encore")


def test_revocation_needs_a_reason_and_a_coordinator(coordinator, trainer, learner, ai_badge, earn):
    credential = earn(learner)
    with pytest.raises(ValidationError):
        actions.revoke_credential(actor=Actor.of(coordinator), credential=credential, reason=" ")
    with pytest.raises(PermissionDenied):
        actions.revoke_credential(actor=Actor.of(trainer), credential=credential, reason="x")


def test_status_list_credential_is_signed_and_verifiable(learner, ai_badge, earn):
    earn(learner)
    published = json.loads(StatusList.objects.get().document)
    assert published["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert published["credentialSubject"]["encodedList"].startswith("u")
    assert verification.verify_document(published).signature_valid


def test_baked_images_carry_the_credential(learner, ai_badge, earn, as_user):
    from parcours.credentials.core import baking

    credential = earn(learner)
    client = as_user(learner)
    png = client.get(f"/badges/{credential.uuid}/badge.png").content
    svg = client.get(f"/badges/{credential.uuid}/badge.svg").content
    assert baking.extract(png) == credential.document
    assert baking.extract(svg) == credential.document
    assert verification.verify_input(png).valid
    assert verification.verify_input(svg).valid


def test_email_check_against_the_hash(learner, ai_badge, earn):
    report = verification.verify_input(earn(learner).document)
    assert verification.check_email(report, "CHLOE@exemple.test ")
    assert not verification.check_email(report, "someone@else.test")


def test_unknown_input_is_explained(db):
    assert verification.verify_input("pas du json").error
    assert verification.verify_input(b"\x89PNG\r\n\x1a\nbroken").error
    assert verification.verify_input("[1, 2]").error
    report = verification.verify_input('{"@context": "https://example.org/ctx", "proof": {}}')
    assert not report.valid and report.signature_reason in {"wrong_cryptosuite", "malformed"}


def test_the_1edtech_sample_credential_from_another_issuer_is_not_trusted(db):
    """1EdTech's OB 3.0 sample, signed with a key this platform does not know: unknown key."""
    from pathlib import Path

    from parcours.credentials.core.multikey import did_key_verification_method
    from parcours.credentials.core.proof import sign

    sample = json.loads(
        (Path(__file__).parents[1] / "core/tests/vectors/ob3-typical-credential.json").read_text()
    )
    stranger = keys.generate_private_key()
    signed = sign(
        sample, stranger, did_key_verification_method(stranger.public_key()), timezone.now()
    )
    report = verification.verify_document(signed)
    assert report.signature_reason == "unknown_key"
    assert report.achievement_name == "Sécurité incendie — niveau 1"


def test_ob2_assertion_has_the_same_recipient(learner, ai_badge, earn):
    credential = earn(learner)
    assertion = documents.ob2_assertion(credential)
    identifier = json.loads(credential.document)["credentialSubject"]["identifier"][0]
    assert assertion["recipient"]["identity"] == identifier["identityHash"]
    assert assertion["type"] == "Assertion"
    assert "revoked" not in assertion


def test_share_toggle_is_the_learners(learner, coordinator, ai_badge, earn):
    credential = earn(learner)
    assert not credential.shared  # off by default
    with pytest.raises(PermissionDenied):
        actions.set_shared(user=coordinator, credential=credential, shared=True)
    actions.set_shared(user=learner, credential=credential, shared=True)
    assert IssuedCredential.objects.get().shared
    report = verification.verify_input(credential.document)
    assert report.learner_name == "Chloé Renard"


def test_issuer_profile_once_per_organisation(org: Organisation):
    first = actions.ensure_issuer_profile(org)
    assert actions.ensure_issuer_profile(org) == first
    assert first.did == "did:web:127.0.0.1%3A8000:badges:issuers:technofutur-tic"
    assert Achievement.objects.count() == 0


def test_setup_pathway_badge_for_the_demo(coordinator, ai_pathway, ai_modules, make_learners):
    earners = make_learners(3)
    for person in earners:
        complete(person, ai_modules, *EARNING)  # loaded before the badge exists
    achievement, issued = actions.setup_pathway_badge(
        actor=Actor.of(coordinator),
        pathway=ai_pathway,
        data=actions.AchievementData(
            name_fr="Référent IA", description_fr="Référent IA.", criteria_fr="Quatre modules."
        ),
    )
    assert achievement.is_active and issued == 3
    assert IssuedCredential.objects.filter(achievement=achievement).count() == 3


def test_production_needs_credentials_key(settings, monkeypatch):
    from parcours.credentials.checks import credentials_key_is_set

    monkeypatch.delenv("CREDENTIALS_KEY", raising=False)
    settings.CREDENTIALS_KEY = ""
    assert [m.id for m in credentials_key_is_set()] == ["credentials.E001"]
    settings.CREDENTIALS_KEY = "a-long-secret"
    assert credentials_key_is_set() == []
    settings.CREDENTIALS_KEY = ""
    settings.DEBUG = False
    settings.TESTING = False
    monkeypatch.delenv("PARCOURS_DEMO", raising=False)
    with pytest.raises(ImproperlyConfigured):
        keys.encrypt_private_key(keys.generate_private_key())
