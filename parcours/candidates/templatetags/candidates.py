from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def step(counts: dict[str, Any], key: str) -> Any:
    """``counts|step:"selected"``: one step of a funnel's counts."""
    return counts.get(key)


@register.simple_tag(takes_context=True)
def manages_call(context: dict[str, Any], call: Any) -> bool:
    """Whether the viewer may change the call itself (its stages): coordinators, not the
    career managers who only read it. Links to pages they would be refused are not shown."""
    from parcours.candidates import actions

    actor = getattr(context.get("request"), "actor", None)
    return actor is not None and actions.manages(actor, call.organisation_id)
