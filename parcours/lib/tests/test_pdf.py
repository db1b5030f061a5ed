"""Every PDF is tagged (PDF/UA-1) and embeds its resources only."""

from __future__ import annotations

import pytest

from parcours.lib.pdf import render_pdf
from parcours.lib.tests.pdf_checks import assert_tagged

HTML = """<!doctype html><html lang="fr"><head><meta charset="utf-8">
<title>Liste des repas — 12 mars</title></head>
<body><h1>Liste des repas</h1><table><thead><tr><th>Heure</th><th>Repas</th></tr></thead>
<tbody><tr><td>12:00</td><td>Sandwiches</td></tr></tbody></table></body></html>"""


def test_a_rendered_pdf_is_tagged_with_its_title_and_language():
    assert_tagged(render_pdf(HTML), lang="fr", title="Liste des repas — 12 mars")


def test_rendering_fetches_nothing(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for you")
    html = HTML.replace("<h1>", f'<img src="file://{secret}"><h1>')
    from weasyprint.urls import FatalURLFetchingError

    with pytest.raises(FatalURLFetchingError):
        render_pdf(html)
