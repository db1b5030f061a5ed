"""A tiny reader of gettext .po files (standard library only), shared by the catalogue test
and ``scripts/french_plurals.py``."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

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
