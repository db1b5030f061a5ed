"""Bitstring Status List encoding and badge baking (pure, no Django)."""

from __future__ import annotations

import base64
import gzip
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.credentials.core import baking, statuslist

SIZE = statuslist.MIN_ENTRIES


@given(st.sets(st.integers(min_value=0, max_value=SIZE - 1), max_size=50))
@settings(max_examples=50, deadline=None)
def test_encoded_list_round_trip(indexes: set[int]) -> None:
    encoded = statuslist.encode(statuslist.bitstring_with(indexes))
    assert encoded.startswith("u")
    bits = statuslist.decode(encoded)
    assert len(bits) == SIZE // 8
    assert {i for i in range(SIZE) if statuslist.get_bit(bits, i)} == indexes


def test_encoding_follows_the_specification() -> None:
    """Index 0 is the left-most bit; encodedList is multibase base64url of GZIP."""
    encoded = statuslist.encode(statuslist.bitstring_with([0, 9]))
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw[0] == 0b1000_0000
    assert raw[1] == 0b0100_0000
    assert "=" not in encoded


def test_decode_refuses_garbage_and_bombs() -> None:
    with pytest.raises(statuslist.StatusListError):
        statuslist.decode("u!!!")
    with pytest.raises(statuslist.StatusListError):
        statuslist.decode("u" + base64.urlsafe_b64encode(b"not gzip").decode())
    bomb = gzip.compress(b"\0" * (statuslist.MAX_DECODED_BYTES + 1))
    with pytest.raises(statuslist.StatusListError):
        statuslist.decode("u" + base64.urlsafe_b64encode(bomb).decode().rstrip("="))


def _png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0\0")
    return (
        baking.PNG_SIGNATURE + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


CREDENTIAL = json.dumps({"id": "urn:uuid:1", "name": "Référent IA ]]> « test »"}, indent=2)


def test_png_baking_carries_the_text_byte_for_byte() -> None:
    baked = baking.bake_png(_png(), CREDENTIAL)
    assert baking.extract_png(baked) == CREDENTIAL
    assert baking.extract(baked) == CREDENTIAL
    # Baking again replaces the chunk: there is never more than one.
    rebaked = baking.bake_png(baked, "{}")
    assert rebaked.count(baking.PNG_KEYWORD) == 1
    assert baking.extract_png(rebaked) == "{}"


def test_png_baking_refuses_non_png_and_bad_crc() -> None:
    with pytest.raises(baking.BakingError):
        baking.bake_png(b"GIF89a", "{}")
    damaged = bytearray(baking.bake_png(_png(), "{}"))
    damaged[40] ^= 0xFF
    with pytest.raises(baking.BakingError):
        baking.extract_png(bytes(damaged))


def test_svg_baking_round_trip_even_with_cdata_end_in_the_json() -> None:
    svg = (
        '<?xml version="1.0"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><circle r="1"/></svg>'
    )
    baked = baking.bake_svg(svg, CREDENTIAL)
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert baked.index("<openbadges:credential>") > baked.index("<svg")
    assert baking.extract_svg(baked) == CREDENTIAL
    assert baking.extract(baked.encode()) == CREDENTIAL
    assert baking.extract_svg(baking.bake_svg(baked, "{}")) == "{}"
    assert baking.bake_svg(baked, "{}").count("<openbadges:credential>") == 1


def test_extract_from_an_image_without_credential() -> None:
    assert baking.extract(_png()) is None
    with pytest.raises(baking.BakingError):
        baking.extract(b"plain text")
