"""Forms of the privacy pages (they only parse; the actions decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parcours.accounts.models import User


class EraseForm(forms.Form):
    """Confirm an erasure with the password of the person asking (re-authentication)."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    revoke_credentials = forms.BooleanField(
        label=_("Révoquer aussi les badges délivrés"),
        required=False,
        help_text=_(
            "Sinon, les badges restent vérifiables : ils ne contiennent qu'une empreinte "
            "salée de l'adresse e-mail, sans nom."
        ),
    )
    confirm = forms.BooleanField(
        label=_("Je comprends que cet effacement est définitif."),
        error_messages={"required": _("Cochez la case pour confirmer l'effacement.")},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            # A passkey-only account: the view has the person re-authenticate instead.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return str(password)


class FindLearnerForm(forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail de l'apprenant"), max_length=254)
