"""List pages read a fixed number of queries, whatever the number of rows; the file sniffer
never fails on arbitrary bytes (hypothesis)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_person
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.assessments import actions, uploads
from parcours.enrolment import actions as enrolment_actions


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _hand_in(session, unit, org, n: int, start: int) -> None:
    for i in range(start, start + n):
        person = make_person(org, Role.LEARNER, f"l{i}@exemple.test", f"P{i}", f"N{i}")
        enrolment_actions.enrol(actor=Actor.of(person), session=session, learner=person)
        actions.submit_project(
            actor=Actor.of(person), module=unit, text="Projet", link="https://exemple.test/p"
        )


def test_queue_and_grid_queries_do_not_grow_with_rows(as_user, org, session, unit, trainer):
    client = as_user(trainer)
    _hand_in(session, unit, org, 2, 0)
    queue, grid = reverse("assessments:queue"), reverse("assessments:grid", args=[session.pk])
    few = (_queries(client, queue), _queries(client, grid))
    _hand_in(session, unit, org, 6, 10)
    assert (_queries(client, queue), _queries(client, grid)) == few


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_sniff_never_fails_and_pdf_needs_its_header(content: bytes) -> None:
    kind = uploads.sniff(content)
    assert kind is None or kind in {k for k, _t in uploads.TYPES.values()}
    if kind == "pdf":
        assert content.startswith(b"%PDF-")
