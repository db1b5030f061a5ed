"""What pages and the yearly report show: the figures of a report laid out in sections, each
figure with its value for the same period of the previous year, each table with its chart.

The figures engine (``parcours.reporting.figures``) computes; this module only shapes its
result for people (:func:`from_report`), so that the dashboard, the PDF, the workbook and the
CSV files show the same numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from parcours.lib.figures import Figure, Table
from parcours.reporting import charts
from parcours.reporting.figures import Report
from parcours.reporting.periods import Period


@dataclass(frozen=True)
class KeyFigure:
    figure: Figure
    previous: int | float | Decimal | None = None

    @property
    def value_text(self) -> str:
        return with_unit(self.figure.value, self.figure.unit)

    @property
    def previous_text(self) -> str:
        return with_unit(self.previous, self.figure.unit)

    @property
    def change(self) -> str:
        """``+12 %``, ``-3 %`` (a true minus sign), ``=`` or empty (no previous value, or 0)."""
        value, previous = self.figure.value, self.previous
        if value is None or previous is None or float(previous) == 0:
            return ""
        ratio = (float(value) - float(previous)) / abs(float(previous)) * 100
        rounded = round(ratio)
        if rounded == 0:
            return "="
        sign = "+" if rounded > 0 else "\u2212"  # the minus sign
        return f"{sign}{charts.fnumber(abs(rounded))} %"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[KeyFigure, ...] = ()
    tables: tuple[Table, ...] = ()


@dataclass(frozen=True)
class Document:
    """A report laid out: for one organisation (or a network), one period."""

    title: str  # the organisation's name, or the network's
    period_label: str  # "Année civile 2026", "Année scolaire 2025-2026", "du … au …"
    first: dt.date
    last: dt.date
    sections: tuple[Section, ...] = ()
    previous_label: str = ""
    notes: tuple[tuple[str, str], ...] = field(default_factory=tuple)  # (label, definition)
    recalculating: bool = False  # the facts were being rebuilt: figures of the last rebuild

    @property
    def key_figures(self) -> list[KeyFigure]:
        return [kf for section in self.sections for kf in section.figures]

    @property
    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def method_notes(self) -> list[tuple[str, str]]:
        """What each figure and table counts: the definitions, once each, in report order."""
        notes: list[tuple[str, str]] = list(self.notes)
        seen = {label for label, _text in notes}
        for section in self.sections:
            items: list[tuple[Any, Any]] = [
                (kf.figure.label, kf.figure.definition) for kf in section.figures
            ]
            items += [(table.title, table.definition) for table in section.tables]
            for label, definition in items:
                if definition and str(label) not in seen:
                    seen.add(str(label))
                    notes.append((str(label), str(definition)))
        return notes


UNIT_SUFFIX = {"percent": " %", "hours": " h", "euros": " €"}


def with_unit(value: Any, unit: str) -> str:
    if value is None:
        return _("n.d.")
    suffix = UNIT_SUFFIX.get(unit, "")
    if unit == "days":
        return _("%(value)s j") % {"value": charts.fnumber(value)}
    return charts.fnumber(value) + suffix


def slug(text: str, length: int = 60) -> str:
    """A file name part: ASCII, lowercase, dashes."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:length] or "rapport"


def period_label(period: Period) -> str:
    """ "Année civile 2026", "Année scolaire 2025-2026" or "Du 1er mars au 30 juin 2026"."""
    if period.kind == "year":
        return _("Année civile %(year)s") % {"year": period.label}
    if period.kind == "school_year":
        return _("Année scolaire %(years)s") % {"years": period.label}
    return period.label


def from_report(report: Report, *, title: str) -> Document:
    """The engine's report laid out for people (pages, PDF, workbook, CSV)."""
    sections: list[Section] = []
    notes: list[tuple[str, str]] = []
    for section in report.sections:
        sections.append(
            Section(
                key=section.key,
                title=str(section.title),
                figures=tuple(
                    KeyFigure(figure=item.figure, previous=item.previous_value)
                    for item in section.figures
                ),
                tables=tuple(section.tables),
            )
        )
        notes += [(str(label), str(text)) for label, text in section.definitions]
    return Document(
        title=title,
        period_label=period_label(report.period),
        previous_label=period_label(report.period.previous()),
        first=report.period.first,
        last=report.period.last,
        sections=tuple(sections),
        notes=tuple(notes),
        recalculating=report.recalculating,
    )
