"""The sane range of every number, date and duration logistics accepts (issue #9).

Forms, API schemas and actions all use these, so a year 0001 or 9999, a buffer of minus ten
minutes or a count of 2^64 gets a clear French message and a 4xx, never a 500 (an overflow in
date arithmetic or in the database) and never a silly row.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MIN_DATE = dt.date(2000, 1, 1)
MAX_DATE = dt.date(2100, 12, 31)
MAX_BUFFER_MINUTES = 240  # set-up or clean-up around a booking
MAX_COUNT = 10_000  # participants, capacity, catering portions, pupils
MAX_CUTOFF_DAYS = 60

DATE_VALIDATORS = [
    MinValueValidator(MIN_DATE, gettext_lazy("Choisissez une date à partir du 1er janvier 2000.")),
    MaxValueValidator(MAX_DATE, gettext_lazy("Choisissez une date jusqu'au 31 décembre 2100.")),
]
BUFFER_VALIDATORS = [
    MinValueValidator(0, gettext_lazy("Une durée ne peut pas être négative.")),
    MaxValueValidator(
        MAX_BUFFER_MINUTES, gettext_lazy("Au plus 240 minutes (4 heures) avant ou après.")
    ),
]
COUNT_VALIDATORS = [MaxValueValidator(MAX_COUNT, gettext_lazy("Au plus 10 000."))]


def check_date(value: dt.date | dt.datetime, field: str) -> None:
    day = value.date() if isinstance(value, dt.datetime) else value
    if not MIN_DATE <= day <= MAX_DATE:
        raise ValidationError(
            {field: [_("Choisissez une date entre le 1er janvier 2000 et le 31 décembre 2100.")]}
        )


def check_buffer(value: int | None, field: str) -> None:
    if value is not None and not 0 <= value <= MAX_BUFFER_MINUTES:
        raise ValidationError({field: [_("Indiquez entre 0 et 240 minutes (4 heures).")]})


def check_count(value: int | None, field: str, minimum: int = 0) -> None:
    if value is not None and not minimum <= value <= MAX_COUNT:
        raise ValidationError(
            {field: [_("Indiquez un nombre entre %(min)d et 10 000.") % {"min": minimum}]}
        )
