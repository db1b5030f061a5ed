"""How a replay's video is shown: an embedded player for the hosts a training centre uses
(YouTube through youtube-nocookie.com, Vimeo, the PeerTube instances configured in
``WEBINARS_PEERTUBE_HOSTS``), the page's own ``<video>`` for a file on a host configured in
``WEBINARS_VIDEO_FILE_HOSTS``, and a plain link for anything else.

The Content-Security-Policy stays narrow: the replay page alone adds to ``frame-src`` the one
origin its embed comes from, or to ``media-src`` the one origin its file comes from
(:func:`csp_for`); no other page may frame or play anything from outside.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

from django.conf import settings

FILE_EXTENSIONS = (".mp4", ".webm", ".ogv", ".ogg", ".m4v")
YOUTUBE_HOSTS = {
    "youtube.com",
    "www.youtube.com",
    "m.youtube.com",
    "youtu.be",
    "youtube-nocookie.com",
    "www.youtube-nocookie.com",
}
YOUTUBE_EMBED = "https://www.youtube-nocookie.com"
VIMEO_HOSTS = {"vimeo.com", "www.vimeo.com", "player.vimeo.com"}
VIMEO_EMBED = "https://player.vimeo.com"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_PATH = re.compile(r"^/(?:[\w-]+/)*?(?:video/)?(\d{4,12})(?:/([0-9a-f]{6,20}))?/?$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")
_PEERTUBE_PATH = re.compile(r"^/(?:w|videos/watch|videos/embed)/([A-Za-z0-9-]{10,40})/?$")
_SECONDS = re.compile(r"^(\d{1,6})s?$")


@dataclass(frozen=True)
class Player:
    """``kind``: ``iframe`` (an embedded player: ``src``, from ``origin``), ``video`` (the
    page's ``<video>``: ``src``, from ``origin``) or ``link`` (``src`` opened on the
    platform)."""

    kind: str
    src: str
    origin: str = ""
    provider: str = ""

    @property
    def measured(self) -> bool:
        """Whether the page counts viewing hours itself (the native player's beacon)."""
        return self.kind == "video"


def _origin(scheme: str, host: str, port: int | None) -> str:
    return f"{scheme}://{host}" + (f":{port}" if port else "")


def _configured(name: str) -> set[str]:
    """Origins listed in a setting (``https://video.example.be``), normalised."""
    out = set()
    for value in getattr(settings, name, []) or []:
        parts = urlsplit(str(value).strip())
        if parts.scheme in ("https", "http") and parts.hostname:
            out.add(_origin(parts.scheme, parts.hostname.lower(), parts.port))
    return out


def _youtube(path: str, query: dict[str, list[str]], host: str) -> str | None:
    if host == "youtu.be":
        candidate = path.strip("/").split("/")[0]
    elif path == "/watch":
        candidate = (query.get("v") or [""])[0]
    else:
        parts = path.strip("/").split("/")
        candidate = parts[1] if len(parts) >= 2 and parts[0] in ("embed", "shorts", "live") else ""
    if not _YOUTUBE_ID.match(candidate):
        return None
    src = f"{YOUTUBE_EMBED}/embed/{candidate}"
    start = (query.get("t") or query.get("start") or [""])[0]
    found = _SECONDS.match(start)
    if found and int(found.group(1)) > 0:
        src += "?" + urlencode({"start": int(found.group(1))})
    return src


def _vimeo(path: str, query: dict[str, list[str]]) -> str | None:
    found = _VIMEO_PATH.match(path)
    if found is None:
        return None
    src = f"{VIMEO_EMBED}/video/{found.group(1)}"
    secret = found.group(2) or (query.get("h") or [""])[0]
    if secret and _VIMEO_HASH.match(secret):
        src += "?" + urlencode({"h": secret})
    return src


def player_for(url: str) -> Player:
    """The player of a replay's URL (see the module's docstring)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return Player("link", url)
    query = parse_qs(parts.query)
    if parts.scheme == "https" and host in YOUTUBE_HOSTS:
        src = _youtube(parts.path, query, host)
        if src:
            return Player("iframe", src, YOUTUBE_EMBED, "YouTube")
    if parts.scheme == "https" and host in VIMEO_HOSTS:
        src = _vimeo(parts.path, query)
        if src:
            return Player("iframe", src, VIMEO_EMBED, "Vimeo")
    origin = _origin(parts.scheme, host, parts.port)
    if origin in _configured("WEBINARS_PEERTUBE_HOSTS"):
        found = _PEERTUBE_PATH.match(parts.path)
        if found:
            return Player("iframe", f"{origin}/videos/embed/{found.group(1)}", origin, "PeerTube")
    if parts.path.lower().endswith(FILE_EXTENSIONS) and origin in _configured(
        "WEBINARS_VIDEO_FILE_HOSTS"
    ):
        return Player("video", url, origin)
    return Player("link", url)


def csp_for(player: Player) -> dict[str, list[str]]:
    """What the replay page adds to the Content-Security-Policy (django-csp's
    ``_csp_update``): the embed's origin in ``frame-src``, or the file's in ``media-src``
    (with ``'self'``: the captions track is served by Parcours)."""
    if player.kind == "iframe":
        return {"frame-src": [player.origin]}
    if player.kind == "video":
        return {"media-src": ["'self'", player.origin]}
    return {}
