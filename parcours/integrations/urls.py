"""Integrations pages, mounted at ``/integrations/``. Each part includes its own URLconf."""

from __future__ import annotations

from django.urls import include, path

from parcours.integrations import views

app_name = "integrations"

urlpatterns = [
    path("", views.index, name="index"),
    path("xapi/", include("parcours.integrations.xapi.urls")),
    # One line per part: path("lti/", include(...)), path("moodle/", ...), path("xapi/", ...)
    path("lti/", include("parcours.integrations.lti.urls")),
    path("moodle/", include("parcours.integrations.moodle.urls")),
]
