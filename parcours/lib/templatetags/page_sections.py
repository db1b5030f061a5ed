"""``{% page_sections "slot" obj %}``: the sections other apps add to a page (lib.sections)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from parcours.lib import sections

register = template.Library()


@register.simple_tag(takes_context=True)
def page_sections(context: template.Context, slot: str, obj: Any) -> SafeString:
    request = context.get("request")
    if request is None or obj is None:
        return mark_safe("")
    parts = [
        render_to_string(section.template, section.context, request=request)
        for section in sections.for_slot(slot, request, obj)
    ]
    return mark_safe("".join(parts))  # noqa: S308 - rendered templates, autoescaped
