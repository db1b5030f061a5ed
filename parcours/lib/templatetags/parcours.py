from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import SafeString, mark_safe

from parcours.lib import dates
from parcours.lib.text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value: str) -> SafeString:
    return mark_safe(render_markdown(value))  # noqa: S308 - sanitised by nh3


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **kwargs: object) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    params = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + params.urlencode() if params else "?"


# --- dates and times: the one way to show them (parcours.lib.dates) ------------------------


@register.filter(name="fdate")
def fdate_filter(value: object, style: str = "long") -> str:
    """``{{ session.start|fdate }}`` → lundi 14 décembre 2026 (styles: long, medium, short, day)."""
    if not isinstance(value, dt.date):
        return ""
    return dates.format_date(value, style)


@register.filter(name="ftime")
def ftime_filter(value: object) -> str:
    """``{{ slot.start|ftime }}`` → 13:00, in Europe/Brussels."""
    if not isinstance(value, dt.datetime | dt.time):
        return ""
    return dates.format_time(value)


@register.filter(name="fdatetime")
def fdatetime_filter(value: object, style: str = "long") -> str:
    """``{{ booking.start|fdatetime }}`` → lundi 14 décembre 2026 à 13:00."""
    if not isinstance(value, dt.datetime):
        return ""
    return dates.format_datetime(value, style)


@register.simple_tag(name="fspan")
def fspan_tag(start: dt.datetime | None, end: dt.datetime | None, style: str = "long") -> str:
    """``{% fspan slot.start slot.end %}`` → lundi 14 décembre 2026, 13:00\u201317:00."""
    if start is None or end is None:
        return ""
    return dates.format_span(start, end, style)


@register.simple_tag(name="fdays")
def fdays_tag(first: dt.date | None, last: dt.date | None, end_exclusive: bool = False) -> str:
    """``{% fdays booking.start booking.end end_exclusive=True %}`` → du 14 au 16 décembre 2026."""
    if first is None or last is None:
        return ""
    return dates.format_days(first, last, end_exclusive=end_exclusive)
