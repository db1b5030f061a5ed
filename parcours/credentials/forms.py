"""Forms of the credentials pages: they parse; the actions validate the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Competence, Module, ProficiencyLevel
from parcours.credentials.models import Achievement
from parcours.pathways.models import Pathway

COMPETENCE_ROWS = 4


class AchievementForm(forms.Form):
    name_fr = forms.CharField(label=_("Nom (français)"), max_length=200)
    name_en = forms.CharField(label=_("Nom (anglais)"), max_length=200, required=False)
    description_fr = forms.CharField(
        label=_("Description (français)"), widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (anglais)"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    criteria_fr = forms.CharField(
        label=_("Critères d'obtention (français)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que l'apprenant a fait pour obtenir le badge, en une ou deux phrases."),
    )
    criteria_en = forms.CharField(
        label=_("Critères d'obtention (anglais)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    kind = forms.ChoiceField(label=_("Type"), choices=Achievement.Kind.choices)
    pathway = forms.ModelChoiceField(
        label=_("Parcours qui donne le badge"),
        queryset=Pathway.objects.none(),
        required=False,
        empty_label=_("— aucun —"),
    )
    module = forms.ModelChoiceField(
        label=_("… ou module qui donne le badge"),
        queryset=Module.objects.none(),
        required=False,
        empty_label=_("— aucun —"),
    )
    expiry_days = forms.IntegerField(
        label=_("Validité (jours)"),
        required=False,
        min_value=1,
        max_value=36500,
        help_text=_("Laisser vide pour un badge sans date d'expiration."),
    )
    color = forms.CharField(
        label=_("Couleur du badge"),
        max_length=7,
        initial="#1d4f91",
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    image = forms.ImageField(
        label=_("Image (PNG carré, facultatif)"),
        required=False,
        help_text=_("Sans image, un badge aux initiales du nom est dessiné."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = Pathway.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("title_fr")
        self.fields["module"].queryset = Module.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).order_by("code")
        competences = Competence.objects.select_related("framework").order_by(
            "framework__name", "code"
        )
        levels = ProficiencyLevel.objects.select_related("framework").order_by(
            "framework__name", "order"
        )
        for row in range(COMPETENCE_ROWS):
            self.fields[f"competence_{row}"] = forms.ModelChoiceField(
                label=_("Compétence attestée %(n)s") % {"n": row + 1},
                queryset=competences,
                required=False,
                empty_label=_("— aucune —"),
            )
            self.fields[f"level_{row}"] = forms.ModelChoiceField(
                label=_("Niveau %(n)s") % {"n": row + 1},
                queryset=levels,
                required=False,
                empty_label=_("— sans niveau —"),
            )

    def competence_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"competence_{i}"], self[f"level_{i}"]) for i in range(COMPETENCE_ROWS)]

    def competences(self) -> list[tuple[int, int | None]]:
        pairs = []
        for row in range(COMPETENCE_ROWS):
            competence = self.cleaned_data.get(f"competence_{row}")
            level = self.cleaned_data.get(f"level_{row}")
            if competence is not None:
                pairs.append((competence.pk, level.pk if level is not None else None))
        return pairs


class IssuerForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'émetteur"), max_length=200)
    url = forms.URLField(label=_("Site web"), required=False, assume_scheme="https")
    email = forms.EmailField(label=_("E-mail de contact"), required=False)
    description = forms.CharField(
        label=_("Présentation"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    logo = forms.ImageField(label=_("Logo (PNG, facultatif)"), required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Raison de la révocation"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VerifyForm(forms.Form):
    credential = forms.CharField(
        label=_("Coller le badge (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
    )
    file = forms.FileField(
        label=_("… ou choisir un fichier (badge JSON, image PNG ou SVG)"), required=False
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("credential", "").strip() and not cleaned.get("file"):
            raise forms.ValidationError(_("Collez un badge ou choisissez un fichier."))
        return cleaned


class EmailCheckForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail à vérifier"))
