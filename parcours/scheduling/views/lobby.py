"""The lobby screen of a site (a TV in the entrance, opened by a secret address)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, render

from parcours.accounts.models import Site
from parcours.lib import clock
from parcours.scheduling import planning
from parcours.scheduling.models import (
    Resource,
    SitePolicy,
)
from parcours.scheduling.states import BookingStatus
from parcours.scheduling.views._common import _hm, _local

LOBBY_PAGE_SIZE = 12  # rooms per screen: readable from across a hall on a TV
LOBBY_MAX_PAGE_SIZE = 40
LOBBY_REFRESH_SECONDS = 60  # a still screen reloads the same page
LOBBY_ROTATE_SECONDS = 20  # ``?rotate=1``: show the next page (wrapping round) this often


@dataclass(frozen=True)
class LobbyRoom:
    name: str
    location: str
    now_busy: bool
    now_title: str  # "" for a booking hidden from the lobby: the room shows "busy" only
    now_until: str
    next_busy: bool
    next_title: str
    next_from: str


def lobby_rooms(site: Site, moment: dt.datetime) -> list[LobbyRoom]:
    """Now / next per room: confirmed bookings only, titles only (no names). A booking hidden
    from the lobby keeps its room busy, without its title."""
    today = planning.local_day(moment)
    grid = planning.day_grid(site, today, kinds=[Resource.Kind.ROOM])
    out = []
    for row in grid.rows:
        current = following = None
        for e in row.days[0]:
            if e.status != BookingStatus.APPROVED:
                continue
            if e.start <= moment < e.end and current is None:
                current = e
            elif e.start > moment and (following is None or e.start < following.start):
                following = e
        out.append(
            LobbyRoom(
                name=row.resource.name,
                location=row.resource.location,
                now_busy=current is not None,
                now_title=current.title if current and not current.hide_from_lobby else "",
                now_until=_hm(current.end) if current else "",
                next_busy=following is not None,
                next_title=following.title if following and not following.hide_from_lobby else "",
                next_from=_hm(following.start) if following else "",
            )
        )
    return out


def _positive_int(value: str | None, default: int, maximum: int) -> int:
    try:
        number = int(value or "")
    except ValueError:
        return default
    return min(number, maximum) if number >= 1 else default


def lobby(request: HttpRequest, token: str) -> HttpResponse:
    """The lobby screen of a site (no login: the secret token is the key). Big sites are split
    into pages of ``?par_page=`` rooms (default 12); ``?rotate=1`` moves on to the next page,
    wrapping round, every 20 seconds."""
    policy = get_object_or_404(SitePolicy.objects.select_related("site"), display_token=token)
    moment = clock.now(request)
    rooms = lobby_rooms(policy.site, moment)
    size = _positive_int(request.GET.get("par_page"), LOBBY_PAGE_SIZE, LOBBY_MAX_PAGE_SIZE)
    pages = max(1, -(-len(rooms) // size))
    page = min(_positive_int(request.GET.get("page"), 1, pages), pages)
    rotate = request.GET.get("rotate") == "1" and pages > 1

    def url_of(number: int) -> str:
        query = QueryDict(mutable=True)
        if clock.is_pinned(request):
            query[clock.AT_PARAMETER] = request.GET[clock.AT_PARAMETER]
        if number > 1 or rotate:
            query["page"] = str(number)
        if size != LOBBY_PAGE_SIZE:
            query["par_page"] = str(size)
        if rotate:
            query["rotate"] = "1"
        encoded = query.urlencode()
        return f"{request.path}?{encoded}" if encoded else request.path

    first = (page - 1) * size
    context = {
        "site": policy.site,
        "policy": policy,
        "rooms": rooms[first : first + size],
        "room_count": len(rooms),
        "first_room": first + 1,
        "last_room": min(first + size, len(rooms)),
        "page": page,
        "pages": pages,
        "page_urls": [(n, url_of(n)) for n in range(1, pages + 1)] if pages > 1 else [],
        "moment": _local(moment),
        "refresh_url": url_of(page % pages + 1) if rotate else url_of(page),
        "refresh_seconds": LOBBY_ROTATE_SECONDS if rotate else LOBBY_REFRESH_SECONDS,
    }
    response = render(request, "scheduling/lobby.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response
