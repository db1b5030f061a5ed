"""Career pages: what a career manager, a coordinator, other staff and the person see."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from parcours.accounts.models import Membership, Role
from parcours.accounts.permissions import Actor
from parcours.careers import actions
from parcours.careers.models import CareerFile, FollowUp, Outcome


def _note(file, career_manager, text="Entretien : vise un poste de support IT.") -> FollowUp:
    return actions.log_followup(
        actor=Actor.of(career_manager),
        file=file,
        kind=FollowUp.Kind.MEETING,
        happened_on=dt.date(2026, 1, 12),
        note=text,
        next_action="Envoyer les offres du Forem",
        next_due=timezone.localdate() - dt.timedelta(days=1),
    )


def test_the_caseload_lists_my_people_with_overdue_actions(
    as_user, file, career_manager, learner
) -> None:
    _note(file, career_manager)
    page = as_user(career_manager).get(reverse("careers:caseload"))
    assert page.status_code == 200
    html = page.content.decode()
    assert learner.get_full_name() in html
    assert "en retard" in html


def test_the_file_shows_notes_milestones_and_loans_to_the_career_manager(
    as_user, org, file, career_manager, learner, site
) -> None:
    from parcours.scheduling import actions as scheduling

    boss = make_person(org, Role.LOGISTICS, "log@technofutur.test", "Lou", "Gistic")
    laptop = scheduling.create_resource(
        actor=Actor.of(boss), site=site, name="Portable Dell 14", code="PC14", kind="equipment"
    )
    start = timezone.now() + dt.timedelta(days=1)
    scheduling.lend(
        actor=Actor.of(boss),
        resource=laptop,
        borrower=learner,
        start=start,
        due=start + dt.timedelta(days=30),
    )
    _note(file, career_manager)
    page = as_user(career_manager).get(reverse("careers:file", args=[file.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "vise un poste de support IT" in html
    assert "Portable Dell 14" in html
    assert "19/06/2026" in html  # +6 months after the training's end (19/12/2025)


def test_other_staff_do_not_see_career_notes(
    as_user, client, org, file, career_manager, coordinator, trainer, logistics, outsider
) -> None:
    _note(file, career_manager)
    admin = make_person(org, Role.ADMINISTRATOR, "adm@technofutur.test", "Ada", "Min")
    for who in (coordinator, trainer, logistics, admin):
        client.force_login(who)
        for url in (
            reverse("careers:file", args=[file.pk]),
            reverse("careers:caseload"),
        ):
            response = client.get(url)
            assert response.status_code == 403, (who, url)
            assert "support IT" not in response.content.decode()
    client.force_login(outsider)
    assert client.get(reverse("careers:file", args=[file.pk])).status_code == 403


def test_another_organisations_career_manager_gets_a_404(as_user, other_org, file) -> None:
    theirs = make_person(other_org, Role.CAREER_MANAGER, "cm@province.test", "Paul", "Henry")
    response = as_user(theirs).get(reverse("careers:file", args=[file.pk]))
    assert response.status_code == 404
    response = as_user(theirs).post(
        reverse("careers:outcome", args=[file.pk]), {"milestone": "m6", "status": "unknown"}
    )
    assert response.status_code == 404
    assert not Outcome.objects.exists()


def test_a_bad_follow_up_fails_in_place_with_a_french_message(
    as_user, file, career_manager
) -> None:
    response = as_user(career_manager).post(
        reverse("careers:followup_add", args=[file.pk]),
        {"kind": "call", "happened_on": "2026-01-12", "note": "", "next_action": "Rappeler"},
    )
    assert response.status_code == 422
    assert "Indiquez pour quand est prévue la prochaine action." in response.content.decode()
    assert not FollowUp.objects.exists()


def test_logging_a_follow_up_and_an_outcome(as_user, file, career_manager) -> None:
    client = as_user(career_manager)
    response = client.post(
        reverse("careers:followup_add", args=[file.pk]),
        {"kind": "call", "happened_on": "2026-01-12", "note": "Appel : deux entretiens prévus."},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("careers:outcome", args=[file.pk]),
        {"milestone": "m3", "status": "employed", "contract": "fixed_term", "note": "Cegeka"},
        follow=True,
    )
    assert "En emploi (CDD)" in response.content.decode()
    response = client.post(
        reverse("careers:outcome", args=[file.pk]),
        {"milestone": "m6", "status": "employed", "contract": ""},
    )
    assert response.status_code == 422
    assert "Indiquez le type de contrat." in response.content.decode()


def test_the_survey_works_without_login_and_once(
    client, as_user, file, career_manager, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        as_user(career_manager).post(reverse("careers:survey_send", args=[file.pk]))
    client.logout()
    link = re.search(r"https?://[^/\s]+(/suivi/enquete/\S+/)", str(mail.outbox[-1].body))
    assert link
    url = link.group(1)
    page = client.get(url)
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    bad = client.post(url, {"status": "employed"})
    assert bad.status_code == 422
    done = client.post(url, {"status": "training", "note": "Bachelier en cours"})
    assert "Merci pour votre réponse" in done.content.decode()
    assert Outcome.objects.get(file=file, milestone="m6").status == "training"
    assert client.get(url).status_code == 410
    assert client.get("/suivi/enquete/faux-jeton/").status_code == 410


def test_a_coordinator_assigns_learners_from_a_session(
    as_user, coordinator, career_manager, session, enrolled, learner
) -> None:
    client = as_user(coordinator)
    url = reverse("careers:assign_session", args=[session.pk])
    page = client.get(url)
    assert learner.email in page.content.decode()
    response = client.post(url, {"manager": career_manager.pk, "learners": [learner.pk]})
    assert response.status_code == 302
    assert CareerFile.objects.get(person=learner).manager == career_manager
    refused = client.post(url, {"manager": career_manager.pk, "learners": ["999999"]})
    assert refused.status_code == 422


def test_an_administrator_gives_the_career_manager_role_on_the_admin_page(
    as_user, org, learner
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "adm@technofutur.test", "Ada", "Min")
    client = as_user(admin)
    page = client.get(reverse("accounts:admin_member", args=[learner.pk]))
    assert "Chargé·e de suivi de carrière" in page.content.decode()
    client.post(
        reverse("accounts:admin_member_add_role", args=[learner.pk]), {"role": "career_manager"}
    )
    assert Membership.objects.filter(
        user=learner, organisation=org, role=Role.CAREER_MANAGER
    ).exists()


def test_the_home_page_shows_the_career_managers_caseload(
    as_user, client, file, career_manager, coordinator
) -> None:
    _note(file, career_manager)
    html = as_user(career_manager).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-panel="careers-caseload"' in html
    assert "1</span>" in html and "action de suivi en retard" in html
    client.force_login(coordinator)
    assert (
        'data-panel="careers-caseload"'
        not in client.get(reverse("accounts:dashboard")).content.decode()
    )


def test_the_sessions_to_assign_from_are_the_organisations(
    as_user, client, coordinator, session, outsider, trainer
) -> None:
    page = as_user(coordinator).get(reverse("careers:assign_pick"))
    assert session.code in page.content.decode()
    client.force_login(trainer)
    assert client.get(reverse("careers:assign_pick")).status_code == 403
    client.force_login(outsider)  # a coordinator elsewhere sees their own organisation's only
    theirs = client.get(reverse("careers:assign_pick"))
    assert theirs.status_code == 200
    assert session.code not in theirs.content.decode()


def test_the_caseload_and_the_api_do_not_grow_with_the_number_of_files(
    as_user, org, coordinator, career_manager, session
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parcours.enrolment import actions as enrolment
    from parcours.enrolment.models import Enrolment

    client = as_user(career_manager)

    def counts() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert client.get(reverse("careers:caseload")).status_code == 200
        with CaptureQueriesContext(connection) as api:
            assert client.get("/api/v1/careers/caseload").status_code == 200
        return len(page.captured_queries), len(api.captured_queries)

    def follow(n: int, start: int) -> None:
        people = [
            make_person(org, Role.LEARNER, f"q{i}@exemple.test", f"Q{i}", f"N{i}")
            for i in range(start, start + n)
        ]
        for person in people:
            enrolment.enrol(
                actor=Actor.of(coordinator),
                session=session,
                learner=person,
                source=Enrolment.Source.COORDINATOR,
                now=dt.datetime(2025, 8, 1, tzinfo=dt.UTC),
            )
        files = actions.assign_from_session(
            actor=Actor.of(coordinator),
            session=session,
            learner_ids=[p.pk for p in people],
            manager=career_manager,
        )
        for file in files:
            _note(file, career_manager)

    follow(1, 0)
    one = counts()
    follow(6, 1)
    assert counts() == one


def test_a_session_s_staff_page_leads_to_assigning_its_learners(
    as_user, session, coordinator, career_manager, trainer
) -> None:
    """The assign pages are reached from the session they start from, not by address."""
    page = reverse("enrolment:manage_detail", args=[session.pk])
    assign = reverse("careers:assign_session", args=[session.pk])
    assert assign in as_user(coordinator).get(page).content.decode()
    response = as_user(trainer).get(page)
    assert response.status_code != 200 or assign not in response.content.decode()
