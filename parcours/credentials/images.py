"""Badge images (PNG drawn with Pillow, SVG as text), baked with a credential on download,
and the PDF certificate with its QR code (WeasyPrint + segno)."""

from __future__ import annotations

import io
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from parcours.credentials.core import baking
from parcours.credentials.models import Achievement
from parcours.lib.pdf import render_pdf

SIZE = 400
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf",
)


def _font(size: int) -> Any:
    from PIL import ImageFont

    for candidate in FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size)


def _rgb(color: str) -> tuple[int, int, int]:
    try:
        value = int(color.lstrip("#"), 16)
    except ValueError:
        value = 0x1D4F91
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


@lru_cache(maxsize=64)
def _drawn_png(initials: str, color: str) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    fill = _rgb(color)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=(*fill, 255), outline=(255, 255, 255, 255))
    draw.ellipse((28, 28, SIZE - 28, SIZE - 28), outline=(255, 255, 255, 230), width=6)
    font = _font(150 if len(initials) <= 2 else 110)
    draw.text((SIZE / 2, SIZE / 2), initials, font=font, fill=(255, 255, 255, 255), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def badge_png(achievement: Achievement) -> bytes:
    """The achievement's image: the uploaded PNG, or a drawn badge with its initials."""
    if achievement.image:
        with achievement.image.open("rb") as handle:
            data = handle.read()
        if data.startswith(baking.PNG_SIGNATURE):
            return data
    return _drawn_png(achievement.initials, achievement.color)


def badge_svg(achievement: Achievement) -> str:
    initials = escape(achievement.initials)
    color = escape(achievement.color)
    title = escape(achievement.name_fr)
    size = 150 if len(achievement.initials) <= 2 else 110
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<circle cx="200" cy="200" r="192" fill="{color}" stroke="#fff" stroke-width="2"/>'
        '<circle cx="200" cy="200" r="172" fill="none" stroke="#fff" stroke-width="6" '
        'stroke-opacity="0.9"/>'
        f'<text x="200" y="200" dominant-baseline="central" text-anchor="middle" '
        f'font-family="DejaVu Sans, Arial, sans-serif" font-weight="bold" font-size="{size}" '
        f'fill="#fff">{initials}</text></svg>\n'
    )


def baked_png(achievement: Achievement, document: str) -> bytes:
    return baking.bake_png(badge_png(achievement), document)


def baked_svg(achievement: Achievement, document: str) -> str:
    return baking.bake_svg(badge_svg(achievement), document)


def qr_svg_data_uri(url: str) -> str:
    import segno

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2))


def certificate_pdf(html: str) -> bytes:
    """The certificate as a tagged PDF (``parcours.lib.pdf``: every PDF is made there)."""
    return render_pdf(html)
