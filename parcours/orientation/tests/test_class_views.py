"""Pages of the games, the quiz and class mode, as a pupil, a facilitator and an outsider."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.orientation import class_actions as actions
from parcours.orientation import games
from parcours.orientation.class_models import (
    ClassAnswer,
    ClassVisit,
    GameItem,
    QuizResult,
    QuizStatement,
)
from parcours.orientation.tests.class_helpers import Content, make_content


@pytest.fixture
def content(org: Organisation) -> Content:
    return make_content(org)


@pytest.fixture
def visit(trainer: User, org: Organisation, content: Content) -> ClassVisit:
    return actions.open_class_visit(actor=Actor.of(trainer), organisation=org, title="6e B")


def test_a_game_is_playable_without_javascript(
    client: Client, org: Organisation, content: Content
) -> None:
    world = content.worlds[0]
    url = reverse("orientation_play:game", args=[org.slug, world.slug])
    page = client.get(url)
    assert page.status_code == 200
    assert "Quel outil pour Mécanosphère" in page.content.decode()
    # the offline worker is asked to keep the explorer, the job sheets and the other games
    assert f"/orientation/{org.slug}/{content.worlds[1].slug}/" in page.content.decode()
    assert f"/orientation/{org.slug}/metier/{content.sheets[2].slug}/" in page.content.decode()
    question = games.questions(world)[0]
    scored = client.post(url, {f"q{question.item.pk}": question.correct_key})
    assert "Ton score : 1 sur 1" in scored.content.decode()
    assert client.get(reverse("orientation_play:game", args=[org.slug, "nope"])).status_code == 404


def test_the_quiz_suggests_worlds_and_reopens_with_its_code(
    client: Client, org: Organisation, content: Content
) -> None:
    url = reverse("orientation_play:quiz", args=[org.slug])
    s = content.statements
    response = client.post(url, {f"s{s[2].pk}": "2", f"s{s[3].pk}": "2", f"s{s[0].pk}": "0"})
    result = QuizResult.objects.get()
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert result.code in page and "Géoterra" in page and "Mécanosphère" not in page
    reopened = client.get(
        reverse("orientation_play:quiz_reopen", args=[org.slug]), {"code": result.code.lower()}
    )
    assert reopened["Location"].endswith(f"/quiz/{result.code}/")
    assert client.post(url, {}).status_code == 422
    assert QuizResult.objects.count() == 1


def test_a_pupil_joins_plays_and_answers_once(
    client: Client, visit: ClassVisit, content: Content
) -> None:
    response = client.post(
        reverse("orientation_play:join"), {"code": visit.code, "pseudonym": "Nora"}
    )
    assert response.status_code == 302
    home = client.get(response["Location"])
    page = home.content.decode()
    assert "Bonjour Nora" in page and "Mécanosphère" in page
    token = page.split('data-token="')[1].split('"')[0]
    body: dict[str, Any] = {
        "token": token,
        "answers": [{"id": str(uuid.uuid4()), "kind": "world", "world": content.worlds[0].pk}],
    }
    url = reverse("orientation_play:pupil_answers")
    for _ in range(2):
        sent = client.post(url, json.dumps(body), content_type="application/json")
        assert sent.json() == {"accepted": [body["answers"][0]["id"]], "rejected": []}
    assert ClassAnswer.objects.count() == 1


def test_the_answer_endpoint_refuses_garbage_without_500(client: Client, visit: ClassVisit) -> None:
    url = reverse("orientation_play:pupil_answers")
    assert client.post(url, "{", content_type="application/json").status_code == 400
    assert client.post(url, "[]", content_type="application/json").status_code == 400
    unknown = json.dumps({"token": "nope", "answers": []})
    assert client.post(url, unknown, content_type="application/json").status_code == 403
    assert client.get(url).status_code == 405


def test_join_errors_stay_on_the_form(client: Client, visit: ClassVisit) -> None:
    url = reverse("orientation_play:join")
    wrong = client.post(url, {"code": "AAAAAA", "pseudonym": "Nora"})
    assert wrong.status_code == 422 and "aucune classe" in wrong.content.decode()
    client.post(url, {"code": visit.code, "pseudonym": "Nora"})
    taken = Client().post(url, {"code": visit.code, "pseudonym": "nora"})
    assert taken.status_code == 422 and "déjà pris" in taken.content.decode()


def test_joining_is_rate_limited(visit: ClassVisit) -> None:
    cache.clear()
    limits = {**settings.PARCOURS_RATE_LIMITS, "orientation_join": "3/m/ip"}
    with override_settings(ACCOUNT_RATE_LIMITS=limits):
        client = Client()
        codes = [
            client.post(
                reverse("orientation_play:join"), {"code": "AAAAAA", "pseudonym": "x"}
            ).status_code
            for _ in range(4)
        ]
    cache.clear()
    assert codes == [422, 422, 422, 429]


def test_pupil_pages_need_to_have_joined(client: Client, visit: ClassVisit) -> None:
    response = client.get(reverse("orientation_play:pupil_home", args=[visit.code]))
    assert response.status_code == 302 and response["Location"].endswith(f"?code={visit.code}")


def test_the_facilitator_sees_counts_never_names(
    client: Client, visit: ClassVisit, content: Content, trainer: User, as_user
) -> None:
    pupil, _token = actions.join_class(code=visit.code, pseudonym="Nora")
    actions.record_answers(
        pupil=pupil,
        answers=[{"id": str(uuid.uuid4()), "kind": "world", "world": content.worlds[1].pk}],
    )
    staff = as_user(trainer)
    page = staff.get(
        reverse("orientation_play:facilitator_visit", args=[visit.pk])
    ).content.decode()
    assert visit.code in page and "Nora" not in page
    live = staff.get(reverse("orientation_play:facilitator_live", args=[visit.pk])).content.decode()
    assert 'data-testid="likes-geoterra">1<' in live and "Nora" not in live
    pdf = staff.get(reverse("orientation_play:facilitator_kit", args=[visit.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"


def test_the_facilitator_opens_a_class_from_the_list(
    client: Client, trainer: User, content: Content, as_user
) -> None:
    staff = as_user(trainer)
    url = reverse("orientation_play:facilitator_list")
    assert staff.post(url, {"title": ""}).status_code == 422
    response = staff.post(url, {"title": "5e A", "grade": "P5"})
    visit = ClassVisit.objects.get()
    assert response["Location"] == reverse("orientation_play:facilitator_visit", args=[visit.pk])
    assert visit.opened_by == trainer


def test_others_cannot_see_a_class(
    client: Client, visit: ClassVisit, learner: User, outsider: User, as_user
) -> None:
    url = reverse("orientation_play:facilitator_visit", args=[visit.pk])
    assert client.get(url).status_code == 302  # to the login page
    assert as_user(learner).get(url).status_code == 403
    assert as_user(outsider).get(url).status_code == 404
    assert (
        as_user(outsider)
        .get(reverse("orientation_play:facilitator_kit", args=[visit.pk]))
        .status_code
        == 404
    )
    too_big = reverse("orientation_play:facilitator_visit", args=["99999999999999999999999"])
    assert as_user(outsider).get(too_big).status_code == 404


def test_the_service_worker_covers_orientation(client: Client) -> None:
    response = client.get(reverse("orientation_play:service_worker"))
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/orientation/"
    assert response["Content-Type"].startswith("application/javascript")
    assert b"precache" in response.content


def test_an_outreach_request_page_links_to_its_class_visits(
    client: Client, org: Organisation, logistics: User, content: Content, as_user
) -> None:
    import datetime as dt

    from parcours.accounts import actions as account_actions
    from parcours.scheduling.actions import outreach, resources
    from parcours.scheduling.models import Resource

    crew = Actor.of(logistics)
    site = account_actions.create_site(organisation=org, name="Dépôt", city="Liège", actor=None)
    unit = resources.create_resource(
        actor=crew, site=site, name="Camion", code="TRUCK", kind=Resource.Kind.MOBILE_UNIT
    )
    activity = outreach.create_outreach_activity(
        actor=crew, unit=unit, slug="energie", title_fr="L'énergie"
    )
    day = timezone.localdate() + dt.timedelta(days=20)
    booked = outreach.request_outreach(
        actor=crew,
        activity=activity,
        first_day=day,
        last_day=day,
        school_name="École des Tilleuls",
        school_city="Herstal",
        pupil_counts={"P6": 20},
    )
    staff = as_user(logistics)  # the unit's crew sees the request and runs the class
    page = staff.get(reverse("scheduling:outreach_detail", args=[booked.pk])).content.decode()
    link = reverse("orientation_play:facilitator_list") + f"?animation={booked.pk}"
    assert link in page
    form = staff.get(link).content.decode()
    assert f'<option value="{booked.pk}" selected>' in form
    visit = actions.open_class_visit(actor=crew, organisation=org, title="6e A", outreach=booked)
    page = staff.get(reverse("scheduling:outreach_detail", args=[booked.pk])).content.decode()
    assert reverse("orientation_play:facilitator_visit", args=[visit.pk]) in page


def test_a_coordinator_writes_and_removes_game_questions_and_quiz_statements(
    client: Client,
    org: Organisation,
    coordinator: User,
    trainer: User,
    outsider: User,
    content: Content,
    as_user,
) -> None:
    url = reverse("orientation_play:games_manage")
    assert as_user(trainer).get(url).status_code == 403
    staff = as_user(coordinator)
    world = content.worlds[1]
    missing = staff.post(
        url, {"item-world": world.pk, "item-kind": "tool", "item-prompt_fr": "Q ?"}
    )
    assert missing.status_code == 422
    added = staff.post(
        url,
        {
            "item-world": world.pk,
            "item-kind": "tool",
            "item-prompt_fr": "Avec quoi lit-on une carte ?",
            "item-answer_fr": "Une boussole",
            "item-wrong_1_fr": "Un fouet",
        },
    )
    assert added.status_code == 302
    item = GameItem.objects.get(prompt_fr="Avec quoi lit-on une carte ?")
    assert item.world == world and item.wrong_answers == ["Un fouet"]
    assert (
        staff.post(url, {"quiz-world": world.pk, "quiz-text_fr": "J'aime les cartes."}).status_code
        == 302
    )
    statement = QuizStatement.objects.get(text_fr="J'aime les cartes.")
    page = staff.get(url).content.decode()
    assert "Avec quoi lit-on une carte ?" in page and "J&#x27;aime les cartes." in page
    other = as_user(outsider)
    assert (
        other.post(reverse("orientation_play:game_item_delete", args=[item.pk])).status_code == 404
    )
    staff = as_user(coordinator)
    staff.post(reverse("orientation_play:game_item_delete", args=[item.pk]))
    staff.post(reverse("orientation_play:quiz_statement_delete", args=[statement.pk]))
    assert not GameItem.objects.filter(pk=item.pk).exists()
    assert not QuizStatement.objects.filter(pk=statement.pk).exists()


def test_the_explorer_leads_to_the_quiz_and_to_each_world_s_game(client, org, world) -> None:
    """A pupil finds the games and the quiz from the worlds they explore, not by address."""
    from parcours.orientation.class_models import GameItem, QuizStatement

    worlds_url = reverse("orientation:worlds", args=[org.slug])
    world_url = reverse("orientation:world", args=[org.slug, world.slug])
    quiz_url = reverse("orientation_play:quiz", args=[org.slug])
    game_url = reverse("orientation_play:game", args=[org.slug, world.slug])
    assert quiz_url not in client.get(worlds_url).content.decode()
    assert game_url not in client.get(world_url).content.decode()
    QuizStatement.objects.create(world=world, text_fr="J'aime démonter des objets")
    GameItem.objects.create(
        world=world, prompt_fr="Quel outil ?", answer_fr="Un multimètre", wrong_1_fr="Un marteau"
    )
    assert quiz_url in client.get(worlds_url).content.decode()
    assert game_url in client.get(world_url).content.decode()
