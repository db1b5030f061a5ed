"""Read-mostly admin: writes that change seats go through the actions (pages and API)."""

from __future__ import annotations

from django.contrib import admin

from parcours.enrolment.models import (
    Attendance,
    CompletionRule,
    Enrolment,
    LearnerProfile,
    SchoolEmailDomain,
    Session,
)


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ("code", "module", "organisation", "starts_at", "seats_taken", "capacity")
    list_filter = ("status", "organisation")
    search_fields = ("code", "module__code", "module__title_fr")
    readonly_fields = ("seats_taken", "starts_at", "ends_at")

    def has_add_permission(self, request):  # sessions are created through the pages/API
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("session", "learner", "status", "source", "queued_at")
    list_filter = ("status", "source")
    search_fields = ("learner__email", "session__code")
    readonly_fields = [f.name for f in Enrolment._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ("slot", "enrolment", "present", "method", "recorded_at")
    readonly_fields = [f.name for f in Attendance._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.register(LearnerProfile)
admin.site.register(SchoolEmailDomain)
admin.site.register(CompletionRule)
