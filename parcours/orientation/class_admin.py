"""Django admin for the games' items and the quiz statements (staff edit them there).

Registered from ``OrientationConfig.ready``. The admin is for platform staff: writes of class
visits and pupils go through the pages and actions only (read-only here, no pupils listed).
"""

from __future__ import annotations

from django.contrib import admin

from parcours.orientation.class_models import ClassVisit, GameItem, QuizStatement


class GameItemAdmin(admin.ModelAdmin[GameItem]):
    list_display = ("prompt_fr", "world", "kind", "order", "is_published")
    list_filter = ("kind", "is_published", "world__organisation")
    search_fields = ("prompt_fr", "prompt_en", "answer_fr")
    list_select_related = ("world",)
    autocomplete_fields = ()
    raw_id_fields = ("world",)


class QuizStatementAdmin(admin.ModelAdmin[QuizStatement]):
    list_display = ("text_fr", "world", "order")
    list_filter = ("world__organisation",)
    search_fields = ("text_fr", "text_en")
    list_select_related = ("world",)
    raw_id_fields = ("world",)


class ClassVisitAdmin(admin.ModelAdmin[ClassVisit]):
    list_display = ("title", "organisation", "code", "status", "participant_count", "opened_at")
    list_filter = ("status", "organisation")
    readonly_fields = [f.name for f in ClassVisit._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False


def register() -> None:
    for model, model_admin in (
        (GameItem, GameItemAdmin),
        (QuizStatement, QuizStatementAdmin),
        (ClassVisit, ClassVisitAdmin),
    ):
        if not admin.site.is_registered(model):
            admin.site.register(model, model_admin)
