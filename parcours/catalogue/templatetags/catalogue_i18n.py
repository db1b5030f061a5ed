"""Bilingual content in the reader's language, the other language marked when it stands in.

The competence frameworks are published in English: DigComp 3.0 and EntreComp have no French
labels in the official data we import, DigCompEdu has French area and level names only (see
``fixtures/frameworks/README.md``). ``parcours.lib.i18n.pick`` falls back to the other
language; ``{% bilingual competence "title" %}`` does the same but says so: the text in a
``lang`` span (screen readers switch voice) followed by "(en anglais)".
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def in_language(obj: object, name: str) -> tuple[str, str | None]:
    """(text, language of the text if it is not the reader's) — ``pick``'s choice, told."""
    return in_language_of(
        str(getattr(obj, f"{name}_fr", "") or ""), str(getattr(obj, f"{name}_en", "") or "")
    )


def in_language_of(fr: str, en: str, reader: str | None = None) -> tuple[str, str | None]:
    """``in_language`` for the French and English texts themselves (``reader``: the reader's
    language, read once by a caller that asks many times)."""
    reader = reader or (get_language() or "fr")[:2]
    own = fr if reader == "fr" else en if reader == "en" else ""
    if own:
        return own, None
    text = fr or en  # pick's fallback: French, then English
    if not text:
        return "", None
    return text, ("en" if reader != "en" else "fr")


def fallback_note(language: str | None) -> str:
    if language is None:
        return ""
    return _("(en anglais)") if language == "en" else _("(en français)")


@register.simple_tag
def bilingual(obj: object, name: str) -> SafeString | str:
    text, language = in_language(obj, name)
    if language is None:
        return text
    return format_html(
        '<span lang="{}">{}</span> <span class="muted">{}</span>',
        language,
        text,
        fallback_note(language),
    )
