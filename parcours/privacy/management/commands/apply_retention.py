"""``manage.py apply_retention [--dry-run]``: pseudonymise the learners inactive for longer than
their organisations' ``learner_retention_days`` (see parcours/privacy/retention.py).

It prints counts and account ids, never names or addresses. Run it daily (cron, systemd timer).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from parcours.accounts.models import User
from parcours.privacy import actions, retention


def _ids(ids: list[int]) -> str:
    return ", ".join(str(i) for i in ids) or "-"


class Command(BaseCommand):
    help = "Pseudonymise les apprenants inactifs au-delà de la durée de conservation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Liste qui serait effacé, sans rien changer."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        planned = retention.plan()
        if options["dry_run"]:
            self.stdout.write(
                _("Simulation : %(n)d apprenant(s) à effacer, ids : %(ids)s")
                % {"n": len(planned.due), "ids": _ids(planned.due)}
            )
        else:
            erased: list[int] = []
            failed: list[int] = []
            for person in User.objects.filter(pk__in=planned.due).order_by("pk").iterator():
                try:
                    actions.erase_person(actor=None, person=person, reason=actions.Reason.RETENTION)
                except ValidationError:  # a loan started since the plan was made
                    failed.append(person.pk)
                else:
                    erased.append(person.pk)
            self.stdout.write(
                _("%(n)d apprenant(s) effacé(s), ids : %(ids)s")
                % {"n": len(erased), "ids": _ids(erased)}
            )
            if failed:
                self.stdout.write(
                    _("%(n)d effacement(s) refusé(s), ids : %(ids)s")
                    % {"n": len(failed), "ids": _ids(failed)}
                )
        held = planned.held_by_open_loan
        if held:
            self.stdout.write(
                _("%(n)d apprenant(s) conservé(s) : matériel prêté non rendu, ids : %(ids)s")
                % {"n": len(held), "ids": _ids(held)}
            )
