"""The platform operator administers networks (and may correct baselines) in Django admin;
both save through reporting.actions."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest

from parcours.accounts.permissions import Actor
from parcours.reporting import actions
from parcours.reporting.models import Network, OutreachBaseline


class OperatorOnly(admin.ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    has_add_permission = has_module_permission

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)


@admin.register(Network)
class NetworkAdmin(OperatorOnly):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    filter_horizontal = ("organisations", "members")
    autocomplete_fields = ()

    def save_model(self, request: HttpRequest, obj: Network, form: ModelForm, change: bool) -> None:
        actions.save_network(
            actor=Actor.of(request.user),  # type: ignore[arg-type]
            network=obj,
            organisations=list(form.cleaned_data["organisations"]),
            members=list(form.cleaned_data["members"]),
        )

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


@admin.register(OutreachBaseline)
class OutreachBaselineAdmin(OperatorOnly):
    list_display = ("organisation", "unit", "pupils", "since")
    list_select_related = ("organisation", "unit")

    def save_model(
        self, request: HttpRequest, obj: OutreachBaseline, form: ModelForm, change: bool
    ) -> None:
        saved = actions.set_outreach_baseline(
            actor=Actor.of(request.user),  # type: ignore[arg-type]
            organisation=obj.organisation,
            unit=obj.unit,
            pupils=obj.pupils,
            since=obj.since,
            note=obj.note,
        )
        obj.pk = saved.pk
