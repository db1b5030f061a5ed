from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def public_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("catalogue")


def manage_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("manage")
