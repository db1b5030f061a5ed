"""Every translation catalogue in the repository is complete and compiled (issue #2).

A tiny .po reader (no dependency) checks each ``locale/<lang>/LC_MESSAGES/*.po``: no empty
``msgstr``, no fuzzy entry, the same ``%(name)s`` placeholders as the French source; and the
``.mo`` next to it, loaded with the standard library's ``gettext``, holds exactly the same
messages and translations (so a catalogue edited but not recompiled fails here).
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path

import pytest

from scripts.po import Entry, parse_po

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "__pycache__", ".mypy_cache", ".ruff_cache"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%\((\w+)\)\.\d+f")


def catalogues() -> list[Path]:
    found: list[Path] = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        if Path(folder).name == "LC_MESSAGES":
            found.extend(Path(folder) / name for name in sorted(files) if name.endswith(".po"))
    return found


CATALOGUES = catalogues()


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid]  # the header has an empty msgid


def test_the_foundation_catalogues_are_found() -> None:
    found = {p.relative_to(ROOT).as_posix() for p in CATALOGUES}
    for expected in [
        "locale/en/LC_MESSAGES/django.po",
        "parcours/accounts/locale/en/LC_MESSAGES/django.po",
        "parcours/catalogue/locale/en/LC_MESSAGES/django.po",
        "parcours/pathways/locale/en/LC_MESSAGES/django.po",
    ]:
        assert expected in found


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_message_is_translated_and_not_fuzzy(po: Path) -> None:
    problems = []
    for entry in messages(parse_po(po)):
        if "fuzzy" in entry.flags:
            problems.append(f"{entry.label} is fuzzy")
        expected_forms = 2 if entry.msgid_plural is not None else 1
        forms = [entry.msgstr.get(i, "") for i in range(max(expected_forms, len(entry.msgstr)))]
        if not all(form.strip() for form in forms):
            problems.append(f"{entry.label} has an empty msgstr")
            continue
        source = placeholders(entry.msgid or "") | placeholders(entry.msgid_plural or "")
        for form in forms:
            if entry.msgid_plural is None and placeholders(form) != source:
                problems.append(f"{entry.label}: placeholders differ in {form!r}")
            elif not placeholders(form) <= source:
                problems.append(f"{entry.label}: unknown placeholder in {form!r}")
    assert not problems, f"{po}:\n" + "\n".join(problems)


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_compiled_catalogue_matches_its_source(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run compilemessages"
    with mo.open("rb") as handle:
        # The parsed catalogue; GNUTranslations offers no public way to list its messages.
        compiled = dict(vars(gettext.GNUTranslations(handle))["_catalog"])
    compiled.pop("", None)  # header
    expected: dict[object, str] = {}
    for entry in messages(parse_po(po)):
        if "fuzzy" in entry.flags:
            continue  # msgfmt leaves fuzzy entries out (reported by the test above)
        key = entry.msgid if entry.msgctxt is None else f"{entry.msgctxt}\x04{entry.msgid}"
        if entry.msgid_plural is None:
            expected[key] = entry.msgstr.get(0, "")
        else:
            for index, text in entry.msgstr.items():
                expected[(key, index)] = text
    expected = {k: v for k, v in expected.items() if v}  # msgfmt drops untranslated entries
    stale = {k for k in expected.keys() | compiled.keys() if expected.get(k) != compiled.get(k)}
    assert not stale, f"{mo} is out of date with {po.name} (recompile): {sorted(map(str, stale))}"


def test_one_french_wording_has_one_english_translation_site_wide() -> None:
    """gettext merges every app's catalogue into one: when two apps translate the same French
    wording differently, one app silently shows the other's English. Wordings that must differ
    take a context (``pgettext``) so that they are distinct messages."""
    seen: dict[tuple[str | None, str], dict[str, list[str]]] = {}
    for po in CATALOGUES:
        where = po.relative_to(ROOT).as_posix()
        for entry in messages(parse_po(po)):
            if entry.msgid_plural is not None or "fuzzy" in entry.flags:
                continue
            key = (entry.msgctxt, entry.msgid or "")
            seen.setdefault(key, {}).setdefault(entry.msgstr.get(0, ""), []).append(where)
    clashes = [
        f"{msgid!r}" + (f" (context {ctx!r})" if ctx else "") + f": {translations}"
        for (ctx, msgid), translations in sorted(seen.items(), key=str)
        if len(translations) > 1
    ]
    assert not clashes, "translated differently by different apps:\n" + "\n".join(clashes)


def test_the_french_plural_catalogue_is_current() -> None:
    """``make messages`` regenerates it; a plural message added without it would say "0 …s"."""
    from scripts import french_plurals

    expected = french_plurals.render(french_plurals.plural_messages())
    assert french_plurals.TARGET.read_text(encoding="utf-8") == expected, (
        "run `make messages` (scripts/french_plurals.py) and commit locale/fr"
    )


def test_french_says_zero_in_the_singular() -> None:
    from django.utils import translation

    entry = next(e for e in parse_po(ROOT / "locale/fr/LC_MESSAGES/django.po") if e.msgid_plural)
    assert entry.msgid is not None and entry.msgid_plural is not None
    with translation.override("fr"):
        if entry.msgctxt is None:
            zero = translation.ngettext(entry.msgid, entry.msgid_plural, 0)
            two = translation.ngettext(entry.msgid, entry.msgid_plural, 2)
        else:
            zero = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 0)
            two = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
    assert (zero, two) == (entry.msgid, entry.msgid_plural)
