from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self) -> None:
        from allauth.account.signals import password_reset
        from django.contrib.auth.signals import user_logged_in
        from django.db.models.signals import post_save

        from parcours.accounts import admin_panel, mfa, receivers
        from parcours.accounts.models import User

        # The front door (docs/architecture.md, "Sign-up, login and second factors"): people
        # created outside allauth have a confirmed address; a missing second factor is noted.
        post_save.connect(
            receivers.on_user_created, sender=User, dispatch_uid="parcours_user_created"
        )
        password_reset.connect(receivers.on_password_reset, dispatch_uid="parcours_password_reset")
        user_logged_in.connect(receivers.on_user_logged_in, dispatch_uid="parcours_mfa_on_login")
        mfa.register_panel()
        admin_panel.register()
