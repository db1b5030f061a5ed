from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def step(counts: dict[str, Any], key: str) -> Any:
    """``counts|step:"selected"``: one step of a funnel's counts."""
    return counts.get(key)
