"""Re-encrypt every issuer's private key under the first CREDENTIALS_KEY value."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcours.credentials.actions import reencrypt_signing_keys


class Command(BaseCommand):
    help = "Re-encrypt the issuers' private signing keys under the current CREDENTIALS_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reencrypt_signing_keys()
        self.stdout.write(f"{count} signing key(s) re-encrypted.")
