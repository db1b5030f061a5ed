"""``manage.py sync_moodle [--org SLUG] [--site ID] [--queue]``: the planned Moodle sync.

Reads the completions of every course linked to an active Moodle site and records them (see
docs/integrations-moodle.md). Run it nightly (cron, systemd timer); ``--queue`` hands the work
to the task worker instead of running it here. Prints counts, never names or addresses.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from parcours.accounts.models import Organisation
from parcours.integrations.models import MoodleSite
from parcours.integrations.moodle import actions, tasks
from parcours.lib.ids import parse_id


class Command(BaseCommand):
    help = "Lit les achèvements des cours Moodle liés et les enregistre dans Parcours."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Le slug d'une organisation (toutes par défaut).")
        parser.add_argument("--site", help="Le numéro d'un site Moodle (tous par défaut).")
        parser.add_argument(
            "--queue", action="store_true", help="Confier la synchronisation au travailleur."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        site = None
        if options["site"]:
            site_id = parse_id(options["site"])
            if site_id is not None:
                site = MoodleSite.objects.select_related("organisation").filter(pk=site_id).first()
            if site is None:
                raise CommandError(_("Site Moodle inconnu : %(id)s") % {"id": options["site"]})
        organisations: list[Organisation] | None = None
        if options["org"]:
            organisation = Organisation.objects.filter(slug=options["org"]).first()
            if organisation is None:
                raise CommandError(_("Organisation inconnue : %(slug)s") % {"slug": options["org"]})
            if site is not None and site.organisation_id != organisation.pk:
                raise CommandError(_("Ce site Moodle n'appartient pas à l'organisation."))
            organisations = [organisation]
        elif site is not None:
            organisations = [site.organisation]
        if options["queue"]:
            targets = organisations or list(actions.organisations_to_sync())
            for organisation in targets:
                tasks.sync_moodle.enqueue(organisation.pk, site.pk if site else None, None)
            self.stdout.write(
                _("%(n)d synchronisation(s) confiée(s) au travailleur.") % {"n": len(targets)}
            )
            return
        runs = actions.sync_all(organisations=organisations, site=site)
        for run in runs:
            courses = list(run.courses.all())
            self.stdout.write(
                _(
                    "%(org)s : %(status)s — %(courses)d cours, %(recorded)d achèvement(s) "
                    "enregistré(s), %(unmatched)d non reconnu(s), %(errors)d erreur(s)"
                )
                % {
                    "org": run.organisation.slug,
                    "status": run.get_status_display(),
                    "courses": len(courses),
                    "recorded": sum(c.recorded for c in courses),
                    "unmatched": sum(c.unmatched for c in courses),
                    "errors": sum(1 for c in courses if c.error_code),
                }
            )
