"""The pure statement builder: stable ids, the actor never the e-mail, xAPI's required parts."""

from __future__ import annotations

import datetime as dt
import uuid

from hypothesis import given
from hypothesis import strategies as st

from parcours.integrations.xapi.profile import VERBS, Activity, Event, build, statement_id

SITE = "https://parcours.example.be"
parts = st.lists(
    st.one_of(st.integers(min_value=0, max_value=2**63), st.text(max_size=20)), max_size=4
)


def event(kind: str, id_parts: tuple[object, ...], when: dt.datetime) -> Event:
    return Event(
        kind=kind,
        organisation_id=7,
        organisation_slug="technofutur-tic",
        organisation_name="Technofutur TIC",
        actor_name=str(uuid.UUID(int=42)),
        target=Activity(f"{SITE}/sessions/1/", "session", "Introduction à l'IA — S1"),
        timestamp=when,
        id_parts=id_parts,
    )


@given(
    kind=st.sampled_from(sorted(VERBS)),
    id_parts=parts,
    when=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
        timezones=st.just(dt.UTC),
    ),
)
def test_the_same_event_always_gets_the_same_statement(kind, id_parts, when) -> None:
    first = build(event(kind, tuple(id_parts), when), site=SITE)
    again = build(event(kind, tuple(id_parts), when), site=SITE)
    assert first == again
    assert first["id"] == str(statement_id(7, kind, *id_parts))
    assert first["timestamp"].endswith("Z")
    assert first["actor"] == {
        "objectType": "Agent",
        "account": {"homePage": SITE, "name": str(uuid.UUID(int=42))},
    }
    assert first["verb"]["id"].startswith(("http://adlnet.gov/", "https://w3id.org/", SITE))
    assert first["context"]["platform"] == "Parcours"


@given(a=parts, b=parts)
def test_different_events_get_different_ids(a, b) -> None:
    if [str(x) for x in a] != [str(x) for x in b] and "|".join(map(str, a)) != "|".join(
        map(str, b)
    ):
        assert statement_id(1, "registered", *a) != statement_id(1, "registered", *b)
    assert statement_id(1, "registered", *a) != statement_id(2, "registered", *a)
    assert statement_id(1, "registered", *a) != statement_id(1, "waitlisted", *a)
