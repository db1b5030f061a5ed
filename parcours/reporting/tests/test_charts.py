"""Charts: accessible SVG (role, title, description), drawn from the table's numbers."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.lib.figures import Table
from parcours.reporting import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output


def table(chart: Any, rows: tuple[tuple[Any, ...], ...]) -> Table:
    return Table(
        key="t.k",
        title="Personnes <formées>",
        columns=("Mois", "Personnes"),
        rows=rows,
        chart=chart,
    )


@pytest.mark.parametrize("kind", ["bar", "line", "pie"])
def test_every_chart_has_a_title_a_description_and_the_img_role(kind: str) -> None:
    rendered = charts.render(table(kind, (("janv.", 12), ("févr.", 30), ("mars", 3))), "c1")
    assert rendered is not None
    root = parse(rendered.svg)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.findtext(f"{SVG}title") == "Personnes <formées>"  # escaped, then read back
    assert root.findtext(f"{SVG}desc") == rendered.summary
    assert "style=" not in rendered.svg  # the CSP forbids inline styles


def test_the_bar_summary_names_the_largest_category_and_the_total() -> None:
    rendered = charts.render(table("bar", (("Mons", 12), ("Gosselies", 1300))), "c")
    assert rendered is not None
    assert "Gosselies" in rendered.summary
    assert "total 1\xa0312, le plus élevé Gosselies (1\xa0300)" in rendered.summary


def test_the_line_summary_gives_the_maximum_and_its_month() -> None:
    rendered = charts.render(table("line", (("janv.", 5), ("févr.", 40), ("mars", 9))), "c")
    assert rendered is not None
    assert "maximum 40 en févr." in rendered.summary


def test_the_breakdown_gives_shares_in_percent() -> None:
    rendered = charts.render(table("pie", (("Enseignants", 75), ("Autres", 25))), "c")
    assert rendered is not None
    assert "Enseignants 75 %" in rendered.summary


def test_no_hint_or_nothing_numeric_draws_nothing() -> None:
    assert charts.render(table("", (("a", 1),))) is None
    assert charts.render(table("bar", (("a", "x"),))) is None
    assert charts.render(table("line", (("a", 1),))) is None  # one point is no trend


@given(
    st.sampled_from(["bar", "line", "pie"]),
    st.lists(
        st.tuples(
            st.text(max_size=50),
            st.one_of(st.none(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True)),
        ),
        min_size=0,
        max_size=45,
    ),
)
def test_any_table_draws_well_formed_svg_or_nothing(
    kind: str, rows: list[tuple[object, ...]]
) -> None:
    rendered = charts.render(table(kind, tuple(rows)), "h")
    if rendered is not None:
        root = parse(rendered.svg)
        assert root.tag == f"{SVG}svg"
        for element in list(root.iter())[1:]:  # the root's width is "100%"
            for name in ("x", "y", "width", "height", "cx", "cy", "x1", "x2", "y1", "y2"):
                if element.get(name) is not None:
                    assert math.isfinite(float(element.get(name, "")))
            for point in element.get("points", "").split():
                assert all(math.isfinite(float(v)) for v in point.split(","))


def test_an_abbreviated_month_ends_a_sentence_with_one_full_stop() -> None:
    rendered = charts.render(table("line", (("déc.", 5), ("janv.", 1))), "c")
    assert rendered is not None
    assert "minimum 1 en janv. " not in rendered.summary and ".." not in rendered.summary


def test_axes_stop_at_round_numbers() -> None:
    assert [charts._nice_max(v) for v in (0, 3, 21, 2673, 16214)] == [1, 4, 40, 4000, 20000]


def test_month_labels_that_would_overlap_are_thinned() -> None:
    months = tuple((f"2025-{m:02d}", m) for m in range(1, 13))
    rendered = charts.render(table("line", months), "c")
    assert rendered is not None
    labels = [
        t.text for t in parse(rendered.svg).iter(f"{SVG}text") if (t.text or "").endswith(" 2025")
    ]
    assert labels == ["jan. 2025", "mars 2025", "mai 2025", "juil. 2025", "sept. 2025", "nov. 2025"]


def test_months_are_named_in_the_reader_s_language_not_in_iso() -> None:
    from django.utils import translation

    assert charts.category("2026-02") == "fév. 2026"
    assert charts.category("2026-13") == "2026-13"  # not a month: shown as typed
    assert charts.category("Liège") == "Liège" and charts.category(None) == ""
    with translation.override("en"):
        assert charts.category("2026-02") == "Feb. 2026"
