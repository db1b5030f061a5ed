"""My data: one ZIP with every section, the person's documents, and nothing of anyone else."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from parcours.credentials.models import IssuedCredential
from parcours.privacy.tests.conftest import lend

pytestmark = pytest.mark.django_db

SECTIONS = {
    "profile",
    "memberships",
    "enrolments",
    "attendance",
    "completions",
    "pathways",
    "bookings",
    "loans",
    "audit",
    "access",
    "credentials",
}


def _download(client) -> zipfile.ZipFile:
    response = client.get(reverse("privacy:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "attachment" in response["Content-Disposition"]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_the_zip_holds_every_section_and_the_documents(
    as_user, learner, other_learner, attend, world, logistics
) -> None:
    attend(learner, other_learner)
    lend(world, logistics, learner, returned=True)
    archive = _download(as_user(learner))
    names = archive.namelist()
    data = json.loads(archive.read("donnees.json"))
    assert set(data) >= SECTIONS
    assert data["profile"]["email"] == "chloe@exemple.test"
    assert data["profile"]["last_name"] == "Renard"
    assert [m["role"] for m in data["memberships"]] == ["learner"]
    assert [e["session"] for e in data["enrolments"]] == ["M1A-GOS-001"]
    assert len(data["attendance"]) == 2 and all(a["present"] for a in data["attendance"])
    assert [c["module_code"] for c in data["completions"]] == ["M1A"]
    assert data["pathways"][0]["pathway"] == "IA" and data["pathways"][0]["satisfied"] is True
    assert [loan["item"] for loan in data["loans"]] == ["Portable 07"]
    assert data["audit"]["as_object"], "the enrolment's audit entries are about the learner"
    # The badge exactly as issued, and the attestation as PDF.
    credential = IssuedCredential.objects.get(learner=learner)
    assert archive.read(f"badges/{credential.uuid}.json").decode() == credential.document
    pdfs = [n for n in names if n.startswith("attestations/")]
    assert len(pdfs) == 1 and archive.read(pdfs[0]).startswith(b"%PDF")


def test_nothing_of_another_person_is_in_the_zip(
    as_user, learner, other_learner, attend, world, logistics
) -> None:
    attend(learner, other_learner)
    lend(world, logistics, other_learner, returned=True)
    archive = _download(as_user(learner))
    everything = b"".join(archive.read(n) for n in archive.namelist() if not n.endswith(".pdf"))
    text = everything.decode()
    assert "dylan" not in text.lower() and "Moreau" not in text
    other = IssuedCredential.objects.get(learner=other_learner)
    assert str(other.uuid) not in text
    data = json.loads(archive.read("donnees.json"))
    assert data["loans"] == []
    assert len([n for n in archive.namelist() if n.startswith("badges/")]) == 1


def test_the_page_is_for_signed_in_people_and_bounded(
    client, as_user, learner, attend, django_assert_max_num_queries
) -> None:
    url = reverse("privacy:my_data")
    assert client.get(url).status_code == 302
    attend(learner)
    client = as_user(learner)
    with django_assert_max_num_queries(12):
        page = client.get(url)
    html = page.content.decode()
    assert "Télécharger mes données" in html and "Effacer mes données" in html
    assert reverse("privacy:my_data") in client.get(reverse("accounts:dashboard")).content.decode()
