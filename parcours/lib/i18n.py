"""Bilingual content fields: ``<name>_fr`` and ``<name>_en``, French first."""

from __future__ import annotations

from django.utils.translation import get_language


def pick(obj: object, name: str) -> str:
    """The value of ``name`` in the active language, falling back to French then English."""
    lang = (get_language() or "fr")[:2]
    value = getattr(obj, f"{name}_{lang}", "") or ""
    if value:
        return str(value)
    for other in ("fr", "en"):
        value = getattr(obj, f"{name}_{other}", "") or ""
        if value:
            return str(value)
    return ""
