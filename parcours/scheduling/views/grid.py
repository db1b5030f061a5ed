"""Planning grid layout (pure: integer columns, lanes, rows of cells)."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from typing import Any

from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from parcours.lib.dates import format_date
from parcours.scheduling import core, planning
from parcours.scheduling.states import BookingStatus
from parcours.scheduling.views._common import DEFAULT_HOURS, STEP, _local


def assign_lanes(spans: Sequence[tuple[int, int]]) -> list[list[int]]:
    """Spread half-open column spans ``[start, end)`` over as few lanes as a greedy pass
    needs so that no two spans of a lane overlap. Returns the span indices of each lane, in
    column order. (Confirmed bookings never overlap; pending requests may.)"""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], -spans[i][1], i))
    lanes: list[list[int]] = []
    ends: list[int] = []
    for i in order:
        start, end = spans[i]
        for lane_no, lane_end in enumerate(ends):
            if lane_end <= start:
                lanes[lane_no].append(i)
                ends[lane_no] = end
                break
        else:
            lanes.append([i])
            ends.append(end)
    return lanes or [[]]


def lane_cells(
    spans: Sequence[tuple[int, int]], lane: Sequence[int], n_cols: int
) -> list[tuple[int, int, int | None]]:
    """The cells of one table row: ``(column, colspan, span index or None for a free cell)``,
    covering the ``n_cols`` columns exactly once."""
    cells: list[tuple[int, int, int | None]] = []
    col = 0
    for i in lane:
        start, end = max(spans[i][0], col), min(spans[i][1], n_cols)
        while col < start:
            cells.append((col, 1, None))
            col += 1
        if end > start:
            cells.append((start, end - start, i))
            col = end
    while col < n_cols:
        cells.append((col, 1, None))
        col += 1
    return cells


# --- Grid view models ----------------------------------------------------------------------
#
# A 40-room week holds several hundred blocks: each cell is rendered here, escaped, as one
# string (the template engine would spend most of the page's time on them).


def _esc(text: str) -> str:
    """HTML-escape (quotes too): the standard library's, without Django's lazy wrapper."""
    return html.escape(text, quote=True)


def _time_label(entry: planning.GridEntry, day: dt.date) -> str:
    """The times of a block ("09:00" en dash "10:30"), arrows when it runs over the day."""
    start, end = _local(entry.start), _local(entry.end)
    left = f"{start.hour:02d}:{start.minute:02d}" if start.date() == day else "\u2190"
    right = f"{end.hour:02d}:{end.minute:02d}" if end.date() == day else "\u2192"
    return f"{left}\u2013{right}"


class CellRenderer:
    """Escaped HTML for the blocks and free cells of one grid page."""

    def __init__(self, *, readonly: bool) -> None:
        self.readonly = readonly
        self.base = reverse("scheduling:booking", args=[0])[: -len("0/")]
        self.labels = {value: _esc(str(label)) for value, label in BookingStatus.choices}

    def block(self, entry: planning.GridEntry, day: dt.date) -> str:
        status = _esc(entry.status)
        inner = (
            f'<span class="block-status">{self.labels.get(entry.status, status)}</span> '
            f'<span class="block-time">{_time_label(entry, day)}</span> '
            f'<span class="block-title">{_esc(entry.title)}</span>'
        )
        if self.readonly:
            return f'<span class="block status-{status}">{inner}</span>'
        url = f"{self.base}{entry.booking_id}/"
        return (
            f'<a class="block status-{status}" href="{url}" hx-get="{url}" '
            f'hx-target="#panneau-contenu" data-opens-panel>{inner}</a>'
        )

    @staticmethod
    def add(url: str, label: str) -> str:
        url = _esc(url)
        return (
            f'<a class="cell-add" href="{url}" hx-get="{url}" hx-target="#panneau-contenu" '
            f'data-opens-panel aria-label="{_esc(label)}">+</a>'
        )


def _day_window(grid: planning.Grid, index: int) -> tuple[dt.datetime, dt.datetime]:
    """The columns of a day: the opening hours (08:00 to 18:00 when none are set), widened to
    show every booking of the day, on the half-hour grid counted from local midnight."""
    day = grid.days[index]
    span = planning.day_span(day)
    windows = grid.windows[index]
    if windows and windows[0] != span:
        w0, w1 = windows[0][0], windows[-1][1]
    else:
        w0 = core.local_datetime(day, DEFAULT_HOURS[0], planning.TZ)
        w1 = core.local_datetime(day, DEFAULT_HOURS[1], planning.TZ)
    for row in grid.rows:
        for e in row.days[index]:
            w0 = min(w0, max(e.start, span[0]))
            w1 = max(w1, min(e.end, span[1]))
    w0 = span[0] + STEP * int((w0 - span[0]) / STEP)
    steps = (w1 - span[0]) / STEP
    w1 = span[0] + STEP * (int(steps) + (0 if steps == int(steps) else 1))
    return w0, w1


def day_rows(
    grid: planning.Grid, *, add_base: str | None, readonly: bool = False
) -> tuple[list[dt.datetime], list[dict[str, Any]]]:
    """The day view: half-hour columns and, per resource, one or more lanes of cells (each
    lane the escaped HTML of its ``<td>`` cells)."""
    day = grid.days[0]
    w0, w1 = _day_window(grid, 0)
    n = int((w1 - w0) / STEP)
    slots = [_local(w0 + STEP * i) for i in range(n)]
    render = CellRenderer(readonly=readonly)
    add_text = _("Réserver %(resource)s à %(time)s")
    rows: list[dict[str, Any]] = []
    for row in grid.rows:
        entries = row.days[0]
        spans = []
        for e in entries:
            s = max(0, int((e.start - w0) / STEP))
            raw_end = (e.end - w0) / STEP
            t = min(n, int(raw_end) + (0 if raw_end == int(raw_end) else 1))
            spans.append((s, max(t, s + 1)))
        covered = {c for s, t in spans for c in range(s, t)}
        lanes = []
        for lane_no, lane in enumerate(assign_lanes(spans)):
            html = []
            for col, colspan, idx in lane_cells(spans, lane, n):
                if idx is not None:
                    html.append(
                        f'<td colspan="{colspan}" class="busy">'
                        f"{render.block(entries[idx], day)}</td>"
                    )
                elif add_base and lane_no == 0 and col not in covered:
                    at = slots[col]
                    end = _local(w0 + STEP * min(col + 2, n))
                    url = (
                        f"{add_base}?resource={row.resource.pk}&day={day.isoformat()}"
                        f"&start_time={at:%H:%M}&end_time={end:%H:%M}"
                    )
                    label = add_text % {"resource": row.resource.name, "time": f"{at:%H:%M}"}
                    html.append(f'<td class="free">{render.add(url, label)}</td>')
                else:
                    html.append("<td></td>")
            lanes.append(mark_safe("".join(html)))  # noqa: S308 - built from escaped parts
        rows.append({"resource": row.resource, "lanes": lanes})
    return slots, rows


def week_rows(
    grid: planning.Grid, *, add_base: str | None, readonly: bool = False
) -> list[dict[str, Any]]:
    """The week view: per resource, the escaped HTML of its seven day cells."""
    render = CellRenderer(readonly=readonly)
    add_text = _("Réserver %(resource)s le %(day)s")
    day_names = [format_date(day, "day") for day in grid.days]
    rows = []
    for row in grid.rows:
        html = []
        for index, day in enumerate(grid.days):
            parts = [render.block(e, day) for e in row.days[index]]
            if add_base and grid.windows[index]:
                url = f"{add_base}?resource={row.resource.pk}&day={day.isoformat()}"
                label = add_text % {"resource": row.resource.name, "day": day_names[index]}
                parts.append(render.add(url, label))
            html.append(f"<td>{''.join(parts)}</td>")
        rows.append({"resource": row.resource, "cells": mark_safe("".join(html))})  # noqa: S308
    return rows
