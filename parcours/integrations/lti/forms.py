from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ManualRegistrationForm(forms.Form):
    name = forms.CharField(label=_("Nom de la plateforme"), max_length=120)
    issuer = forms.URLField(label=_("Émetteur (issuer)"), max_length=300, assume_scheme="https")
    client_id = forms.CharField(label=_("Identifiant client (client id)"), max_length=200)
    auth_login_url = forms.URLField(
        label=_("URL d'authentification OIDC"), max_length=500, assume_scheme="https"
    )
    auth_token_url = forms.URLField(
        label=_("URL des jetons d'accès"), max_length=500, assume_scheme="https"
    )
    key_set_url = forms.URLField(
        label=_("URL du jeu de clés (JWKS)"), max_length=500, assume_scheme="https"
    )
    deployment_ids = forms.CharField(
        label=_("Identifiants de déploiement"),
        help_text=_("Un par ligne."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
    )

    def deployments(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["deployment_ids"].splitlines()]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), max_length=100, required=False)
