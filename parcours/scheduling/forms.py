"""Forms for the scheduling pages. They parse; the actions validate the rest."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Site
from parcours.scheduling.models import (
    CateringItem,
    ClosurePeriod,
    Feature,
    OpeningHours,
    Resource,
    SitePolicy,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class ResourceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        cap = f" — {obj.capacity} pers." if obj.capacity else ""
        return f"{obj.site.name} · {obj.name}{cap}"


class BookingRequestForm(forms.Form):
    resource = ResourceChoiceField(queryset=Resource.objects.none(), label=_("Ressource"))
    day = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME)
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME)
    title = forms.CharField(label=_("Objet"), max_length=200)
    participants = forms.IntegerField(label=_("Participants"), min_value=1, required=False)
    notes = forms.CharField(
        label=_("Remarques"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        resources: QuerySet[Resource],
        catering_items: list[CateringItem] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["resource"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = resources.select_related("site").order_by("site__name", "name")
        self.catering_items = catering_items or []
        for item in self.catering_items:
            self.fields[f"catering_{item.pk}"] = forms.IntegerField(
                label=item.label, min_value=0, required=False
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        return data

    def catering_fields(self) -> list[forms.BoundField]:
        return [self[f"catering_{item.pk}"] for item in self.catering_items]

    def catering_counts(self) -> dict[int, int]:
        return {
            item.pk: self.cleaned_data.get(f"catering_{item.pk}") or 0
            for item in self.catering_items
            if self.cleaned_data.get(f"catering_{item.pk}")
        }


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AvailabilityForm(forms.Form):
    site = forms.ModelChoiceField(
        queryset=Site.objects.none(), label=_("Site"), required=False, empty_label=_("Partout")
    )
    day = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Heure de début"), widget=TIME, initial=dt.time(9, 0))
    end_time = forms.TimeField(label=_("Heure de fin"), widget=TIME, initial=dt.time(16, 30))
    capacity = forms.IntegerField(label=_("Personnes"), min_value=1, required=False)
    features = forms.ModelMultipleChoiceField(
        queryset=Feature.objects.all(),
        label=_("Équipements"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    accessible = forms.BooleanField(label=_("Accessible en fauteuil roulant"), required=False)

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = sites

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("La fin doit être après le début."))
        return data


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = [
            "site",
            "kind",
            "name",
            "code",
            "capacity",
            "features",
            "accessible",
            "location",
            "inventory_number",
            "description",
            "requires_approval",
            "setup_minutes",
            "cleanup_minutes",
            "is_active",
        ]
        widgets = {
            "features": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, sites: QuerySet[Site], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - narrowing for mypy
        field.queryset = sites


class OpeningHoursForm(forms.Form):
    """One pair of times per weekday; both empty = closed that day."""

    def __init__(self, *args: Any, current: dict[int, OpeningHours], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for day, label in OpeningHours.Weekday.choices:
            oh = current.get(day)
            self.fields[f"opens_{day}"] = forms.TimeField(
                label=_("%(day)s : ouverture") % {"day": label},
                required=False,
                widget=TIME,
                initial=oh.opens if oh else None,
            )
            self.fields[f"closes_{day}"] = forms.TimeField(
                label=_("%(day)s : fermeture") % {"day": label},
                required=False,
                widget=TIME,
                initial=oh.closes if oh else None,
            )

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"opens_{day}"], self[f"closes_{day}"])
            for day, label in OpeningHours.Weekday.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day, _label in OpeningHours.Weekday.choices:
            opens, closes = data.get(f"opens_{day}"), data.get(f"closes_{day}")
            if bool(opens) != bool(closes):
                self.add_error(f"closes_{day}", _("Indiquez l'ouverture et la fermeture."))
            elif opens and closes and closes <= opens:
                self.add_error(f"closes_{day}", _("La fermeture doit suivre l'ouverture."))
        return data

    def hours(self) -> dict[int, tuple[dt.time, dt.time] | None]:
        out: dict[int, tuple[dt.time, dt.time] | None] = {}
        for day, _label in OpeningHours.Weekday.choices:
            opens = self.cleaned_data.get(f"opens_{day}")
            closes = self.cleaned_data.get(f"closes_{day}")
            out[day] = (opens, closes) if opens and closes else None
        return out


class ClosureForm(forms.ModelForm):
    class Meta:
        model = ClosurePeriod
        fields = ["kind", "start", "end", "reason"]
        widgets = {"start": DATE, "end": DATE}


class SitePolicyForm(forms.ModelForm):
    class Meta:
        model = SitePolicy
        fields = [
            "accepts_external_requests",
            "catering_cutoff_days",
            "catering_cutoff_time",
            "wifi_name",
            "wifi_password",
            "lobby_message",
        ]
        widgets = {"catering_cutoff_time": TIME}
