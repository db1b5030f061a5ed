"""``{% load documents %}``: ``{{ decimal_hours|hours }}`` → "6,5" in French, "6.5" in English."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter(name="hours")
def hours_filter(value: Decimal | float | int | None) -> str:
    if value is None:
        return ""
    text = f"{Decimal(str(value)):.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if (get_language() or "fr").startswith("fr") else text
