"""Issue #10: the organisation administers its own sites and their rooms and resources — its
administrators and its logistics team, on pages (not the Django admin): sites with their
address, opening hours, lobby Wi-Fi and welcome text; rooms and resources with capacity,
equipment and accessibility, deactivated when out of service. Another organisation's
administrator finds none of it (404); other roles are refused (403)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conftest import make_person
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.scheduling.models import OpeningHours, Resource, SitePolicy


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Lambert")


@pytest.fixture
def other_admin(other_org: Organisation) -> User:
    return make_person(other_org, Role.ADMINISTRATOR, "admin@province.test", "Otto", "Maes")


def site_data(**extra: str) -> dict[str, str]:
    return {
        "name": "Espace Namur",
        "street": "Rue de Fer 12",
        "postcode": "5000",
        "city": "Namur",
        "access_notes": "Gare à 5 minutes à pied.",
        **extra,
    }


@pytest.mark.parametrize("who", ["admin", "logistics"])
def test_an_administrator_or_logistics_sets_up_a_site_and_its_rooms(
    as_user, request, who: str, features
) -> None:
    user: User = request.getfixturevalue(who)
    client = as_user(user)
    assert client.get(reverse("scheduling:manage")).status_code == 200
    created = client.post(reverse("scheduling:site_create"), site_data())
    site = Site.objects.get(name="Espace Namur")
    assert created["Location"] == reverse("scheduling:site_settings", args=[site.pk])
    assert (site.street, site.postcode, site.city) == ("Rue de Fer 12", "5000", "Namur")
    # Opening hours, Wi-Fi and the welcome text of the lobby screen.
    hours = {f"opens_{d}": "08:30" for d in range(5)} | {f"closes_{d}": "17:00" for d in range(5)}
    client.post(reverse("scheduling:site_settings", args=[site.pk]), {"form": "hours", **hours})
    assert OpeningHours.objects.filter(site=site).count() == 5
    client.post(
        reverse("scheduling:site_settings", args=[site.pk]),
        {
            "form": "policy",
            "catering_cutoff_days": "1",
            "catering_cutoff_time": "10:00",
            "wifi_name": "Namur-Invites",
            "wifi_password": "Bienvenue",
            "lobby_message": "Bienvenue à Namur !",
        },
    )
    policy = SitePolicy.objects.get(site=site)
    assert (policy.wifi_name, policy.lobby_message) == ("Namur-Invites", "Bienvenue à Namur !")
    # A room with its capacity, equipment and accessibility; then out of service.
    room = {
        "site": site.pk,
        "kind": "room",
        "name": "Salle Sambre",
        "code": "NA-SAMBRE",
        "capacity": "16",
        "features": [features["projector"].pk],
        "accessible": "on",
        "setup_minutes": "0",
        "cleanup_minutes": "15",
        "is_active": "on",
    }
    assert client.post(reverse("scheduling:resource_create"), room).status_code == 302
    sambre = Resource.objects.get(code="NA-SAMBRE")
    assert sambre.capacity == 16 and sambre.accessible
    assert [f.slug for f in sambre.features.all()] == ["projector"]
    client.post(reverse("scheduling:resource_edit", args=[sambre.pk]), {**room, "is_active": ""})
    sambre.refresh_from_db()
    assert not sambre.is_active
    # The address can be corrected; the page lists it.
    client.post(reverse("scheduling:site_edit", args=[site.pk]), site_data(street="Rue de Fer 14"))
    site.refresh_from_db()
    assert site.street == "Rue de Fer 14"
    page = client.get(reverse("scheduling:manage")).content.decode()
    assert "Rue de Fer 14" in page and "Salle Sambre" in page and "hors service" in page


def test_a_site_needs_a_name_and_a_city_and_names_are_unique(
    as_user, admin: User, liege: Site
) -> None:
    client = as_user(admin)
    missing = client.post(reverse("scheduling:site_create"), site_data(name="", city=""))
    assert missing.status_code == 400
    assert set(missing.context["form"].errors) >= {"name", "city"}
    twice = client.post(reverse("scheduling:site_create"), site_data(name=liege.name))
    assert twice.status_code == 400
    assert "déjà un site de ce nom" in twice.content.decode()
    assert Site.objects.filter(name=liege.name).count() == 1


def test_other_roles_are_refused_and_other_organisations_see_nothing(
    as_user, coordinator: User, other_admin: User, liege: Site, room: Resource
) -> None:
    client = as_user(coordinator)
    for url in (reverse("scheduling:manage"), reverse("scheduling:site_create")):
        assert client.get(url).status_code == 403
    assert client.post(reverse("scheduling:site_create"), site_data()).status_code == 403
    client = as_user(other_admin)
    for url in (
        reverse("scheduling:site_edit", args=[liege.pk]),
        reverse("scheduling:site_settings", args=[liege.pk]),
        reverse("scheduling:resource_edit", args=[room.pk]),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, site_data(name="Pris")).status_code == 404, url
    liege.refresh_from_db()
    assert liege.name != "Pris"
    assert "Salle Meuse" not in client.get(reverse("scheduling:manage")).content.decode()
