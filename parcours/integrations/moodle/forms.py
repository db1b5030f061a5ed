"""Forms of the Moodle pages (bounded at the edge; the actions check again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import Organisation
from parcours.integrations.models import MoodleSite
from parcours.lib.ids import MAX_ID


class SiteForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=120)
    base_url = forms.CharField(
        label=_("Adresse du site Moodle"),
        max_length=300,
        help_text=_("La page d'accueil de Moodle, p. ex. https://moodle.exemple.be"),
        widget=forms.URLInput(attrs={"inputmode": "url", "autocomplete": "url"}),
    )
    token = forms.CharField(
        label=_("Jeton du service web"),
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["token"].required = False
            self.fields["token"].help_text = _(
                "Un jeton est enregistré (il n'est jamais réaffiché). Laissez vide pour le garder."
            )
        else:
            self.fields["token"].help_text = _(
                "Créé dans Moodle : Administration du site > Serveur > Services web > "
                "Gérer les jetons."
            )


class LinkForm(forms.Form):
    site = forms.ModelChoiceField(label=_("Site Moodle"), queryset=MoodleSite.objects.none())
    course_id = forms.IntegerField(
        label=_("Numéro du cours Moodle"),
        min_value=1,
        max_value=MAX_ID,
        help_text=_("Le nombre après « id= » dans l'adresse du cours (course/view.php?id=…)."),
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["site"]
        if isinstance(field, forms.ModelChoiceField):
            field.queryset = MoodleSite.objects.of_organisation(organisation).active()


class UserLinkForm(forms.Form):
    moodle_user_id = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    site = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    email = forms.EmailField(label=_("Adresse e-mail de la personne dans Parcours"), max_length=254)
