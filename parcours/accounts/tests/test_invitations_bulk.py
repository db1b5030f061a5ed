"""Bulk invitations: reading pasted text, CSV and XLSX, all-or-nothing or row by row."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from parcours.accounts import invitations
from parcours.accounts.models import Invitation, Organisation, Role, User


def test_pasted_lines_with_roles_by_code_or_label_and_a_default() -> None:
    rows = invitations.parse_rows(
        text="nina@exemple.test;Formateur;Nina;Vos\nmax@exemple.test\n\nzoe@exemple.test;agent\n"
    )
    assert [(r.line, r.email, r.role, r.first_name) for r in rows] == [
        (1, "nina@exemple.test", Role.TRAINER, "Nina"),
        (2, "max@exemple.test", Role.LEARNER, ""),
        (4, "zoe@exemple.test", Role.AGENT, ""),
    ]
    assert not any(r.error for r in rows)


def test_header_row_names_the_columns_in_any_order() -> None:
    rows = invitations.parse_rows(text="Nom,Prénom,E-mail\nVos,Nina,NINA@exemple.test\n")
    assert (rows[0].line, rows[0].email, rows[0].first_name, rows[0].last_name) == (
        2,
        "nina@exemple.test",
        "Nina",
        "Vos",
    )


def test_bad_lines_carry_their_error_and_empty_input_is_refused() -> None:
    rows = invitations.parse_rows(text="pas-un-email;trainer\nok@x.be;chef\n=1+1;trainer\n")
    assert "pas une adresse e-mail valide" in rows[0].error
    assert "Rôle inconnu" in rows[1].error
    assert rows[2].error  # a formula is not an address: refused, never evaluated
    with pytest.raises(ValidationError, match="Aucune adresse"):
        invitations.parse_rows(text="\n \n")


def test_xlsx_is_read_as_values_never_formulas() -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["E-mail", "Rôle", "Prénom"])
    sheet.append(["nina@exemple.test", "Formateur", '=HYPERLINK("http://x")'])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = invitations.parse_rows(filename="liste.xlsx", content=buffer.getvalue())
    assert rows[0].email == "nina@exemple.test" and rows[0].role == Role.TRAINER
    assert not rows[0].first_name.startswith("=")  # no cached value: read as empty


def test_broken_xlsx_and_huge_files_are_refused_in_french() -> None:
    with pytest.raises(ValidationError, match="pas un classeur"):
        invitations.parse_rows(filename="x.xlsx", content=b"not a zip")
    with pytest.raises(ValidationError, match="2 Mo"):
        invitations.parse_rows(filename="x.csv", content=b"a" * (invitations.MAX_FILE_BYTES + 1))
    too_many = "\n".join(f"p{i}@x.be" for i in range(invitations.MAX_ROWS + 1))
    with pytest.raises(ValidationError, match="Trop de lignes"):
        invitations.parse_rows(text=too_many)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.text(max_size=30), max_size=6), max_size=8))
def test_reading_a_table_never_raises_and_keeps_line_numbers(table: list[list[str]]) -> None:
    rows = invitations.rows_from_table(table)
    lines = [r.line for r in rows]
    assert lines == sorted(set(lines))
    assert all(1 <= n <= len(table) for n in lines)
    for row in rows:
        assert row.error or (row.role in Role.values and "@" in row.email)


def test_all_or_nothing_writes_and_sends_nothing_when_a_row_is_bad(
    org: Organisation, admin: User, django_capture_on_commit_callbacks
) -> None:
    rows = invitations.parse_rows(text="a@x.be;trainer\nb@x.be;chef\nc@x.be\n")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = invitations.invite_many(
            organisation=org, rows=rows, invited_by=admin, all_or_nothing=True
        )
    assert [r.outcome for r in report.results] == ["not_done", "error", "not_done"]
    assert not Invitation.objects.exists() and mail.outbox == []


def test_all_or_nothing_rolls_back_when_an_action_refuses_a_row(
    org: Organisation, admin: User, trainer: User, django_capture_on_commit_callbacks
) -> None:
    # The trainer already holds the role: only the action can tell.
    rows = invitations.parse_rows(text=f"a@x.be;trainer\n{trainer.email};trainer\n")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = invitations.invite_many(
            organisation=org, rows=rows, invited_by=admin, all_or_nothing=True
        )
    assert [r.outcome for r in report.results] == ["not_done", "error"]
    assert not Invitation.objects.exists() and mail.outbox == []


def test_row_by_row_invites_the_good_rows_and_reports_the_others(
    org: Organisation, admin: User, outsider: User, django_capture_on_commit_callbacks
) -> None:
    rows = invitations.parse_rows(
        text=f"a@x.be;trainer\nb@x.be;chef\n{outsider.email};agent\na@x.be;trainer\n"
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        report = invitations.invite_many(
            organisation=org, rows=rows, invited_by=admin, all_or_nothing=False
        )
    assert [r.outcome for r in report.results] == ["invited", "error", "role_added", "error"]
    assert "plus haut" in report.results[3].message
    assert sorted(m.to[0] for m in mail.outbox) == ["a@x.be", outsider.email]
    assert outsider.memberships.filter(organisation=org, role=Role.AGENT).exists()


def test_import_page_upload_and_report(as_user, org: Organisation, admin: User) -> None:
    client = as_user(admin)
    upload = SimpleUploadedFile("liste.csv", "E-mail;Rôle\nnina@exemple.test;Formateur\n".encode())
    response = client.post(
        reverse("accounts:admin_invitation_import"),
        {"file": upload, "text": "", "default_role": "learner", "mode": "rows"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Invitation envoyée" in page and "nina@exemple.test" in page
    bad = client.post(
        reverse("accounts:admin_invitation_import"),
        {"text": "x@y.be;chef", "default_role": "learner", "mode": "all"},
    )
    assert bad.status_code == 422
    assert "personne n'a été invité" in bad.content.decode()
    assert Invitation.objects.count() == 1


def test_files_from_any_spreadsheet_are_read_or_refused_with_a_message() -> None:
    """The one bounded reader of uploads (lib.tables), as for enrolment imports: old Mac line
    ends, UTF-16, NUL bytes and broken quotes never end in a server error."""
    assert [
        r.email
        for r in invitations.parse_rows(filename="mac.csv", content=b"email;role\ra@x.be;trainer\r")
    ] == ["a@x.be"]
    utf16 = "email;prénom\nb@x.be;Zoé\n".encode("utf-16")
    rows = invitations.parse_rows(filename="excel.csv", content=utf16)
    assert [(r.email, r.first_name, r.error) for r in rows] == [("b@x.be", "Zoé", "")]
    damaged = invitations.parse_rows(filename="x.csv", content=b"email;prenom\nc@x.be;A\x00\n")
    assert "caractère nul" in damaged[0].error
    with pytest.raises(ValidationError, match="Ancien format Excel"):
        invitations.parse_rows(filename="old.xls", content=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
