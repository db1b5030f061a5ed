"""Which player a replay's address gets (embed, the page's own, or a link)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parcours.webinars.players import csp_for, player_for


@pytest.fixture(autouse=True)
def _hosts(settings) -> None:
    settings.WEBINARS_PEERTUBE_HOSTS = ["https://tube.ecoles.example.test/"]
    settings.WEBINARS_VIDEO_FILE_HOSTS = ["https://media.example.test"]


@pytest.mark.parametrize(
    ("url", "kind", "src"),
    [
        (
            "https://youtu.be/dQw4w9WgXcQ",
            "iframe",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&list=x",
            "iframe",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://www.youtube.com/live/dQw4w9WgXcQ?t=90",
            "iframe",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?start=90",
        ),
        (
            "https://vimeo.com/channels/staffpicks/76979871",
            "iframe",
            "https://player.vimeo.com/video/76979871",
        ),
        (
            "https://vimeo.com/76979871/abcdef1234",
            "iframe",
            "https://player.vimeo.com/video/76979871?h=abcdef1234",
        ),
        (
            "https://tube.ecoles.example.test/videos/watch/9c9de5e8-0a1e-484a-b099-e80766180a6d",
            "iframe",
            "https://tube.ecoles.example.test/videos/embed/9c9de5e8-0a1e-484a-b099-e80766180a6d",
        ),
        (
            "https://media.example.test/a/b.MP4?x=1",
            "video",
            "https://media.example.test/a/b.MP4?x=1",
        ),
        # Unknown or unusable: a link.
        ("http://www.youtube.com/watch?v=dQw4w9WgXcQ", "link", None),
        ("https://www.youtube.com/watch?v=trop-court", "link", None),
        ("https://youtube.com.evil.example.test/watch?v=dQw4w9WgXcQ", "link", None),
        ("https://media.example.test.evil.example.test/b.mp4", "link", None),
        ("https://media.example.test:8443/b.mp4", "link", None),
        ("https://tube.ecoles.example.test/a/propos", "link", None),
        ("https://tv.edulab.example.test/videos/3", "link", None),
    ],
)
def test_player_for(url: str, kind: str, src: str | None) -> None:
    player = player_for(url)
    assert player.kind == kind
    assert player.src == (src or url)


@given(st.text(max_size=200))
def test_any_address_gets_a_player_and_embeds_only_from_known_origins(text: str) -> None:
    for url in (text, "https://www.youtube.com/watch?v=" + text, "https://vimeo.com/" + text):
        player = player_for(url)
        policy = csp_for(player)
        if player.kind == "iframe":
            assert player.src.startswith(player.origin + "/")
            assert policy == {"frame-src": [player.origin]}
            assert player.origin in {
                "https://www.youtube-nocookie.com",
                "https://player.vimeo.com",
                "https://tube.ecoles.example.test",
            }
            assert '"' not in player.src and "<" not in player.src
        elif player.kind == "link":
            assert policy == {}
