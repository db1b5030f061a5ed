from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.permissions import Actor
from parcours.pathways import actions
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


class CompletionAddForm(forms.ModelForm):
    """Adding a completion in the admin: the same checks as ``record_prior_learning``, which
    writes it (pathways, badges and attestations follow, as for every completion)."""

    reason = forms.CharField(
        label=gettext_lazy("Raison (enregistrée dans le journal)"),
        max_length=actions.MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = Completion
        fields = ["learner", "module", "completed_on", "hours"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        learner, module = data.get("learner"), data.get("module")
        completed_on = data.get("completed_on")
        if completed_on is not None and completed_on > timezone.localdate():
            self.add_error("completed_on", _("La date doit être passée (ou aujourd'hui)."))
        if learner is not None and module is not None:
            from parcours.accounts.models import Membership

            if not Membership.objects.filter(
                user=learner, organisation_id=module.organisation_id
            ).exists():
                self.add_error(
                    "learner", _("Cette personne n'est pas membre de l'organisation du module.")
                )
        return data


@admin.register(Completion)
class CompletionAdmin(admin.ModelAdmin):
    """Completions in the admin go through the pathways actions: *add* records it with a
    reason (``record_prior_learning``, source "manual": the signals credentials and documents
    listen to are raised), *change* is read-only (a completion is a fact: withdraw it and
    record it again), *delete* withdraws it through ``withdraw_completion`` (audited; a badge
    already issued stays), the action "withdraw and revoke the badges" withdraws the selected
    completions and revokes the badges they earned (``revoke_credentials=True``)."""

    actions = ["withdraw_and_revoke"]

    list_display = ["learner", "module", "completed_on", "hours", "source"]
    list_filter = ["source"]
    search_fields = ["learner__email", "module__code"]
    raw_id_fields = ["learner", "module"]

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = CompletionAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is not None:
            return ["learner", "module", "completed_on", "hours", "source", "created_at"]
        return []

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is not None:
            return ["learner", "module", "completed_on", "hours", "source", "created_at"]
        return ["learner", "module", "completed_on", "hours", "reason"]

    def save_model(self, request: HttpRequest, obj: Completion, form: Any, change: bool) -> None:
        if change:
            return  # read-only: nothing to save
        result = actions.record_prior_learning(
            actor=Actor.of(request.user),  # type: ignore[arg-type]
            learner=form.cleaned_data["learner"],
            module=form.cleaned_data["module"],
            reason=form.cleaned_data["reason"],
            completed_on=form.cleaned_data["completed_on"],
            hours=form.cleaned_data["hours"],
            source=Completion.Source.MANUAL,
        )
        obj.pk = result.completion.pk

    def delete_model(self, request: HttpRequest, obj: Completion) -> None:
        actions.withdraw_completion(
            actor=Actor.of(request.user),  # type: ignore[arg-type]
            completion=obj,
            reason=_("Supprimé dans l'administration Django."),
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Completion]) -> None:
        actor = Actor.of(request.user)  # type: ignore[arg-type]
        for completion in queryset.select_related("module"):
            try:
                actions.withdraw_completion(
                    actor=actor,
                    completion=completion,
                    reason=_("Supprimé dans l'administration Django."),
                )
            except ValidationError:  # pragma: no cover - the reason above is never empty
                continue

    @admin.action(description=gettext_lazy("Retirer et révoquer les badges obtenus"))
    def withdraw_and_revoke(self, request: HttpRequest, queryset: QuerySet[Completion]) -> None:
        actor = Actor.of(request.user)  # type: ignore[arg-type]
        count = 0
        for completion in queryset.select_related("module"):
            actions.withdraw_completion(
                actor=actor,
                completion=completion,
                reason=_("Retiré dans l'administration Django."),
                revoke_credentials=True,
            )
            count += 1
        self.message_user(
            request,
            _("%(count)s module(s) terminé(s) retiré(s), badges obtenus révoqués.")
            % {"count": count},
        )
