"""What a launch opens: a module, a pathway, a module's session list, a session or the
learner's badges — named by the custom parameters ``parcours_type`` and ``parcours_id`` of the
resource link (set by deep linking, or by hand in the LMS)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from parcours.accounts.models import Organisation
from parcours.catalogue.models import Module
from parcours.enrolment.models import Session
from parcours.lib.ids import MAX_ID
from parcours.pathways.models import Pathway

KINDS = ("module", "pathway", "sessions", "session", "badges")


@dataclass(frozen=True)
class Target:
    kind: str
    id: int | None = None

    def __str__(self) -> str:
        return f"{self.kind}:{self.id}" if self.id is not None else self.kind


def parse(custom: Any) -> Target | None:
    """The target named by a launch's custom claim, or None (bad or missing values)."""
    if not isinstance(custom, dict):
        return None
    kind = str(custom.get("parcours_type", "")).strip()
    if kind not in KINDS:
        return None
    if kind == "badges":
        return Target("badges")
    raw = str(custom.get("parcours_id", "")).strip()
    if not raw.isdigit() or not 0 < int(raw) <= MAX_ID:
        return None
    return Target(kind, int(raw))


def resolve(target: Target, organisation: Organisation) -> tuple[str, Any] | None:
    """(path, object) of a target of ``organisation``; None when it is not one of its own."""
    if target.kind == "badges" or target.id is None:
        return (reverse("credentials:my_badges"), None) if target.kind == "badges" else None
    if target.kind in ("module", "sessions"):
        module = Module.objects.filter(pk=target.id, organisation=organisation).first()
        if module is None:
            return None
        if target.kind == "sessions":
            return reverse("enrolment:module_upcoming", args=[module.pk]), module
        return reverse("catalogue:detail", args=[organisation.slug, module.code]), module
    if target.kind == "pathway":
        pathway = Pathway.objects.filter(pk=target.id, organisation=organisation).first()
        if pathway is None:
            return None
        return reverse("pathways:detail", args=[organisation.slug, pathway.code]), pathway
    if target.kind == "session":
        session = (
            Session.objects.select_related("module")
            .filter(pk=target.id, organisation=organisation)
            .first()
        )
        if session is None:
            return None
        return reverse("enrolment:detail", args=[session.pk]), session
    return None


def module_of(obj: Any) -> Module | None:
    """The module a target's object is about (for the gradebook line item)."""
    if isinstance(obj, Module):
        return obj
    if isinstance(obj, Session):
        return obj.module
    return None
