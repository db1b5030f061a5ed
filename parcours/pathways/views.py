from __future__ import annotations

from django.http import HttpRequest, HttpResponse


def public_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("pathways")


def manage_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("manage")


def my_progress(request: HttpRequest) -> HttpResponse:
    return HttpResponse("mine")
