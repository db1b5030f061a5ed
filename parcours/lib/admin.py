"""The periodic jobs' last runs, read-only (``manage.py run_periodic`` runs them)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from parcours.lib.models import PeriodicRun


@admin.register(PeriodicRun)
class PeriodicRunAdmin(admin.ModelAdmin[PeriodicRun]):
    list_display = ("name", "started_at", "finished_at", "ok", "runs")
    readonly_fields = ("name", "started_at", "finished_at", "ok", "output", "runs")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: PeriodicRun | None = None) -> bool:
        return False
