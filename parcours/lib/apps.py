from __future__ import annotations

from django.apps import AppConfig
from django.urls import register_converter


class LibConfig(AppConfig):
    """Shared helpers (one model: the periodic jobs' last runs); registers the ``<id:…>`` URL
    converter every app uses."""

    name = "parcours.lib"
    label = "lib"

    def ready(self) -> None:
        from parcours.lib.ids import IdConverter

        register_converter(IdConverter, "id")
