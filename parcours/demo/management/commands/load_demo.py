"""``manage.py load_demo [--reset]``: load the demo organisations, catalogue, pathways, people."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from parcours.demo import loader


class Command(BaseCommand):
    help = _(
        "Charge les données de démonstration (Technofutur TIC, Technocité, Province de Liège) "
        "en une seule transaction. Sans --reset, ne fait rien si la démo est déjà chargée."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help=_(
                "Vide TOUTE la base de données (manage.py flush) puis recharge la démo. "
                "À n'utiliser que sur une base de démonstration."
            ),
        )
        parser.add_argument(
            "--no-logins",
            action="store_true",
            help=_("N'affiche pas les comptes de démonstration (make demo les affiche ensuite)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reset = options["reset"]
        if not reset and loader.is_loaded():
            self.stdout.write(
                _(
                    "Les données de démonstration sont déjà chargées : rien n'a été modifié. "
                    "Utilisez --reset pour vider la base et tout recharger."
                )
            )
            if not options["no_logins"]:
                self._logins(options["verbosity"])
            return
        report = loader.load(reset=reset)
        if options["verbosity"] < 1:
            return
        lines = loader.summary_lines(report)
        self.stdout.write(self.style.SUCCESS(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
        if options["verbosity"] >= 2:
            for part, seconds in report.part_seconds.items():
                self.stdout.write(f"  {part}: {seconds:.1f} s")
        if not options["no_logins"]:
            self._logins(options["verbosity"])

    def _logins(self, verbosity: int) -> None:
        if verbosity < 1:
            return
        self.stdout.write("")
        self.stdout.write(
            _("Comptes de démonstration (mot de passe commun : %(password)s) :")
            % {"password": loader.data.DEMO_PASSWORD}
        )
        self.stdout.write(loader.logins_table())
