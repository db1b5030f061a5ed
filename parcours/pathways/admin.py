from __future__ import annotations

from django.contrib import admin

from parcours.pathways.models import Completion, Pathway, PathwayModule


class PathwayModuleInline(admin.TabularInline):
    model = PathwayModule
    extra = 0
    readonly_fields = ["module", "position"]
    can_delete = False

    def has_add_permission(self, request: object, obj: object = None) -> bool:
        return False  # modules follow the rule: edit the pathway in Parcours itself


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["code", "title_fr", "organisation", "status", "updated_at"]
    list_filter = ["status", "organisation"]
    search_fields = ["code", "title_fr", "title_en"]
    readonly_fields = ["rule"]
    inlines = [PathwayModuleInline]


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    list_display = ["learner", "module", "completed_on", "hours", "source"]
    list_filter = ["source"]
    search_fields = ["learner__email", "module__code"]
    raw_id_fields = ["learner", "module"]
