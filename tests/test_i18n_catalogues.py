"""Every translation catalogue in the repository is complete and compiled (issue #2).

A tiny .po reader (no dependency) checks each ``locale/<lang>/LC_MESSAGES/*.po``: no empty
``msgstr``, no fuzzy entry, the same ``%(name)s`` placeholders as the French source; and the
``.mo`` next to it, loaded with the standard library's ``gettext``, holds exactly the same
messages and translations (so a catalogue edited but not recompiled fails here).
"""

from __future__ import annotations

import ast
import gettext
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {".git", ".venv", "node_modules", "var", "__pycache__", ".mypy_cache", ".ruff_cache"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%\((\w+)\)\.\d+f")
LINE = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")$")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file (obsolete ``#~`` entries are comments and ignored)."""
    entries: list[Entry] = []
    current = Entry(line=1)
    target: tuple[str, int] | None = None

    def flush(number: int) -> None:
        nonlocal current, target
        if current.msgid is not None:
            entries.append(current)
        current, target = Entry(line=number), None

    lines = path.read_text(encoding="utf-8").splitlines()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            flush(number + 1)
        elif line.startswith("#"):
            if current.msgid is not None:
                flush(number)
            if line.startswith("#,"):
                current.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif match := LINE.match(line):
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index or 0))
                current.msgstr[target[1]] = value
            else:
                if keyword == "msgid" and current.msgid is not None:
                    flush(number)
                target = (keyword, 0)
                setattr(current, keyword, value)
        elif line.startswith('"') and target is not None:
            value = ast.literal_eval(line)
            if target[0] == "msgstr":
                current.msgstr[target[1]] += value
            else:
                setattr(current, target[0], getattr(current, target[0]) + value)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
    flush(len(lines) + 1)
    return entries


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
