"""Calls for applications: open one, edit its stages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor, require_role
from parcours.candidates.actions._base import (
    DEFAULT_STAGES,
    MANAGERS,
    MAX_TEXT,
    _plain,
    _refuse,
)
from parcours.candidates.models import (
    Call,
    Criterion,
    Question,
    Stage,
)
from parcours.enrolment.models import Session

# --- Calls -------------------------------------------------------------------------------------


@dataclass
class QuestionData:
    label: str
    kind: str
    choices: list[str] = field(default_factory=list)
    required: bool = False


@dataclass
class CallData:
    title: str
    slug: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    places: int
    description: str = ""
    kind: str = Call.Kind.QUALIFYING
    module_id: int | None = None
    pathway_id: int | None = None
    session_ids: list[int] = field(default_factory=list)
    audiences: list[str] = field(default_factory=list)
    retention_days: int = 365
    stages: list[str] = field(default_factory=list)  # labels; empty: the default stages
    questions: list[QuestionData] = field(default_factory=list)
    criteria: list[tuple[str, int]] = field(default_factory=list)
    referral_call_id: int | None = None
    followup_call_id: int | None = None


def _check_call(organisation: Organisation, data: CallData) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title.strip():
        errors.setdefault("title", []).append(_("Indiquez le titre de l'appel."))
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,79}", data.slug or ""):
        errors.setdefault("slug", []).append(
            _("L'adresse ne contient que des minuscules, des chiffres et des tirets.")
        )
    if not all(2000 <= d.year <= 2100 for d in (data.opens_at, data.closes_at)):
        errors.setdefault("opens_at", []).append(_("Les dates vont de 2000 à 2100."))
    elif data.closes_at <= data.opens_at:
        errors.setdefault("closes_at", []).append(
            _("L'appel doit se clôturer après son ouverture.")
        )
    if not 1 <= data.places <= 10000:
        errors.setdefault("places", []).append(_("Le nombre de places va de 1 à 10 000."))
    if not 30 <= data.retention_days <= 3650:
        errors.setdefault("retention_days", []).append(
            _("La durée de conservation va de 30 à 3 650 jours.")
        )
    if len(data.stages) > 12 or any(not s.strip() or len(s) > 100 for s in data.stages):
        errors.setdefault("stages", []).append(_("Douze étapes au plus, chacune nommée."))
    kinds = {k for k, _label in Question.Kind.choices}
    for question in data.questions:
        if question.kind not in kinds or not question.label.strip():
            errors.setdefault("questions", []).append(_("Chaque question a un libellé et un type."))
        if question.kind == Question.Kind.CHOICE and not question.choices:
            errors.setdefault("questions", []).append(
                _("Une question à choix propose au moins un choix.")
            )
    for label, weight in data.criteria:
        if not label.strip() or not 1 <= weight <= 10:
            errors.setdefault("criteria", []).append(
                _("Chaque critère a un libellé et un poids de 1 à 10.")
            )
    if errors:
        raise ValidationError(errors)
    sessions = Session.objects.filter(pk__in=data.session_ids, organisation=organisation)
    if len(set(data.session_ids)) != sessions.count():
        raise _refuse(_("Une des sessions n'appartient pas à votre organisation."), "invalid")
    for other in (data.referral_call_id, data.followup_call_id):
        if (
            other is not None
            and not Call.objects.filter(pk=other, organisation=organisation).exists()
        ):
            raise _refuse(_("L'appel lié n'appartient pas à votre organisation."), "invalid")


def open_call(*, actor: Actor, organisation: Organisation, data: CallData) -> Call:
    """A coordinator opens a call, with its stages (default: received → information session →
    tests → interview → decision), questions and interview criteria."""
    require_role(actor, organisation, MANAGERS)
    _check_call(organisation, data)
    with transaction.atomic():
        if Call.objects.filter(organisation=organisation, slug=data.slug).exists():
            raise ValidationError({"slug": [_("Un appel porte déjà cette adresse.")]})
        call = Call.objects.create(
            organisation=organisation,
            slug=data.slug,
            title=data.title.strip()[:200],
            description=data.description.strip()[:MAX_TEXT],
            kind=data.kind,
            module_id=data.module_id,
            pathway_id=data.pathway_id,
            opens_at=data.opens_at,
            closes_at=data.closes_at,
            places=data.places,
            audiences=sorted(set(data.audiences)),
            retention_days=data.retention_days,
            referral_call_id=data.referral_call_id,
            followup_call_id=data.followup_call_id,
        )
        call.sessions.set(data.session_ids)
        if data.stages:
            stages = [Stage(call=call, order=i, label=s.strip()) for i, s in enumerate(data.stages)]
        else:
            stages = [
                Stage(call=call, order=i, label=_(label), milestone=milestone)
                for i, (label, milestone) in enumerate(DEFAULT_STAGES)
            ]
        Stage.objects.bulk_create(stages)
        Question.objects.bulk_create(
            Question(
                call=call,
                order=i,
                label=q.label.strip()[:300],
                kind=q.kind,
                choices=[c.strip()[:200] for c in q.choices if c.strip()],
                required=q.required,
            )
            for i, q in enumerate(data.questions)
        )
        Criterion.objects.bulk_create(
            Criterion(call=call, order=i, label=label.strip()[:200], weight=weight)
            for i, (label, weight) in enumerate(data.criteria)
        )
        audit.record(
            "candidates.call.open",
            actor=actor.user,
            organisation=organisation,
            obj=call,
            changes={"slug": call.slug, "places": call.places},
        )
    return call


def set_stages(*, actor: Actor, call: Call, labels: Sequence[str]) -> list[Stage]:
    """Rename, reorder, add or remove stages: ``labels`` in their new order. A stage that
    still holds candidates cannot be removed (its label may change)."""
    require_role(actor, call.organisation_id, MANAGERS)
    clean = [_plain(label, 100, _("étape")) for label in labels]
    if not clean or len(clean) > 12 or any(not label for label in clean):
        raise _refuse(_("Un appel a d'une à douze étapes, chacune nommée."), "invalid")
    with transaction.atomic():
        existing = list(call.stages.select_for_update().order_by("order", "id"))
        kept = existing[: len(clean)]
        for order, (stage, label) in enumerate(zip(kept, clean, strict=False)):
            stage.order, stage.label = order, label
            stage.save(update_fields=["order", "label"])
        for stage in existing[len(clean) :]:
            if stage.applications.exists():
                raise _refuse(
                    _("L'étape « %(s)s » contient encore des candidatures.") % {"s": stage.label},
                    "state",
                )
            stage.delete()
        for order in range(len(kept), len(clean)):
            Stage.objects.create(call=call, order=order, label=clean[order])
        audit.record(
            "candidates.call.stages",
            actor=actor.user,
            organisation=call.organisation,
            obj=call,
            changes={"stages": clean},
        )
    return list(call.stages.order_by("order", "id"))
