"""Reading enrolment lists: CSV (``;`` or ``,``, UTF-8 or Windows-1252) and Excel (.xlsx).

Columns: e-mail, first name, last name — French or English headers, any order, any case and
accents (``E-mail``, ``Courriel``, ``Prénom``, ``Nom``, ``email``, ``first name``…). Line
numbers are the file's own (the header is line 1), so a coordinator finds the row in Excel.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024

HEADERS = {
    "email": {"email", "e-mail", "courriel", "mail", "adresse e-mail", "adresse email"},
    "first_name": {"prenom", "first name", "firstname", "first_name", "given name"},
    "last_name": {"nom", "last name", "lastname", "last_name", "nom de famille", "surname"},
}


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ParsedFile:
    rows: list[ImportRow]
    errors: list[RowError]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").casefold().split())


def _column_of(header: str) -> str | None:
    folded = _fold(header)
    for name, spellings in HEADERS.items():
        if folded in {_fold(s) for s in spellings}:
            return name
    return None


def _from_table(table: list[tuple[int, list[str]]]) -> ParsedFile:
    """Rows of cells with their line numbers (first non-empty row = header) → import rows."""
    table = [(n, cells) for n, cells in table if any(str(c or "").strip() for c in cells)]
    if not table:
        return ParsedFile([], [RowError(1, _("Le fichier est vide."))])
    header_line, header = table[0]
    columns = {}
    for index, cell in enumerate(header):
        name = _column_of(str(cell or ""))
        if name and name not in columns:
            columns[name] = index
    if "email" not in columns:
        return ParsedFile(
            [],
            [
                RowError(
                    header_line,
                    _(
                        "Colonne « e-mail » introuvable dans l'en-tête "
                        "(colonnes attendues : e-mail, prénom, nom)."
                    ),
                )
            ],
        )
    rows, errors = [], []
    if len(table) - 1 > MAX_ROWS:
        errors.append(RowError(header_line, _("Trop de lignes (%(n)d au plus).") % {"n": MAX_ROWS}))
        return ParsedFile([], errors)

    def value_of(cells: list[str], name: str) -> str:
        index = columns.get(name)
        if index is None or index >= len(cells):
            return ""
        return str(cells[index] if cells[index] is not None else "").strip()

    for line, cells in table[1:]:
        email = value_of(cells, "email")
        if not email:
            errors.append(RowError(line, _("e-mail manquant.")))
            continue
        rows.append(
            ImportRow(line, email, value_of(cells, "first_name"), value_of(cells, "last_name"))
        )
    return ParsedFile(rows, errors)


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def parse_csv(content: bytes) -> ParsedFile:
    text = _decode(content)
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    if "\t" in first and not ({";", ","} & set(first)):
        delimiter = "\t"
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    table = [(reader.line_num, row) for row in reader]
    return _from_table(table)


def parse_xlsx(content: bytes) -> ParsedFile:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that isn't a workbook
        return ParsedFile([], [RowError(1, _("Ce fichier Excel est illisible."))])
    try:
        sheet = workbook.worksheets[0]
        table = [
            (number, ["" if v is None else str(v) for v in values])
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            if number <= MAX_ROWS + 50
        ]
    finally:
        workbook.close()
    return _from_table(table)


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """CSV or Excel, by extension (then by content: an .xlsx file is a zip archive)."""
    if len(content) > MAX_BYTES:
        return ParsedFile([], [RowError(1, _("Fichier trop volumineux (2 Mo au plus)."))])
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return parse_xlsx(content)
    if name.endswith(".xls"):
        return ParsedFile(
            [], [RowError(1, _("Ancien format Excel (.xls) : enregistrez en .xlsx ou .csv."))]
        )
    return parse_csv(content)
