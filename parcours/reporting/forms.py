"""The period picker and the filters of the reporting pages (a GET form: a report is a link)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.pathways.models import Pathway
from parcours.reporting.periods import MAX_YEAR, MIN_YEAR, Filters, Period, PeriodError

KINDS = (
    ("year", _("Année civile")),
    ("school_year", _("Année scolaire (septembre à août)")),
    ("range", _("Période libre")),
)


class PeriodForm(forms.Form):
    kind = forms.ChoiceField(label=_("Période"), choices=KINDS, initial="year", required=False)
    year = forms.IntegerField(
        label=_("Année"),
        min_value=MIN_YEAR,
        max_value=MAX_YEAR - 1,
        required=False,
        help_text=_("Année scolaire : l'année de la rentrée (2025 pour 2025-2026)."),
    )
    first = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    last = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["year"].initial = today.year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or "year"
        try:
            if kind == "range":
                first, last = data.get("first"), data.get("last")
                if first is None or last is None:
                    raise forms.ValidationError(
                        _("Indiquez le premier et le dernier jour de la période.")
                    )
                data["period"] = Period.between(first, last)
            else:
                year = data.get("year")
                if year is None:
                    year = self.today.year if kind == "year" else self._school_year()
                data["period"] = (
                    Period.calendar_year(year) if kind == "year" else Period.school_year(year)
                )
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return data

    def _school_year(self) -> int:
        return self.today.year if self.today.month >= 9 else self.today.year - 1


class FiltersForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    module = forms.ModelChoiceField(
        label=_("Module"), queryset=Module.objects.none(), required=False
    )
    pathway = forms.ModelChoiceField(
        label=_("Parcours"), queryset=Pathway.objects.none(), required=False
    )
    audience = forms.ChoiceField(
        label=_("Public"),
        choices=[("", _("Tous les publics")), *Module.Audience.choices],
        required=False,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Tous les formats")), *Module.Format.choices],
        required=False,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's own: another's id is "not a valid choice".
        site_field: Any = self.fields["site"]
        site_field.queryset = Site.objects.filter(organisation=organisation).order_by("name")
        module_field: Any = self.fields["module"]
        module_field.queryset = Module.objects.filter(organisation=organisation).order_by(
            "title_fr"
        )
        pathway_field: Any = self.fields["pathway"]
        pathway_field.queryset = Pathway.objects.filter(organisation=organisation).order_by(
            "title_fr"
        )

    def filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            site=data["site"].pk if data.get("site") else None,
            module=data["module"].pk if data.get("module") else None,
            pathway=data["pathway"].pk if data.get("pathway") else None,
            audience=data.get("audience") or "",
            format=data.get("format") or "",
        )
