"""``manage.py create_organisation --name … --slug … --admin-email …``: a new organisation and
an invitation for its first administrator. Running it again with the same slug and name
changes nothing (a pending invitation is not sent twice)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parcours.accounts import invitations


class Command(BaseCommand):
    help = "Crée une organisation et invite son premier administrateur."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="Nom de l'organisation")
        parser.add_argument("--slug", required=True, help="Identifiant (minuscules, tirets)")
        parser.add_argument("--admin-email", required=True, help="E-mail du premier administrateur")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organisation, invitation, created = invitations.set_up_organisation(
                name=options["name"],
                slug=options["slug"],
                admin_email=options["admin_email"],
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        verb = "created" if created else "already exists"
        self.stdout.write(f"Organisation {organisation.slug} {verb}.")
        if invitation is None:
            self.stdout.write(f"{options['admin_email']} already administers it.")
        elif invitation.accepted_at is not None:
            self.stdout.write(f"{invitation.email} had an account: administrator role added.")
        else:
            self.stdout.write(f"Invitation pending for {invitation.email}.")
