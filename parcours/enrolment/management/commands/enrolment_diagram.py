"""Print the enrolment and session state diagrams (Mermaid) that docs/enrolment.md contains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parcours.enrolment.states import mermaid_enrolment, mermaid_session


class Command(BaseCommand):
    help = "Print the state diagrams of enrolments and sessions (Mermaid), from states.py."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write("```mermaid\n" + mermaid_enrolment() + "```\n")
        self.stdout.write("\n```mermaid\n" + mermaid_session() + "```\n")
