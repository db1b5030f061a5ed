"""Reading enrolment lists: CSV (``;``, ``,`` or tab; UTF-8, UTF-16 or Windows-1252) and
Excel (.xlsx).

Columns: e-mail, first name, last name — French or English headers, any order, any case and
accents (``E-mail``, ``Courriel``, ``Prénom``, ``Nom``, ``email``, ``first name``…). Line
numbers are the file's own (the header is line 1), so a coordinator finds the row in Excel.

Every read is bounded, whatever the file claims: at most ``MAX_BYTES`` uploaded (and, for a
workbook, ``MAX_UNZIPPED`` once unzipped), ``MAX_ROWS`` people, ``MAX_COLUMNS`` columns,
``MAX_CELL`` characters a cell. Reading **stops** at the limit (rows are streamed, never all
loaded), and a run of ``MAX_EMPTY_RUN`` empty rows ends the sheet. A problem is a message —
for the whole file (unreadable, wrong encoding, too big) or for a row (NUL byte, cell too long,
no e-mail) — never an exception.

What the import does with the rows (all or nothing, or the valid rows once the coordinator has
seen the report) is ``actions.import_enrolments``'s business.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.lib.tables import Rows, TableError, read_table

MAX_ROWS = 5_000
MAX_BYTES = 2 * 1024 * 1024
MAX_UNZIPPED = 40 * 1024 * 1024
MAX_COLUMNS = 30
MAX_CELL = 254  # the longest e-mail address
MAX_EMPTY_RUN = 1_000

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


def _whole_file(message: str, line: int = 1) -> ParsedFile:
    return ParsedFile([], [RowError(line, message)])


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").casefold().split())


def _column_of(header: str) -> str | None:
    folded = _fold(header[:MAX_CELL])
    for name, spellings in HEADERS.items():
        if folded in {_fold(s) for s in spellings}:
            return name
    return None


def _clean(value: object) -> str:
    return "" if value is None else str(value).strip()


def _from_table(table: Iterable[tuple[int, list[str]]]) -> ParsedFile:
    """Rows of cells with their line numbers (first non-empty row = header) → import rows.
    Reads ``table`` lazily and stops after ``MAX_ROWS`` people (or a long run of empty rows)."""
    lines = iter(table)
    header_line, header = 0, []
    for line, cells in itertools.islice(lines, MAX_EMPTY_RUN):
        if any(_clean(c) for c in cells):
            header_line, header = line, cells
            break
    if not header:
        return _whole_file(_("Le fichier est vide."))
    columns: dict[str, int] = {}
    for index, cell in enumerate(header[:MAX_COLUMNS]):
        name = _column_of(_clean(cell))
        if name and name not in columns:
            columns[name] = index
    if "email" not in columns:
        return _whole_file(
            _(
                "Colonne « e-mail » introuvable dans l'en-tête "
                "(colonnes attendues : e-mail, prénom, nom)."
            ),
            header_line,
        )
    rows: list[ImportRow] = []
    errors: list[RowError] = []
    people = 0
    empty_run = 0
    for line, cells in lines:
        values = [_clean(c) for c in cells[:MAX_COLUMNS]]
        if not any(values):
            empty_run += 1
            if empty_run >= MAX_EMPTY_RUN:
                break
            continue
        empty_run = 0
        people += 1
        if people > MAX_ROWS:
            message = ngettext(
                "Trop de lignes : %(n)d personne au plus par fichier ; rien n'a été lu au-delà.",
                "Trop de lignes : %(n)d personnes au plus par fichier ; rien n'a été lu au-delà.",
                MAX_ROWS,
            ) % {"n": MAX_ROWS}
            return _whole_file(message, line)
        problem = _row_problem(values)
        if problem:
            errors.append(RowError(line, problem))
            continue

        def value_of(name: str, values: list[str] = values) -> str:
            index = columns.get(name)
            return values[index] if index is not None and index < len(values) else ""

        email = value_of("email")
        if not email:
            errors.append(RowError(line, _("e-mail manquant.")))
            continue
        rows.append(ImportRow(line, email, value_of("first_name"), value_of("last_name")))
    return ParsedFile(rows, errors)


def _row_problem(values: list[str]) -> str | None:
    if any("\x00" in v for v in values):
        return _("caractère nul dans la ligne (fichier abîmé ?) : ligne ignorée.")
    if any(len(v) > MAX_CELL for v in values):
        return _("une cellule dépasse %(n)d caractères.") % {"n": MAX_CELL}
    return None


def _parse(rows: Rows) -> ParsedFile:
    """The import rows of a table; a file that cannot be read is one whole-file message."""
    with closing(rows):
        try:
            return _from_table(rows)
        except TableError as problem:
            return _whole_file(problem.message, problem.line)


def _read(filename: str, content: bytes) -> Rows:
    return read_table(
        filename,
        content,
        max_columns=MAX_COLUMNS,
        max_unzipped=MAX_UNZIPPED,
        # Rows are streamed and reading stops at the limits (a sheet may declare millions of
        # empty rows in a few kilobytes).
        max_rows=MAX_ROWS + 2 * MAX_EMPTY_RUN,
    )


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """CSV or Excel, by extension (then by content: an .xlsx file is a zip archive)."""
    if len(content) > MAX_BYTES:
        return _whole_file(_("Fichier trop volumineux (2 Mo au plus)."))
    try:
        rows = _read(filename, content)
    except TableError as problem:
        return _whole_file(problem.message, problem.line)
    return _parse(rows)
