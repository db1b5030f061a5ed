"""Reading an uploaded table (CSV or Excel .xlsx) safely: the one reader every import uses.

``read_table(filename, content, ...)`` yields ``(line number, cells)`` lazily, the line numbers
being the file's own (so a person finds the row in Excel). Whatever the file claims, reading is
bounded: for a workbook, at most ``max_unzipped`` bytes once unzipped;
at most ``max_columns`` cells a row; rows are streamed, so the caller stops reading where its
own limit is (a sheet may declare millions of empty rows in a few kilobytes). CSV text may be
UTF-8 (with or without BOM), UTF-16 (with its BOM) or Windows-1252, separated by ``;``, ``,`` or
tabs (guessed from the first line, or from the next ones when the first holds no separator, as in
a Teams attendance report), with ``\\r\\n``, ``\\n`` or a lone ``\\r`` line ends.

A file that cannot be read raises ``TableError`` with a French message (and the line where
reading stopped), never another exception. Cells are returned as read: checking them (NUL
bytes, length) is the caller's business.
"""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Generator

from django.utils.translation import gettext as _

#: (line number, cells) rows, read lazily.
Rows = Generator[tuple[int, list[str]], None, None]


class TableError(ValueError):
    """The file cannot be read; ``message`` says why, in the person's language."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def decode_text(content: bytes) -> str | None:
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


def csv_table(text: str, *, max_columns: int) -> Rows:
    """The rows of CSV text; the separator is guessed from the first line."""
    text = text.lstrip("\ufeff")
    first = next(iter(text.splitlines()), "")[:10_000]
    delimiter = ";" if first.count(";") >= first.count(",") and ";" in first else ","
    if "\t" in first and not ({";", ","} & set(first)):
        delimiter = "\t"
    if not ({";", ",", "\t"} & set(first)):
        delimiter = _delimiter_of_sample(text)
    # newline=None: "\r\n", "\n" and a lone "\r" (old Mac files) all end a line.
    reader = csv.reader(io.StringIO(text, newline=None), delimiter=delimiter)
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise TableError(
                _("Ligne illisible (guillemets ou séparateurs mal fermés) : corrigez-la."),
                reader.line_num,
            ) from exc
        yield reader.line_num, cells[:max_columns]


def _delimiter_of_sample(text: str) -> str:
    """A first line without any separator (a report's title, e.g. Teams' « 1. Summary »): the
    separator found on the most of the next lines (ties: ``;``, then tab, then ``,``)."""
    lines = [line[:10_000] for line in itertools.islice(text.splitlines(), 1, 50) if line]
    counts = {sep: sum(1 for line in lines if sep in line) for sep in (";", "\t", ",")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _unzipped_size(content: bytes) -> int | None:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def xlsx_table(content: bytes, *, max_columns: int, max_unzipped: int, max_rows: int) -> Rows:
    """The first sheet's rows (cell values, never formulas), at most ``max_rows`` read."""
    from openpyxl import load_workbook

    size = _unzipped_size(content)
    if size is None:
        raise TableError(_("Ce fichier n'est pas un classeur Excel (.xlsx) lisible."))
    if size > max_unzipped:
        raise TableError(_("Ce fichier Excel est trop volumineux une fois décompressé."))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that isn't a workbook
        raise TableError(_("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")) from None
    try:
        rows = workbook.worksheets[0].iter_rows(max_col=max_columns, values_only=True)
        for number, values in enumerate(itertools.islice(rows, max_rows), start=1):
            yield number, ["" if v is None else str(v) for v in values]
    except TableError:
        raise
    except Exception:  # a damaged sheet inside a valid archive
        raise TableError(_("Ce fichier n'est pas un classeur Excel (.xlsx) lisible.")) from None
    finally:
        workbook.close()


def read_table(
    filename: str, content: bytes, *, max_columns: int, max_unzipped: int, max_rows: int
) -> Rows:
    """CSV or Excel, by extension (then by content: an .xlsx file is a zip archive).

    The caller checks the upload's size first (its own limit and message). ``max_rows`` bounds
    what a workbook is asked for; CSV rows are read as the caller pulls them. Close the rows
    (``contextlib.closing``) when stopping early: that closes the workbook.
    """
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK":
        return xlsx_table(
            content, max_columns=max_columns, max_unzipped=max_unzipped, max_rows=max_rows
        )
    if name.endswith(".xls") or content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise TableError(_("Ancien format Excel (.xls) : enregistrez en .xlsx ou .csv."))
    text = decode_text(content)
    if text is None:
        raise TableError(
            _(
                "Encodage illisible : enregistrez le fichier en « CSV UTF-8 » "
                "(Excel : Fichier, Enregistrer sous)."
            )
        )
    return csv_table(text, max_columns=max_columns)
