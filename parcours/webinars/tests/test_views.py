"""The webinar pages as people see them: the live link never in the HTML before its time or
for someone without a seat, the report import from upload to completions, other tenants
kept out, the replay library, captions and the CSRF-protected beacon."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable
from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment
from parcours.webinars import actions
from parcours.webinars.models import ParticipantMinutes, Replay, ReplayView, Webinar
from parcours.webinars.tests.conftest import at

pytestmark = pytest.mark.django_db


def _freeze(monkeypatch: pytest.MonkeyPatch, module: str, when: dt.datetime) -> None:
    fake = types.SimpleNamespace(now=lambda: when, localdate=lambda *a: when.date())
    monkeypatch.setattr(f"parcours.webinars.{module}.timezone", fake)


def test_live_link_is_not_in_the_page_before_its_time_nor_for_others(
    client: Client,
    as_user: Callable[[User], Client],
    webinar: Webinar,
    people: list[User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = webinar.session
    url = reverse("webinars:join", args=[session.pk])
    secret = webinar.live_url
    anonymous = client.get(url).content.decode()
    assert secret not in anonymous and "réservé aux personnes inscrites" in unescape(anonymous)
    ana, _ben, _cleo, dan = people
    early = unescape(as_user(ana).get(url).content.decode())
    assert secret not in early and "apparaîtra ici" in early
    _freeze(monkeypatch, "views", at(session, 9, 50))
    _freeze(monkeypatch, "sections", at(session, 9, 50))
    html = unescape(as_user(ana).get(url).content.decode())
    assert secret in html and "Rejoindre le webinaire" in html
    detail = unescape(
        as_user(ana).get(reverse("enrolment:detail", args=[session.pk])).content.decode()
    )
    assert secret in detail
    assert secret not in as_user(dan).get(url).content.decode()  # waitlisted


def test_coordinator_imports_a_report_and_sees_completions(
    as_user: Callable[[User], Client],
    webinar: Webinar,
    people: list[User],
    coordinator: User,
    report_of: Callable[..., bytes],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    session = webinar.session
    c = as_user(coordinator)
    staff = unescape(c.get(reverse("enrolment:manage_detail", args=[session.pk])).content.decode())
    assert "Importer le rapport de participation" in staff
    content = report_of(
        [
            ("Ana Test", "ana@exemple.test", at(session, 10), at(session, 12)),
            ("Eve", "eve@ailleurs.test", at(session, 10), at(session, 12)),
        ]
    )
    _freeze(monkeypatch, "actions", at(session, 13))
    upload = SimpleUploadedFile("AttendanceReport.csv", content, content_type="text/csv")
    response = c.post(
        reverse("webinars:report_upload", args=[webinar.pk]),
        {"provider": "teams", "file": upload},
    )
    assert response.status_code == 302
    preview_url = response["Location"]
    html = unescape(c.get(preview_url).content.decode())
    assert "1 personne inscrite reconnue" in html
    assert "personne non inscrite à cette session" in html
    assert not ParticipantMinutes.objects.exists()
    mapping = {
        "name": "Name",
        "email": "Email",
        "join": "Join Time",
        "leave": "Leave Time",
        "duration": "Duration",
    }
    from parcours.credentials import actions as credentials

    badge = credentials.create_achievement(
        actor=Actor.of(coordinator),
        organisation=session.organisation,
        data=credentials.AchievementData(
            name_fr="L'IA en classe",
            description_fr="A suivi le webinaire.",
            criteria_fr="Présent·e aux trois quarts du webinaire.",
            module_id=session.module_id,
        ),
    )
    credentials.set_achievement_status(
        actor=Actor.of(coordinator), achievement=badge, status="active"
    )
    done = c.post(preview_url, {**mapping, "confirmer": "1"}, follow=True)
    page = unescape(done.content.decode())
    assert "Rapport importé" in page and "Terminée" in page
    assert "1 badges sont en préparation" in page
    assert Enrolment.objects.get(session=session, learner=people[0]).status == "completed"
    # Confirming again (the back button) changes nothing and says so.
    again = unescape(
        c.post(preview_url, {**mapping, "confirmer": "1"}, follow=True).content.decode()
    )
    assert "déjà été importé" in again
    assert ParticipantMinutes.objects.count() == 1


def test_other_tenants_and_learners_are_kept_out(
    as_user: Callable[[User], Client],
    webinar: Webinar,
    outsider: User,
    learner: User,
) -> None:
    for name in ("webinars:report_upload", "webinars:attendance"):
        url = reverse(name, args=[webinar.pk])
        assert as_user(outsider).get(url).status_code == 404
        assert as_user(learner).get(url).status_code == 403
    url = reverse("webinars:session", args=[webinar.session_id])
    assert as_user(outsider).get(url).status_code == 404


def test_webinar_form_fails_in_place(
    as_user: Callable[[User], Client], webinar: Webinar, coordinator: User
) -> None:
    url = reverse("webinars:session", args=[webinar.session_id])
    response = as_user(coordinator).post(
        url, {"provider": "teams", "live_url": "pas une adresse", "show_link_minutes": "99999"}
    )
    assert response.status_code == 422
    assert "error-summary" in response.content.decode()


@pytest.fixture
def replay(org: Organisation, coordinator: User) -> Replay:
    return actions.save_replay(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.ReplayData(
            title="Classe inversée",
            video_url="https://videos.example.test/inversee.mp4",
            theme="Pédagogie",
            transcript="Bonjour à toutes et à tous.",
            captions=b"WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n",
        ),
    )


def test_replay_library_page_captions_and_beacon(
    client: Client, org: Organisation, replay: Replay, coordinator: User, settings
) -> None:
    settings.WEBINARS_VIDEO_FILE_HOSTS = ["https://videos.example.test"]
    other = actions.save_replay(
        actor=Actor.of(coordinator),
        organisation=org,
        data=actions.ReplayData(
            title="Jeux sérieux", video_url="https://tv.example.test/v/42", theme="Jeux"
        ),
    )
    library = reverse("webinars:library", args=[org.slug])
    html = unescape(client.get(library, {"theme": "Pédagogie"}).content.decode())
    assert replay.title in html and other.title not in html
    page = unescape(
        client.get(reverse("webinars:replay", args=[org.slug, replay.pk])).content.decode()
    )
    assert '<track kind="captions"' in page and "Bonjour à toutes" in page
    assert "replay-beacon.js" in page
    link_page = client.get(reverse("webinars:replay", args=[org.slug, other.pk])).content.decode()
    assert "<video" not in link_page and other.video_url in link_page
    captions = client.get(reverse("webinars:captions", args=[org.slug, replay.pk]))
    assert captions["Content-Type"].startswith("text/vtt")

    beat_url = reverse("webinars:beat", args=[org.slug, replay.pk])
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(beat_url, {"view": "abcdefgh-1", "beat": 1, "seconds": 15}).status_code == 403
    )
    strict.get(reverse("webinars:replay", args=[org.slug, replay.pk]))
    token = strict.cookies["csrftoken"].value
    ok = strict.post(
        beat_url, {"view": "abcdefgh-1", "beat": 1, "seconds": 15, "csrfmiddlewaretoken": token}
    )
    assert ok.status_code == 200 and ok.json() == {"seconds": 15}
    bad = strict.post(
        beat_url, {"view": "abcdefgh-1", "beat": "x", "seconds": 15, "csrfmiddlewaretoken": token}
    )
    assert bad.status_code == 400
    assert ReplayView.objects.get().seconds == 15


def test_replay_form_refuses_a_caption_file_that_is_not_webvtt(
    as_user: Callable[[User], Client], coordinator: User
) -> None:
    response = as_user(coordinator).post(
        reverse("webinars:replay_new"),
        {
            "title": "Essai",
            "video_url": "https://videos.example.test/essai.mp4",
            "captions": SimpleUploadedFile("essai.srt", b"1\n00:00:01,000 --> 00:00:02,000\nx\n"),
            "published": "on",
        },
    )
    assert response.status_code == 422
    assert "WebVTT" in unescape(response.content.decode())
    assert not Replay.objects.exists()


def test_a_module_page_lists_its_replays(client: Client, org: Organisation, replay: Replay) -> None:
    from parcours.catalogue.models import Module

    module = Module.objects.create(
        organisation=org,
        code="PEDA",
        title_fr="Pédagogie",
        duration_hours=3,
        status=Module.Status.PUBLISHED,
    )
    replay.module = module
    replay.save(update_fields=["module"])
    html = unescape(
        client.get(reverse("catalogue:detail", args=[org.slug, "PEDA"])).content.decode()
    )
    assert "Classe inversée" in html and "Toutes les rediffusions de Technofutur TIC" in html


def test_the_home_page_shows_coordinators_and_trainers_the_way_to_webinars(
    as_user, coordinator, trainer, learner, org
) -> None:
    html = as_user(coordinator).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-panel="webinars-upcoming"' in html
    assert "/webinaires/rediffusions/gestion/" in html
    html = as_user(trainer).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-panel="webinars-upcoming"' in html
    assert "/webinaires/rediffusions/gestion/" not in html  # managing replays is coordinators'
    assert (
        'data-panel="webinars-upcoming"'
        not in as_user(learner).get(reverse("accounts:dashboard")).content.decode()
    )


def test_replay_players_and_their_narrow_content_security_policy(
    client: Client, org: Organisation, coordinator: User, settings
) -> None:
    """YouTube (without cookies), Vimeo and the configured PeerTube play in the page, each
    page allowing only its player's origin; a file on a configured host plays in the page's
    own player (captions, beacon); anything else is a link, and no page frames anything."""
    from django.conf import settings as conf

    settings.CONTENT_SECURITY_POLICY = conf.CSP_POLICY
    settings.WEBINARS_PEERTUBE_HOSTS = ["https://tube.ecoles.example.test"]
    settings.WEBINARS_VIDEO_FILE_HOSTS = ["https://media.example.test"]
    actor = Actor.of(coordinator)

    def page(url: str) -> tuple[str, str]:
        replay = actions.save_replay(
            actor=actor,
            organisation=org,
            data=actions.ReplayData(
                title="Évaluer avec le numérique",
                video_url=url,
                captions=b"WEBVTT\n\n00:00.000 --> 00:02.000\nBonjour\n",
            ),
        )
        response = client.get(reverse("webinars:replay", args=[org.slug, replay.pk]))
        assert response.status_code == 200
        return unescape(response.content.decode()), response["Content-Security-Policy"]

    html, csp = page("https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s")
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=42"' in html
    assert 'title="Vidéo : Évaluer avec le numérique (lecteur YouTube)"' in html
    assert "frame-src https://www.youtube-nocookie.com" in csp
    assert "media-src" not in csp and "vimeo" not in csp

    html, csp = page("https://vimeo.com/76979871")
    assert 'src="https://player.vimeo.com/video/76979871"' in html
    assert "frame-src https://player.vimeo.com" in csp and "youtube" not in csp

    html, csp = page("https://tube.ecoles.example.test/w/9c9de5e8-0a1e-484a-b099-e80766180a6d")
    assert (
        'src="https://tube.ecoles.example.test/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d"'
        in html
    )
    assert "frame-src https://tube.ecoles.example.test" in csp

    html, csp = page("https://media.example.test/replays/classe.webm")
    assert "<video" in html and '<track kind="captions"' in html and "<iframe" not in html
    assert "data-replay-beacon" in html
    assert "media-src 'self' https://media.example.test" in csp and "frame-src" not in csp

    for unknown in (
        "https://tube.inconnu.example.test/w/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        "https://files.inconnu.example.test/classe.mp4",
        "https://www.youtube.com/@chaine",
    ):
        html, csp = page(unknown)
        assert "<iframe" not in html and "<video" not in html
        assert "Regarder sur la plateforme vidéo" in html
        assert "frame-src" not in csp and "media-src" not in csp
    library = client.get(reverse("webinars:library", args=[org.slug]))
    assert "frame-src" not in library["Content-Security-Policy"]
