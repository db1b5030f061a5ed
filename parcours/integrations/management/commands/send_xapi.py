"""Send the xAPI outbox now: every organisation whose LRS is enabled, or one (``--org slug``).

Statements not yet due (waiting for their back-off) are left for later; ``--now`` makes every
pending statement due first.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.xapi.actions import flush


class Command(BaseCommand):
    help = "Send the pending xAPI statements to the organisations' LRS."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="the organisation's slug (default: all)")
        parser.add_argument(
            "--now", action="store_true", help="retry the deferred statements now too"
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        configs = LrsConfig.objects.filter(enabled=True).select_related("organisation")
        if options["org"]:
            configs = configs.filter(organisation__slug=options["org"])
            if not configs.exists():
                raise CommandError(f"No enabled LRS for organisation {options['org']!r}.")
        size = options["batch_size"]
        if not 1 <= size <= 10_000:
            raise CommandError("--batch-size must be between 1 and 10000.")
        failed = False
        for config in configs.order_by("organisation__slug"):
            if options["now"]:
                XapiStatement.objects.filter(
                    organisation_id=config.organisation_id, status=XapiStatement.Status.PENDING
                ).update(next_attempt_at=timezone.now())
            report = flush(config.organisation_id, batch_size=size)
            self.stdout.write(
                f"{config.organisation.slug}: sent {report.sent}, failed {report.failed}, "
                f"deferred {report.deferred}"
                + (f" (stopped: {report.stopped})" if report.stopped else "")
            )
            failed = failed or bool(report.stopped)
        if failed:
            raise CommandError("The LRS of some organisation could not take the statements.")
