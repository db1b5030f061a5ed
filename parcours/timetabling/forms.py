"""Forms of the planning pages: a campaign, a trainer's profile. Bounds here, re-checked by
the actions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation, Site
from parcours.catalogue.models import Module
from parcours.pathways.models import Pathway
from parcours.scheduling.models import Feature
from parcours.timetabling.models import (
    MAX_GAP_DAYS,
    MAX_GROUP_SIZE,
    MAX_GROUPS_PER_SITE,
    MAX_GROUPS_TOTAL,
    MAX_SOLVE_SECONDS,
    MAX_WEIGHT,
)

WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]
MAX_DATE_LINES = 400


def parse_dates(text: str) -> list[dt.date]:
    """One ISO date (2027-04-05) per line or separated by commas."""
    values = [v.strip() for v in text.replace(",", "\n").splitlines() if v.strip()]
    if len(values) > MAX_DATE_LINES:
        raise forms.ValidationError(_("Au plus 400 dates."))
    result = []
    for value in values:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(
                _("« %(value)s » n'est pas une date (AAAA-MM-JJ)."), params={"value": value[:20]}
            ) from None
        if not 2000 <= day.year <= 2100:
            raise forms.ValidationError(_("Une date entre 2000 et 2100, s'il vous plaît."))
        result.append(day)
    return result


class DateInput(forms.DateInput):
    """A date picker; its value in ISO (the only format ``<input type=date>`` reads)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Nom de la campagne"), max_length=200)
    code = forms.RegexField(
        label=_("Préfixe des codes de session"),
        max_length=20,
        regex=r"^[A-Za-z0-9_-]+$",
        error_messages={"invalid": _("Lettres, chiffres, tirets seulement.")},
    )
    pathway = forms.ModelChoiceField(
        label=_("Parcours (ses modules deviennent des options)"),
        queryset=Pathway.objects.none(),
        required=False,
    )
    introduction = forms.ModelMultipleChoiceField(
        label=_("Modules d'introduction (avant les options)"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    options = forms.ModelMultipleChoiceField(
        label=_("Options"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    closing = forms.ModelMultipleChoiceField(
        label=_("Module de clôture (en dernier)"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    one_introduction = forms.BooleanField(
        label=_("Chaque groupe suit un seul module d'introduction (en alternance)"),
        required=False,
    )
    options_per_group = forms.IntegerField(
        label=_("Options par groupe (0 : toutes)"), min_value=0, max_value=40, initial=0
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    groups_per_site = forms.IntegerField(
        label=_("Groupes par site"), min_value=1, max_value=MAX_GROUPS_PER_SITE, initial=2
    )
    groups_total = forms.IntegerField(
        label=_("Ou : groupes en tout"),
        min_value=1,
        max_value=MAX_GROUPS_TOTAL,
        required=False,
        help_text=_(
            "Rempli : ce nombre de groupes, chacun au site que le calcul choisit "
            "(au lieu des groupes par site)."
        ),
    )
    group_size = forms.IntegerField(
        label=_("Participants par groupe"), min_value=1, max_value=MAX_GROUP_SIZE, initial=12
    )
    start = forms.DateField(label=_("Du"), widget=DateInput)
    end = forms.DateField(label=_("Au (inclus)"), widget=DateInput)
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours permis"),
        choices=WEEKDAYS,
        coerce=int,
        initial=[0, 1, 2, 3, 4],
        widget=forms.CheckboxSelectMultiple,
    )
    mornings = forms.BooleanField(label=_("Matinées"), required=False, initial=True)
    afternoons = forms.BooleanField(label=_("Après-midi"), required=False, initial=True)
    holidays = forms.CharField(
        label=_("Jours fériés"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une date par ligne (AAAA-MM-JJ). Les fermetures des sites sont reprises."),
    )
    consecutive = forms.BooleanField(
        label=_("Les jours d'un module se suivent"), required=False, initial=True
    )
    min_gap_days = forms.IntegerField(
        label=_("Jours libres entre deux modules d'un groupe"),
        min_value=0,
        max_value=MAX_GAP_DAYS,
        initial=1,
    )
    spread_weight = forms.IntegerField(
        label=_("Étaler les groupes sur la période"), min_value=0, max_value=MAX_WEIGHT, initial=2
    )
    monthly_weight = forms.IntegerField(
        label=_("Au moins un groupe par site et par mois"),
        min_value=0,
        max_value=MAX_WEIGHT,
        initial=3,
    )
    trips_weight = forms.IntegerField(
        label=_("Moins de déplacements des formateurs"),
        min_value=0,
        max_value=MAX_WEIGHT,
        initial=1,
    )
    preferred_weight = forms.IntegerField(
        label=_("Jours préférés"), min_value=0, max_value=MAX_WEIGHT, initial=0
    )
    preferred_weekdays = forms.TypedMultipleChoiceField(
        label=_("Jours préférés"),
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    seconds = forms.IntegerField(
        label=_("Temps de calcul (secondes)"),
        min_value=1,
        max_value=MAX_SOLVE_SECONDS,
        initial=30,
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        modules = Module.objects.filter(organisation=organisation).order_by("code")
        for name in ("introduction", "options", "closing"):
            self.fields[name].queryset = modules  # type: ignore[attr-defined]
        self.fields["pathway"].queryset = Pathway.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("code")
        self.fields["sites"].queryset = Site.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("name")

    def clean_holidays(self) -> list[dt.date]:
        return parse_dates(self.cleaned_data.get("holidays") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [
            *data.get("introduction", []),
            *data.get("options", []),
            *data.get("closing", []),
        ]
        if len({m.pk for m in chosen}) != len(chosen):
            raise forms.ValidationError(_("Un module ne peut avoir qu'un seul rôle."))
        if not chosen and not data.get("pathway"):
            raise forms.ValidationError(_("Choisissez des modules ou un parcours."))
        return data


class TrainerProfileForm(forms.Form):
    modules = forms.ModelMultipleChoiceField(
        label=_("Modules qu'il ou elle anime"),
        queryset=Module.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites où il ou elle se rend (aucun : tous)"),
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    home_site = forms.ModelChoiceField(
        label=_("Site d'attache"), queryset=Site.objects.none(), required=False
    )
    max_days_per_week = forms.IntegerField(
        label=_("Jours de formation par semaine (au plus)"),
        min_value=1,
        max_value=7,
        required=False,
    )
    unavailable = forms.CharField(
        label=_("Jours d'absence"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Une date par ligne (AAAA-MM-JJ)."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["modules"].queryset = Module.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("code")
        sites = Site.objects.filter(organisation=organisation).order_by("name")
        self.fields["sites"].queryset = sites  # type: ignore[attr-defined]
        self.fields["home_site"].queryset = sites  # type: ignore[attr-defined]

    def clean_unavailable(self) -> list[dt.date]:
        return parse_dates(self.cleaned_data.get("unavailable") or "")


class CampaignModuleForm(forms.Form):
    """How one module of a campaign runs: its length, its days, its room's equipment."""

    module = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    half_days = forms.IntegerField(label=_("Durée (demi-journées)"), min_value=1, max_value=20)
    consecutive = forms.BooleanField(label=_("Jours consécutifs"), required=False)
    features = forms.MultipleChoiceField(
        label=_("Équipement requis dans la salle"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["features"].choices = [  # type: ignore[attr-defined]
            (f.slug, f.label) for f in Feature.objects.order_by("label_fr")
        ]
