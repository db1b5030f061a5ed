"""``manage.py demo_logins``: the demo accounts (role, e-mail, password, organisation)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from parcours.demo import loader


class Command(BaseCommand):
    help = _("Affiche les comptes de démonstration : rôle, e-mail, mot de passe, organisation.")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(loader.logins_table())
        if not loader.is_loaded():
            self.stderr.write(
                self.style.WARNING(
                    _("La démo n'est pas chargée dans cette base : lancez manage.py load_demo.")
                )
            )
