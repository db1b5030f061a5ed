"""The one bound of ids at the edge: parse_id and the ``<id:…>`` URL converter every app uses."""

from __future__ import annotations

import pytest
from django.urls import Resolver404, resolve, reverse

from parcours.lib.ids import MAX_ID, IdConverter, parse_id


@pytest.mark.parametrize("text", ["", "0", "-1", "1.5", "٣", str(MAX_ID + 1), "9" * 20])
def test_what_is_not_a_database_id_is_refused(text: str) -> None:
    assert parse_id(text) is None
    with pytest.raises(ValueError):
        IdConverter().to_python(text)


def test_an_id_within_64_bits_is_read() -> None:
    assert parse_id(str(MAX_ID)) == MAX_ID == IdConverter().to_python(str(MAX_ID))


@pytest.mark.parametrize(
    "name", ["candidates:board", "careers:file", "scheduling:booking", "reporting:job"]
)
def test_every_app_s_id_addresses_stop_at_64_bits(name: str) -> None:
    """An id beyond what the databases store is not found (404), never an overflow (500)."""
    url = reverse(name, args=[MAX_ID])
    assert resolve(url).kwargs["pk"] == MAX_ID
    beyond = url.replace(str(MAX_ID), str(MAX_ID + 1))
    try:
        match = resolve(beyond)
    except Resolver404:
        return
    # Or another page took the address (/candidatures/<org>/<call>/, and no organisation may
    # be called "gestion"): never the page that would look the id up.
    assert match.view_name != name
