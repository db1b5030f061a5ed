"""``manage.py reindex_catalogue [--module ID ...]``: rebuild the full-text search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import ngettext

from parcours.catalogue.search import reindex_modules


class Command(BaseCommand):
    help = "Reconstruit l'index de recherche des modules (tous, ou ceux indiqués)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--module", type=int, action="append", dest="ids", help="Identifiant d'un module."
        )

    def handle(self, *args: Any, ids: list[int] | None = None, **options: Any) -> None:
        count = reindex_modules(ids)
        message = ngettext("%(count)d module réindexé.", "%(count)d modules réindexés.", count)
        self.stdout.write(self.style.SUCCESS(message % {"count": count}))
