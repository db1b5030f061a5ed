"""Charts drawn on the server as accessible SVG: bars, lines (trends by month) and a stacked
breakdown (the accessible form of a pie).

A chart is drawn from a :class:`parcours.lib.figures.Table` whose ``chart`` hint is set: the
first column holds the categories (months, audiences, sites…), the other numeric columns are
the series. Every chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (the
text summary), and the page always shows the same numbers as a data table beside it: the chart
is never the only way to read a figure. No script, no ``style`` attribute (the Content Security
Policy forbids inline styles): colours are SVG presentation attributes, chosen to keep a
contrast of at least 4.5:1 with the white background (readable when printed in grey, too:
the series also differ by their marker and dash).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from parcours.lib.dates import format_month
from parcours.lib.figures import Cell, Table

# Dark enough on white (contrast >= 4.5:1) and distinct for the common colour blindnesses.
PALETTE = ("#1f4e79", "#a14a00", "#2e6b30", "#6a1b9a", "#37474f", "#9c1750")
DASHES = ("", "6 3", "2 3", "8 3 2 3", "4 4", "1 2")
TEXT = "#1a1a1a"
GRID = "#767676"  # 4.5:1 on white

WIDTH = 640
MAX_CATEGORIES = 40
MAX_VALUE = 1e15  # a longer table is shown as a table only


@dataclass(frozen=True)
class RenderedChart:
    kind: str
    svg: SafeString
    summary: str  # the same text as the SVG's <desc>, shown under the chart


def number(value: Any) -> float | None:
    """A cell as a number, or None when it is not one (text, empty, suppressed)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float | Decimal):
        try:
            result = float(value)
        except OverflowError:
            return None
        # Beyond any real figure (and beyond what a drawing can scale): not drawn.
        return result if math.isfinite(result) and abs(result) <= MAX_VALUE else None
    return None


def fnumber(value: Any) -> str:
    """A number as people read it in the active language (16 214 ; 12,5)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        value = round(value, 1)
    if isinstance(value, int | float | Decimal):
        return str(formats.number_format(value, use_l10n=True, force_grouping=True))
    return "" if value is None else str(value)


# Characters XML 1.0 refuses (a label typed with a control character must not break the page).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _label(value: Cell | Promise) -> str:
    return "" if value is None else _NOT_XML.sub("", str(value))


_ISO_MONTH = re.compile(r"(\d{4})-(\d{2})")


def category(value: Cell | Promise) -> str:
    """A table's first cell as people read it: the figures give months as ``2026-01`` (so that
    CSV files and open data sort), pages, charts and the PDF say ``jan. 2026``."""
    label = _label(value)
    found = _ISO_MONTH.fullmatch(label)
    if found and 1 <= int(found.group(2)) <= 12:
        return format_month(int(found.group(1)), int(found.group(2)))
    return label


def series_of(table: Table) -> tuple[list[str], list[tuple[str, list[float]]]]:
    """The categories (first column) and the numeric series (the other columns that hold at
    least one number) of a table."""
    categories = [category(row[0]) if row else "" for row in table.rows]
    series: list[tuple[str, list[float]]] = []
    for index, column in enumerate(table.columns[1:], start=1):
        cells = [number(row[index]) if index < len(row) else None for row in table.rows]
        if any(cell is not None for cell in cells):
            series.append((_label(column), [cell or 0.0 for cell in cells]))
    return categories, series


def _nice_max(value: float) -> float:
    """The top of the axis: 1, 2, 4, 6, 8 or 10 times a power of ten, at least ``value``, so
    that its four intervals fall on round numbers (an axis of 40 reads 10, 20, 30, 40)."""
    if value <= 1:  # the smallest axis goes to 1 (no figure is a tiny fraction)
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 4, 6, 8, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _truncate(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _tidy(summary: str) -> str:
    """One full stop after an abbreviated month ("en janv." + ".")."""
    return summary.replace("..", ".")


def _svg(uid: str, title: str, summary: str, height: int, body: list[str]) -> SafeString:
    title_id, desc_id = f"{uid}-title", f"{uid}-desc"
    return mark_safe(  # noqa: S308 - every text below went through escape()
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-labelledby="{title_id} {desc_id}" font-family="sans-serif" font-size="12">'
        f'<title id="{title_id}">{escape(_label(title))}</title>'
        f'<desc id="{desc_id}">{escape(_label(summary))}</desc>' + "".join(body) + "</svg>"
    )


def _legend(series: list[tuple[str, list[float]]], top: float, line: bool) -> list[str]:
    parts: list[str] = []
    x = 10.0
    for index, (name, _values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        if line:
            dash = DASHES[index % len(DASHES)]
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(
                f'<line x1="{x}" y1="{top - 4}" x2="{x + 18}" y2="{top - 4}" stroke="{colour}" '
                f'stroke-width="3"{dashed}/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{top - 12}" width="14" height="14" fill="{colour}"/>')
        parts.append(
            f'<text x="{x + 22}" y="{top}" fill="{TEXT}">{escape(_truncate(name, 30))}</text>'
        )
        x += 40 + min(len(name), 30) * 7
    return parts


# --- Summaries (the <desc> and the caption: what a sighted reader takes from the chart) ----


def _bar_summary(categories: list[str], series: list[tuple[str, list[float]]]) -> str:
    parts: list[str] = []
    for name, values in series:
        if not values:
            continue
        best = max(range(len(values)), key=lambda i: values[i])
        parts.append(
            _("%(series)s : total %(total)s, le plus élevé %(category)s (%(value)s).")
            % {
                "series": name,
                "total": fnumber(sum(values)),
                "category": categories[best],
                "value": fnumber(values[best]),
            }
        )
    return " ".join(parts)


def _line_summary(categories: list[str], series: list[tuple[str, list[float]]]) -> str:
    parts: list[str] = []
    for name, values in series:
        if not values:
            continue
        best = max(range(len(values)), key=lambda i: values[i])
        low = min(range(len(values)), key=lambda i: values[i])
        parts.append(
            _(
                "%(series)s de %(first)s à %(last)s : de %(start)s à %(end)s, "
                "maximum %(max)s en %(max_at)s, minimum %(min)s en %(min_at)s."
            )
            % {
                "series": name,
                "first": categories[0],
                "last": categories[-1],
                "start": fnumber(values[0]),
                "end": fnumber(values[-1]),
                "max": fnumber(values[best]),
                "max_at": categories[best],
                "min": fnumber(values[low]),
                "min_at": categories[low],
            }
        )
    return " ".join(parts)


def _share_summary(categories: list[str], values: list[float], name: str) -> str:
    total = sum(values)
    if total <= 0:
        return _("%(series)s : aucune valeur.") % {"series": name}
    ranked = sorted(range(len(values)), key=lambda i: -values[i])[:3]
    shares = ", ".join(
        _("%(category)s %(share)s %%")
        % {"category": categories[i], "share": fnumber(round(100 * values[i] / total, 1))}
        for i in ranked
    )
    return _("%(series)s, total %(total)s ; les plus grandes parts : %(shares)s.") % {
        "series": name,
        "total": fnumber(total),
        "shares": shares,
    }


# --- Drawings ------------------------------------------------------------------------------


def bar_chart(table: Table, uid: str) -> RenderedChart | None:
    """Horizontal bars (long category names stay readable on a phone), grouped by series."""
    categories, series = series_of(table)
    if not categories or not series or len(categories) > MAX_CATEGORIES:
        return None
    summary = _tidy(_bar_summary(categories, series))
    label_width, left, right = 190, 200, 70
    bar, gap = 14, 10
    group = bar * len(series) + gap
    top = 34 if len(series) > 1 else 12
    height = top + group * len(categories) + 28
    top_value = _nice_max(max(max(values) for _name, values in series))
    scale = (WIDTH - left - right) / top_value
    body: list[str] = []
    if len(series) > 1:
        body += _legend(series, 18, line=False)
    for tick in range(5):
        value = top_value * tick / 4
        x = left + value * scale
        body.append(
            f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 22}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" fill="{TEXT}">'
            f"{escape(fnumber(value))}</text>"
        )
    for row, category in enumerate(categories):
        y0 = top + row * group
        body.append(
            f'<text x="{label_width}" y="{y0 + group / 2 + 2:.1f}" text-anchor="end" '
            f'fill="{TEXT}">{escape(_truncate(category))}</text>'
        )
        for index, (_name, values) in enumerate(series):
            value = max(values[row], 0.0)
            y = y0 + index * bar
            width = value * scale
            body.append(
                f'<rect x="{left}" y="{y}" width="{width:.1f}" height="{bar - 2}" '
                f'fill="{PALETTE[index % len(PALETTE)]}"/>'
                f'<text x="{left + width + 4:.1f}" y="{y + bar - 4}" fill="{TEXT}">'
                f"{escape(fnumber(values[row]))}</text>"
            )
    return RenderedChart("bar", _svg(uid, str(table.title), summary, height, body), summary)


def line_chart(table: Table, uid: str) -> RenderedChart | None:
    """A trend (by month): one line per series, a marker on every point."""
    categories, series = series_of(table)
    if len(categories) < 2 or not series or len(categories) > MAX_CATEGORIES:
        return None
    summary = _tidy(_line_summary(categories, series))
    left, right, top, bottom = 60, 36, 34, 46
    height = 300
    plot_h = height - top - bottom
    top_value = _nice_max(max(max(values) for _name, values in series))
    step = (WIDTH - left - right) / (len(categories) - 1)
    body: list[str] = _legend(series, 18, line=True)
    for tick in range(5):
        value = top_value * tick / 4
        y = top + plot_h - value / top_value * plot_h
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.5"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{TEXT}">'
            f"{escape(fnumber(value))}</text>"
        )
    # Leave a label out when they would overlap (about 7 units a character at this size).
    widest = max(len(_truncate(category, 10)) for category in categories) * 7 + 6
    every = max(1, math.ceil(widest / step))
    for index, category in enumerate(categories):
        if index % every:
            continue
        x = left + index * step
        body.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" text-anchor="middle" '
            f'fill="{TEXT}">{escape(_truncate(category, 10))}</text>'
        )
    for index, (_name, values) in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        dash = DASHES[index % len(DASHES)]
        points = [
            (left + i * step, top + plot_h - max(v, 0.0) / top_value * plot_h)
            for i, v in enumerate(values)
        ]
        body.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.5"'
            + (f' stroke-dasharray="{dash}"' if dash else "")
            + ' points="'
            + " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            + '"/>'
        )
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>' for x, y in points]
    return RenderedChart("line", _svg(uid, str(table.title), summary, height, body), summary)


def share_chart(table: Table, uid: str) -> RenderedChart | None:
    """A breakdown of one whole (the ``pie`` hint) as one stacked bar with its legend and
    percentages: parts are compared by length, which people read better than angles."""
    categories, series = series_of(table)
    if not categories or not series or len(categories) > MAX_CATEGORIES:
        return None
    name, values = series[0]
    summary = _tidy(_share_summary(categories, values, name))
    total = sum(max(v, 0.0) for v in values)
    left, bar_top, bar_h = 10, 10, 36
    legend_top = bar_top + bar_h + 24
    height = legend_top + 20 * len(categories) + 6
    body: list[str] = []
    x = float(left)
    usable = WIDTH - 2 * left
    for index, value in enumerate(values):
        width = usable * max(value, 0.0) / total if total else 0.0
        colour = PALETTE[index % len(PALETTE)]
        body.append(
            f'<rect x="{x:.1f}" y="{bar_top}" width="{width:.1f}" height="{bar_h}" '
            f'fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
        )
        x += width
        share = 100 * max(value, 0.0) / total if total else 0.0
        y = legend_top + 20 * index
        body.append(
            f'<rect x="{left}" y="{y - 11}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{left + 22}" y="{y}" fill="{TEXT}">'
            f"{escape(_truncate(categories[index], 40))} : {escape(fnumber(value))} "
            f"({escape(fnumber(round(share, 1)))} %)</text>"
        )
    return RenderedChart("pie", _svg(uid, str(table.title), summary, height, body), summary)


DRAW = {"bar": bar_chart, "line": line_chart, "pie": share_chart}


def render(table: Table, uid: str = "") -> RenderedChart | None:
    """The chart a table asks for (``table.chart``), or None (no hint, nothing to draw, or too
    many categories: the table alone is then shown)."""
    draw = DRAW.get(table.chart)
    if draw is None:
        return None
    return draw(table, uid or "chart-" + table.key.replace(".", "-"))
