from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.lib.exports import FORMULA_PREFIXES, csv_bytes, safe_cell, stream_csv


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formula_text_is_made_inert(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Café", "Salle 2 = grande", "", 42, -3, Decimal("-1.5"), None])
def test_other_values_are_left_alone(value: object) -> None:
    assert safe_cell(value) == value


@given(st.lists(st.lists(st.text(max_size=20), min_size=1, max_size=4), max_size=5))
def test_no_cell_of_a_csv_starts_a_formula(rows: list[list[str]]) -> None:
    document = csv_bytes(["a", "b", "c", "d"], rows).decode("utf-8-sig")
    for row in csv.reader(io.StringIO(document, newline=""), delimiter=";"):
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES)


def test_streamed_csv_equals_the_whole_document() -> None:
    rows = [["=1", "x"], ["ok", "-y"]]
    assert b"".join(stream_csv(["h1", "h2"], rows)) == csv_bytes(["h1", "h2"], rows)
    assert csv_bytes(["h"], []).startswith("\ufeff".encode())
