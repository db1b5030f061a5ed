"""Forms for the documents pages (they only parse; the actions validate the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.documents.models import CalendarFeed, normalise_code
from parcours.enrolment import bounds


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif de la révocation"),
        max_length=300,
        help_text=_("Affiché sur la page de vérification."),
    )


class FeedForm(forms.Form):
    kind = forms.ChoiceField(choices=CalendarFeed.Kind.choices)
    site = forms.IntegerField(required=False, min_value=1, max_value=bounds.MAX_ID)


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Code de vérification"),
        max_length=60,
        help_text=_("Il figure au bas de l'attestation, sous le QR code."),
    )

    def clean_code(self) -> str:
        code = normalise_code(self.cleaned_data["code"])
        if not code:
            raise forms.ValidationError(_("Indiquez le code imprimé sur l'attestation."))
        return code
