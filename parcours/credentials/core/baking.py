"""Open Badges 3.0 "baked" images: a credential carried inside a PNG or an SVG file.

* PNG: one uncompressed ``iTXt`` chunk with the keyword ``openbadgecredential`` whose text is
  the credential's JSON (OB 3.0 §5.3.2). Baking replaces a chunk already there.
* SVG: ``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` on the root ``<svg>`` and,
  directly after it, ``<openbadges:credential><![CDATA[…json…]]></openbadges:credential>``.

The text is carried byte for byte, so a baked credential is exactly the one issued.
"""

from __future__ import annotations

import re
import struct
import zlib
from html import unescape

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"


class BakingError(ValueError):
    """The image is not a PNG / SVG that can carry (or carries) a credential."""


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    if not data.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG file")
    chunks: list[tuple[bytes, bytes]] = []
    position = len(PNG_SIGNATURE)
    while position < len(data):
        if position + 8 > len(data):
            raise BakingError("truncated PNG chunk header")
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        end = position + 8 + length + 4
        if end > len(data):
            raise BakingError("truncated PNG chunk")
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[end - 4 : end])
        if zlib.crc32(kind + body) != crc:
            raise BakingError(f"bad CRC in PNG chunk {kind!r}")
        chunks.append((kind, body))
        position = end
        if kind == b"IEND":
            break
    if not chunks or chunks[0][0] != b"IHDR" or chunks[-1][0] != b"IEND":
        raise BakingError("PNG without IHDR / IEND")
    return chunks


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _itxt_keyword(body: bytes) -> bytes:
    return body.split(b"\0", 1)[0]


def bake_png(image: bytes, text: str) -> bytes:
    """``image`` with one ``iTXt openbadgecredential`` chunk holding ``text`` (after IHDR)."""
    chunks = [
        (kind, body)
        for kind, body in _chunks(image)
        if not (kind == b"iTXt" and _itxt_keyword(body) == PNG_KEYWORD)
    ]
    # keyword \0 compression-flag compression-method language-tag \0 translated-keyword \0 text
    itxt = PNG_KEYWORD + b"\0\0\0" + b"\0" + b"\0" + text.encode("utf-8")
    out = [PNG_SIGNATURE, _chunk(*chunks[0]), _chunk(b"iTXt", itxt)]
    out.extend(_chunk(kind, body) for kind, body in chunks[1:])
    return b"".join(out)


def extract_png(image: bytes) -> str | None:
    """The text of the first ``openbadgecredential`` iTXt chunk, or ``None``."""
    for kind, body in _chunks(image):
        if kind != b"iTXt" or _itxt_keyword(body) != PNG_KEYWORD:
            continue
        rest = body[len(PNG_KEYWORD) + 1 :]
        if len(rest) < 2:
            raise BakingError("truncated iTXt chunk")
        compressed, _method = rest[0], rest[1]
        parts = rest[2:].split(b"\0", 2)
        if len(parts) != 3:
            raise BakingError("malformed iTXt chunk")
        text = parts[2]
        if compressed:
            try:
                text = zlib.decompress(text)
            except zlib.error as error:
                raise BakingError(f"bad compressed iTXt text: {error}") from error
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BakingError("iTXt text is not UTF-8") from error
    return None


_SVG_OPEN = re.compile(r"<svg\b[^>]*>", re.IGNORECASE)
_BAKED = re.compile(
    r"<openbadges:credential\b[^>]*?(?:/>|>(?P<body>.*?)</openbadges:credential>)", re.DOTALL
)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: split it over two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def bake_svg(svg: str, text: str) -> str:
    """``svg`` with the credential element right after the root ``<svg …>`` tag."""
    svg = _BAKED.sub("", svg)
    match = _SVG_OPEN.search(svg)
    if match is None:
        raise BakingError("not an SVG document")
    tag = match.group(0)
    if "xmlns:openbadges" not in tag:
        closing = "/>" if tag.endswith("/>") else ">"
        tag = tag[: -len(closing)].rstrip() + f' xmlns:openbadges="{SVG_NAMESPACE}"' + closing
    element = f"<openbadges:credential>{_cdata(text)}</openbadges:credential>"
    return svg[: match.start()] + tag + element + svg[match.end() :]


def extract_svg(svg: str) -> str | None:
    match = _BAKED.search(svg)
    if match is None:
        return None
    body = match.group("body") or ""
    sections = _CDATA.findall(body)
    if sections:
        return "".join(sections)
    # Plain (entity-escaped) text content.
    return unescape(body).strip() or None


def extract(data: bytes) -> str | None:
    """The credential text carried by a PNG or SVG file, or ``None``."""
    if data.startswith(PNG_SIGNATURE):
        return extract_png(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BakingError("neither a PNG nor a UTF-8 SVG file") from error
    if _SVG_OPEN.search(text) is None:
        raise BakingError("neither a PNG nor an SVG file")
    return extract_svg(text)
