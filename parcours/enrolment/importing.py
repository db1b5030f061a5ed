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

import csv
import io
import itertools
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


def _decode(content: bytes) -> str | None:
    """The text of a CSV: UTF-16 (with its BOM), UTF-8 (with or without BOM) or Windows-1252;
    ``None`` when it is none of them."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            return None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _csv_lines(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) from a csv reader; a malformed line ends the file with a row error
    (raised as ``_Broken``)."""
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _Broken(getattr(reader, "line_num", 0)) from exc
        yield getattr(reader, "line_num", 0), cells


class _Broken(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def parse_csv(content: bytes) -> ParsedFile:
    text = _decode(content)
    if text is None:
        return _whole_file(
            _(
                "Encodage illisible : enregistrez le fichier en « CSV UTF-8 » "
                "(Excel : Fichier, Enregistrer sous)."
            )
        )
    text = text.lstrip("\ufeff")
    first = next(iter(text.splitlines()), "")[:10_000]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    if "\t" in first and not ({";", ","} & set(first)):
        delimiter = "\t"
    # newline=None: "\r\n", "\n" and a lone "\r" (old Mac files) all end a line.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    try:
        return _from_table(_csv_lines(reader))
    except _Broken as broken:
        return _whole_file(
            _("Ligne illisible (guillemets ou séparateurs mal fermés) : corrigez-la."),
            broken.line,
        )


def _unzipped_size(content: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def parse_xlsx(content: bytes) -> ParsedFile:
    from openpyxl import load_workbook

    size = _unzipped_size(content)
    if size is None:
        return _whole_file(_("Ce fichier Excel est illisible."))
    if size > MAX_UNZIPPED:
        return _whole_file(_("Ce fichier Excel est trop volumineux une fois décompressé."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that isn't a workbook
        return _whole_file(_("Ce fichier Excel est illisible."))
    try:
        sheet = workbook.worksheets[0]
        # Rows are streamed and reading stops at the limits (a sheet may declare millions of
        # empty rows in a few kilobytes).
        rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)
        budget = MAX_ROWS + 2 * MAX_EMPTY_RUN
        table = (
            (number, ["" if v is None else str(v) for v in values])
            for number, values in enumerate(itertools.islice(rows, budget), start=1)
        )
        return _from_table(table)
    except Exception:  # a damaged sheet inside a valid archive
        return _whole_file(_("Ce fichier Excel est illisible."))
    finally:
        workbook.close()


def parse_file(filename: str, content: bytes) -> ParsedFile:
    """CSV or Excel, by extension (then by content: an .xlsx file is a zip archive)."""
    if len(content) > MAX_BYTES:
        return _whole_file(_("Fichier trop volumineux (2 Mo au plus)."))
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return parse_xlsx(content)
    if name.endswith(".xls") or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return _whole_file(_("Ancien format Excel (.xls) : enregistrez en .xlsx ou .csv."))
    return parse_csv(content)
