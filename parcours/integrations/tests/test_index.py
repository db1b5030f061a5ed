from __future__ import annotations

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.integrations import panels


def test_the_administrator_sees_the_integrations_page_and_its_cards(
    org: Organisation, as_user
) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@example.org", "Ada", "Admin")
    panels.register(
        panels.Panel(
            key="test-card",
            title="Carte essai",
            description="Une intégration d'essai.",
            url_name="integrations:index",
            summary=lambda organisation: f"Résumé pour {organisation.name}",
        )
    )
    try:
        response = as_user(admin).get("/integrations/")
    finally:
        panels._PANELS.pop("test-card")
    assert response.status_code == 200
    assert "Carte essai" in response.content.decode()
    assert f"Résumé pour {org.name}" in response.content.decode()


def test_other_staff_are_refused(trainer: User, coordinator: User, as_user) -> None:
    assert as_user(trainer).get("/integrations/").status_code == 403
    assert as_user(coordinator).get("/integrations/").status_code == 403
