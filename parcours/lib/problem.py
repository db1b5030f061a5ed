"""RFC 7807 problem+json responses."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from django.http import HttpResponse


def problem_response(
    *, status: int, title: str, detail: str = "", type_: str = "about:blank", **extra: Any
) -> HttpResponse:
    body: dict[str, Any] = {"type": type_, "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/problem+json",
        reason=HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else None,
    )
