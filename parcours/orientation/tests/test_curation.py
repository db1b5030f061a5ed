"""Curating worlds, job sheets and study routes: rights, isolation, validation, images."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.orientation import actions
from parcours.orientation.models import JobSheet, StudyRoute, World


def png(width: int, height: int) -> SimpleUploadedFile:
    out = BytesIO()
    Image.new("RGB", (width, height), "#336699").save(out, format="PNG")
    return SimpleUploadedFile("monde.png", out.getvalue(), content_type="image/png")


def test_a_trainer_cannot_curate(org: Organisation, trainer: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_world(actor=Actor.of(trainer), organisation=org, data={"name_fr": "X"})
    assert not World.objects.exists()


def test_slug_colour_and_required_name_are_checked(
    org: Organisation, coordinator: User, world: World
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.save_world(
            actor=Actor.of(coordinator),
            organisation=org,
            data={"name_fr": "", "slug": world.slug, "colour": "orange"},
        )
    assert set(error.value.message_dict) >= {"name_fr", "slug", "colour"}
    assert World.objects.count() == 1


def test_a_world_cannot_take_the_address_of_the_quiz(
    client: Client, org: Organisation, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.save_world(actor=Actor.of(coordinator), organisation=org, data={"name_fr": "Quiz"})
    assert "slug" in error.value.message_dict
    assert not World.objects.exists()


def test_an_image_is_checked_by_content_and_resized(org: Organisation, coordinator: User) -> None:
    fake = SimpleUploadedFile("photo.png", b"<script>alert(1)</script>", content_type="image/png")
    with pytest.raises(ValidationError, match="image lisible"):
        actions.save_world(
            actor=Actor.of(coordinator),
            organisation=org,
            data={"name_fr": "Géoterra"},
            illustration=fake,
        )
    assert not World.objects.exists()
    saved = actions.save_world(
        actor=Actor.of(coordinator),
        organisation=org,
        data={"name_fr": "Géoterra"},
        illustration=png(2400, 1200),
    )
    with Image.open(saved.illustration.path) as stored:
        assert stored.format == "WEBP"
        assert stored.size == (960, 480)
    saved.illustration.delete(save=False)


def test_links_to_another_organisations_module_are_refused(
    org: Organisation, other_org: Organisation, coordinator: User, world: World
) -> None:
    foreign = Module.objects.create(
        organisation=other_org, code="X1", title_fr="Ailleurs", duration_hours=3
    )
    with pytest.raises(ValidationError) as error:
        actions.save_job_sheet(
            actor=Actor.of(coordinator),
            organisation=org,
            data={"world": world.pk, "title_fr": "Domoticien"},
            links=actions.SheetLinks(module_ids=[foreign.pk]),
        )
    assert "modules" in error.value.message_dict
    assert not JobSheet.objects.exists()


def test_a_world_with_sheets_cannot_be_deleted(
    coordinator: User, world: World, sheet: JobSheet
) -> None:
    with pytest.raises(ValidationError, match="fiches métier"):
        actions.delete_world(actor=Actor.of(coordinator), world=world)
    actions.delete_job_sheet(actor=Actor.of(coordinator), sheet=sheet)
    actions.delete_world(actor=Actor.of(coordinator), world=world)
    assert not World.objects.exists()


def test_routes_are_added_and_removed(coordinator: User, sheet: JobSheet) -> None:
    route = actions.save_route(
        actor=Actor.of(coordinator),
        sheet=sheet,
        data={
            "kind": StudyRoute.Kind.SECONDARY,
            "title_fr": "Électricien automaticien (7e P)",
            "url": "https://www.enseignement.be/",
        },
    )
    assert [r.title for r in sheet.routes.all()] == ["Électricien automaticien (7e P)"]
    with pytest.raises(ValidationError):
        actions.save_route(
            actor=Actor.of(coordinator), sheet=sheet, data={"title_fr": "X", "url": "pas un lien"}
        )
    actions.delete_route(actor=Actor.of(coordinator), route=route)
    assert not sheet.routes.exists()


# --- Pages -----------------------------------------------------------------------------------


def test_coordinator_creates_a_world_and_errors_stay_in_place(
    as_user, coordinator: User, org: Organisation
) -> None:
    client: Client = as_user(coordinator)
    url = reverse("orientation:world_create")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name_fr": "", "colour": "#123456", "order": 0})
    assert bad.status_code == 400
    assert "Corrigez les erreurs" in bad.content.decode()
    good = client.post(
        url,
        {
            "name_fr": "Mécanosphère",
            "colour": "#c0392b",
            "order": 2,
            "is_published": "on",
            "illustration_file": png(100, 50),
        },
    )
    created = World.objects.get(organisation=org)
    assert good.status_code == 302
    assert created.slug == "mecanosphere"
    assert created.illustration
    created.illustration.delete(save=False)


def test_another_organisations_world_is_a_404(
    as_user, outsider: User, world: World, trainer: User
) -> None:
    client: Client = as_user(outsider)
    assert client.get(reverse("orientation:world_edit", args=[world.pk])).status_code == 404
    assert client.post(reverse("orientation:world_delete", args=[world.pk])).status_code == 404
    assert client.get(f"/orientation/gestion/mondes/{2**64}/").status_code == 404
    trainer_client = Client()
    trainer_client.force_login(trainer)
    assert trainer_client.get(reverse("orientation:manage")).status_code == 403


def test_a_sheet_form_links_an_esco_occupation(
    as_user, coordinator: User, world: World, electrician, module: Module
) -> None:
    client: Client = as_user(coordinator)
    picker = client.get(reverse("orientation:occupations"), {"q": "electricien", "choisir": "1"})
    assert f'value="{electrician.pk}"' in picker.content.decode()
    response = client.post(
        reverse("orientation:sheet_create"),
        {
            "world": world.pk,
            "title_fr": "Électricien",
            "order": 1,
            "occupation": electrician.pk,
            "modules": [module.pk],
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    sheet = JobSheet.objects.get()
    assert sheet.occupation == electrician
    assert list(sheet.modules.all()) == [module]
    routes = client.post(
        reverse("orientation:route_add", args=[sheet.pk]),
        {"route-kind": "higher", "route-title_fr": "", "route-url": ""},
        HTTP_HX_REQUEST="true",
    )
    assert "errorlist" in routes.content.decode()  # the form fails in place
    assert not sheet.routes.exists()


def test_curators_find_the_management_page_from_the_explorer(
    as_user, coordinator: User, trainer: User, org: Organisation, world: World
) -> None:
    url = reverse("orientation:worlds", args=[org.slug])
    assert reverse("orientation:manage") in as_user(coordinator).get(url).content.decode()
    trainer_client = Client()
    trainer_client.force_login(trainer)
    assert reverse("orientation:manage") not in trainer_client.get(url).content.decode()
    assert reverse("orientation:manage") not in Client().get(url).content.decode()
