from __future__ import annotations

from django.urls import reverse

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.catalogue.models import Module
from parcours.integrations.models import (
    MoodleCourseLink,
    MoodleSite,
    MoodleSyncRun,
    MoodleUserLink,
)
from parcours.integrations.moodle.tests.conftest import COURSE, verified
from parcours.integrations.moodle.tests.fake_moodle import FakeMoodle, completion, user

HOME = "/integrations/moodle/"


def test_an_administrator_registers_a_site_and_never_sees_its_token_again(
    moodle: FakeMoodle, admin: User, as_user
) -> None:
    client = as_user(admin)
    response = client.post(
        "/integrations/moodle/sites/nouveau/",
        {"name": "Moodle-Technosphère", "base_url": moodle.url + "/", "token": moodle.token},
    )
    assert response.status_code == 302
    site = MoodleSite.objects.get()
    assert site.base_url == moodle.url
    assert moodle.token not in site.token_sealed
    page = client.get(HOME).content.decode()
    assert "Moodle-Technosphère" in page
    edit = client.get(f"/integrations/moodle/sites/{site.pk}/").content.decode()
    assert moodle.token not in page and moodle.token not in edit
    # Editing without a token keeps the stored one.
    client.post(
        f"/integrations/moodle/sites/{site.pk}/",
        {"name": "Technosphère", "base_url": moodle.url, "token": ""},
    )
    site.refresh_from_db()
    assert site.name == "Technosphère" and site.has_token


def test_bad_site_input_fails_in_place(admin: User, as_user) -> None:
    response = as_user(admin).post(
        "/integrations/moodle/sites/nouveau/",
        {"name": "X", "base_url": "ftp://moodle.test?x=1", "token": "pas un jeton !"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Donnez l&#x27;adresse complète du site" in text
    assert "lettres et de chiffres" in text
    assert not MoodleSite.objects.exists()


def test_test_the_connection_shows_the_site_or_a_clear_error(
    moodle: FakeMoodle, site: MoodleSite, admin: User, as_user
) -> None:
    client = as_user(admin)
    page = client.post(f"/integrations/moodle/sites/{site.pk}/tester/", follow=True)
    assert "Connexion réussie : site « Moodle-Technosphère (essai) »" in page.content.decode()
    moodle.token = "9" * 32  # revoked in Moodle
    page = client.post(f"/integrations/moodle/sites/{site.pk}/tester/", follow=True)
    assert "Moodle refuse le jeton du service web" in page.content.decode()
    site.refresh_from_db()
    assert site.last_check_ok is False


def test_sites_are_for_administrators_and_stay_in_their_organisation(
    site: MoodleSite, coordinator: User, trainer: User, other_org: Organisation, as_user
) -> None:
    assert as_user(trainer).get(HOME).status_code == 403
    coordinator_client = as_user(coordinator)
    assert coordinator_client.get(HOME).status_code == 200
    assert coordinator_client.get("/integrations/moodle/sites/nouveau/").status_code == 403
    stranger = make_person(other_org, Role.ADMINISTRATOR, "adm@province.test", "Ad", "Min")
    stranger_client = as_user(stranger)
    assert stranger_client.get(f"/integrations/moodle/sites/{site.pk}/").status_code == 404
    assert (
        stranger_client.post(f"/integrations/moodle/sites/{site.pk}/supprimer/").status_code == 404
    )
    assert (
        stranger_client.get("/integrations/moodle/sites/99999999999999999999/").status_code == 404
    )
    assert MoodleSite.objects.filter(pk=site.pk).exists()


def test_disable_then_delete_a_site(
    site: MoodleSite, link: MoodleCourseLink, admin: User, as_user
) -> None:
    client = as_user(admin)
    client.post(f"/integrations/moodle/sites/{site.pk}/activation/")
    site.refresh_from_db()
    assert not site.is_active
    confirm = client.get(f"/integrations/moodle/sites/{site.pk}/supprimer/").content.decode()
    assert "NUM1" in confirm
    client.post(f"/integrations/moodle/sites/{site.pk}/supprimer/")
    assert not MoodleSite.objects.exists()
    assert not MoodleCourseLink.objects.exists()


def test_the_coordinator_picks_a_course_and_the_module_page_says_so(
    moodle: FakeMoodle, site: MoodleSite, module: Module, coordinator: User, as_user
) -> None:
    moodle.add_course(43, "Classe inversée", "INV")
    client = as_user(coordinator)
    url = reverse("integrations:moodle:module_link", args=[module.pk])
    listing = client.get(url, {"site": site.pk}).content.decode()
    assert "Le numérique en classe" in listing and "Classe inversée" in listing
    refused = client.post(url, {"site": site.pk, "course_id": "99999999999999999999"})
    assert refused.status_code == 422
    assert client.post(url, {"site": site.pk, "course_id": "43"}).status_code == 302
    assert MoodleCourseLink.objects.get(module=module).course_name == "Classe inversée"
    page = client.get(reverse("catalogue:detail", args=[module.organisation.slug, module.code]))
    assert "Ce module se suit comme un cours Moodle : « Classe inversée »" in page.content.decode()


def test_sync_now_then_read_the_log_and_link_an_unmatched_user(
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    coordinator: User,
    learner: User,
    org: Organisation,
    as_user,
    django_capture_on_commit_callbacks,
) -> None:
    verified(learner)
    moodle.enrolled[COURSE] = [
        user(11, "Chloé", "Renard", "chloe.renard@ecole.test"),
        user(12, "Zoé", "Extérieure", ""),
    ]
    moodle.statuses[(COURSE, 11)] = completion(True, 1775000000)
    client = as_user(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/integrations/moodle/synchroniser/").status_code == 302
    run = MoodleSyncRun.objects.get()
    assert run.started_by == coordinator
    log = client.get(f"/integrations/moodle/journal/{run.pk}/").content.decode()
    assert "chloe.renard@ecole.test" in log
    assert "Aucune personne avec cette adresse e-mail vérifiée" in log
    assert "Moodle ne communique pas son adresse e-mail" in log
    page = client.post(
        "/integrations/moodle/utilisateurs/lier/",
        {"run": run.pk, "site": link.site_id, "moodle_user_id": 11, "email": learner.email},
        follow=True,
    )
    assert "est lié à Chloé Renard" in page.content.decode()
    assert MoodleUserLink.objects.filter(person=learner, moodle_user_id=11).exists()


def test_an_error_reads_clearly_in_the_log(
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    coordinator: User,
    as_user,
    django_capture_on_commit_callbacks,
) -> None:
    moodle.token = "0" * 32
    client = as_user(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/integrations/moodle/synchroniser/")
    run = MoodleSyncRun.objects.get()
    log = client.get(f"/integrations/moodle/journal/{run.pk}/").content.decode()
    assert "Moodle refuse le jeton du service web" in log
    assert run.status == MoodleSyncRun.Status.ERRORS


def test_the_integrations_index_shows_the_moodle_card(
    site: MoodleSite, link: MoodleCourseLink, admin: User, as_user
) -> None:
    page = as_user(admin).get("/integrations/").content.decode()
    assert "Achèvements Moodle" in page
    assert "1 site(s) actif(s), 1 module(s) lié(s)" in page


def test_the_moodle_page_and_a_log_read_a_bounded_number_of_rows(
    moodle: FakeMoodle,
    link: MoodleCourseLink,
    coordinator: User,
    org: Organisation,
    as_user,
    django_assert_max_num_queries,
) -> None:
    from parcours.integrations.moodle import actions

    moodle.enrolled[COURSE] = [user(100 + i, "P", f"{i}", f"p{i}@x.test") for i in range(30)]
    runs = [actions.sync(org) for _ in range(6)]
    client = as_user(coordinator)
    with django_assert_max_num_queries(12):
        assert client.get(HOME).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(f"/integrations/moodle/journal/{runs[-1].pk}/")
    assert page.content.decode().count("Aucune personne avec cette adresse") == 30


def test_editing_a_site_reports_every_problem_at_once(
    site: MoodleSite, admin: User, as_user
) -> None:
    response = as_user(admin).post(
        f"/integrations/moodle/sites/{site.pk}/",
        {"name": "Autre nom", "base_url": "moodle.test", "token": "pas-un-jeton"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    for message in ("adresse complète", "lettres et de chiffres"):
        assert message in text
    site.refresh_from_db()
    assert site.name == "Moodle-Technosphère"
