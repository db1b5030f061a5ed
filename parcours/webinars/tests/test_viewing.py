"""Viewing statistics from the video platform: read, previewed, imported once per replay and
day (a second import replaces, never adds), other tenants' replays out of reach."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from html import unescape

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.webinars import actions
from parcours.webinars.figures import webinar_counts
from parcours.webinars.models import Replay, ReplayView
from parcours.webinars.viewing import read_views

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)
CSV = (
    "Date;Video title;Views;Watch time (hours)\n"
    "2026-03-01;Classe inversée;120;12,5\n"
    "2026-03-01;Classe inversée;3;0,5\n"
    "2026-03-02;https://videos.example.test/jeux;40;4\n"
    "2026-03-02;Vidéo inconnue;9;1\n"
    "demain;Classe inversée;1;1\n"
).encode()


def test_read_views_sums_rows_and_says_what_it_ignores() -> None:
    from parcours.lib.tables import csv_table

    replays = {"classe inversee": 1, "https://videos.example.test/jeux": 2}
    read = read_views(csv_table(CSV.decode(), max_columns=40), replays=replays, today=TODAY)
    assert not read.error
    assert read.totals() == {(1, dt.date(2026, 3, 1)): 46800, (2, dt.date(2026, 3, 2)): 14400}
    assert [d.line for d in read.dropped] == [5, 6]


def _replays(org: Organisation, coordinator: User) -> list[Replay]:
    actor = Actor.of(coordinator)
    return [
        actions.save_replay(
            actor=actor,
            organisation=org,
            data=actions.ReplayData(title=title, video_url=url),
        )
        for title, url in (
            ("Classe inversée", "https://videos.example.test/inversee"),
            ("Jeux sérieux", "https://videos.example.test/jeux"),
        )
    ]


def test_import_twice_replaces_and_feeds_the_figures(
    org: Organisation, coordinator: User, outsider: User
) -> None:
    _replays(org, coordinator)
    actor = Actor.of(coordinator)
    read = actions.preview_viewing(
        actor=actor, organisation=org, filename="yt.csv", content=CSV, provider="youtube"
    )
    totals = [(r, d, s) for (r, d), s in read.totals().items()]
    for _ in range(2):
        actions.import_viewing(
            actor=actor, organisation=org, totals=totals, provider="youtube", mapping=read.mapping()
        )
    assert ReplayView.objects.count() == 2
    counts = webinar_counts([org.pk], dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert str(counts["replay_hours"]) == "17.0"
    with pytest.raises(PermissionDenied):
        actions.import_viewing(
            actor=Actor.of(outsider),
            organisation=org,
            totals=totals,
            provider="youtube",
            mapping={},
        )


def test_viewing_import_page_previews_then_confirms(
    as_user: Callable[[User], Client], org: Organisation, coordinator: User
) -> None:
    _replays(org, coordinator)
    c = as_user(coordinator)
    url = reverse("webinars:viewing_import")
    response = c.post(
        url, {"provider": "youtube", "file": SimpleUploadedFile("yt.csv", CSV, "text/csv")}
    )
    html = unescape(response.content.decode())
    assert response.status_code == 200 and "vidéo inconnue dans la bibliothèque" in html
    assert not ReplayView.objects.exists()
    done = c.post(url, {"confirmer": "1"}, follow=True)
    assert "Statistiques importées : 2 lignes" in unescape(done.content.decode())
    assert ReplayView.objects.count() == 2
