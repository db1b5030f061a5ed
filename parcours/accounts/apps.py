from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from parcours.accounts import mfa

        # Adopt the address of people created outside allauth; note a missing second factor.
        user_logged_in.connect(mfa.on_user_logged_in, dispatch_uid="parcours_mfa_on_login")
