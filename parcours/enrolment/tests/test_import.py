"""Imports: every bad row with its line number and reason; nothing written for a file with
errors unless the coordinator chooses to import the valid rows."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from parcours.accounts.models import User
from parcours.accounts.permissions import Actor
from parcours.enrolment import actions, importing
from parcours.enrolment.models import Enrolment, SchoolEmailDomain
from parcours.enrolment.states import EnrolmentStatus as S

FILE = """E-mail;Prénom;Nom
anne@ecole.be;Anne;Dupont
pas-une-adresse;Bob;Martin
anne@ecole.be;Anne;Dupont
claude@gmail.com;Claude;Petit
dora@ecole.be;;
eric@ecole.be;Éric;Lenoir
""".encode()


def _import(actor_user, session, content: bytes = FILE, **kwargs):
    parsed = importing.parse_file("liste.csv", content)
    return actions.import_enrolments(
        actor=Actor.of(actor_user),
        session=session,
        rows=parsed.rows,
        parse_errors=parsed.errors,
        **kwargs,
    )


@pytest.fixture
def school_domain(org):
    return SchoolEmailDomain.objects.create(organisation=org, domain="ecole.be")


def test_every_bad_row_is_reported_and_nothing_is_written(
    make_session, coordinator, school_domain
) -> None:
    session = make_session(capacity=10)
    report = _import(coordinator, session)
    assert not report.written
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "adresse e-mail invalide « pas-une-adresse »."),
        (4, "doublon de la ligne 2."),
        (5, "domaine d'e-mail inconnu « gmail.com »."),
        (6, "prénom et nom requis."),
    ]
    assert [r.line for r in report.valid] == [2, 7]
    assert not Enrolment.objects.exists()
    assert not User.objects.filter(email="anne@ecole.be").exists()
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_import_the_valid_rows_after_seeing_the_report(
    make_session, coordinator, school_domain
) -> None:
    session = make_session(capacity=10)
    report = _import(coordinator, session, valid_only=True)
    assert report.written and len(report.errors) == 4
    assert sorted(Enrolment.objects.values_list("learner__email", flat=True)) == [
        "anne@ecole.be",
        "eric@ecole.be",
    ]
    assert set(Enrolment.objects.values_list("status", "source")) == {(S.CONFIRMED, "import")}
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert User.objects.get(email="eric@ecole.be").get_full_name() == "Éric Lenoir"


def test_a_clean_file_is_imported_at_once(make_session, coordinator) -> None:
    session = make_session(capacity=3)
    report = _import(coordinator, session, b"email,prenom,nom\na@x.be,A,A\nb@x.be,B,B\n")
    assert report.written and report.ok and len(report.created) == 2


def test_rows_beyond_the_capacity_are_session_full_errors(
    make_session, coordinator, make_learner
) -> None:
    session = make_session(capacity=2)
    first = make_learner(1)
    actions.enrol(actor=Actor.of(first), session=session, learner=first)
    content = b"email;prenom;nom\na@x.be;A;A\nb@x.be;B;B\nlearner1@exemple.test;L;L\n"
    report = _import(coordinator, session, content)
    assert [(e.line, e.message) for e in report.errors] == [
        (3, "session complète (2 places)."),
        (4, "déjà inscrit·e à cette session."),
    ]
    assert not report.written
    assert Enrolment.objects.count() == 1


def test_overlap_is_reported(make_session, coordinator, make_learner, org) -> None:
    from .conftest import make_module

    busy = make_learner(1)
    first = make_session(days=(8,))
    actions.enrol(actor=Actor.of(busy), session=first, learner=busy)
    same_time = make_session(days=(8,), module_=make_module(org, "O3"))
    report = _import(coordinator, same_time, b"email;prenom;nom\nlearner1@exemple.test;L;A\n")
    assert report.errors[0].line == 2 and first.code in report.errors[0].message


def test_school_contacts_import_requests_when_approval_is_needed(
    make_session, school_contact
) -> None:
    session = make_session(capacity=1, requires_approval=True)
    report = _import(
        school_contact,
        session,
        b"email;prenom;nom\na@x.be;A;A\nb@x.be;B;B\n",
        source=Enrolment.Source.SCHOOL,
    )
    assert report.written
    assert set(Enrolment.objects.values_list("status", flat=True)) == {S.REQUESTED}


def test_learners_and_outsiders_cannot_import(make_session, learner, outsider) -> None:
    session = make_session()
    for person in (learner, outsider):
        with pytest.raises(PermissionDenied):
            _import(person, session)
