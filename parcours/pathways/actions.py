"""Every write to pathways and completions goes through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Membership, Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.pathways import rules
from parcours.pathways.evaluation import known_modules
from parcours.pathways.models import Completion, Pathway, PathwayModule
from parcours.pathways.signals import (
    completion_withdrawn,
    completions_recorded,
    module_completed,
    pathway_completed,
)

EDITORS = (Role.COORDINATOR,)


@dataclass
class PathwayData:
    code: str
    title_fr: str
    title_en: str = ""
    summary_fr: str = ""
    summary_en: str = ""
    rule_text: str | None = None
    rule: dict[str, Any] | None = None


def _candidate_modules(organisation: Organisation) -> dict[str, Module]:
    """Modules a pathway of this organisation may refer to by code."""
    return {m.code: m for m in Module.objects.filter(organisation=organisation)}


def compile_rule_input(
    organisation: Organisation, *, rule_text: str | None, rule: dict[str, Any] | None
) -> tuple[dict[str, Any], list[Module]]:
    """Turn the coordinator's rule (text with codes, or JSON with ids) into validated data.

    Raises ValidationError({"rule": [...]}) naming every wrong part.
    """
    by_code = _candidate_modules(organisation)
    try:
        if rule_text is not None:
            if not rule_text.strip():
                raise ValidationError({"rule": [_("La règle est vide.")]})
            data = rules.parse_text(rule_text, {code: m.pk for code, m in by_code.items()})
        elif rule is not None:
            data = rule
        else:
            raise ValidationError({"rule": [_("La règle est vide.")]})
        mentioned = rules.module_ids(rules.parse_rule(data))
        modules = list(Module.objects.filter(pk__in=mentioned).select_related("organisation"))
        allowed = [m for m in modules if m.organisation_id == organisation.pk or m.is_published]
        parsed = rules.parse_rule(data, known_modules=known_modules(allowed))
    except rules.RuleError as exc:
        # People read where the problem is in words, never the machine path (/all_of/1/…).
        raise ValidationError({"rule": [e.user_message for e in exc.errors]}) from exc
    order = {mid: i for i, mid in enumerate(_ordered_ids(parsed))}
    allowed.sort(key=lambda m: order.get(m.pk, 0))
    return rules.rule_to_data(parsed), allowed


def _ordered_ids(rule: rules.Rule) -> list[int]:
    seen: list[int] = []

    def walk(node: object) -> None:
        if isinstance(node, rules.ModuleReq):
            if node.module not in seen:
                seen.append(node.module)
        elif isinstance(node, rules.MinHours):
            for mid in node.modules or ():
                if mid not in seen:
                    seen.append(mid)
        else:
            for child in getattr(node, "children", ()):
                walk(child)

    walk(rule)
    return seen


def _validate_fields(organisation: Organisation, data: PathwayData, exclude: int | None) -> None:
    errors: dict[str, list[str]] = {}
    if not data.code.strip():
        errors["code"] = [_("Le code est obligatoire.")]
    elif (
        Pathway.objects.filter(organisation=organisation, code=data.code.strip())
        .exclude(pk=exclude)
        .exists()
    ):
        errors["code"] = [_("Un parcours de votre organisation utilise déjà ce code.")]
    if not data.title_fr.strip():
        errors["title_fr"] = [_("Le titre en français est obligatoire.")]
    if errors:
        raise ValidationError(errors)


def _set_modules(pathway: Pathway, modules: list[Module]) -> None:
    PathwayModule.objects.filter(pathway=pathway).delete()
    PathwayModule.objects.bulk_create(
        [PathwayModule(pathway=pathway, module=m, position=i) for i, m in enumerate(modules)]
    )


@transaction.atomic
def create_pathway(*, actor: Actor, organisation: Organisation, data: PathwayData) -> Pathway:
    require_role(actor, organisation, EDITORS)
    _validate_fields(organisation, data, exclude=None)
    rule_data, modules = compile_rule_input(organisation, rule_text=data.rule_text, rule=data.rule)
    pathway = Pathway.objects.create(
        organisation=organisation,
        code=data.code.strip(),
        title_fr=data.title_fr.strip(),
        title_en=data.title_en.strip(),
        summary_fr=data.summary_fr,
        summary_en=data.summary_en,
        rule=rule_data,
    )
    _set_modules(pathway, modules)
    audit.record(
        "pathway.create",
        actor=actor.user,
        organisation=organisation,
        obj=pathway,
        changes={"rule": rule_data},
    )
    return pathway


@transaction.atomic
def update_pathway(*, actor: Actor, pathway: Pathway, data: PathwayData) -> Pathway:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    organisation = pathway.organisation
    require_role(actor, organisation, EDITORS)
    _validate_fields(organisation, data, exclude=pathway.pk)
    rule_data, modules = compile_rule_input(organisation, rule_text=data.rule_text, rule=data.rule)
    before = {"rule": pathway.rule, "title_fr": pathway.title_fr, "code": pathway.code}
    pathway.code = data.code.strip()
    pathway.title_fr = data.title_fr.strip()
    pathway.title_en = data.title_en.strip()
    pathway.summary_fr = data.summary_fr
    pathway.summary_en = data.summary_en
    pathway.rule = rule_data
    pathway.save()
    _set_modules(pathway, modules)
    audit.record(
        "pathway.update",
        actor=actor.user,
        organisation=organisation,
        obj=pathway,
        changes={"before": before, "rule": rule_data},
    )
    return pathway


@transaction.atomic
def set_pathway_status(*, actor: Actor, pathway: Pathway, status: str) -> Pathway:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    require_role(actor, pathway.organisation, EDITORS)
    if status not in Pathway.Status.values:
        raise ValidationError(_("Statut inconnu."))
    if status == Pathway.Status.PUBLISHED:
        # Re-check the rule: every module must (still) exist and be published.
        compile_rule_input(pathway.organisation, rule_text=None, rule=pathway.rule)
    old = pathway.status
    pathway.status = status
    pathway.save(update_fields=["status", "updated_at"])
    audit.record(
        f"pathway.status.{status}",
        actor=actor.user,
        organisation=pathway.organisation,
        obj=pathway,
        changes={"from": old, "to": status},
    )
    return pathway


@dataclass
class CompletionResult:
    completion: Completion
    created: bool
    completed_pathways: list[Pathway] = field(default_factory=list)


@dataclass(frozen=True)
class CompletionEntry:
    learner_id: int
    module: Module
    hours: Decimal
    completed_on: dt.date


def lock_learners(learner_ids: list[int]) -> None:
    """Serialise the writers of these learners (completions here, enrolments in the enrolment
    app) until the transaction ends.

    PostgreSQL: ``FOR NO KEY UPDATE`` on their user rows, in id order (no deadlock between two
    writers of overlapping cohorts; rows that merely reference a user are not blocked). SQLite:
    the IMMEDIATE transaction already holds the database's write lock.
    """
    if learner_ids and connection.features.has_select_for_update:
        list(
            User.objects.select_for_update(no_key=True)
            .filter(pk__in=learner_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def record_completion(
    *,
    learner: User,
    module: Module,
    completed_on: dt.date | None = None,
    hours: Decimal | float | None = None,
    source: str = Completion.Source.MANUAL,
    actor: User | None = None,
    reason: str = "",
) -> CompletionResult:
    """Record that a learner completed a module (idempotent), and raise ``pathway_completed``
    for every published pathway this completion newly satisfies, once the transaction commits.
    ``reason`` (recognition of prior learning, the admin) is kept in the audit entry.
    """
    entry = CompletionEntry(
        learner_id=learner.pk,
        module=module,
        hours=Decimal(str(hours if hours is not None else module.duration_hours)),
        completed_on=completed_on or timezone.localdate(),
    )
    results = record_completions([entry], source=source, actor=actor, reason=reason)
    if results:
        return results[0]
    existing = Completion.objects.get(learner=learner, module=module)
    return CompletionResult(completion=existing, created=False)


def _pathways_containing(module_ids: set[int]) -> dict[Pathway, list[int]]:
    """Published pathways that contain one of these modules, with all their module ids."""
    members: dict[Pathway, list[int]] = {}
    rows = (
        PathwayModule.objects.filter(
            pathway__in=Pathway.objects.published()
            .filter(memberships__module_id__in=module_ids)
            .values("pk")
        )
        .select_related("pathway")
        .order_by("pathway_id", "position")
    )
    for row in rows:
        members.setdefault(row.pathway, []).append(row.module_id)
    return members


def _batch(events: list[tuple[Any, type, dict[str, int]]]) -> dict[str, list[tuple[int, int]]]:
    return {
        "modules": [
            (k["learner_id"], k["module_id"]) for s, _c, k in events if s is module_completed
        ],
        "pathways": [
            (k["learner_id"], k["pathway_id"]) for s, _c, k in events if s is pathway_completed
        ],
    }


#: A batch of new completions with more events than this raises them in a background task
#: (when the task backend defers: a worker; the immediate backend keeps them after commit).
INLINE_EVENTS_MAX = 100


def _encoded(events: list[tuple[Any, type, dict[str, int]]]) -> list[list[object]]:
    out: list[list[object]] = []
    for signal, _sender, kwargs in events:
        if signal is module_completed:
            out.append(
                ["module", kwargs["learner_id"], kwargs["completion_id"], kwargs["module_id"]]
            )
        else:
            out.append(
                ["pathway", kwargs["learner_id"], kwargs["completion_id"], kwargs["pathway_id"]]
            )
    return out


def _events_of(encoded: list[list[object]]) -> list[tuple[Any, type, dict[str, int]]]:
    events: list[tuple[Any, type, dict[str, int]]] = []
    for kind, learner_id, completion_id, target_id in encoded:
        common = {"learner_id": int(str(learner_id)), "completion_id": int(str(completion_id))}
        if kind == "module":
            events.append(
                (module_completed, Completion, {**common, "module_id": int(str(target_id))})
            )
        else:
            events.append(
                (pathway_completed, Pathway, {**common, "pathway_id": int(str(target_id))})
            )
    return events


def _dispatch(events: list[tuple[Any, type, dict[str, int]]]) -> bool:
    """Raise the events of a batch once the transaction commits: a large batch (more than
    ``INLINE_EVENTS_MAX`` events) is one background task, written in the same transaction (it
    exists if and only if the completions do); a small one, or any batch with a backend that
    runs tasks at once, is sent by an ``on_commit`` callback. Returns True when queued."""
    from parcours.pathways.tasks import send_completion_events

    if len(events) > INLINE_EVENTS_MAX and send_completion_events.get_backend().supports_defer:
        send_completion_events.enqueue(_encoded(events))
        return True
    transaction.on_commit(partial(_send_all, events))
    return False


def _send_all(events: list[tuple[Any, type, dict[str, int]]]) -> None:
    for signal, sender, kwargs in events:
        signal.send(sender=sender, **kwargs)
    batch = _batch(events)
    if batch["modules"] or batch["pathways"]:
        completions_recorded.send(sender=Completion, **batch)


def record_completions(
    entries: list[CompletionEntry],
    *,
    source: str = Completion.Source.ATTENDANCE,
    actor: User | None = None,
    reason: str = "",
) -> list[CompletionResult]:
    """Record completions for a whole cohort, in a constant number of queries (one learner:
    ``record_completion`` calls this).

    One Completion per learner and module (existing ones are left as they are), then, after
    commit, ``module_completed`` for each new one and ``pathway_completed`` for each pathway a
    learner newly satisfies (a batch of more than ``INLINE_EVENTS_MAX`` events: in a background
    task queued in the same transaction, see ``_dispatch``, so that a roll call of thousands
    does not wait for the receivers' work). Returns a result for each new completion.

    Concurrency: the learners' completion writers are serialised (``lock_learners``) before
    anything is read, so two writers recording the same completion create it once (the
    second sees it and leaves it: the first raises the events), and two writers recording two
    different modules that together complete a pathway raise ``pathway_completed`` once (the
    second sees the first's completion in its "before"). The unique constraint on (learner,
    module) stays the last line of defence.
    """
    if not entries:
        return []
    # No savepoint when nested (a roll call): nothing here is caught and retried.
    with transaction.atomic(savepoint=False):
        learner_ids = sorted({e.learner_id for e in entries})
        module_ids = {e.module.pk for e in entries}
        lock_learners(learner_ids)
        members = _pathways_containing(module_ids)
        parsed = {p.pk: rules.parse_rule(p.rule) for p in members}
        done: dict[int, dict[int, float]] = {}
        for learner_id, module_id, hours in Completion.objects.filter(
            learner_id__in=learner_ids,
            module_id__in=module_ids.union(*members.values()),
        ).values_list("learner_id", "module_id", "hours"):
            done.setdefault(learner_id, {})[module_id] = float(hours)
        fresh: dict[tuple[int, int], CompletionEntry] = {}
        for entry in entries:
            if entry.module.pk not in done.get(entry.learner_id, {}):
                fresh.setdefault((entry.learner_id, entry.module.pk), entry)
        if not fresh:
            return []

        def satisfied(learner_id: int) -> set[int]:
            have = done.get(learner_id, {})
            return {
                p.pk
                for p, ids in members.items()
                if rules.evaluate(parsed[p.pk], have, pathway_modules=ids).satisfied
            }

        touched = {learner_id for learner_id, _module_id in fresh}
        before = {learner_id: satisfied(learner_id) for learner_id in touched}
        rows = []
        for e in fresh.values():
            # The module's id, then its object cached: no related-descriptor work per row.
            row = Completion(
                learner_id=e.learner_id,
                module_id=e.module.pk,
                completed_on=e.completed_on,
                hours=e.hours,
                source=source,
            )
            Completion.module.field.set_cached_value(row, e.module)
            rows.append(row)
        created = Completion.objects.bulk_create(rows)
        for completion in created:
            done.setdefault(completion.learner_id, {})[completion.module_id] = float(
                completion.hours
            )
        if any(c.pk is None for c in created):  # backends without RETURNING
            ids = {
                (c.learner_id, c.module_id): c.pk
                for c in Completion.objects.filter(learner_id__in=touched, module_id__in=module_ids)
            }
            for completion in created:
                completion.pk = ids[(completion.learner_id, completion.module_id)]
        by_pk = {p.pk: p for p in members}
        results: list[CompletionResult] = []
        events: list[tuple[Any, type, dict[str, int]]] = []
        for completion in created:
            newly = satisfied(completion.learner_id) - before[completion.learner_id]
            before[completion.learner_id] |= newly  # one event per learner and pathway
            common = {"learner_id": completion.learner_id, "completion_id": completion.pk}
            events.append(
                (module_completed, Completion, {**common, "module_id": completion.module_id})
            )
            events += [
                (pathway_completed, Pathway, {**common, "pathway_id": pathway_id})
                for pathway_id in sorted(newly)
            ]
            results.append(
                CompletionResult(
                    completion=completion,
                    created=True,
                    completed_pathways=[by_pk[i] for i in sorted(newly)],
                )
            )
        # One callback for the whole batch, or one background task for a large one.
        _dispatch(events)
        _audit(created, fresh, source, actor, reason)
    return results


def _audit(
    created: list[Completion],
    fresh: dict[tuple[int, int], CompletionEntry],
    source: str,
    actor: User | None,
    reason: str = "",
) -> None:
    first = next(iter(fresh.values()))
    if len(created) == 1:
        completion = created[0]
        changes: dict[str, Any] = {
            "learner": completion.learner_id,
            "module": first.module.code,
            "source": source,
        }
        if reason:
            changes["reason"] = reason
        audit.record(
            "completion.record",
            actor=actor,
            organisation=first.module.organisation,
            obj=completion,
            changes=changes,
        )
        return
    audit.record(
        "completion.record_many",
        actor=actor,
        organisation=first.module.organisation,
        changes={
            "count": len(created),
            "source": source,
            "modules": sorted(e.module.code for e in fresh.values())[:50],
        },
    )


# --- Recognition of prior learning and withdrawal ------------------------------------------

#: Who records a completion by hand (recognition of prior learning) or withdraws one.
COMPLETION_EDITORS = (Role.COORDINATOR,)
MAX_REASON = 1000


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Indiquez la raison (elle est enregistrée).")]})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            {"reason": [_("La raison tient en %(max)s caractères au plus.") % {"max": MAX_REASON}]}
        )
    return reason


def record_prior_learning(
    *,
    actor: Actor,
    learner: User,
    module: Module,
    reason: str,
    completed_on: dt.date | None = None,
    hours: Decimal | float | None = None,
    source: str = Completion.Source.RECOGNITION,
) -> CompletionResult:
    """A coordinator of the module's organisation records a completion by hand (recognition
    of prior learning; ``source=MANUAL`` from the Django admin): the reason is required and
    kept in the audit log; the same action as every completion (pathways, badges and
    attestations follow)."""
    require_role(actor, module.organisation_id, COMPLETION_EDITORS)
    reason = _clean_reason(reason)
    if not Membership.objects.filter(user=learner, organisation_id=module.organisation_id).exists():
        raise ValidationError(
            {"learner": [_("Cette personne n'est pas membre de l'organisation du module.")]}
        )
    today = timezone.localdate()
    if completed_on is not None and not (dt.date(2000, 1, 1) <= completed_on <= today):
        raise ValidationError(
            {"completed_on": [_("La date doit être passée (ou aujourd'hui) et après l'an 2000.")]}
        )
    if hours is not None and not (Decimal(0) <= Decimal(str(hours)) <= Decimal(9999)):
        raise ValidationError({"hours": [_("Le nombre d'heures doit être entre 0 et 9999.")]})
    if Completion.objects.filter(learner=learner, module=module).exists():
        raise ValidationError(_("Ce module est déjà terminé pour cette personne."))
    with transaction.atomic():
        return record_completion(
            learner=learner,
            module=module,
            completed_on=completed_on or today,
            hours=hours,
            source=source,
            actor=actor.user,
            reason=reason,
        )


def withdraw_completion(
    *, actor: Actor, completion: Completion, reason: str, revoke_credentials: bool = False
) -> list[Pathway]:
    """Delete a completion recorded by mistake, audited with its reason. Returns the published
    pathways the learner had completed and no longer has.

    What follows: pathway progress is computed from completions, so it goes back at once.
    After commit, ``completion_withdrawn`` is sent with those pathways and
    ``revoke_credentials``: when it is true, the credentials app revokes the badges this
    completion earned (the module's, and those of the pathways no longer completed) with the
    same reason; when false, badges already issued stay (revoke them by hand). Attestations
    already issued stay in every case."""
    require_role(actor, completion.module.organisation_id, COMPLETION_EDITORS)
    reason = _clean_reason(reason)
    with transaction.atomic():
        lock_learners([completion.learner_id])
        locked = Completion.objects.select_for_update().filter(pk=completion.pk).first()
        if locked is None:
            return []
        lost = _pathways_lost(locked.learner_id, locked.module_id)
        audit.record(
            "completion.withdraw",
            actor=actor.user,
            organisation=completion.module.organisation,
            obj=locked,
            changes={
                "learner": locked.learner_id,
                "module": completion.module.code,
                "source": locked.source,
                "completed_on": locked.completed_on.isoformat(),
                "reason": reason,
                "revoke_credentials": revoke_credentials,
                "pathways": [p.pk for p in lost],
            },
        )
        learner_id, module_id = locked.learner_id, locked.module_id
        locked.delete()
        transaction.on_commit(
            partial(
                completion_withdrawn.send,
                sender=Completion,
                learner_id=learner_id,
                module_id=module_id,
                pathway_ids=[p.pk for p in lost],
                revoke_credentials=revoke_credentials,
                reason=reason,
                actor=actor,
            )
        )
    return lost


def _pathways_lost(learner_id: int, module_id: int) -> list[Pathway]:
    """Published pathways containing the module whose rule the learner satisfies with their
    completions and no longer satisfies without this module's."""
    members = _pathways_containing({module_id})
    if not members:
        return []
    have = dict(
        Completion.objects.filter(
            learner_id=learner_id, module_id__in=set().union(*members.values())
        ).values_list("module_id", "hours")
    )
    done = {pk: float(hours) for pk, hours in have.items()}
    without = {pk: hours for pk, hours in done.items() if pk != module_id}
    lost = []
    for pathway, ids in members.items():
        rule = rules.parse_rule(pathway.rule)
        if (
            rules.evaluate(rule, done, pathway_modules=ids).satisfied
            and not rules.evaluate(rule, without, pathway_modules=ids).satisfied
        ):
            lost.append(pathway)
    return sorted(lost, key=lambda p: p.pk)
