"""``manage.py import_esco``: load the ESCO v1.1.1 occupations and ISCO-08 groups (fr + en)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parcours.orientation.actions import import_esco
from parcours.orientation.esco import BUNDLED_DIR, EscoError


class Command(BaseCommand):
    help = _(
        "Importe les métiers ESCO v1.1.1 et les groupes CITP-08 (français et anglais). "
        "Relancer l'import ne crée aucun doublon ; en cas d'erreur, rien n'est écrit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            default=BUNDLED_DIR,
            metavar="DOSSIER",
            help=_(
                "Dossier des fichiers ESCO (occupations_fr/en, ISCOGroups_fr/en en .csv ou "
                ".csv.gz, p. ex. ../shared/data/esco). Par défaut : %(default)s"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            result = import_esco(options["source"])
        except EscoError as exc:
            raise CommandError(
                _("Import ESCO annulé, rien n'a été écrit. %(error)s") % {"error": exc}
            ) from exc
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            _(
                "Groupes CITP : %(gc)d créés, %(gu)d modifiés. Métiers : %(oc)d créés, "
                "%(ou)d modifiés, %(on)d inchangés (%(seconds).1f s). Source : ESCO, "
                "European Commission."
            )
            % {
                "gc": result.groups_created,
                "gu": result.groups_updated,
                "oc": result.occupations_created,
                "ou": result.occupations_updated,
                "on": result.occupations_unchanged,
                "seconds": time.perf_counter() - started,
            }
        )
