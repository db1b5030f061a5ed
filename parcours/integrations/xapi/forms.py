from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class LrsForm(forms.Form):
    endpoint = forms.URLField(
        label=_("Adresse xAPI du LRS"),
        max_length=300,
        assume_scheme="https",
        help_text=_("L'adresse de base xAPI, par exemple https://lrs.exemple.be/xAPI/"),
    )
    key = forms.CharField(label=_("Identifiant (clé)"), max_length=200)
    secret = forms.CharField(
        label=_("Secret (mot de passe)"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_("Laissez vide pour garder le secret enregistré."),
    )
    enabled = forms.BooleanField(label=_("Envoyer les traces au LRS"), required=False)
