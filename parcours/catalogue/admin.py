"""Admin for platform administrators: browse frameworks and modules; writes go through actions.

Frameworks are imported (``import_frameworks``), not typed in, so they are read-only here.
Modules are read-only too; the admin actions publish, archive or reindex them through
``actions`` / ``search``, like every other way in.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from parcours.accounts.permissions import Actor
from parcours.catalogue import actions, search
from parcours.catalogue.models import (
    Competence,
    CompetenceArea,
    Framework,
    Module,
    ModuleCompetence,
    ProficiencyLevel,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class LevelInline(ReadOnlyMixin, admin.TabularInline):
    model = ProficiencyLevel
    fields = ["code", "order", "name_fr", "name_en"]
    extra = 0


class AreaInline(ReadOnlyMixin, admin.TabularInline):
    model = CompetenceArea
    fields = ["code", "order", "title_fr", "title_en"]
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "version", "publisher"]
    search_fields = ["name", "slug"]
    inlines = [LevelInline, AreaInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Competence)
class CompetenceAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title_fr", "framework", "area"]
    list_filter = ["framework"]
    search_fields = ["code", "title_fr", "title_en"]
    list_select_related = ["framework", "area"]


class ModuleCompetenceInline(ReadOnlyMixin, admin.TabularInline):
    model = ModuleCompetence
    fields = ["competence", "level"]
    extra = 0


def _run(request: HttpRequest, modules: QuerySet[Module], action: Any, done: str) -> None:
    actor = Actor.of(request.user)  # type: ignore[arg-type]
    ok = 0
    for module in modules:
        try:
            action(actor=actor, module=module)
            ok += 1
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", [str(exc)]))
            messages.error(request, f"{module.code} : {reason}")
    if ok:
        messages.success(request, f"{done} : {ok}")


@admin.register(Module)
class ModuleAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "title_fr", "organisation", "status", "format", "updated_at"]
    list_filter = ["status", "format", "organisation"]
    search_fields = ["code", "title_fr", "title_en", "search_text"]
    list_select_related = ["organisation"]
    exclude = ["search_vector"]
    inlines = [ModuleCompetenceInline]
    actions = ["publish", "archive", "reindex"]

    @admin.action(description=_("Publier les modules sélectionnés"))
    def publish(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        _run(request, queryset, actions.publish_module, str(_("Modules publiés")))

    @admin.action(description=_("Archiver les modules sélectionnés"))
    def archive(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        _run(request, queryset, actions.archive_module, str(_("Modules archivés")))

    @admin.action(description=_("Réindexer pour la recherche"))
    def reindex(self, request: HttpRequest, queryset: QuerySet[Module]) -> None:
        count = search.reindex_modules(list(queryset.values_list("pk", flat=True)))
        messages.success(request, f"{_('Modules réindexés')} : {count}")
