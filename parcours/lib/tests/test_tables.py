"""The table reader's separator guess when the first line is a title (a Teams report)."""

from __future__ import annotations

from parcours.lib.tables import csv_table, decode_text


def _rows(text: str) -> list[list[str]]:
    return [cells for _line, cells in csv_table(text, max_columns=10)]


def test_a_title_line_without_separator_does_not_decide_the_separator() -> None:
    text = "1. Summary\nMeeting title\tWebinar, IA\nName\tEmail\nAna\tana@x.test\n"
    assert _rows(text)[1:] == [
        ["Meeting title", "Webinar, IA"],
        ["Name", "Email"],
        ["Ana", "ana@x.test"],
    ]
    decoded = decode_text(text.encode("utf-16"))
    assert decoded is not None and _rows(decoded)[3] == ["Ana", "ana@x.test"]


def test_the_first_line_still_decides_when_it_has_a_separator() -> None:
    assert _rows("a;b\nc,d;e\n") == [["a", "b"], ["c,d", "e"]]
    assert _rows("a,b\nc;d,e\n") == [["a", "b"], ["c;d", "e"]]
    assert _rows("title\nx;y\nz;w\n")[1:] == [["x", "y"], ["z", "w"]]
