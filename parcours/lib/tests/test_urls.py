"""The one check of a ``next`` address a view follows after a form."""

from __future__ import annotations

import pytest
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from parcours.lib.urls import is_local_path, next_url


@pytest.mark.parametrize(
    "url",
    ["/", "/sessions/12/", "/planning/?site=3&date=2026-12-07", "/a/b#c"],
)
def test_paths_of_this_site_are_followed(url: str) -> None:
    assert is_local_path(url)
    request = RequestFactory().post("/x/", {"next": url})
    assert next_url(request, "/home/") == url


@pytest.mark.parametrize(
    "url",
    [
        "",
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/ok\\..\\evil",
        "javascript:alert(1)",
        "relative/path",
        "http:/evil.example",
    ],
)
def test_other_hosts_schemes_and_backslashes_fall_back(url: str) -> None:
    assert not is_local_path(url)
    request = RequestFactory().get("/x/", {"next": url})
    assert next_url(request, "/home/") == "/home/"


@given(st.text(max_size=40))
def test_a_followed_address_never_leaves_the_site(url: str) -> None:
    if is_local_path(url):
        assert url.startswith("/") and not url.startswith("//")
        assert "\\" not in url
