"""The demo loads on an empty database, tells the intended stories, and is safe to rerun.

The demo is loaded once for this module (a few seconds), inside a transaction rolled back at the
end so that other test modules still start from an empty database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from pytest_django.plugin import DjangoDbBlocker

from parcours.accounts.models import Membership, Organisation, Role, Site, User
from parcours.catalogue.models import Module, ModuleCompetence
from parcours.credentials.models import IssuedCredential
from parcours.demo import data, loader
from parcours.enrolment.models import Enrolment, Session, SessionStatus
from parcours.pathways.evaluation import LearnerProgress, evaluate_for_learner
from parcours.pathways.models import Completion, Pathway
from parcours.scheduling.models import Booking, Loan, Resource, SitePolicy


@pytest.fixture(scope="module")
def demo_output(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    with django_db_blocker.unblock(), transaction.atomic():
        assert not Organisation.objects.exists()
        out = StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
    ContentType.objects.clear_cache()  # --reset recreated them inside the rolled-back transaction


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "sites": Site.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "modules": Module.objects.count(),
        "links": ModuleCompetence.objects.count(),
        "pathways": Pathway.objects.count(),
        "completions": Completion.objects.count(),
        "resources": Resource.objects.count(),
        "sessions": Session.objects.count(),
        "enrolments": Enrolment.objects.count(),
        "bookings": Booking.objects.count(),
        "credentials": IssuedCredential.objects.count(),
    }


def _progress(pathway_code: str, email: str) -> LearnerProgress:
    pathway = Pathway.objects.get(code=pathway_code)
    return evaluate_for_learner(pathway, User.objects.get(email=email).pk)


pytestmark = pytest.mark.django_db


def test_load_demo_builds_the_three_organisations(demo_output: str) -> None:
    assert set(Organisation.objects.values_list("slug", flat=True)) == {
        data.TECHNOFUTUR,
        data.TECHNOCITE,
        data.PROVINCE,
    }
    assert Site.objects.filter(city="Mariembourg", organisation__slug=data.TECHNOFUTUR).exists()
    assert Site.objects.filter(postcode="7301", organisation__slug=data.TECHNOCITE).exists()
    assert "Données de démonstration chargées" in demo_output
    assert "coordination@technofutur.demo" in demo_output


def test_technocite_has_a_large_catalogue_in_every_format(demo_output: str) -> None:
    modules = Module.objects.filter(organisation__slug=data.TECHNOCITE)
    assert modules.count() >= 40
    assert set(modules.values_list("format", flat=True)) == set(Module.Format.values)
    assert {"jobseekers", "employees", "teachers", "pupils"} <= set(
        modules.values_list("audience", flat=True)
    )
    assert modules.filter(language="en").count() >= 2
    assert modules.filter(duration_hours=1, format="virtual_class").exists()
    assert ModuleCompetence.objects.filter(
        module__organisation__slug=data.TECHNOCITE, competence__framework__slug=data.DIGCOMP
    ).exists()


def test_every_module_state_is_shown(demo_output: str) -> None:
    statuses = set(Module.objects.values_list("status", flat=True))
    assert statuses == {"draft", "published", "archived"}


def test_ai_pathway_has_ten_modules_and_digcompedu_competences(demo_output: str) -> None:
    pathway = Pathway.objects.get(code=data.AI_PATHWAY)
    assert pathway.status == Pathway.Status.PUBLISHED
    assert pathway.memberships.count() == 11  # M1A, M1B, 8 options, closing
    m1b = Module.objects.get(organisation__slug=data.TECHNOFUTUR, code="M1B")
    assert m1b.audience == Module.Audience.SCHOOL_HEADS
    assert m1b.duration_hours == 12
    assert m1b.competence_links.filter(competence__framework__slug=data.DIGCOMPEDU).exists()


@pytest.mark.parametrize("email", data.AI_EARNED)
def test_ai_pathway_earned(demo_output: str, email: str) -> None:
    assert _progress(data.AI_PATHWAY, email).satisfied


@pytest.mark.parametrize("email", data.AI_ONE_SHORT)
def test_ai_pathway_exactly_one_module_short(demo_output: str, email: str) -> None:
    progress = _progress(data.AI_PATHWAY, email)
    assert not progress.satisfied
    assert progress.evaluation.total - progress.evaluation.met == 1
    assert len(progress.explanation) == 1


@pytest.mark.parametrize("email", data.AI_STARTED)
def test_ai_pathway_just_started(demo_output: str, email: str) -> None:
    progress = _progress(data.AI_PATHWAY, email)
    assert not progress.satisfied
    assert progress.evaluation.met == 1


def test_university_certificate(demo_output: str) -> None:
    (marc,) = data.CERTIFICATE_EARNED
    (aicha,) = data.CERTIFICATE_ONE_SHORT
    assert _progress(data.CERTIFICATE, marc).satisfied
    short = _progress(data.CERTIFICATE, aicha)
    assert not short.satisfied
    assert short.evaluation.total - short.evaluation.met == 1


def test_web_developer_pathway_counts_hours(demo_output: str) -> None:
    assert all(_progress(data.WEB_PATHWAY, email).satisfied for email in data.WEB_EARNED)
    assert not any(_progress(data.WEB_PATHWAY, email).satisfied for email in data.WEB_NOT_YET)


def test_completions_are_demo_data_within_the_last_year(demo_output: str) -> None:
    demo = Completion.objects.filter(source=Completion.Source.DEMO)
    assert demo.count() == len(data.COMPLETIONS)
    # The others come from the past session's roll calls (two learners completed it); the
    # history's learners (demo/history.py) complete their own past sessions, the eduLAB TV
    # webinar's (demo/webinars.py) theirs, the Moodle sync (demo/integrations_moodle.py)
    # records its own, and the certificate's units are passed by projects
    # (demo/assessments.py: Sofia's five).
    assert Completion.objects.filter(source=Completion.Source.ASSESSMENT).count() == 5
    others = (
        Completion.objects.exclude(source=Completion.Source.DEMO)
        .exclude(source=Completion.Source.ASSESSMENT)
        .exclude(learner__email__endswith="@historique.demo")
        .exclude(learner__email__endswith="@edulab-tv.demo")
        .exclude(source=Completion.Source.MOODLE)
    )
    assert set(others.values_list("source", flat=True)) == {Completion.Source.ATTENDANCE}
    assert others.count() == 2


def test_rooms_equipment_mobile_units_and_wifi(demo_output: str) -> None:
    rooms = Resource.objects.filter(kind=Resource.Kind.ROOM)
    for site in (data.GOSSELIES, data.HORNU, data.MONS, data.SERAING):
        assert 3 <= rooms.filter(site__name=site).count() <= 5
    assert rooms.filter(features__slug="interactive-screen").exists()
    assert Resource.objects.filter(kind=Resource.Kind.PARKING).exists()
    assert (
        Resource.objects.filter(
            kind=Resource.Kind.EQUIPMENT, organisation__slug=data.PROVINCE
        ).count()
        >= 2
    )
    # Seed 000: the truck's five activities, two domes with the two Technosphère activities.
    truck = Resource.objects.get(code="TECHNI-TRUCK")
    assert set(truck.activities.values_list("title_fr", flat=True)) == {
        "Câbler une maison",
        "Coder une serre avec micro:bit",
        "Implanter une maison au laser",
        "Missions robotiques sur sol lunaire",
        "Un brassard de sécurité à LED",
    }
    domes = Resource.objects.filter(code__startswith="TECHNOSPHERE")
    assert domes.count() == 2
    for dome in domes:
        assert sorted(dome.activities.values_list("slug", flat=True)) == ["eolien", "epuration"]
    # Seed 004: rooms at the MPF, Amay and the B3; lobby screens with Wi-Fi at the MPF and Amay.
    for site in (data.AMAY, data.BAVIERE):
        assert rooms.filter(site__name=site).exists()
    for site, wifi_name, _password, _message in data.LOBBIES:
        assert SitePolicy.objects.get(site__name=site).wifi_name == wifi_name
    assert "unités mobiles" in demo_output


def test_each_organisation_has_an_administrator_and_the_province_an_agent(
    demo_output: str,
) -> None:
    from parcours.accounts.models import Membership, Role

    for spec in data.ORGANISATIONS:
        assert Membership.objects.filter(
            organisation__slug=spec.slug, role=Role.ADMINISTRATOR
        ).exists()
    assert Membership.objects.filter(organisation__slug=data.PROVINCE, role=Role.AGENT).exists()


def test_upcoming_published_sessions_with_a_waitlist(demo_output: str) -> None:
    from django.utils import timezone

    upcoming = Session.objects.filter(status=SessionStatus.PUBLISHED, starts_at__gt=timezone.now())
    assert upcoming.count() >= 6
    assert set(upcoming.values_list("site__city", flat=True)) >= {
        "Gosselies",
        "Charleroi",
        "Liège",
        "Tournai",
        "Ciney",
        "Mariembourg",
    }
    assert upcoming.filter(organisation__slug=data.TECHNOCITE).count() >= 2
    assert upcoming.filter(room__isnull=False).exists()
    full = Session.objects.get(code=data.FULL_SESSION)
    assert full.seats_taken == full.capacity
    assert full.enrolments.filter(status=Enrolment.Status.WAITLISTED).count() == 2


def test_past_session_attendance_completes_the_module(demo_output: str) -> None:
    past = Session.objects.get(code=data.PAST_SESSION)
    completed = past.enrolments.filter(status=Enrolment.Status.COMPLETED)
    assert set(completed.values_list("learner__email", flat=True)) == {
        data.CAMILLE,
        data.NATHALIE,
    }
    assert Completion.objects.filter(
        learner__email=data.CAMILLE, module__code="IA-LUDO", source=Completion.Source.ATTENDANCE
    ).exists()


def test_bookings_approved_pending_and_catered(demo_output: str) -> None:
    assert Booking.objects.filter(status=Booking.Status.APPROVED, purpose="meeting").exists()
    pending = Booking.objects.filter(status=Booking.Status.REQUESTED)
    assert pending.filter(requester__email="ecole@provincedeliege.demo").exists()
    assert Booking.objects.filter(catering_lines__isnull=False).exists()


def test_one_loan_overdue_and_one_running(demo_output: str) -> None:
    now = timezone.now()
    overdue = Loan.objects.filter(returned_at__isnull=True, due__lt=now)
    assert list(overdue.values_list("resource__code", flat=True)) == ["PC-01"]
    running = Loan.objects.filter(returned_at__isnull=True, due__gt=now)
    assert list(running.values_list("resource__code", flat=True)) == ["MICROBIT-01"]


@pytest.mark.parametrize("email", data.AI_EARNED)
def test_ai_pathway_earners_hold_the_badge(demo_output: str, email: str) -> None:
    assert IssuedCredential.objects.filter(
        learner__email=email, achievement__pathway__code=data.AI_PATHWAY
    ).exists()


def test_certificate_badge_issued(demo_output: str) -> None:
    (marc,) = data.CERTIFICATE_EARNED
    assert IssuedCredential.objects.filter(
        learner__email=marc, achievement__pathway__code=data.CERTIFICATE
    ).exists()
    assert not IssuedCredential.objects.filter(learner__email=data.AICHA).exists()


def test_everyone_logs_in_with_the_demo_password(demo_output: str) -> None:
    coordinator = User.objects.get(email="coordination@technofutur.demo")
    assert coordinator.check_password(data.DEMO_PASSWORD)
    assert coordinator.memberships.filter(role=Role.COORDINATOR).exists()
    admin = User.objects.get(email=data.ADMIN_EMAIL)
    assert admin.is_superuser and admin.check_password(data.DEMO_PASSWORD)
    assert (
        User.objects.filter(memberships__organisation__slug=data.TECHNOFUTUR)
        .filter(memberships__role=Role.LEARNER)
        .count()
        >= 8
    )
    assert User.objects.filter(language="en").exists()


def test_catalogue_search_finds_demo_modules(demo_output: str) -> None:
    from parcours.catalogue.search import search_modules

    found = set(search_modules(Module.objects.all(), "ethique").values_list("code", flat=True))
    assert "IA-ETHIQUE" in found


def test_the_province_explorer_has_eight_worlds_and_thirty_two_experts(demo_output: str) -> None:
    from parcours.orientation.models import JobSheet, Occupation, World

    province = Organisation.objects.get(slug=data.PROVINCE)
    worlds = World.objects.filter(organisation=province, is_published=True)
    assert worlds.count() == 8
    assert {"Atominatis", "Eletroworld", "Mécanosphère", "Géoterra"} <= set(
        worlds.values_list("name_fr", flat=True)
    )
    sheets = JobSheet.objects.filter(organisation=province, is_published=True)
    assert sheets.count() == 32
    assert not sheets.filter(occupation=None).exists()
    assert Occupation.objects.count() == 3007
    electrician = sheets.get(slug="electricien")
    assert electrician.occupation.code == "7411.1"  # type: ignore[union-attr]
    assert electrician.outreach_activities.filter(slug="electricite").exists()
    assert Session.objects.public().upcoming().filter(module__in=electrician.modules.all()).exists()
    assert worlds.get(slug="eolia").outreach_activities.count() == 2


def test_running_load_demo_twice_is_harmless(demo_output: str) -> None:
    before = _counts()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert "déjà chargées" in out.getvalue()
    assert _counts() == before


def test_reset_reloads_the_same_demo(demo_output: str) -> None:
    before = _counts()
    call_command("load_demo", "--reset", stdout=StringIO())
    assert _counts() == before
    assert _progress(data.AI_PATHWAY, data.CAMILLE).satisfied


def test_a_failing_load_writes_nothing(demo_output: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = _counts()
    bad = dataclasses.replace(data.PATHWAYS[0], rule_text="M1A & NO-SUCH-MODULE")
    monkeypatch.setattr(data, "PATHWAYS", (bad, *data.PATHWAYS[1:]))
    with pytest.raises(ValidationError):
        loader.load(reset=True)  # the flush and everything loaded before the error roll back
    assert _counts() == before


def test_demo_logins_prints_the_table(demo_output: str) -> None:
    out = StringIO()
    call_command("demo_logins", stdout=out, stderr=StringIO())
    text = out.getvalue()
    assert "coordination@technofutur.demo" in text
    assert data.DEMO_PASSWORD in text
    assert "Technocité" in text
    assert len(text.splitlines()) == len(data.PEOPLE) + 2


def test_the_truck_class_visit_is_finished_with_results(demo_output: str) -> None:
    from parcours.orientation.class_models import ClassVisit, GameItem, QuizStatement
    from parcours.orientation.class_queries import live_summary
    from parcours.orientation.models import World

    worlds = World.objects.filter(organisation__slug=data.PROVINCE)
    for world in worlds:
        assert GameItem.objects.filter(world=world).count() >= 2, world.slug
        assert QuizStatement.objects.filter(world=world).count() == 2, world.slug
    visit = ClassVisit.objects.get(organisation__slug=data.PROVINCE)
    assert visit.status == ClassVisit.Status.CLOSED and visit.grade == "P6"
    assert visit.outreach is not None and visit.outreach.activity.unit.code == "TECHNI-TRUCK"
    summary = live_summary(visit)
    assert summary.participants == visit.participant_count == 22
    assert sum(summary.world_likes.values()) >= 22 and summary.occupations_opened
    assert "Mode classe : une visite du Techni Truck terminée, 22 élèves" in demo_output


def test_calls_for_applications_and_the_preparatory_programme(demo_output: str) -> None:
    from parcours.candidates import funnel
    from parcours.candidates.models import Application, Call

    assert "Candidatures : l'appel" in demo_output
    call = Call.objects.get(slug="analyste-soc-2027")
    programme = Call.objects.get(slug="nid-ruche-2027")
    assert call.referral_call == programme and programme.followup_call == call
    assert programme.places == 60
    assert {s.site.city for s in programme.sessions.select_related("site")} == {"Hornu", "Mons"}
    per_stage = [
        Application.objects.filter(call=call, stage=stage).count()
        for stage in call.stages.order_by("order")
    ]
    assert sum(per_stage) == 40 and all(per_stage)
    assert Application.objects.filter(call=programme, previous__call=call).count() == 2
    total = funnel.counts(funnel.rows([call.pk]))
    assert total["applied"] == 40 and total["selected"] == 3


def test_the_ai_referent_campaign_has_a_plan_shown_before_commit(demo_output: str) -> None:
    from parcours.timetabling import adapter
    from parcours.timetabling import campaign as pure
    from parcours.timetabling.models import Campaign, CampaignStatus

    campaign = Campaign.objects.get(organisation__slug=data.TECHNOFUTUR)
    assert campaign.status == CampaignStatus.PLANNED
    assert len(campaign.plan) == 48  # 12 groups x (1 introduction + 2 options + closing)
    assert pure.check(adapter.describe(campaign), adapter.plan_of(campaign)) == []
    assert "Planification : campagne" in demo_output


def test_history_gives_each_organisation_a_year_to_compare(demo_output: str) -> None:
    from parcours.lib.dates import platform_zone
    from parcours.reporting.figures import build_report
    from parcours.reporting.periods import Filters, Period

    assert "Historique" in demo_output
    today = timezone.now().astimezone(platform_zone()).date()
    year = Period.between(today - dt.timedelta(days=364), today)
    for org in Organisation.objects.all():
        report = build_report([org.pk], year, Filters())
        assert report.value("training.people") > 10, org  # type: ignore[operator]
        assert report.value("training.sessions_held") > 8, org  # type: ignore[operator]
    province = Organisation.objects.get(slug=data.PROVINCE)
    report = build_report([province.pk], year, Filters())
    assert report.value("outreach.pupils") > 500  # type: ignore[operator]
    assert report.value("outreach.pupils_since_start") > 40_000  # type: ignore[operator]
    assert report.value("logistics.loans") > 10  # type: ignore[operator]
    assert report.value("logistics.catering") > 0  # type: ignore[operator]
    assert report.previous_value("training.people")  # some history a year earlier too


def test_edulab_tv_webinar_with_its_imported_report(demo_output: str) -> None:
    from parcours.webinars.models import ParticipantMinutes, ParticipantReport, Replay, Webinar

    webinar = Webinar.objects.get(session__module__code="EDULAB-WEB1")
    assert webinar.session.enrolments.count() == 1_200
    assert ParticipantReport.objects.filter(webinar=webinar).count() == 1
    attended = ParticipantMinutes.objects.filter(webinar=webinar)
    assert 1_000 <= attended.count() < 1_200
    present = attended.filter(present=True).count()
    assert 0 < present < attended.count()
    completed = webinar.session.enrolments.filter(status="completed").count()
    assert completed == present
    assert (
        Replay.objects.filter(organisation=webinar.organisation).exclude(captions_vtt="").count()
        == 3
    )
    assert "eduLAB TV" in demo_output


def test_the_province_lrs_is_configured_off_with_pending_statements(demo_output: str) -> None:
    from parcours.integrations.models import LrsConfig, XapiStatement

    config = LrsConfig.objects.get(organisation__slug=data.PROVINCE)
    assert not config.enabled
    pending = XapiStatement.objects.filter(organisation=config.organisation)
    assert pending.exists()
    assert set(pending.values_list("status", flat=True)) == {XapiStatement.Status.PENDING}
    assert set(pending.values_list("attempts", flat=True)) == {0}  # never sent
    assert "xAPI : LRS de la Province configuré" in demo_output


def test_moodle_technosphere_has_a_linked_module_and_a_past_sync(demo_output: str) -> None:
    from parcours.integrations.models import MoodleCourseLink, MoodleSyncRun, MoodleUnmatchedUser

    link = MoodleCourseLink.objects.select_related("site", "module").get()
    assert (link.site.name, link.module.code) == ("Moodle-Technosphère", "TS-KIT")
    failed, done = MoodleSyncRun.objects.order_by("started_at")
    assert failed.courses.get().error_code == "timeout"
    course = done.courses.get()
    assert (course.recorded, course.already, course.pending, course.unmatched) == (2, 1, 1, 1)
    assert done.started_at < timezone.now() - dt.timedelta(days=1)
    assert MoodleUnmatchedUser.objects.get().email == "j.lemoine@ecoles-liege.demo"
    assert Completion.objects.filter(module=link.module, source="moodle").count() == 2


def test_certificate_units_passed_by_projects_and_a_public_portfolio(
    demo_output: str, client
) -> None:
    import json
    import re

    from parcours.assessments.models import Submission, SubmissionStatus
    from parcours.demo.assessments import SOFIA

    sofia = User.objects.get(email=SOFIA[0])
    assert _progress(data.CERTIFICATE, SOFIA[0]).satisfied
    credential = IssuedCredential.objects.get(learner=sofia)
    evidence = json.loads(credential.document)["evidence"]
    assert any("/evaluations/preuves/" in item.get("id", "") for item in evidence)
    statuses = set(Submission.objects.values_list("status", flat=True))
    assert statuses == {SubmissionStatus.PASSED, SubmissionStatus.TO_REVISE, "submitted"}
    url = re.search(r"Portfolio public de Marc Renard : (\S+)", demo_output)
    assert url is not None
    from urllib.parse import urlsplit

    page = client.get(urlsplit(url.group(1)).path)
    assert page.status_code == 200 and "marc.renard" not in page.content.decode()
