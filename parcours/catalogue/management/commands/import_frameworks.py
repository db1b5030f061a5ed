"""``manage.py import_frameworks``: load DigComp 3.0, DigCompEdu and EntreComp."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parcours.catalogue.frameworks import (
    BUNDLED_DIR,
    SOURCE_KEYS,
    FrameworkImportError,
    import_frameworks,
)


class Command(BaseCommand):
    help = _(
        "Importe les référentiels de compétences (DigComp 3.0, DigCompEdu, EntreComp). "
        "Relancer l'import ne crée aucun doublon ; en cas d'erreur, rien n'est écrit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--source",
            type=Path,
            default=BUNDLED_DIR,
            metavar="DOSSIER",
            help=_(
                "Dossier des fichiers sources (même structure que les fixtures du projet, "
                "p. ex. ../shared/data/frameworks). Par défaut : %(default)s"
            ),
        )
        parser.add_argument(
            "--only",
            choices=SOURCE_KEYS,
            action="append",
            metavar="|".join(SOURCE_KEYS),
            help=_("N'importer que ce référentiel (option répétable)."),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            results = import_frameworks(options["source"], options["only"])
        except FrameworkImportError as exc:
            raise CommandError(
                _("Import des référentiels annulé, rien n'a été écrit. %(error)s") % {"error": exc}
            ) from exc
        if options["verbosity"] < 1:
            return
        for result in results:
            self.stdout.write(
                _(
                    "%(name)s : %(areas)d domaines, %(competences)d compétences, "
                    "%(levels)d niveaux, %(statements)d énoncés "
                    "(créés : %(created)d, modifiés : %(updated)d, supprimés : %(deleted)d)"
                )
                % vars(result)
            )
            if result.stale:
                self.stderr.write(
                    self.style.WARNING(
                        _("%(name)s : absents de la source mais conservés : %(codes)s")
                        % {"name": result.name, "codes": ", ".join(result.stale)}
                    )
                )
        self.stdout.write(
            self.style.SUCCESS(
                _("Référentiels importés en %(seconds).2f s.")
                % {"seconds": time.perf_counter() - started}
            )
        )
