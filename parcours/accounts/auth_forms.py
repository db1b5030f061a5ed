"""allauth's forms with Parcours's wording: labels that say what to type, no placeholders.

Placeholders disappear as one types and are not labels; the labels are enough.
"""

from __future__ import annotations

from typing import Any

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_LABEL = _("Adresse e-mail")


def _without_placeholders(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = EMAIL_LABEL
        self.fields["password"].label = _("Mot de passe")
        self.fields["password"].help_text = ""  # the page has its own "Mot de passe oublié ?"
        if "remember" in self.fields:
            self.fields["remember"].label = _("Rester connecté sur cet appareil")
        _without_placeholders(self)


class SignupForm(allauth_forms.SignupForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        self.fields["password1"].label = _("Mot de passe")
        self.fields["password2"].label = _("Mot de passe (confirmation)")
        _without_placeholders(self)


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = EMAIL_LABEL
        _without_placeholders(self)
