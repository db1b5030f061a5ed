"""Exports are data, not formulas: the one helper every CSV and spreadsheet export uses.

A spreadsheet opening a CSV (or an XLSX text cell) that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return may run it as a formula (CSV injection). ``safe_cell`` prefixes such
text with an apostrophe, which spreadsheets show as plain text. Numbers, dates and booleans are
left as they are (a negative *number* is data; a text ``-1+1`` is not).

``csv_bytes`` writes what Excel in Belgium opens correctly: UTF-8 with a BOM, ``;`` separators,
CRLF line ends, every text cell made safe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(v) for v in values]


def csv_bytes(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, delimiter: str = ";"
) -> bytes:
    """A whole CSV document (UTF-8 with BOM) with every cell made safe."""
    buffer = io.StringIO()
    write_csv(buffer, header, rows, delimiter=delimiter)
    return buffer.getvalue().encode("utf-8-sig")


def write_csv(
    stream: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, delimiter: str = ";"
) -> None:
    """Write ``header`` and ``rows`` to a text stream, every cell made safe."""
    writer = csv.writer(stream, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(safe_row("" if h is None else str(h) for h in header))
    for row in rows:
        writer.writerow(safe_row("" if v is None else v for v in row))


class _Echo:
    def write(self, value: str) -> str:
        return value


def stream_csv(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], *, delimiter: str = ";"
) -> Iterable[bytes]:
    """The CSV document line by line (for ``StreamingHttpResponse``), BOM first."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n")
    yield "\ufeff".encode()
    yield writer.writerow(safe_row("" if h is None else str(h) for h in header)).encode()
    for row in rows:
        yield writer.writerow(safe_row("" if v is None else v for v in row)).encode()
