"""The network view: a funder reads the summed figures of the network's organisations, and
nothing else."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.reporting import actions
from parcours.reporting.tests.data import YEAR, trained_year

pytestmark = pytest.mark.django_db

AsUser = Callable[[User], Client]


def test_a_funder_reads_the_network_s_summed_figures(
    as_user: AsUser, org: Organisation, other_org: Organisation, coordinator: User
) -> None:
    trained_year(org, coordinator)
    funder = make_person(other_org, Role.LEARNER, "fwb@exemple.test", "Fanny", "Bailleur")
    network = actions.create_network(
        actor=None, name="Centres de compétence", organisations=[org, other_org], members=[funder]
    )
    client = as_user(funder)
    assert f'href="/rapports/reseaux/{network.pk}/"' in client.get("/compte/").content.decode()
    page = client.get(f"/rapports/reseaux/{network.pk}/", {"kind": "year", "year": str(YEAR)})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Centres de compétence" in html and "Province de Hainaut" in html
    people = html.split('data-figure="training.people"')[1].split("</li>")[0]
    assert '<span class="key-value">3</span>' in people
    assert 'href="/sessions/gestion/"' not in html  # the members' lists are not theirs
    # The funder reads no organisation's own reports.
    assert client.get("/rapports/").status_code == 403


def test_a_network_one_does_not_read_is_not_found(
    as_user: AsUser, org: Organisation, coordinator: User
) -> None:
    network = actions.create_network(actor=None, name="Réseau des centres", organisations=[org])
    client = as_user(coordinator)
    assert client.get(f"/rapports/reseaux/{network.pk}/").status_code == 404
    assert "Réseau des centres" not in client.get("/rapports/reseaux/").content.decode()


def test_a_bad_period_on_the_network_page_is_a_400(as_user: AsUser, org: Organisation) -> None:
    funder = make_person(org, Role.LEARNER, "fwb@exemple.test", "Fanny", "Bailleur")
    network = actions.create_network(
        actor=None, name="Réseau", organisations=[org], members=[funder]
    )
    response = as_user(funder).get(
        f"/rapports/reseaux/{network.pk}/", {"kind": "range", "first": "2025-02-01"}
    )
    assert response.status_code == 400
