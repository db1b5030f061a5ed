"""Attestations as tagged PDF (``parcours.lib.pdf``, from a template) and a session's
attestations as a ZIP."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Iterator
from decimal import Decimal

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from parcours.accounts.models import Role
from parcours.documents.models import Attestation
from parcours.lib import pdf as lib_pdf
from parcours.lib.streams import Sink
from parcours.lib.urls import absolute_url


def verification_url(attestation: Attestation) -> str:
    return absolute_url(reverse("documents:verify", args=[attestation.code]))


def qr_data_uri(url: str) -> str:
    """The URL as a QR code, an SVG data URI (embedded: WeasyPrint fetches nothing)."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000"))


def format_hours(value: Decimal, language: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if language == "fr" else text


def language_of(attestation: Attestation) -> str:
    wanted = attestation.learner.language or settings.LANGUAGE_CODE
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_html(attestation: Attestation, language: str | None = None) -> str:
    language = language or language_of(attestation)
    url = verification_url(attestation)
    with translation.override(language):
        return render_to_string(
            "documents/attestation_pdf.html",
            {
                "attestation": attestation,
                "language": language,
                "verification_url": url,
                "qr": qr_data_uri(url),
                "hours_attended": format_hours(attestation.hours_attended, language),
                "hours_planned": format_hours(attestation.hours_planned, language),
                "signatory_role": Role(attestation.signatory_role).label
                if attestation.signatory_role in Role.values
                else "",
                "same_day": attestation.starts_on == attestation.ends_on,
            },
        )


def render_pdf(attestation: Attestation, language: str | None = None) -> bytes:
    """The attestation as a tagged PDF (``parcours.lib.pdf``: every PDF is made there)."""
    return lib_pdf.render_pdf(render_html(attestation, language))


def zip_filenames(attestations: Iterable[Attestation]) -> Iterator[tuple[str, Attestation]]:
    """Unique names inside the archive (two learners may share a name)."""
    seen: set[str] = set()
    for attestation in attestations:
        name = attestation.filename
        if name in seen:
            name = f"{name.removesuffix('.pdf')}-{attestation.code[:8].lower()}.pdf"
        seen.add(name)
        yield name, attestation


def stream_zip(attestations: Iterable[Attestation]) -> Iterator[bytes]:
    """A ZIP of the attestations' PDFs, yielded one member at a time.

    The coordinator's download starts with the first PDF instead of after the last one (about
    0.1 s of rendering each), and memory holds one PDF at a time whatever the session's size.
    """
    sink = Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, attestation in zip_filenames(attestations):
            archive.writestr(name, render_pdf(attestation))
            yield sink.drain()
    yield sink.drain()  # the central directory, written on close
