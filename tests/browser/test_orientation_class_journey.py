"""Orientation journeys (issue #12, part B): a child plays a world's game and takes the interest
quiz on a tablet; a facilitator runs a class whose pupils join by code on their own tablets while
the facilitator's screen updates; a pupil's tablet loses the network after a first visit, keeps
playing, and the answers arrive exactly once when the network comes back."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from playwright.sync_api import Page, Route, expect

from conftest import PASSWORD
from parcours.accounts.models import Organisation, User
from parcours.orientation.class_models import ClassAnswer, ClassVisit
from parcours.orientation.games import questions
from parcours.orientation.tests.class_helpers import make_content
from tests.browser import login

TABLET = {"viewport": {"width": 820, "height": 1180}, "is_mobile": True, "has_touch": True}


def test_a_child_plays_a_game_and_takes_the_quiz(
    new_page: Callable[..., Page], live_url: str, org: Organisation
) -> None:
    content = make_content(org)
    world = content.worlds[0]
    page = new_page(**TABLET)
    page.goto(f"{live_url}/orientation/{org.slug}/jeu/{world.slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Mécanosphère")
    question = questions(world)[0]
    right = next(c.text for c in question.choices if c.correct)
    group = page.get_by_role("group", name=re.compile("Quel outil pour Mécanosphère"))
    group.get_by_label(right).check()
    expect(group.locator("[data-feedback]")).to_have_text(re.compile(r"^Bravo, c.est juste !$"))
    expect(page.locator("[data-game-score]")).to_have_text("Ton score : 1 / 1")

    # After this first visit with the network, the explorer and its job sheets work offline.
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    page.context.set_offline(True)
    page.goto(f"{live_url}/orientation/{org.slug}/{content.worlds[2].slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Atominatis")
    page.goto(f"{live_url}/orientation/{org.slug}/metier/{content.sheets[1].slug}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Métier de Géoterra")
    page.context.set_offline(False)

    page.goto(f"{live_url}/orientation/{org.slug}/quiz/")
    for statement in content.statements:
        answer = "Oui !" if statement.world_id == content.worlds[1].pk else "Pas pour moi"
        page.get_by_role("group", name=statement.text_fr).get_by_label(answer).check()
    page.get_by_role("button", name="Voir mes mondes").click()
    expect(page.get_by_role("heading", level=1, name="Tes mondes")).to_be_visible()
    expect(page.get_by_role("link", name="Géoterra", exact=True)).to_be_visible()
    code = page.get_by_test_id("quiz-code").inner_text()

    other = new_page(**TABLET)  # later, on another tablet: the code brings the result back
    other.goto(f"{live_url}/orientation/{org.slug}/quiz/")
    other.get_by_label("Code du résultat (6 caractères)").fill(code.lower())
    other.get_by_role("button", name="Ouvrir").click()
    expect(other.get_by_test_id("quiz-code")).to_have_text(code)
    expect(other.get_by_role("link", name="Géoterra", exact=True)).to_be_visible()


def _join(page: Page, live_url: str, code: str, name: str) -> None:
    page.goto(f"{live_url}/orientation/classe/")
    page.get_by_label("Code de la classe").fill(code)
    page.get_by_label("Ton prénom ou un pseudo").fill(name)
    page.get_by_role("button", name="C'est parti !").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Bonjour {name} !")


def test_a_class_joins_by_code_while_the_facilitator_watches(
    new_page: Callable[..., Page], live_url: str, org: Organisation, trainer: User
) -> None:
    make_content(org)
    facilitator = new_page()
    login(facilitator, live_url, trainer.email, PASSWORD)
    facilitator.goto(f"{live_url}/orientation/animateur/")
    facilitator.get_by_label("Classe", exact=True).fill("6e B")
    facilitator.get_by_role("button", name="Ouvrir et afficher le code").click()
    code = facilitator.get_by_test_id("class-code").inner_text()
    expect(facilitator.get_by_test_id("participants")).to_have_text("0")

    pupils = [new_page(**TABLET) for _ in range(3)]
    for pupil, name in zip(pupils, ("Nora", "Sami", "Lou"), strict=True):
        _join(pupil, live_url, code, name)
    for pupil in pupils[:2]:
        like = pupil.get_by_role("button", name="J'aime").nth(1)  # Géoterra
        like.click()
        expect(like).to_have_attribute("aria-pressed", "true")
    pupils[2].get_by_role("link", name="Métier de Mécanosphère").click()
    expect(pupils[2].get_by_role("heading", level=1)).to_have_text("Métier de Mécanosphère")

    # The facilitator's screen polls: the counts arrive without a reload, never the names.
    expect(facilitator.get_by_test_id("participants")).to_have_text("3", timeout=15_000)
    expect(facilitator.get_by_test_id("likes-geoterra")).to_have_text("2", timeout=15_000)
    expect(facilitator.locator("#class-live")).to_contain_text("Métier de Mécanosphère")
    expect(facilitator.locator("#class-live")).not_to_contain_text("Nora")

    facilitator.get_by_role("button", name="Terminer la visite").click()
    late = new_page(**TABLET)
    late.goto(f"{live_url}/orientation/classe/")
    late.get_by_label("Code de la classe").fill(code)
    late.get_by_label("Ton prénom ou un pseudo").fill("Max")
    late.get_by_role("button", name="C'est parti !").click()
    expect(late.get_by_role("alert")).to_contain_text("aucune classe en cours")


def test_offline_play_arrives_once_when_the_network_returns(
    new_page: Callable[..., Page], live_url: str, org: Organisation, trainer: User
) -> None:
    content = make_content(org)
    facilitator = new_page()
    login(facilitator, live_url, trainer.email, PASSWORD)
    facilitator.goto(f"{live_url}/orientation/animateur/")
    facilitator.get_by_label("Classe", exact=True).fill("6e C")
    facilitator.get_by_role("button", name="Ouvrir et afficher le code").click()
    code = facilitator.get_by_test_id("class-code").inner_text()
    visit = ClassVisit.objects.get(code=code)

    pupil = new_page(**TABLET)
    _join(pupil, live_url, code, "Nora")
    # First visit with the network: the offline worker keeps the class's pages.
    expect(pupil.locator("html")).to_have_attribute("data-offline-ready", "true", timeout=15_000)
    home = pupil.url

    pupil.context.set_offline(True)
    # Chromium tells the page it is offline a moment later: a click before that would still
    # try the network (and the answer could arrive at once, which is not what this tests).
    pupil.wait_for_function("() => navigator.onLine === false")
    pupil.get_by_role("button", name="J'aime").first.click()
    pupil.get_by_role("link", name="Jouer : Géoterra").click()  # served by the worker
    expect(pupil.get_by_role("heading", level=1)).to_have_text("Le jeu de Géoterra")
    world = content.worlds[1]
    right = next(c.text for c in questions(world)[0].choices if c.correct)
    pupil.get_by_label(right).check()
    expect(pupil.locator("[data-game-score]")).to_have_text("Ton score : 1 / 1")
    expect(pupil.locator("[data-orientation-status]")).to_have_attribute("data-count", "2")
    assert not ClassAnswer.objects.filter(visit=visit).exists()

    # The first acknowledgement is lost on the way back: the tablet sends again, and the
    # server keeps each answer once.
    lost: list[str] = []

    def drop_first_reply(route: Route) -> None:
        if not lost:
            route.fetch()  # the server gets it and stores the answers…
            lost.append(route.request.url)
            route.abort()  # …but the tablet never hears back
        else:
            route.continue_()

    pupil.route("**/orientation/classe/reponses/", drop_first_reply)
    pupil.context.set_offline(False)
    pupil.goto(home)
    expect(pupil.locator("[data-orientation-status]")).to_have_attribute(
        "data-count", "0", timeout=20_000
    )
    assert lost, "the first reply should have been dropped"
    time.sleep(1)
    answers = ClassAnswer.objects.filter(visit=visit)
    assert sorted(answers.values_list("kind", flat=True)) == ["game", "world"]
    expect(facilitator.get_by_test_id(f"likes-{world.slug}")).to_have_text("0")
    expect(facilitator.get_by_test_id(f"likes-{content.worlds[0].slug}")).to_have_text(
        "1", timeout=15_000
    )
