"""The yearly report's files, read back as a person would open them: the PDF's text, the
workbook's sheets, typed numbers and native charts, the CSV files; formulas neutralised."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import load_workbook

from parcours.reporting import yearly
from parcours.reporting.tests.sample import document

pytestmark = pytest.mark.django_db  # template rendering reads the active language only

PNG_1PX = (
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
    "YPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_the_pdf_has_the_organisation_the_key_figures_the_sections_and_the_method_notes() -> None:
    data = yearly.pdf_bytes(document(), logo=PNG_1PX)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert "Technofutur TIC" in text
    assert "Rapport d\u2019activité" in text or "Rapport d'activité" in text
    assert "Chiffres clés" in text
    assert "16" in text and "214" in text  # the key figure (16 214, thin space)
    assert "15" in text and "000" in text  # the previous year beside it
    assert "Personnes formées par site" in text and "Gosselies" in text
    assert "Notes de méthode" in text
    assert "Personnes distinctes présentes au moins une fois." in text
    assert b"/Image" in data or b"/XObject" in data  # the logo is drawn


def test_the_pdf_ignores_a_logo_that_is_not_embedded() -> None:
    html = yearly.render_html(document(), logo="file:///etc/passwd")
    assert "/etc/passwd" not in html


def test_the_workbook_has_a_readme_typed_numbers_native_charts_and_no_formula() -> None:
    book = load_workbook(io.BytesIO(yearly.workbook_bytes(document())))
    assert book.sheetnames[:2] == ["Lisez-moi", "Chiffres clés"]
    assert {
        "Personnes formées par mois",
        "Personnes formées par public",
        "Personnes formées par site",
    } <= set(book.sheetnames)
    readme = book["Lisez-moi"]
    assert readme["B2"].value is None and readme["A2"].value == "Technofutur TIC"
    notes = [row[1] for row in readme.iter_rows(values_only=True) if len(row) > 1 and row[1]]
    assert "Personnes distinctes présentes au moins une fois." in notes

    key = book["Chiffres clés"]
    assert key["A1"].value == "Rubrique"
    assert key["C2"].value == 16214 and key["C2"].data_type == "n"
    assert key["D2"].value == 15000

    months = book["Personnes formées par mois"]
    assert months["B2"].value == 100 and months["B2"].data_type == "n"
    assert months["C2"].value == 412.5 and months["C2"].data_type == "n"  # a Decimal, typed
    for sheet in (
        "Personnes formées par mois",
        "Personnes formées par public",
        "Personnes formées par site",
    ):
        assert len(book[sheet]._charts) == 1, sheet  # native Excel charts kept on reading back
    public = book["Personnes formées par public"]
    assert public["A4"].value == '\'=HYPERLINK("x")'
    assert public["A4"].data_type == "s"  # text, not a formula
    assert all(c.data_type != "f" for sheet in book for row in sheet.iter_rows() for c in row)


def test_sheet_names_are_valid_and_unique() -> None:
    taken: set[str] = set()
    first = yearly.sheet_title(
        "Taux: remplissage [site] / mois ? * très long titre qui dépasse", taken
    )
    second = yearly.sheet_title(
        "Taux: remplissage [site] / mois ? * très long titre qui dépasse", taken
    )
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert not set("[]:*?/\\") & set(first + second)


def test_every_table_is_a_csv_in_the_zip_with_formulas_neutralised() -> None:
    archive = zipfile.ZipFile(io.BytesIO(yearly.csv_zip_bytes(document())))
    names = sorted(archive.namelist())
    assert names == sorted(
        [
            "chiffres-cles.csv",
            "personnes-formees-par-mois.csv",
            "personnes-formees-par-public.csv",
            "personnes-formees-par-site.csv",
        ]
    )
    public = list(
        csv.reader(
            io.StringIO(archive.read("personnes-formees-par-public.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert public[0] == ["Public", "Personnes"]
    assert public[3][0] == '\'=HYPERLINK("x")'
    months = list(
        csv.reader(
            io.StringIO(archive.read("personnes-formees-par-mois.csv").decode("utf-8-sig")),
            delimiter=";",
        )
    )
    assert months[1] == ["janv.", "100", "412,5"]  # a decimal comma for Belgian spreadsheets
