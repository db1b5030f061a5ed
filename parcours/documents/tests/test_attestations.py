"""Attestations of participation: issued once, verifiable, downloadable as PDF (one or a ZIP)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from conftest import make_person
from parcours.accounts.models import AuditEntry, Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.documents import actions, pdf
from parcours.documents.models import Attestation, new_verification_code
from parcours.enrolment.models import Enrolment, Session


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def squash(text: str) -> str:
    return " ".join(text.split())


class TestIssuance:
    def test_completing_a_session_issues_one_attestation(
        self, completed: Enrolment, learner: User, coordinator: User
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        assert attestation.learner == learner
        assert attestation.learner_name == "Chloé Renard"
        assert attestation.module_title_fr == "Introduction à l'intelligence artificielle"
        assert attestation.hours_attended == Decimal("13.00")
        assert attestation.hours_planned == Decimal("13.00")
        assert attestation.place.startswith("Technofutur TIC Gosselies, Avenue Jean Mermoz 18")
        assert attestation.signatory_name == "Alice Dumont"  # the organisation's coordinator
        assert attestation.signatory_role == Role.COORDINATOR
        assert len(attestation.code) >= 20 and attestation.code.isalnum()
        assert AuditEntry.objects.filter(action="attestation.issue").count() == 1

    def test_a_repeated_roll_call_does_not_issue_a_second_one(
        self,
        completed: Enrolment,
        past_session: Session,
        roll_call: Callable[..., None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            roll_call(past_session)
        again = actions.issue_attestation(actor=None, enrolment=completed)
        assert Attestation.objects.filter(enrolment=completed).count() == 1
        assert again.pk == Attestation.objects.get(enrolment=completed).pk

    def test_partial_presence_gets_an_attestation_on_demand_with_its_hours(
        self,
        past_session: Session,
        make_learner: Callable[..., User],
        enrol: Callable[..., Enrolment],
        roll_call: Callable[..., None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        someone = make_learner(1)
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = enrol(past_session, someone)
            roll_call(past_session, absent={3: [enrolment]})  # misses the last afternoon
        enrolment.refresh_from_db()
        assert enrolment.status == Enrolment.Status.ATTENDED
        assert not Attestation.objects.filter(enrolment=enrolment).exists()  # not automatic
        attestation = actions.issue_attestation(actor=Actor.of(someone), enrolment=enrolment)
        assert attestation.hours_attended == Decimal("10.00")
        assert attestation.hours_planned == Decimal("13.00")

    def test_no_attestation_before_the_session_or_for_someone_else(
        self,
        make_session: Callable[..., Session],
        completed: Enrolment,
        learner: User,
        make_learner: Callable[..., User],
        enrol: Callable[..., Enrolment],
        outsider: User,
    ) -> None:
        upcoming = enrol(make_session(), learner)
        with pytest.raises(ValidationError) as exc:
            actions.issue_attestation(actor=Actor.of(learner), enrolment=upcoming)
        assert "après la session" in exc.value.messages[0]
        with pytest.raises(PermissionDenied):
            actions.issue_attestation(actor=Actor.of(make_learner(2)), enrolment=completed)
        with pytest.raises(PermissionDenied):
            actions.issue_attestation(actor=Actor.of(outsider), enrolment=completed)

    def test_codes_are_random_and_long(self) -> None:
        codes = {new_verification_code() for _ in range(200)}
        assert len(codes) == 200
        assert all(len(c) == 32 and c.isalnum() and c.isupper() for c in codes)

    def test_a_revoked_attestation_may_be_replaced_once(
        self, completed: Enrolment, coordinator: User
    ) -> None:
        first = Attestation.objects.get(enrolment=completed)
        actions.revoke_attestation(
            actor=Actor.of(coordinator), attestation=first, reason="Heures mal encodées"
        )
        second = actions.issue_attestation(actor=Actor.of(coordinator), enrolment=completed)
        assert second.pk != first.pk and second.code != first.code
        assert Attestation.objects.valid().filter(enrolment=completed).count() == 1
        with pytest.raises(ValidationError):
            actions.revoke_attestation(actor=Actor.of(coordinator), attestation=first, reason="x")

    def test_only_the_organisations_coordinators_revoke(
        self, completed: Enrolment, trainer: User, outsider: User, coordinator: User
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        for person in (trainer, outsider):
            with pytest.raises(PermissionDenied):
                actions.revoke_attestation(
                    actor=Actor.of(person), attestation=attestation, reason="non"
                )
        with pytest.raises(ValidationError):
            actions.revoke_attestation(
                actor=Actor.of(coordinator), attestation=attestation, reason=" "
            )


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_issue_exactly_one_attestation(
    completed: Enrolment, coordinator: User, learner: User, run_concurrently: Any
) -> None:
    """Six people (the learner, the coordinator, workers) ask at once after a revocation."""
    first = Attestation.objects.get(enrolment=completed)
    actions.revoke_attestation(actor=Actor.of(coordinator), attestation=first, reason="erreur")
    actors = [Actor.of(learner), Actor.of(coordinator), None, None, Actor.of(learner), None]

    run = run_concurrently.each(
        [
            (lambda a=a: actions.issue_attestation(actor=a, enrolment=completed.pk).pk)
            for a in actors
        ]
    )

    run.raise_first()
    assert len(set(run.results)) == 1
    assert Attestation.objects.valid().filter(enrolment=completed).count() == 1
    assert Attestation.objects.filter(enrolment=completed).count() == 2


class TestPdf:
    def test_the_pdf_states_learner_module_hours_and_how_to_verify(
        self, completed: Enrolment
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        text = squash(pdf_text(pdf.render_pdf(attestation)))
        assert "Attestation de participation" in text
        assert "Technofutur TIC" in text
        assert "Chloé Renard" in text
        assert "Introduction à l'intelligence artificielle" in text
        assert "13 h sur 13 h prévues" in text
        assert "Alice Dumont" in text and "Coordinateur pédagogique" in text
        assert attestation.code in text.replace(" ", "")
        assert "/attestations/verifier/" in text

    def test_the_pdf_speaks_the_learners_language(
        self,
        past_session: Session,
        org: Organisation,
        enrol: Callable[..., Enrolment],
        roll_call: Callable[..., None],
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        emma = make_person(org, Role.LEARNER, "emma@exemple.test", "Emma", "Smith", language="en")
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = enrol(past_session, emma)
            roll_call(past_session)
        attestation = Attestation.objects.get(enrolment=enrolment)
        text = squash(pdf_text(pdf.render_pdf(attestation)))
        assert "Certificate of attendance" in text
        assert "Introduction to artificial intelligence" in text
        assert "13 h out of 13 h planned" in text

    def test_the_qr_code_is_embedded(self, completed: Enrolment) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        html = pdf.render_html(attestation)
        assert 'src="data:image/svg+xml' in html
        assert 'src="http' not in html and "url(" not in html  # WeasyPrint fetches nothing


class TestVerification:
    def test_a_genuine_attestation(self, client: Client, completed: Enrolment) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        response = client.get(reverse("documents:verify", args=[attestation.code]))
        assert response.status_code == 200
        page = response.content.decode()
        assert "Attestation authentique" in page
        assert "Chloé Renard" in page
        assert "Introduction à l&#x27;intelligence artificielle" in page
        assert "Technofutur TIC" in page
        assert "13 h sur 13 h prévues" in page

    def test_an_unknown_code(self, client: Client, db: None) -> None:
        response = client.get(reverse("documents:verify", args=["AAAABBBBCCCCDDDDEEEEFFFF"]))
        assert response.status_code == 404
        assert "Attestation introuvable" in response.content.decode()

    def test_a_revoked_attestation(
        self, client: Client, completed: Enrolment, coordinator: User
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        actions.revoke_attestation(
            actor=Actor.of(coordinator), attestation=attestation, reason="Présences corrigées"
        )
        page = client.get(reverse("documents:verify", args=[attestation.code])).content.decode()
        assert "Attestation révoquée" in page
        assert "Présences corrigées" in page
        assert "Attestation authentique" not in page

    def test_a_typed_code_is_forgiving(self, client: Client, completed: Enrolment) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        typed = "-".join(attestation.code[i : i + 4] for i in range(0, 32, 4)).lower()
        response = client.get(reverse("documents:verify_form"), {"code": typed})
        assert response.status_code == 302
        response = client.get(response["Location"], follow=True)
        assert "Attestation authentique" in response.content.decode()

    def test_the_verification_page_is_in_english_too(
        self, client: Client, completed: Enrolment
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        client.cookies["django_language"] = "en"
        page = client.get(
            reverse("documents:verify", args=[attestation.code]), HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
        assert "Genuine attestation" in page


class TestDownloads:
    def test_the_learner_downloads_their_pdf(
        self, as_user: Callable[[User], Client], completed: Enrolment, learner: User
    ) -> None:
        attestation = Attestation.objects.get(enrolment=completed)
        response = as_user(learner).get(reverse("documents:download", args=[attestation.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "Chloé Renard" in pdf_text(response.content)

    def test_nobody_else_but_the_coordinators_of_the_organisation(
        self,
        as_user: Callable[[User], Client],
        client: Client,
        completed: Enrolment,
        coordinator: User,
        trainer: User,
        outsider: User,
        make_learner: Callable[..., User],
    ) -> None:
        url = reverse("documents:download", args=[Attestation.objects.get().pk])
        assert client.get(url).status_code == 302  # to the login page
        for person in (make_learner(5), trainer, outsider):
            assert as_user(person).get(url).status_code == 404
        assert as_user(coordinator).get(url).status_code == 200

    def test_my_attestations_lists_and_offers_the_missing_one(
        self,
        as_user: Callable[[User], Client],
        completed: Enrolment,
        learner: User,
        make_session: Callable[..., Session],
        enrol: Callable[..., Enrolment],
        roll_call: Callable[..., None],
        django_capture_on_commit_callbacks: Any,
        django_assert_max_num_queries: Any,
    ) -> None:
        from .conftest import day_slots, in_days

        other = make_session(day_slots(in_days(-30)), code="M1A-OLD")
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = enrol(other, learner)
            roll_call(other, absent={1: [enrolment]})  # half of it: attended, not completed
        client = as_user(learner)
        with django_assert_max_num_queries(12):
            page = client.get(reverse("documents:my_attestations")).content.decode()
        assert page.count("Télécharger le PDF") == 1
        assert "Obtenir l'attestation" in page
        response = client.post(reverse("documents:request", args=[enrolment.pk]), follow=True)
        assert "Votre attestation est prête" in response.content.decode()
        assert response.content.decode().count("Télécharger le PDF") == 2


class TestSessionAttestations:
    @pytest.fixture
    def three_completed(
        self,
        past_session: Session,
        make_learner: Callable[..., User],
        enrol: Callable[..., Enrolment],
        roll_call: Callable[..., None],
        django_capture_on_commit_callbacks: Any,
    ) -> list[Enrolment]:
        people = [make_learner(i) for i in range(1, 5)]
        with django_capture_on_commit_callbacks(execute=True):
            enrolments = [enrol(past_session, p) for p in people]
            absent_all = enrolments[3]
            roll_call(past_session, absent={i: [absent_all] for i in range(4)})
        return enrolments[:3]

    def test_the_zip_holds_one_pdf_per_completed_learner(
        self,
        as_user: Callable[[User], Client],
        coordinator: User,
        past_session: Session,
        three_completed: list[Enrolment],
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        rendered: list[str] = []
        real_render = pdf.render_pdf

        def counting_render(attestation: Attestation, language: str | None = None) -> bytes:
            rendered.append(attestation.code)
            return real_render(attestation, language)

        monkeypatch.setattr(pdf, "render_pdf", counting_render)
        response = as_user(coordinator).get(
            reverse("documents:session_zip", args=[past_session.pk])
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert 'attachment; filename="attestations-' in response["Content-Disposition"]
        # Streamed: the download starts with the first PDF, not after the last one.
        chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
        first = next(chunks)
        assert first.startswith(b"PK\x03\x04") and first.count(b"%PDF-") == 1
        assert len(rendered) == 1
        archive = zipfile.ZipFile(io.BytesIO(first + b"".join(chunks)))
        names = sorted(archive.namelist())
        assert len(names) == 3 and all(n.endswith(".pdf") for n in names)
        texts = [pdf_text(archive.read(n)) for n in names]
        for i, text in enumerate(texts, start=1):
            assert f"Prénom{i} Nom{i}" in text

    def test_the_zip_and_the_page_are_for_the_organisations_coordinators_only(
        self,
        as_user: Callable[[User], Client],
        past_session: Session,
        three_completed: list[Enrolment],
        outsider: User,
        trainer: User,
        learner: User,
    ) -> None:
        for name in ("documents:session_zip", "documents:session_attestations"):
            url = reverse(name, args=[past_session.pk])
            for person in (outsider, trainer, learner):
                assert as_user(person).get(url).status_code == 404

    def test_the_coordinator_page_issues_and_revokes(
        self,
        as_user: Callable[[User], Client],
        coordinator: User,
        past_session: Session,
        three_completed: list[Enrolment],
        django_assert_max_num_queries: Any,
    ) -> None:
        client = as_user(coordinator)
        url = reverse("documents:session_attestations", args=[past_session.pk])
        with django_assert_max_num_queries(12):
            page = client.get(url).content.decode()
        assert page.count('scope="row"') == 3
        attestation = Attestation.objects.filter(session=past_session).first()
        assert attestation is not None
        response = client.post(
            reverse("documents:revoke", args=[attestation.pk]), {"reason": "Doublon"}, follow=True
        )
        assert "Attestation révoquée." in response.content.decode()
        assert "Émettre l'attestation manquante" in response.content.decode()
        response = client.post(
            reverse("documents:session_issue", args=[past_session.pk]), follow=True
        )
        assert "3 attestations disponibles." in response.content.decode()
        assert Attestation.objects.valid().filter(session=past_session).count() == 3

    def test_posts_need_the_csrf_token(
        self, coordinator: User, past_session: Session, three_completed: list[Enrolment]
    ) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(coordinator)
        attestation = Attestation.objects.filter(session=past_session).first()
        assert attestation is not None
        response = client.post(reverse("documents:revoke", args=[attestation.pk]), {"reason": "x"})
        assert response.status_code == 403
        assert Attestation.objects.get(pk=attestation.pk).is_valid
