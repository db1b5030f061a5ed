"""Template helpers of the logistics area."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from parcours.accounts.models import Role

register = template.Library()


@register.filter
def only_agent(roles: Iterable[str] | None) -> bool:
    """``{% if current_roles|only_agent %}``: the person only looks (the read-only agent role),
    so the menu offers nothing to request or change."""
    held = set(roles or ())
    return bool(held) and held <= {Role.AGENT}
