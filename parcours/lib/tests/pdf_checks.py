"""What a tagged, accessible PDF must carry (used by the tests of every PDF producer)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from pypdf import PdfReader


def assert_tagged(pdf: bytes, *, lang: str, title: str) -> None:
    """``pdf`` is tagged (marked, with a structure tree), in ``lang``, titled with a title
    that contains ``title``, and asks viewers to show that title."""
    reader = PdfReader(BytesIO(pdf))
    catalog: Any = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]), catalog.get("/MarkInfo")
    assert "/StructTreeRoot" in catalog
    assert str(catalog["/Lang"]).lower().startswith(lang)
    assert reader.metadata is not None and title in (reader.metadata.title or "")
    assert bool(catalog["/ViewerPreferences"]["/DisplayDocTitle"])
