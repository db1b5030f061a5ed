"""Event pages as people use them: the public programme and registration, the confirmation
link, the ticket, the door, the staff page and the workshop file."""

from __future__ import annotations

import datetime as dt
import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.enrolment.models import Enrolment
from parcours.events import actions
from parcours.events.models import Event, Registration, Track, Workshop


def programme_url(event: Event) -> str:
    return reverse("events:programme", args=[event.organisation.slug, event.slug])


def test_public_programme_is_a_time_by_track_grid(
    client: Client, event: Event, workshops: list[Workshop]
) -> None:
    page = client.get(programme_url(event))
    html = page.content.decode()
    assert page.status_code == 200
    assert '<th scope="col">Salle A</th>' in html
    assert "Rédiger son CV" in html and "2 places" in html
    filtered = client.get(programme_url(event), {"piste": str(workshops[1].track_id)})
    assert "Rédiger son CV" not in filtered.content.decode()
    assert "Préparer un entretien" in filtered.content.decode()
    event.is_public = False
    event.save()
    assert client.get(programme_url(event)).status_code == 404


def test_visitor_registers_without_an_account_then_confirms(
    client: Client, event: Event, workshops: list[Workshop], django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            programme_url(event),
            {
                "atelier": [str(workshops[0].session_id), str(workshops[2].session_id)],
                "first_name": "Nora",
                "last_name": "Lemaire",
                "email": "nora@example.test",
            },
        )
    assert page.status_code == 200
    assert "Vérifiez votre boîte e-mail" in page.content.decode()
    link = re.search(r"http://[^\s]+/evenements/confirmer/[\w-]+/", str(mail.outbox[-1].body))
    assert link
    path = (
        link.group(0).split("testserver", 1)[-1]
        if "testserver" in link.group(0)
        else "/" + link.group(0).split("/", 3)[3]
    )
    assert "Je confirme" in client.get(path).content.decode()
    ticket = client.post(path, follow=True)
    html = ticket.content.decode()
    assert "Confirmé : Rédiger son CV, Soigner son profil LinkedIn" in html
    assert 'src="data:image/svg+xml;base64,' in html
    registration = Registration.objects.get()
    assert registration.ticket_code in html
    assert client.get(path).status_code == 404  # single use


def test_overlapping_choice_fails_in_place(
    client: Client, event: Event, workshops: list[Workshop]
) -> None:
    page = client.post(
        programme_url(event),
        {
            "atelier": [str(workshops[0].session_id), str(workshops[1].session_id)],
            "first_name": "Nora",
            "last_name": "Lemaire",
            "email": "nora@example.test",
        },
    )
    assert page.status_code == 409
    assert "ont lieu en même temps" in page.content.decode()
    assert "checked" in page.content.decode()
    assert not Registration.objects.exists()


def test_signed_in_learner_registers_directly(
    as_user, learner: User, event: Event, workshops: list[Workshop]
) -> None:
    client = as_user(learner)
    page = client.post(
        programme_url(event), {"atelier": [str(workshops[2].session_id)]}, follow=True
    )
    assert "Confirmé : Soigner son profil LinkedIn" in page.content.decode()
    assert Enrolment.objects.filter(learner=learner).count() == 1
    # Back on the programme, their own ticket (where they cancel) is one link away.
    again = client.get(programme_url(event)).content.decode()
    link = re.search(r'href="(/evenements/billet/[^"]+/)" data-testid="my-ticket"', again)
    assert link
    assert "Soigner son profil LinkedIn" in client.get(link.group(1)).content.decode()


def test_garbage_ids_are_a_4xx(client: Client, event: Event, workshops: list[Workshop]) -> None:
    page = client.post(
        programme_url(event),
        {
            "atelier": ["99999999999999999999", "-1", "x"],
            "first_name": "A",
            "last_name": "B",
            "email": "a@example.test",
        },
    )
    assert page.status_code == 422
    assert "Choisissez au moins un atelier" in page.content.decode()
    assert client.get(reverse("events:ticket", args=["nope"])).status_code == 404
    assert client.get(reverse("events:confirm", args=["nope"])).status_code == 404


def test_door_staff_check_in_by_code(
    as_user, coordinator: User, learner: User, event: Event, workshops: list[Workshop]
) -> None:
    registration = actions.register(
        actor=Actor.of(learner), event=event, session_ids=[workshops[0].session_id]
    ).registration
    client = as_user(coordinator)
    url = reverse("events:checkin", args=[event.pk])
    assert client.get(url, {"atelier": workshops[0].pk}).status_code == 200
    # Far ahead of the workshop (10 days): refused with a clear message, not a 500.
    page = client.post(url, {"workshop": workshops[0].pk, "code": registration.ticket_code})
    assert page.status_code == 409
    assert "pas encore commencé" in page.content.decode()
    found = client.get(url, {"atelier": workshops[0].pk, "q": "Chlo"})
    assert registration.ticket_code in found.content.decode()


def test_staff_pages_are_scoped_to_the_organisation(
    as_user, outsider: User, learner: User, event: Event
) -> None:
    for user in (outsider, learner):
        client = as_user(user)
        for name in ("detail", "checkin", "export", "workshops_new"):
            assert client.get(reverse(f"events:{name}", args=[event.pk])).status_code in (403, 404)


def test_staff_page_figures_and_export(
    as_user, coordinator: User, learner: User, event: Event, workshops: list[Workshop]
) -> None:
    actions.register(actor=Actor.of(learner), event=event, session_ids=[workshops[0].session_id])
    client = as_user(coordinator)
    page = client.get(reverse("events:detail", args=[event.pk]))
    assert page.status_code == 200
    assert "1 / 2" in page.content.decode()
    export = client.get(reverse("events:export", args=[event.pk]))
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Rédiger son CV;Salle A;" in body
    assert ";2;1;0;0;0;1;50.0;Publiée" in body


def test_workshops_from_a_file_preview_then_create(
    as_user, coordinator: User, event: Event, tracks: list[Track], day: dt.date
) -> None:
    client = as_user(coordinator)
    url = reverse("events:workshops_new", args=[event.pk])
    csv = (
        "jour;debut;fin;piste;titre;places\n"
        f"{day:%d/%m/%Y};14:00;15:00;Salle A;Robotique;12\n"
        f"{day:%d/%m/%Y};14:00;15:00;Salle Q;Impression 3D;12\n"
    ).encode()
    page = client.post(
        url, {"source": "file", "file": SimpleUploadedFile("ateliers.csv", csv, "text/csv")}
    )
    html = page.content.decode()
    assert "1 atelier sera créé." in html
    assert "Piste inconnue : « Salle Q »" in html
    assert not Workshop.objects.exists()
    rows = re.search(r'<textarea name="rows"[^>]*>(.*?)</textarea>', html, re.S)
    assert rows
    import html as htmllib

    done = client.post(
        url, {"source": "preview", "confirm": "1", "rows": htmllib.unescape(rows.group(1))}
    )
    assert done.status_code == 302
    assert [w.title for w in Workshop.objects.all()] == ["Robotique"]


def test_a_file_with_missing_columns_is_refused(
    as_user, coordinator: User, event: Event, tracks: list[Track]
) -> None:
    client = as_user(coordinator)
    page = client.post(
        reverse("events:workshops_new", args=[event.pk]),
        {"source": "file", "file": SimpleUploadedFile("x.csv", b"titre\nA\n", "text/csv")},
    )
    assert page.status_code == 422
    assert "Colonnes manquantes" in page.content.decode()


def test_coordinators_home_links_to_the_events(
    as_user, coordinator: User, learner: User, event: Event
) -> None:
    html = as_user(coordinator).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-panel="events-upcoming"' in html
    assert reverse("events:list") in html
    assert re.search(r'data-figure="events"><span class="figure">1</span>', html)
    learner_html = as_user(learner).get(reverse("accounts:dashboard")).content.decode()
    assert 'data-panel="events-upcoming"' not in learner_html


def test_workshops_from_a_grid(
    as_user, coordinator: User, event: Event, tracks: list[Track], day: dt.date
) -> None:
    client = as_user(coordinator)
    url = reverse("events:workshops_new", args=[event.pk])
    base = {
        "source": "grid",
        "day": day.isoformat(),
        "slots": "14:00-15:00\n15:00-16:00",
        "capacity": "15",
    }
    grid = client.post(url, base).content.decode()
    # The grid of slots x tracks appears, each cell labelled for screen readers.
    assert '<th scope="col">Salle A</th>' in grid and 'name="c-1-' in grid
    a, b = tracks
    filled = {
        **base,
        f"c-0-{a.pk}-title": "Robotique",
        f"c-1-{b.pk}-title": "Impression 3D",
        f"c-1-{b.pk}-module": "INCONNU",
    }
    preview = client.post(url, filled).content.decode()
    assert "1 atelier sera créé." in preview and "Module inconnu : « INCONNU »" in preview
    rows = re.search(r'<textarea name="rows"[^>]*>(.*?)</textarea>', preview, re.S)
    assert rows
    import html as htmllib

    client.post(url, {"source": "preview", "confirm": "1", "rows": htmllib.unescape(rows.group(1))})
    workshop = Workshop.objects.get()
    assert (workshop.title, workshop.track, workshop.session.capacity) == ("Robotique", a, 15)


def test_ticket_as_a_pdf(
    client: Client, learner: User, event: Event, workshops: list[Workshop]
) -> None:
    registration = actions.register(
        actor=Actor.of(learner), event=event, session_ids=[workshops[0].session_id]
    ).registration
    token = actions.ticket_token(registration)
    response = client.get(reverse("events:ticket_pdf", args=[token]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert client.get(reverse("events:ticket_pdf", args=["x" + token])).status_code == 404
