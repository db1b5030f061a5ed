"""Attestations are tagged PDFs (PDF/UA-1) in the learner's language (issue #9)."""

from __future__ import annotations

from typing import Any

from conftest import make_person
from parcours.accounts.models import Organisation, Role
from parcours.documents import pdf
from parcours.documents.models import Attestation
from parcours.enrolment.models import Enrolment
from parcours.lib.tests.pdf_checks import assert_tagged


def test_an_attestation_is_a_tagged_pdf_with_title_and_language(completed: Enrolment) -> None:
    attestation = Attestation.objects.get(enrolment=completed)
    assert_tagged(
        pdf.render_pdf(attestation), lang="fr", title="Attestation de participation — Chloé Renard"
    )


def test_in_english_it_says_so(
    past_session: Any,
    org: Organisation,
    enrol: Any,
    roll_call: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    emma = make_person(org, Role.LEARNER, "emma@exemple.test", "Emma", "Smith", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        enrolment = enrol(past_session, emma)
        roll_call(past_session)
    attestation = Attestation.objects.get(enrolment=enrolment)
    assert_tagged(pdf.render_pdf(attestation), lang="en", title="Emma Smith")
