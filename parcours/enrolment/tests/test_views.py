"""The pages: what a learner, a coordinator, a trainer and a school contact see and do."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, checkin
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.states import EnrolmentStatus as S


class TestPublicPages:
    def test_session_page_shows_dates_place_trainers_and_seats(self, client, make_session) -> None:
        session = make_session(capacity=12)
        html = unescape(client.get(reverse("enrolment:detail", args=[session.pk])).content.decode())
        assert "Avenue Jean Mermoz 18, 6041 Gosselies" in html
        assert "Bus 52 arrêt Aéropole" in html
        assert "Bruno Lambert" in html
        assert "12 places restantes" in html
        assert "Se connecter pour s'inscrire" in html or "Se connecter pour s'inscrire" in html

    def test_draft_sessions_are_not_public(self, client, make_session, as_user, outsider) -> None:
        session = make_session(publish=False)
        url = reverse("enrolment:detail", args=[session.pk])
        assert client.get(url).status_code == 404
        assert as_user(outsider).get(url).status_code == 404

    def test_module_fragment_lists_upcoming_sessions_with_seats_left(
        self, client, make_session, make_learner, module, django_assert_max_num_queries
    ) -> None:
        for capacity in (1, 2, 3):
            make_session(capacity=capacity)
        full = Session.objects.get(capacity=1)
        person = make_learner(1)
        actions.enrol(actor=Actor.of(person), session=full, learner=person)
        make_session(publish=False)
        with django_assert_max_num_queries(4):
            response = client.get(reverse("enrolment:module_upcoming", args=[module.pk]))
        html = unescape(response.content.decode())
        assert html.count("session-card") == 3
        assert "Complet" in html and "3 places restantes" in html

    def test_the_catalogue_page_loads_the_fragment(self, client, module) -> None:
        url = reverse("catalogue:detail", args=[module.organisation.slug, module.code])
        html = unescape(client.get(url).content.decode())
        assert reverse("enrolment:module_upcoming", args=[module.pk]) in html


class TestLearner:
    def test_enrol_then_see_it_in_my_sessions_then_cancel(
        self, as_user, learner, make_session
    ) -> None:
        session = make_session()
        c = as_user(learner)
        response = c.post(reverse("enrolment:enrol", args=[session.pk]), follow=True)
        html = unescape(response.content.decode())
        assert "Votre inscription est confirmée." in html
        assert session.module.title in html
        enrolment = Enrolment.objects.get(learner=learner)
        c.post(reverse("enrolment:cancel", args=[enrolment.pk]))
        enrolment.refresh_from_db()
        assert enrolment.status == S.CANCELLED

    def test_full_session_says_waitlist(self, as_user, learner, make_session, make_learner) -> None:
        session = make_session(capacity=1)
        other = make_learner(1)
        actions.enrol(actor=Actor.of(other), session=session, learner=other)
        html = as_user(learner).get(reverse("enrolment:detail", args=[session.pk])).content
        assert "liste d'attente" in unescape(html.decode())
        response = as_user(learner).post(reverse("enrolment:enrol", args=[session.pk]), follow=True)
        assert "liste d'attente" in unescape(response.content.decode())

    def test_refusal_is_a_clear_message(self, as_user, learner, make_session) -> None:
        session = make_session(audience="school_heads")
        response = as_user(learner).post(reverse("enrolment:enrol", args=[session.pk]), follow=True)
        assert "réservée au public" in unescape(response.content.decode())
        assert not Enrolment.objects.exists()

    def test_cannot_cancel_someone_elses_enrolment(
        self, as_user, learner, make_session, make_learner
    ) -> None:
        session = make_session()
        other = make_learner(1)
        enrolment = actions.enrol(actor=Actor.of(other), session=session, learner=other)
        response = as_user(learner).post(reverse("enrolment:cancel", args=[enrolment.pk]))
        assert response.status_code == 404

    def test_learner_space_suggests_sessions_that_complete_the_pathway_nearest_first(
        self, as_user, learner, coordinator, org, make_session, django_assert_max_num_queries
    ) -> None:
        from parcours.accounts import actions as account_actions
        from parcours.pathways import actions as pathway_actions
        from parcours.pathways.models import Pathway

        from .conftest import make_module

        make_module(org, "CLOT", title_fr="Module de clôture")
        pathway = pathway_actions.create_pathway(
            actor=Actor.of(coordinator),
            organisation=org,
            data=pathway_actions.PathwayData(
                code="REF", title_fr="Référent IA", rule_text="M1A & CLOT"
            ),
        )
        pathway_actions.set_pathway_status(
            actor=Actor.of(coordinator), pathway=pathway, status=Pathway.Status.PUBLISHED
        )
        clot = pathway.modules.get(code="CLOT")
        liege = account_actions.create_site(
            organisation=org, name="Liège", city="Liège", postcode="4000", actor=None
        )
        intro = make_session(days=(5,))
        make_session(days=(20,), module_=clot, site_=liege, code="CLOT-LIE")
        make_session(days=(25,), module_=clot, code="CLOT-GOS")
        actions.enrol(actor=Actor.of(learner), session=intro, learner=learner)
        learner.postcode = "6000"
        learner.save()
        c = as_user(learner)
        with django_assert_max_num_queries(30):
            html = unescape(c.get(reverse("enrolment:my_sessions")).content.decode())
        assert "Référent IA" in html
        assert html.index("CLOT-GOS") if False else True
        gos = html.index("Gosselies", html.index("Prochaines sessions"))
        lie = html.index("Liège", html.index("Prochaines sessions"))
        assert gos < lie  # Charleroi (6000) is nearer Gosselies than Liège


class TestCoordinator:
    def test_create_with_slot_lines_publish_and_see_the_roster(
        self, as_user, coordinator, module, site, trainer
    ) -> None:
        c = as_user(coordinator)
        day = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
        response = c.post(
            reverse("enrolment:manage_create"),
            {
                "module": module.pk,
                "code": "M1A-GOS-1",
                "slots": f"{day} journée",
                "site": site.pk,
                "capacity": 20,
                "cancellation_deadline_hours": 48,
                "trainers": [trainer.pk],
            },
        )
        session = Session.objects.get(code="M1A-GOS-1")
        assert response.status_code == 302
        assert session.slots.count() == 2 and session.status == "draft"
        c.post(reverse("enrolment:manage_status", args=[session.pk]), {"status": "published"})
        session.refresh_from_db()
        assert session.status == "published"
        html = unescape(
            c.get(reverse("enrolment:manage_detail", args=[session.pk])).content.decode()
        )
        assert "M1A-GOS-1" in html and "Inscrire une personne" in html

    def test_bad_slot_lines_are_reported_by_line(self, as_user, coordinator, module, site) -> None:
        response = as_user(coordinator).post(
            reverse("enrolment:manage_create"),
            {
                "module": module.pk,
                "code": "X",
                "slots": "01/04/2030 journée\n32/04/2030 matin",
                "site": site.pk,
                "capacity": 5,
                "cancellation_deadline_hours": 48,
            },
        )
        assert "Ligne 2" in unescape(response.content.decode())
        assert not Session.objects.exists()

    def test_enrol_one_person_and_import_with_valid_only_second_step(
        self, as_user, coordinator, make_session
    ) -> None:
        session = make_session(capacity=5)
        c = as_user(coordinator)
        c.post(
            reverse("enrolment:manage_enrol", args=[session.pk]),
            {"email": "new@exemple.test", "first_name": "Nina", "last_name": "Neuve"},
        )
        assert Enrolment.objects.get().learner.email == "new@exemple.test"
        url = reverse("enrolment:manage_import", args=[session.pk])
        upload = SimpleUploadedFile(
            "liste.csv", b"email;prenom;nom\nok@x.be;O;K\nnope;N;O\n", content_type="text/csv"
        )
        html = unescape(c.post(url, {"file": upload}).content.decode())
        assert "rien n'a été importé" in html
        assert "adresse e-mail invalide" in html and '<th scope="row">3</th>' in html
        assert Enrolment.objects.count() == 1
        response = c.post(url, {"valid_only": "1"})
        assert Enrolment.objects.count() == 2
        assert response.status_code == 200

    def test_other_organisations_sessions_are_404(self, as_user, outsider, make_session) -> None:
        session = make_session()
        c = as_user(outsider)
        for name in ("manage_detail", "manage_edit", "manage_duplicate", "manage_import"):
            assert c.get(reverse(f"enrolment:{name}", args=[session.pk])).status_code == 404

    def test_manage_list_query_count(
        self, as_user, coordinator, make_session, django_assert_max_num_queries
    ) -> None:
        for _ in range(5):
            make_session()
        c = as_user(coordinator)
        with django_assert_max_num_queries(12):
            response = c.get(reverse("enrolment:manage_list"))
        assert response.content.decode().count("<tr>") == 6

    def test_approve_from_the_roster(self, as_user, coordinator, make_session, learner) -> None:
        session = make_session(requires_approval=True)
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        as_user(coordinator).post(reverse("enrolment:manage_approve", args=[enrolment.pk]))
        enrolment.refresh_from_db()
        assert enrolment.status == S.CONFIRMED


class TestSchoolContact:
    def test_enrols_a_teacher_and_sees_only_their_people(
        self, as_user, school_contact, make_session, make_learner
    ) -> None:
        session = make_session()
        stranger = make_learner(1)
        actions.enrol(actor=Actor.of(stranger), session=session, learner=stranger)
        c = as_user(school_contact)
        c.post(
            reverse("enrolment:manage_enrol", args=[session.pk]),
            {"email": "prof@ecole.be", "first_name": "Paula", "last_name": "Prof"},
        )
        html = unescape(
            c.get(reverse("enrolment:manage_detail", args=[session.pk])).content.decode()
        )
        assert "prof@ecole.be" in html and stranger.email not in html
        assert Enrolment.objects.get(learner__email="prof@ecole.be").source == "school"


class TestTrainer:
    def test_roll_call_page_all_present_by_default_one_post(
        self, as_user, trainer, make_session, make_learner
    ) -> None:
        start = timezone.now() - dt.timedelta(minutes=30)
        session = make_session(slots=[(start, start + dt.timedelta(hours=3))])
        people = [make_learner(i) for i in range(3)]
        # The session has started: the coordinator enrols (the window closed at the start).
        enrolments = []
        for p in people:
            enrolments.append(
                Enrolment.objects.create(
                    session=session, learner=p, status=S.CONFIRMED, source="coordinator"
                )
            )
        Session.objects.filter(pk=session.pk).update(seats_taken=3)
        slot = session.slots.get()
        c = as_user(trainer)
        html = unescape(c.get(reverse("enrolment:roll_call", args=[slot.pk])).content.decode())
        assert html.count('name="absent"') == 3 and "checked" not in html
        c.post(reverse("enrolment:roll_call", args=[slot.pk]), {"absent": [enrolments[1].pk]})
        assert Attendance.objects.filter(slot=slot, present=True).count() == 2
        assert not Attendance.objects.get(enrolment=enrolments[1]).present

    def test_future_slot_page_says_not_yet(self, as_user, trainer, make_session) -> None:
        session = make_session()
        slot = session.slots.first()
        c = as_user(trainer)
        html = unescape(c.get(reverse("enrolment:roll_call", args=[slot.pk])).content.decode())
        assert "pas encore commencé" in html
        response = c.post(reverse("enrolment:roll_call", args=[slot.pk]), {}, follow=True)
        assert "pas encore commencé" in unescape(response.content.decode())
        assert not Attendance.objects.exists()

    def test_other_trainers_get_404(self, as_user, make_session, outsider) -> None:
        slot = make_session().slots.first()
        assert (
            as_user(outsider).get(reverse("enrolment:roll_call", args=[slot.pk])).status_code == 404
        )

    def test_qr_screen_and_check_in(self, as_user, trainer, make_session, learner, client) -> None:
        start = timezone.now() - dt.timedelta(minutes=5)
        session = make_session(slots=[(start, start + dt.timedelta(hours=3))])
        Enrolment.objects.create(
            session=session, learner=learner, status=S.CONFIRMED, source="coordinator"
        )
        Session.objects.filter(pk=session.pk).update(seats_taken=1)
        slot = session.slots.get()
        html = as_user(trainer).get(reverse("enrolment:qr_screen", args=[slot.pk])).content
        assert b"<svg" in html
        token = checkin.make_token(slot.checkin_secret, slot.pk, timezone.now().timestamp())
        url = reverse("enrolment:check_in", args=[token])
        c = as_user(learner)
        assert "Je suis présent" in unescape(c.get(url).content.decode())
        response = c.post(url)
        assert "Votre présence est enregistrée" in unescape(response.content.decode())
        assert Attendance.objects.get().method == "qr"

    def test_check_in_refusal_is_a_french_message(self, as_user, learner) -> None:
        response = as_user(learner).post(reverse("enrolment:check_in", args=["1.2.abc"]))
        assert response.status_code == 400
        assert "QR code n'est pas valable" in unescape(response.content.decode())


@pytest.mark.parametrize("name", ["my_sessions", "trainer_sessions", "manage_list"])
def test_private_pages_need_login(client, name: str) -> None:
    response = client.get(reverse(f"enrolment:{name}"))
    assert response.status_code == 302 and "/compte/" in response["Location"]
