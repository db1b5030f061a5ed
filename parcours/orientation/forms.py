"""Forms of the curation pages. Forms only validate input; the views hand it to ``actions``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.lib.ids import MAX_ID
from parcours.orientation.models import JobSheet, StudyRoute, World
from parcours.pathways.models import Pathway
from parcours.scheduling.models import OutreachActivity

IMAGE_ACCEPT = "image/png,image/jpeg,image/webp,image/gif"


def _formfield(field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class ColourInput(forms.TextInput):
    input_type = "color"


class WorldForm(forms.ModelForm):
    illustration_file = forms.FileField(
        label=_("Illustration"),
        required=False,
        help_text=_("PNG, JPEG, WebP ou GIF, 5 Mo au plus ; réduite à 960 pixels de large."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_illustration = forms.BooleanField(label=_("Retirer l'illustration"), required=False)
    outreach_activities = forms.ModelMultipleChoiceField(
        label=_("Animations (camion, dôme) qui présentent ce monde"),
        queryset=OutreachActivity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = World
        formfield_callback = _formfield
        fields = [
            "name_fr",
            "name_en",
            "slug",
            "tagline_fr",
            "tagline_en",
            "description_fr",
            "description_en",
            "resources_fr",
            "resources_en",
            "colour",
            "illustration_alt_fr",
            "illustration_alt_en",
            "order",
            "is_published",
        ]
        widgets = {
            "colour": ColourInput(),
            "description_fr": forms.Textarea(attrs={"rows": 4}),
            "description_en": forms.Textarea(attrs={"rows": 4}),
            "resources_fr": forms.Textarea(attrs={"rows": 4}),
            "resources_en": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Laissé vide : tiré du nom.")
        activities = self.fields["outreach_activities"]
        activities.queryset = OutreachActivity.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).select_related("unit")
        if self.instance.pk and not self.is_bound:
            self.initial["outreach_activities"] = list(
                self.instance.outreach_activities.values_list("pk", flat=True)
            )

    def validate_unique(self) -> None:
        """Uniqueness is the action's (in its transaction)."""


class JobSheetForm(forms.ModelForm):
    occupation = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    illustration_file = forms.FileField(
        label=_("Illustration"),
        required=False,
        help_text=_("PNG, JPEG, WebP ou GIF, 5 Mo au plus ; réduite à 960 pixels de large."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    remove_illustration = forms.BooleanField(label=_("Retirer l'illustration"), required=False)
    modules = forms.ModelMultipleChoiceField(
        label=_("Modules qui préparent à ce métier"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    pathways = forms.ModelMultipleChoiceField(
        label=_("Parcours qui préparent à ce métier"),
        queryset=Pathway.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    outreach_activities = forms.ModelMultipleChoiceField(
        label=_("Animations (camion, dôme) qui présentent ce métier"),
        queryset=OutreachActivity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = JobSheet
        formfield_callback = _formfield
        fields = [
            "world",
            "title_fr",
            "title_en",
            "slug",
            "summary_fr",
            "summary_en",
            "work_fr",
            "work_en",
            "day_fr",
            "day_en",
            "qualities_fr",
            "qualities_en",
            "workplaces_fr",
            "workplaces_en",
            "testimony_name",
            "testimony_video_url",
            "testimony_transcript_fr",
            "testimony_transcript_en",
            "illustration_alt_fr",
            "illustration_alt_en",
            "order",
            "is_published",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 4})
            for name in (
                "work_fr",
                "work_en",
                "day_fr",
                "day_en",
                "qualities_fr",
                "qualities_en",
                "workplaces_fr",
                "workplaces_en",
                "testimony_transcript_fr",
                "testimony_transcript_en",
            )
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["slug"].help_text = _("Laissé vide : tiré du titre.")
        self.fields["world"].queryset = World.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        )
        for name, model in (
            ("modules", Module),
            ("pathways", Pathway),
            ("outreach_activities", OutreachActivity),
        ):
            field = self.fields[name]
            field.queryset = model.objects.filter(organisation=organisation)  # type: ignore[attr-defined]
            if self.instance.pk and not self.is_bound:
                self.initial[name] = list(getattr(self.instance, name).values_list("pk", flat=True))
        if self.instance.pk and not self.is_bound:
            self.initial["occupation"] = self.instance.occupation_id

    def validate_unique(self) -> None:
        """Uniqueness is the action's (in its transaction)."""

    def _post_clean(self) -> None:
        """The model is validated by the action: only copy the form's own checks."""


class StudyRouteForm(forms.ModelForm):
    class Meta:
        model = StudyRoute
        formfield_callback = _formfield
        fields = ["kind", "title_fr", "title_en", "institution", "url"]
