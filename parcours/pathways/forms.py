from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.pathways.models import Pathway


class PathwayForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    title_fr = forms.CharField(label=_("Titre (français)"), max_length=200)
    title_en = forms.CharField(label=_("Titre (anglais)"), max_length=200, required=False)
    summary_fr = forms.CharField(
        label=_("Résumé (français)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    summary_en = forms.CharField(
        label=_("Résumé (anglais)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    rule_text = forms.CharField(
        label=_("Règle d'obtention"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "class": "mono"}),
        help_text=_(
            "Avec les codes des modules : « M1A | M1B » (l'un ou l'autre), « & » (et), "
            "« 2 parmi (O1, O2, O3) », « heures(30, parmi (UE1, UE2)) », parenthèses pour "
            "grouper. Exemple : (M1A | M1B) & 2 parmi (O1, O2, O3) & CLOT"
        ),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Pathway.Status.choices)
