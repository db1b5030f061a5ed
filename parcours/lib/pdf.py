"""HTML → PDF, the one way every PDF of Parcours is made (attestations, badge certificates,
catering lists): tagged PDF/UA-1 (a structure tree, marked content, the document's title and
language, so that screen readers read it), from resources embedded in the HTML only.

The HTML must have ``<html lang="…">`` and a ``<title>``: they become the PDF's ``/Lang``
and its title (shown instead of the file name, PDF/UA's ``DisplayDocTitle``).
"""

from __future__ import annotations

from typing import Any

PDF_VARIANT = "pdf/ua-1"


def embedded_only() -> Any:
    """A URL fetcher for ``data:`` URIs only: rendering never reads a file or the network,
    whatever a name or a title typed by someone contains."""
    try:
        from weasyprint.urls import URLFetcher
    except ImportError:  # WeasyPrint < 67: a fetcher is a function
        from weasyprint import default_url_fetcher

        def fetch(url: str, *args: Any, **kwargs: Any) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"PDFs embed their resources, not {url[:60]!r}")
            return default_url_fetcher(url, *args, **kwargs)

        return fetch
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def render_pdf(html: str) -> bytes:
    """A tagged (PDF/UA-1) PDF of ``html``."""
    from weasyprint import HTML  # heavy import: only when a PDF is made

    document = HTML(string=html, url_fetcher=embedded_only())
    return bytes(document.write_pdf(pdf_variant=PDF_VARIANT))
