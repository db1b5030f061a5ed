"""What makes issuance and verification fast (issue #4) keeps every guarantee: credentials of
one achievement are canonicalised from their shape's template (core/shapes.py), yet a
tampered one is still refused and a revoked one still reported; a bulk issuance makes the
same number of queries whatever the size of a chunk; a verification makes one query."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.credentials import actions, verification
from parcours.credentials.core.contexts import default_loader
from parcours.credentials.core.shapes import ShapeCache
from parcours.credentials.models import Achievement, IssuanceBatch, IssuedCredential
from parcours.credentials.tests.conftest import EARNING, complete, make_achievement
from parcours.pathways.models import Pathway


def shapes() -> ShapeCache:
    cache = default_loader().shapes
    assert cache is not None
    return cache


@pytest.fixture
def learners(
    ai_modules: dict[str, Module], make_learners: Callable[[int], list[User]]
) -> list[User]:
    people = make_learners(12)
    for person in people:
        complete(person, ai_modules, *EARNING)
    return people


def badge(coordinator: User, org: Organisation, pathway: Pathway) -> Achievement:
    return make_achievement(coordinator, org, pathway=pathway)


def run(achievement: Achievement, people: list[User]) -> int:
    """Queries of a bulk issuance of ``achievement`` to ``people`` (one chunk)."""
    batch = IssuanceBatch.objects.create(
        achievement=achievement, learner_ids=[p.pk for p in people], total=len(people)
    )
    with CaptureQueriesContext(connection) as queries:
        done = actions.run_batch(batch.pk, processes=1, chunk_size=100)
    assert done.issued == len(people)
    return len(queries)


def test_bulk_issuance_queries_do_not_grow_with_the_chunk(coordinator, org, ai_pathway, learners):
    run(badge(coordinator, org, ai_pathway), learners[:4])  # creates the status list
    four = run(badge(coordinator, org, ai_pathway), learners[:4])
    twelve = run(badge(coordinator, org, ai_pathway), learners)
    assert twelve == four


@pytest.fixture
def issued(coordinator, org, ai_pathway, learners) -> list[IssuedCredential]:
    achievement = badge(coordinator, org, ai_pathway)
    assert actions.issue_to_all_eligible(achievement) == len(learners)
    return list(IssuedCredential.objects.order_by("pk"))


def test_verifying_a_cohort_uses_the_template_and_one_query_each(issued):
    assert verification.verify_input(issued[0].document).valid  # keys and status list cached
    hits = shapes().hits
    with CaptureQueriesContext(connection) as queries:
        for credential in issued:
            assert verification.verify_input(credential.document).valid
    assert len(queries) == len(issued)  # the stored credential's row (shared? revoked?)
    assert shapes().hits - hits == len(issued)


def _tampered(document: dict[str, Any], change: Callable[[dict[str, Any]], None]) -> str:
    copied = copy.deepcopy(document)
    change(copied)
    return json.dumps(copied)


CHANGES: dict[str, Callable[[dict[str, Any]], None]] = {
    "achievement name": lambda d: d["credentialSubject"]["achievement"].update(name="Docteur"),
    "salt": lambda d: d["credentialSubject"]["identifier"][0].update(salt="0000000000000000"),
    "evidence date": lambda d: d["evidence"][0].update(
        description=d["evidence"][0]["description"].replace("20", "19", 1)
    ),
    "evidence swapped": lambda d: d["evidence"][0].update(
        id=d["evidence"][1]["id"], name=d["evidence"][1]["name"]
    ),
    "valid from": lambda d: d.update(validFrom="2020-01-01T00:00:00Z"),
    "issuer name": lambda d: d["issuer"].update(name="Autre organisme"),
    "status index": lambda d: d["credentialStatus"].update(statusListIndex="1"),
    "credential id": lambda d: d.update(id="urn:uuid:00000000-0000-4000-8000-000000000000"),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_tampered_credential_of_a_known_shape_is_refused(issued, change):
    document = json.loads(issued[5].document)
    assert verification.verify_input(issued[4].document).valid
    tampered = _tampered(document, CHANGES[change])
    hits = shapes().hits
    report = verification.verify_input(tampered)
    assert not report.valid
    assert report.signature_reason == "bad_signature"
    if change != "evidence swapped":  # two evidence items with one id: the full path
        assert shapes().hits == hits + 1  # refused by the template path itself


def test_same_statements_in_another_order_still_verify(issued):
    # Evidence is a set of statements (no @list): its order is not signed.
    document = json.loads(issued[5].document)
    document["evidence"].reverse()
    assert verification.verify_input(json.dumps(document)).valid


def test_signature_of_another_credential_is_refused(issued):
    document = json.loads(issued[2].document)
    other = json.loads(issued[3].document)
    document["proof"]["proofValue"] = other["proof"]["proofValue"]
    report = verification.verify_input(json.dumps(document))
    assert not report.valid and report.signature_reason == "bad_signature"


def test_wrong_key_is_refused(issued, coordinator, org):
    document = json.loads(issued[1].document)
    actions.rotate_signing_key(actor=Actor.of(coordinator), organisation=org)
    # Claims the new key, signed with the old one.
    document["proof"]["verificationMethod"] = document["proof"]["verificationMethod"].replace(
        "#key-1", "#key-2"
    )
    report = verification.verify_input(json.dumps(document))
    assert not report.valid and report.signature_reason == "bad_signature"
    assert verification.verify_input(issued[1].document).valid  # the original still verifies


def test_revoked_credential_of_a_known_shape_is_reported(issued, coordinator):
    for credential in issued:
        assert verification.verify_input(credential.document).valid
    actions.revoke_credential(actor=Actor.of(coordinator), credential=issued[7], reason="Fraude")
    report = verification.verify_input(issued[7].document)
    assert report.signature_valid and report.revoked is True and not report.valid
    assert report.reason_codes == ["revoked"]
    assert report.revocation_reason == ""  # public: that it is revoked, not why
    assert verification.disclose_to(report, Actor.of(coordinator)).revocation_reason == "Fraude"
    assert all(verification.verify_input(c.document).valid for c in issued if c.pk != issued[7].pk)
