"""Reading import files: every limit stops the reading, every odd byte is a message (issue #9,
item 4). Hypothesis feeds the parser what people and attackers upload."""

from __future__ import annotations

import csv
import io
import time
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from parcours.enrolment import importing
from parcours.enrolment.models import Enrolment


def _xlsx(rows: list[list[object]], far_cell: int | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if far_cell is not None:
        sheet.cell(row=far_cell, column=1, value="fin@exemple.test")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class TestLimitsStopTheReading:
    def test_a_sheet_declaring_a_million_rows_is_read_in_a_blink(self) -> None:
        content = _xlsx(
            [["E-mail", "Prénom", "Nom"], ["anne@ecole.be", "Anne", "Dupont"]], 1_000_000
        )
        assert len(content) < 50_000
        started = time.monotonic()
        parsed = importing.parse_file("liste.xlsx", content)
        assert time.monotonic() - started < 5  # it held a worker 30 s
        assert [r.email for r in parsed.rows] == ["anne@ecole.be"]

    def test_too_many_people_is_one_message_and_reading_stops(self) -> None:
        lines = ["email;prenom;nom"] + [
            f"p{i}@ecole.be;P;{i}" for i in range(importing.MAX_ROWS + 500)
        ]
        parsed = importing.parse_file("l.csv", "\n".join(lines).encode())
        assert parsed.rows == []
        (error,) = parsed.errors
        assert error.line == importing.MAX_ROWS + 2
        assert "5000 personnes au plus" in error.message.replace("\u202f", "")

    def test_extra_columns_and_long_cells(self) -> None:
        header = ";".join(["email", "prenom", "nom"] + [f"c{i}" for i in range(100)])
        long = "x" * 300
        content = f"{header}\nanne@ecole.be;Anne;{long}\nbob@ecole.be;Bob;Martin\n".encode()
        parsed = importing.parse_file("l.csv", content)
        assert [r.email for r in parsed.rows] == ["bob@ecole.be"]
        assert parsed.errors[0].line == 2 and "254 caractères" in parsed.errors[0].message

    def test_a_file_too_big_or_a_zip_bomb_is_refused(self) -> None:
        assert (
            "trop volumineux"
            in importing.parse_file("l.csv", b"x" * (3 * 1024 * 1024)).errors[0].message.lower()
        )


class TestOddBytes:
    def test_nul_bytes_are_a_row_error(self) -> None:
        parsed = importing.parse_file("l.csv", b"email;prenom;nom\na\x00b@x.be;A;B\nc@x.be;C;D\n")
        assert [r.email for r in parsed.rows] == ["c@x.be"]
        assert parsed.errors[0].line == 2 and "caractère nul" in parsed.errors[0].message

    def test_old_mac_line_ends(self) -> None:
        parsed = importing.parse_file("l.csv", b"email;prenom;nom\ra@x.be;A;B\rc@x.be;C;D\r")
        assert [(r.line, r.email) for r in parsed.rows] == [(2, "a@x.be"), (3, "c@x.be")]

    def test_boms_and_encodings(self) -> None:
        text = "email;prénom;nom\nzoé@x.be;Zoé;Élan\n"
        for content in (
            text.encode("utf-8-sig"),
            text.encode("utf-16"),
            text.encode("cp1252"),
            text.encode("utf-8"),
        ):
            parsed = importing.parse_file("l.csv", content)
            assert [(r.email, r.first_name) for r in parsed.rows] == [("zoé@x.be", "Zoé")]

    def test_an_unreadable_encoding_is_one_clear_message(self) -> None:
        parsed = importing.parse_file("l.csv", b"email\n\x81\x8d\x8f@x.be\n")
        assert parsed.rows == [] and "Encodage illisible" in parsed.errors[0].message

    def test_a_broken_quote_is_a_message(self) -> None:
        parsed = importing.parse_file("l.csv", b'email;nom\n"a@x.be;A\n' + b"x" * 200_000)
        assert parsed.errors and parsed.rows == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=3000))
def test_any_bytes_give_rows_or_messages_never_an_exception(content: bytes) -> None:
    for name in ("liste.csv", "liste.xlsx"):
        parsed = importing.parse_file(name, content)
        assert len(parsed.rows) <= importing.MAX_ROWS
        for row in parsed.rows:
            assert row.email and "\x00" not in row.email
            assert len(row.email) <= importing.MAX_CELL
        for error in parsed.errors:
            assert error.message


cell = (
    st.text(
        alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(cell, cell, cell), min_size=1, max_size=30),
    st.sampled_from([";", ",", "\t"]),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_what_a_spreadsheet_writes_reads_back(rows, delimiter, encoding, newline) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerow(["E-mail", "Prénom", "Nom"])
    writer.writerows(rows)
    parsed = importing.parse_file("l.csv", buffer.getvalue().encode(encoding))
    assert parsed.errors == []
    assert [(r.email, r.first_name, r.last_name) for r in parsed.rows] == rows
    assert [r.line for r in parsed.rows] == list(range(2, len(rows) + 2))


def test_the_page_answers_a_report_not_a_500(as_user, coordinator, make_session) -> None:
    session = make_session()
    url = reverse("enrolment:manage_import", args=[session.pk])
    c = as_user(coordinator)
    for content in (b"email\r\x00\x00\xff\xfe", b"\xef\xbb\xbfemail;prenom;nom\rA@x.be;A;B\r"):
        upload = SimpleUploadedFile("l.csv", content, content_type="text/csv")
        response = c.post(url, {"file": upload})
        assert response.status_code in (200, 302)
    page = unescape(c.get(url).content.decode())
    assert "Tout ou rien" in page
    assert Enrolment.objects.count() == 1
