"""``manage.py purge_class_data [--days 30]``: delete the pupils (pseudonyms) and answers of the
class visits opened more than 30 days ago; the anonymous counts stay. Run it daily (cron,
systemd timer) or enqueue the task ``parcours.orientation.class_tasks.purge_class_data``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from parcours.orientation import class_actions


class Command(BaseCommand):
    help = "Efface les données des élèves des visites de classe de plus de 30 jours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=class_actions.RETENTION_DAYS,
            help="Âge minimal des visites à effacer, en jours (30 par défaut, 1 au moins).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(1, min(int(options["days"]), 3650))
        purged = class_actions.purge_class_data(days=days)
        self.stdout.write(
            _("%(n)d visite(s) de classe : données des élèves effacées.") % {"n": purged}
        )
