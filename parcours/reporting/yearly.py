"""The yearly activity report's files, from a laid-out report (:class:`output.Document`):

* a tagged PDF (``parcours.lib.pdf``): the organisation's name and logo, a summary page of the
  key figures beside the previous year's, one section per activity with its charts and tables,
  and the method notes (what each figure counts);
* an Excel workbook: a "Lisez-moi" sheet, the key figures, then one sheet per table with its
  numbers typed as numbers and a native Excel chart (bar, line or pie) drawn from the cells;
  every text cell goes through ``lib.exports.safe_cell`` (a text never runs as a formula);
* a ZIP of CSV files: the key figures and every table (``lib.exports.csv_bytes``).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.lib import dates, exports
from parcours.lib import pdf as lib_pdf
from parcours.lib.figures import Table
from parcours.reporting import charts
from parcours.reporting.output import Document, slug

SHEET_NAME_MAX = 31
FORBIDDEN_IN_SHEET_NAMES = str.maketrans(dict.fromkeys("[]:*?/\\'", " "))


def filename(document: Document, extension: str) -> str:
    span = f"{document.first:%Y%m%d}-{document.last:%Y%m%d}"
    return f"rapport-activite-{slug(document.title, 40)}-{span}.{extension}"


# --- PDF ------------------------------------------------------------------------------------


def render_html(document: Document, *, logo: str = "") -> str:
    """The report as the HTML WeasyPrint prints; ``logo`` is a ``data:`` URI (or empty)."""
    sections = []
    for section in document.sections:
        tables = [
            {"table": table, "chart": charts.render(table, f"pdf-{section.key}-{index}")}
            for index, table in enumerate(section.tables)
        ]
        sections.append({"section": section, "tables": tables})
    return render_to_string(
        "reporting/yearly_pdf.html",
        {
            "document": document,
            "sections": sections,
            "logo": logo if logo.startswith("data:") else "",
            "language": translation.get_language() or "fr",
            "generated_at": timezone.now(),
            "notes": document.method_notes(),
        },
    )


def pdf_bytes(document: Document, *, logo: str = "") -> bytes:
    return lib_pdf.render_pdf(render_html(document, logo=logo))


# --- Excel workbook -------------------------------------------------------------------------


def sheet_title(title: str, taken: set[str]) -> str:
    """A sheet name Excel accepts (31 characters, none of ``[]:*?/\\'``), unique in the book."""
    base = " ".join(str(title).translate(FORBIDDEN_IN_SHEET_NAMES).split()) or _("Feuille")
    base = base[:SHEET_NAME_MAX]
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name = base[: SHEET_NAME_MAX - len(suffix)] + suffix
        number += 1
    taken.add(name.lower())
    return name


def typed(value: Any) -> Any:
    """A cell for openpyxl: numbers stay numbers (Decimal as float), text made inert."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return str(value)
    return None if value is None else exports.safe_cell(value)


def _add_chart(sheet: Any, table: Table, rows: int) -> None:
    from openpyxl.chart import BarChart, LineChart, PieChart, Reference

    _categories, series = charts.series_of(table)
    if not series or rows == 0:
        return
    chart: Any
    if table.chart == "line":
        chart = LineChart()
    elif table.chart == "pie":
        chart = PieChart()
    else:
        chart = BarChart()
        chart.type = "bar"  # horizontal bars, as on the pages
    chart.title = exports.safe_cell(str(table.title))[:250]
    names = [name for name, _values in series]
    for column_index, column in enumerate(table.columns[1:], start=2):
        if str(column) not in names:
            continue
        data = Reference(sheet, min_col=column_index, min_row=1, max_row=rows + 1)
        chart.add_data(data, titles_from_data=True)
        if table.chart == "pie":
            break  # a pie shows one series
    chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=rows + 1))
    chart.width, chart.height = 18, max(8, min(24, 2 + rows * 0.6))
    sheet.add_chart(chart, f"{_column_letter(len(table.columns) + 2)}2")


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(index))


def _write_rows(sheet: Any, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> int:
    from openpyxl.styles import Font

    sheet.append([typed(str(h)) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([typed(value) for value in row])
        count += 1
    sheet.freeze_panes = "A2"
    for index, column in enumerate(header, start=1):
        sheet.column_dimensions[_column_letter(index)].width = max(
            12, min(48, len(str(column)) + 4)
        )
    return count


def key_figure_rows(document: Document) -> list[list[Any]]:
    return [
        [section.title, str(kf.figure.label), kf.figure.value, kf.previous, str(kf.figure.unit)]
        for section in document.sections
        for kf in section.figures
    ]


def key_figure_header(document: Document) -> list[str]:
    return [
        _("Rubrique"),
        _("Chiffre"),
        document.period_label,
        document.previous_label or _("Année précédente"),
        _("Unité"),
    ]


def workbook_bytes(document: Document) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    taken: set[str] = set()
    readme = book.active
    readme.title = sheet_title(_("Lisez-moi"), taken)
    lines: list[list[Any]] = [
        [_("Rapport d'activité")],
        [document.title],
        [document.period_label],
        [
            _("Du %(first)s au %(last)s")
            % {"first": dates.format_date(document.first), "last": dates.format_date(document.last)}
        ],
        [_("Produit le %(day)s") % {"day": dates.format_datetime(timezone.now())}],
        [],
        [
            _(
                "Une feuille par tableau ; les nombres sont des nombres (sommes et graphiques "
                "possibles). La feuille « Chiffres clés » met chaque chiffre à côté de celui de la "
                "même période de l'année précédente. Une cellule vide : non disponible."
            )
        ],
        [],
        [_("Notes de méthode")],
    ]
    lines += [[label, definition] for label, definition in document.method_notes()]
    for line in lines:
        readme.append([typed(value) for value in line])
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 40
    readme.column_dimensions["B"].width = 100
    for row in readme.iter_rows(min_row=7):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    summary = book.create_sheet(sheet_title(_("Chiffres clés"), taken))
    _write_rows(summary, key_figure_header(document), key_figure_rows(document))

    for table in document.tables:
        sheet = book.create_sheet(sheet_title(str(table.title), taken))
        count = _write_rows(sheet, table.columns, table.rows)
        if table.chart:
            _add_chart(sheet, table, count)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- CSV files ------------------------------------------------------------------------------


def csv_cell(value: Any) -> Any:
    """Numbers as Belgian spreadsheets read them: a decimal comma in French."""
    if isinstance(value, float | Decimal) and not isinstance(value, bool):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if isinstance(value, float) else str(value)
        language = translation.get_language() or "fr"
        return text.replace(".", ",") if language.startswith("fr") else text
    return value


def csv_zip_bytes(document: Document) -> bytes:
    buffer = io.BytesIO()
    names: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:
            base, number = slug(title), 2
            name = base
            while name in names:
                name, number = f"{base}-{number}", number + 1
            names.add(name)
            archive.writestr(
                f"{name}.csv",
                exports.csv_bytes(header, ([csv_cell(v) for v in row] for row in rows)),
            )

        add(_("Chiffres clés"), key_figure_header(document), key_figure_rows(document))
        for table in document.tables:
            add(str(table.title), table.columns, table.rows)
    return buffer.getvalue()
