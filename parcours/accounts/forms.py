from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import ApiToken, Role, SignupPolicy

# --- Organisation administration ---------------------------------------------------------------

ROLE_CHOICES = Role.choices
STAFF_ROLE_CHOICES = [(value, label) for value, label in Role.choices if value != Role.LEARNER]


class MemberFilterForm(forms.Form):
    q = forms.CharField(label=_("Rechercher (nom, e-mail)"), required=False, max_length=100)
    role = forms.ChoiceField(
        label=_("Rôle"), required=False, choices=[("", _("Tous les rôles")), *ROLE_CHOICES]
    )
    status = forms.ChoiceField(
        label=_("État"),
        required=False,
        choices=[("", _("Actifs")), ("deactivated", _("Désactivés"))],
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Rôle"), choices=ROLE_CHOICES, initial=Role.TRAINER)
    first_name = forms.CharField(label=_("Prénom"), required=False, max_length=150)
    last_name = forms.CharField(label=_("Nom de famille"), required=False, max_length=150)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Rôle"), choices=ROLE_CHOICES)


class ChangeRoleForm(forms.Form):
    old_role = forms.ChoiceField(label=_("Rôle actuel"), choices=ROLE_CHOICES)
    new_role = forms.ChoiceField(label=_("Nouveau rôle"), choices=ROLE_CHOICES)


class BulkInviteForm(forms.Form):
    text = forms.CharField(
        label=_("Adresses à inviter"),
        required=False,
        max_length=200_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Une personne par ligne : e-mail ; rôle ; prénom ; nom (le rôle et les noms sont "
            "facultatifs). Ou choisissez un fichier CSV ou Excel (.xlsx) avec les mêmes colonnes."
        ),
    )
    file = forms.FileField(label=_("Fichier CSV ou Excel (.xlsx)"), required=False)
    default_role = forms.ChoiceField(
        label=_("Rôle quand la ligne n'en donne pas"), choices=ROLE_CHOICES, initial=Role.LEARNER
    )
    mode = forms.ChoiceField(
        label=_("En cas d'erreur sur une ligne"),
        choices=[
            ("all", _("Tout ou rien : n'inviter personne, corriger et recommencer")),
            ("rows", _("Ligne par ligne : inviter les lignes correctes, signaler les autres")),
        ],
        initial="all",
        widget=forms.RadioSelect,
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError(_("Collez des adresses ou choisissez un fichier."))
        return data


class OrganisationSettingsForm(forms.Form):
    signup_policy = forms.ChoiceField(
        label=_("Qui peut créer un compte"), choices=SignupPolicy.choices, widget=forms.RadioSelect
    )
    require_staff_mfa = forms.BooleanField(
        label=_("Double authentification obligatoire pour le personnel"), required=False
    )
    learner_retention_days = forms.IntegerField(
        label=_("Durée de conservation des apprenants inactifs (jours)"),
        required=False,
        min_value=30,
        max_value=3650,
        help_text=_("Entre 30 et 3650 jours. Vide : les données sont conservées."),
    )


class SignupDomainForm(forms.Form):
    domain = forms.CharField(
        label=_("Domaine autorisé"),
        max_length=253,
        help_text=_("Par exemple : ecole.be (sans @)."),
    )

    def clean_domain(self) -> str:
        from parcours.accounts.actions import normalise_domain

        return normalise_domain(self.cleaned_data["domain"])


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Nom du jeton"), max_length=100)
    scope = forms.ChoiceField(label=_("Portée"), choices=ApiToken.Scope.choices, initial="read")
    expires_on = forms.DateField(
        label=_("Expire le"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Dans un an au plus."),
    )

    def clean_expires_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["expires_on"]
        today = timezone.localdate()
        if not today < value <= today + dt.timedelta(days=365):
            raise forms.ValidationError(
                _("Choisissez une date entre demain et dans un an au plus.")
            )
        return value


class AuditFilterForm(forms.Form):
    actor = forms.IntegerField(label=_("Qui"), required=False, min_value=1, max_value=2**62)
    action = forms.CharField(label=_("Quoi"), required=False, max_length=80)
    start = forms.DateField(
        label=_("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        for value in (start, end):
            if isinstance(value, dt.date) and not 2000 <= value.year <= 2100:
                raise forms.ValidationError(_("Choisissez des dates entre 2000 et 2100."))
        if isinstance(start, dt.date) and isinstance(end, dt.date) and end < start:
            raise forms.ValidationError(_("La date de fin précède la date de début."))
        return data


class CreateOrganisationForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    slug = forms.SlugField(label=_("Identifiant (dans les adresses)"), max_length=60)
    admin_email = forms.EmailField(label=_("E-mail du premier administrateur"), max_length=254)


# --- Invitations (the invited person) ----------------------------------------------------------


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom de famille"), max_length=150)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (encore)"),
        strip=False,
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        return data


class NewLinkForm(forms.Form):
    email = forms.EmailField(label=_("Votre adresse e-mail"), max_length=254)
