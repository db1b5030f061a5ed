from __future__ import annotations

from django.contrib import admin

from parcours.events.models import Event, Registration


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ("title", "organisation", "starts_on", "ends_on", "is_public")
    list_filter = ("is_public",)
    search_fields = ("title", "slug")


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin[Registration]):
    """Read-only: registrations are written by ``events.actions`` (seats, waitlist)."""

    list_display = ("ticket_code", "event", "person", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("ticket_code", "person__email")
    readonly_fields = ("event", "person", "status", "wanted", "ticket_code", "confirmed_at")
    exclude = ("confirm_hash",)

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False
