"""The public form, the board, the list, a candidate's file, downloads, the funnel CSV."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parcours.accounts.models import AuditEntry, User
from parcours.accounts.permissions import Actor
from parcours.candidates import actions
from parcours.candidates.models import Application, Call
from parcours.candidates.tests.conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def _url(call: Call) -> str:
    return reverse("candidates:apply", args=[call.organisation.slug, call.slug])


def _form(call: Call, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": "Nadia",
        "last_name": "Benali",
        "email": "nadia@exemple.test",
        "consent": "on",
        "audience": "jobseekers",
    }
    for question in call.questions.all():
        if question.kind == "text":
            data[f"q{question.pk}"] = "Je veux devenir développeuse."
        if question.kind == "yes_no":
            data[f"q{question.pk}"] = "oui"
    data.update(extra)
    return data


@pytest.mark.django_db(transaction=True)
def test_apply_without_an_account_with_a_cv(client: object, call: Call) -> None:
    page = client.get(_url(call))  # type: ignore[attr-defined]
    assert page.status_code == 200
    assert "365 jours" in page.content.decode()  # the retention period is shown
    response = client.post(  # type: ignore[attr-defined]
        _url(call), _form(call, cv=upload("cv.pdf", pdf_bytes()))
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.files.count() == 1
    assert any("Candidature reçue" in m.subject for m in mail.outbox)
    again = client.post(_url(call), _form(call))  # type: ignore[attr-defined]
    assert again.status_code == 409
    assert "déjà été reçue" in again.content.decode()
    assert Application.objects.count() == 1


def test_a_mismatched_file_fails_in_place(client: object, call: Call) -> None:
    response = client.post(  # type: ignore[attr-defined]
        _url(call), _form(call, cv=upload("cv.pdf", b"GIF89a not a pdf"))
    )
    assert response.status_code == 422
    assert "ne contient pas ce que son extension annonce" in response.content.decode()
    assert not Application.objects.exists()
    assert not User.objects.filter(email="nadia@exemple.test").exists()


def test_missing_consent_is_explained(client: object, call: Call) -> None:
    data = _form(call)
    data.pop("consent")
    response = client.post(_url(call), data)  # type: ignore[attr-defined]
    assert response.status_code == 422
    assert not Application.objects.exists()


def test_a_closed_call_takes_no_application(client: object, call: Call) -> None:
    import datetime as dt

    from django.utils import timezone

    Call.objects.filter(pk=call.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=10),
        closes_at=timezone.now() - dt.timedelta(days=1),
    )
    page = client.get(_url(call))  # type: ignore[attr-defined]
    assert "n'accepte pas de candidatures" in page.content.decode()
    response = client.post(_url(call), _form(call))  # type: ignore[attr-defined]
    assert response.status_code == 409
    assert "clos" in response.content.decode()
    assert not Application.objects.exists()


def test_board_list_and_file_for_staff_only(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    trainer: User,
    outsider: User,
    apply_to: Callable[..., Application],
) -> None:
    application = apply_to(files={"cv": upload("cv.pdf", pdf_bytes())})
    board = reverse("candidates:board", args=[call.pk])
    listing = reverse("candidates:list", args=[call.pk])
    detail = reverse("candidates:candidate", args=[call.pk, application.pk])
    download = reverse("candidates:file", args=[call.pk, application.files.get().pk])
    client = as_user(coordinator)
    for url in (board, listing, detail):
        response = client.get(url)  # type: ignore[attr-defined]
        assert response.status_code == 200, url
        assert application.last_name in response.content.decode()
    response = client.get(download)  # type: ignore[attr-defined]
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf_bytes()
    assert "attachment" in response["Content-Disposition"]
    reads = AuditEntry.objects.filter(action__startswith="candidates.application.read")
    assert reads.count() == 2
    assert as_user(trainer).get(detail).status_code == 403  # type: ignore[attr-defined]
    assert as_user(trainer).get(download).status_code == 403  # type: ignore[attr-defined]
    assert as_user(outsider).get(detail).status_code in (403, 404)  # type: ignore[attr-defined]
    assert as_user(outsider).get(download).status_code in (403, 404)  # type: ignore[attr-defined]


def test_moving_from_the_board_and_the_list(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    apps = [apply_to() for _ in range(3)]
    tests = call.stages.get(milestone="tests")
    client = as_user(coordinator)
    response = client.post(  # type: ignore[attr-defined]
        reverse("candidates:move", args=[call.pk]),
        {"ids": [a.pk for a in apps[:2]], "stage": tests.pk},
    )
    assert response.status_code == 302
    assert Application.objects.filter(stage=tests).count() == 2
    page = client.get(reverse("candidates:list", args=[call.pk]) + f"?stage={tests.pk}&sort=name")  # type: ignore[attr-defined]
    assert "2 candidatures" in page.content.decode()
    bad = client.post(  # type: ignore[attr-defined]
        reverse("candidates:move", args=[call.pk]),
        {"ids": ["99999999999999999999"], "stage": tests.pk},
    )
    assert bad.status_code == 302


@pytest.mark.django_db(transaction=True)
def test_deciding_from_the_list_with_an_edited_email(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    application = apply_to(first_name="Inès")
    client = as_user(coordinator)
    url = reverse("candidates:decide", args=[call.pk])
    preview = client.post(url, {"ids": [application.pk], "decision": "selected"})  # type: ignore[attr-defined]
    assert preview.status_code == 200 and "{prenom}" in preview.content.decode()
    mail.outbox.clear()
    done = client.post(  # type: ignore[attr-defined]
        url,
        {
            "confirm": "1",
            "ids": [application.pk],
            "decision": "selected",
            "subject": "Retenue, {prenom} !",
            "body": "Bravo {prenom}.",
        },
    )
    assert done.status_code == 302
    assert [m.subject for m in mail.outbox] == ["Retenue, Inès !"]


def test_funnel_csv_is_formula_safe(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    apply_to(first_name="=HYPERLINK(1)")
    response = as_user(coordinator).get(reverse("candidates:funnel_csv", args=[call.pk]))  # type: ignore[attr-defined]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[1].startswith("Tous;1;")
    assert "non communiqué" in text
    page = as_user(coordinator).get(reverse("candidates:funnel", args=[call.pk]))  # type: ignore[attr-defined]
    assert page.status_code == 200


def test_a_coordinator_opens_a_call_from_the_page(
    as_user: Callable[[User], object], coordinator: User, trainer: User
) -> None:
    client = as_user(coordinator)
    url = reverse("candidates:call_create")
    assert client.get(url).status_code == 200  # type: ignore[attr-defined]
    data = {
        "title": "Technicien·ne réseaux",
        "slug": "reseaux-2027",
        "kind": "qualifying",
        "opens_at": "2026-12-01T09:00",
        "closes_at": "2027-02-01T17:00",
        "places": "14",
        "retention_days": "365",
        "audiences": ["jobseekers"],
        "questions": "text | Votre projet ? | | oui\nchoice | Permis B | Oui; Non\nbogus | x",
        "criteria": "Motivation | 3",
    }
    bad = client.post(url, data)  # type: ignore[attr-defined]
    assert bad.status_code == 422 and "Ligne 3" in bad.content.decode()
    data["questions"] = "text | Votre projet ? | | oui\nchoice | Permis B | Oui; Non"
    done = client.post(url, data)  # type: ignore[attr-defined]
    assert done.status_code == 302
    call = Call.objects.get(slug="reseaux-2027")
    assert [q.kind for q in call.questions.all()] == ["text", "choice"]
    assert call.questions.first().required  # type: ignore[union-attr]
    assert call.stages.count() == 5 and call.criteria.get().weight == 3
    assert as_user(trainer).get(url).status_code == 403  # type: ignore[attr-defined]


def test_board_and_list_queries_do_not_grow_with_the_candidates(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
    django_assert_max_num_queries: Callable[..., object],
) -> None:
    client = as_user(coordinator)
    for _ in range(3):
        apply_to()
    urls = [
        reverse("candidates:board", args=[call.pk]),
        reverse("candidates:list", args=[call.pk]) + "?sort=name",
        f"/api/v1/calls/{call.pk}/funnel",
    ]
    counts = []
    for url in urls:
        with CaptureQueriesContext(connection) as few:
            client.get(url)  # type: ignore[attr-defined]
        counts.append(len(few.captured_queries))
    for _ in range(12):
        apply_to()
    for url, before in zip(urls, counts, strict=True):
        with django_assert_max_num_queries(before):  # type: ignore[attr-defined]
            assert client.get(url).status_code == 200  # type: ignore[attr-defined]


def test_applications_are_rate_limited_when_configured(
    client: object, call: Call, settings: object
) -> None:
    settings.ACCOUNT_RATE_LIMITS = {"candidates_apply": "2/m/ip"}  # type: ignore[attr-defined]
    codes = [
        client.post(_url(call), _form(call, email=f"p{i}@exemple.test")).status_code  # type: ignore[attr-defined]
        for i in range(3)
    ]
    assert codes[:2] == [302, 302] and codes[2] == 429
    assert Application.objects.count() == 2


def test_stages_are_edited_from_their_page(
    as_user: Callable[[User], object],
    call: Call,
    coordinator: User,
    apply_to: Callable[..., Application],
) -> None:
    client = as_user(coordinator)
    url = reverse("candidates:stages", args=[call.pk])
    assert "Entretien" in client.get(url).content.decode()  # type: ignore[attr-defined]
    done = client.post(url, {"stages": "Reçue\nTests et entretien\nDécision\n"})  # type: ignore[attr-defined]
    assert done.status_code == 302
    assert [s.label for s in call.stages.order_by("order")] == [
        "Reçue",
        "Tests et entretien",
        "Décision",
    ]
    application = apply_to()
    actions.move(
        actor=Actor.of(coordinator),
        call=call,
        application_ids=[application.pk],
        stage=call.stages.get(label="Décision"),
    )
    refused = client.post(url, {"stages": "Reçue"})  # type: ignore[attr-defined]
    assert refused.status_code == 422
    assert "contient encore des candidatures" in refused.content.decode()
    assert call.stages.count() == 3


def test_odd_addresses_are_4xx_never_500(
    as_user: Callable[[User], object], call: Call, coordinator: User
) -> None:
    client = as_user(coordinator)
    listing = reverse("candidates:list", args=[call.pk])
    for query in ("?stage=99999999999999999999", "?stage=abc&sort=x&page=-1", "?decision=zzz"):
        assert client.get(listing + query).status_code == 200  # type: ignore[attr-defined]
    assert client.get("/candidatures/gestion/99999999999999999999/").status_code == 404  # type: ignore[attr-defined]
    assert client.get(_url(call) + "?reprise=" + "x" * 600).status_code == 200  # type: ignore[attr-defined]
    response = client.post(  # type: ignore[attr-defined]
        reverse("candidates:decide", args=[call.pk]), {"ids": ["1", "x"], "decision": "nope"}
    )
    assert response.status_code in (200, 302)


def test_a_career_manager_reads_the_board_without_a_link_to_the_stages(
    as_user, call: Call, coordinator: User
) -> None:
    """Career managers read calls but may not change their stages: no link to a refused page."""
    from conftest import make_person
    from parcours.accounts.models import Role

    manager = make_person(call.organisation, Role.CAREER_MANAGER, "cm@ex.test", "Nadia", "V")
    stages = reverse("candidates:stages", args=[call.pk])
    board = reverse("candidates:board", args=[call.pk])
    response = as_user(manager).get(board)
    assert response.status_code == 200 and stages not in response.content.decode()
    assert as_user(manager).get(stages).status_code == 403
    assert stages in as_user(coordinator).get(board).content.decode()
