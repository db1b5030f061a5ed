"""Template filters of the reporting pages and the yearly report."""

from __future__ import annotations

from typing import Any

from django import template

from parcours.reporting import charts

register = template.Library()


@register.filter
def fnumber(value: Any) -> str:
    """A number as people read it in the active language (``16 214``, ``12,5``); text as is."""
    return charts.fnumber(value)


@register.filter
def category(value: Any) -> str:
    """A table's first cell as people read it (``2026-01`` becomes ``jan. 2026``)."""
    return charts.category(value)
