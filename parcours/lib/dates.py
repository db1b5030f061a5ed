# ruff: noqa: RUF002 - the docstrings show the typography the functions write (en dashes)
"""The one way Parcours shows dates and times to people.

Every date and time a person reads — on a page, in an e-mail, a PDF, a CSV, a flash message —
goes through these functions (or the template filters of the same names in
``{% load parcours %}``). They convert aware datetimes to the platform's zone
(``settings.TIME_ZONE``, Europe/Brussels) and write them in the active language:

====================  ===================================  ====================================
function              French                               English
====================  ===================================  ====================================
``format_date``       lundi 14 décembre 2026               Monday 14 December 2026
``…(style="medium")`` 14 décembre 2026                     14 December 2026
``…(style="short")``  14/12/2026                           14/12/2026
``…(style="day")``    lundi 14 décembre                    Monday 14 December
``format_time``       13:00                                13:00
``format_datetime``   lundi 14 décembre 2026 à 13:00       Monday 14 December 2026 at 13:00
``format_span``       lundi 14 décembre 2026, 13:00–17:00  Monday 14 December 2026, 13:00–17:00
``format_days``       du 14 au 16 décembre 2026            14–16 December 2026
====================  ===================================  ====================================

Never ``str(datetime)``, never ``strftime`` on an aware datetime that was not made local first,
never UTC in text. A naive datetime is taken to be platform-local already.

Periods whose end is *exclusive* (a booking of whole days stored as ``[start, end)``) are shown
with their last day: pass ``end_exclusive=True`` to ``format_days`` (or use ``last_day``).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import dateformat, timezone, translation

# Formats per language (Django's ``dateformat`` letters; day and month names come translated
# from Django's own catalogues). French writes day and month names in lower case.
_FORMATS: dict[str, dict[str, str]] = {
    "fr": {
        "long": "l j F Y",
        "medium": "j F Y",
        "short": "d/m/Y",
        "day": "l j F",
        "time": "H:i",
        "datetime": "l j F Y à H:i",
        "datetime_medium": "j F Y à H:i",
        "datetime_short": "d/m/Y H:i",
    },
    "en": {
        "long": "l j F Y",
        "medium": "j F Y",
        "short": "d/m/Y",
        "day": "l j F",
        "time": "H:i",
        "datetime": "l j F Y \\a\\t H:i",
        "datetime_medium": "j F Y \\a\\t H:i",
        "datetime_short": "d/m/Y H:i",
    },
}
DATE_STYLES = ("long", "medium", "short", "day")
EN_DASH = "\u2013"


def platform_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _formats() -> dict[str, str]:
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return _FORMATS.get(language, _FORMATS["fr"])


def local(value: dt.datetime) -> dt.datetime:
    """``value`` in the platform's zone (a naive value is taken to be local already)."""
    if timezone.is_naive(value):
        return value.replace(tzinfo=platform_zone())
    return value.astimezone(platform_zone())


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day ``value`` falls on in the platform's zone."""
    if isinstance(value, dt.datetime):
        return local(value).date()
    return value


def last_day(end_exclusive: dt.date | dt.datetime) -> dt.date:
    """The last day covered by a period that ends (exclusively) at ``end_exclusive``.

    A period ending at midnight (or on a bare date) covers the day before; one ending at
    13:00 covers that day.
    """
    if isinstance(end_exclusive, dt.datetime):
        moment = local(end_exclusive)
        if moment.time() == dt.time(0, 0):
            return moment.date() - dt.timedelta(days=1)
        return moment.date()
    return end_exclusive - dt.timedelta(days=1)


def _french_first(fmt: str, value: dt.date) -> str:
    """French writes the first of the month ``1er``."""
    if value.day == 1 and _formats() is _FORMATS["fr"]:
        return fmt.replace("j", "j\\e\\r", 1)
    return fmt


def _fmt(value: dt.date | dt.datetime, key: str) -> str:
    if isinstance(value, dt.datetime):
        value = local(value)
    return dateformat.format(value, _french_first(_formats()[key], value))


def format_date(value: dt.date | dt.datetime | None, style: str = "long") -> str:
    """A day: ``lundi 14 décembre 2026`` (``style``: long, medium, short or day)."""
    if value is None:
        return ""
    if style not in DATE_STYLES:
        raise ValueError(f"unknown date style: {style!r}")
    return _fmt(local_date(value), style)


def format_month(year: int, month: int) -> str:
    """A month of a year, abbreviated in the active language: ``jan. 2026``, ``Jan. 2026``."""
    return dateformat.format(dt.date(year, month, 1), "N Y")


def format_time(value: dt.datetime | dt.time | None) -> str:
    """A time of day on the 24-hour clock: ``13:00``."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = local(value).time()
    return f"{value.hour:02d}:{value.minute:02d}"


def format_datetime(value: dt.datetime | None, style: str = "long") -> str:
    """A moment: ``lundi 14 décembre 2026 à 13:00`` (``style``: long, medium or short)."""
    if value is None:
        return ""
    key = {"long": "datetime", "medium": "datetime_medium", "short": "datetime_short"}.get(style)
    if key is None:
        raise ValueError(f"unknown datetime style: {style!r}")
    return _fmt(value, key)


def format_span(start: dt.datetime, end: dt.datetime, style: str = "long") -> str:
    """A time slot: ``lundi 14 décembre 2026, 13:00–17:00``; over several days, both ends.

    An end at midnight closes the start's day (``…, 20:00–24:00``).
    """
    start_l, end_l = local(start), local(end)
    same_day = end_l.date() == start_l.date()
    ends_at_midnight = end_l.time() == dt.time(0, 0) and end_l.date() == start_l.date() + (
        dt.timedelta(days=1)
    )
    if same_day or ends_at_midnight:
        end_text = "24:00" if ends_at_midnight and not same_day else format_time(end_l)
        return f"{format_date(start_l, style)}, {format_time(start_l)}{EN_DASH}{end_text}"
    dt_style = style if style in ("long", "medium", "short") else "long"
    return f"{format_datetime(start_l, dt_style)} {EN_DASH} {format_datetime(end_l, dt_style)}"


def format_days(
    first: dt.date | dt.datetime, last: dt.date | dt.datetime, *, end_exclusive: bool = False
) -> str:
    """A run of whole days: ``du 14 au 16 décembre 2026`` / ``14–16 December 2026``.

    ``last`` is the last day included, unless ``end_exclusive`` says it is the day after
    (or the midnight) that ends the period.
    """
    first_d = local_date(first)
    last_d = last_day(last) if end_exclusive else local_date(last)
    if last_d < first_d:
        last_d = first_d
    if first_d == last_d:
        return format_date(first_d, "long")
    if first_d.year != last_d.year:
        a = format_date(first_d, "medium")
    elif first_d.month != last_d.month:
        a = dateformat.format(first_d, _french_first("j F", first_d))
    else:
        a = dateformat.format(first_d, _french_first("j", first_d))
    b = format_date(last_d, "medium")
    if _formats() is _FORMATS["fr"]:
        return f"du {a} au {b}"
    same_month = first_d.month == last_d.month and first_d.year == last_d.year
    separator = EN_DASH if same_month else f" {EN_DASH} "
    return f"{a}{separator}{b}"
