"""Every write to the catalogue goes through here: views, the API, the admin and commands.

Each action checks the actor's role in the module's organisation first, then validates, then
writes in one transaction with its audit entry and the search index update. Validation errors
are ``django.core.exceptions.ValidationError`` keyed by field, in the user's language.

A module's life (``TRANSITIONS``)::

    draft ──publish──▶ published ──archive──▶ archived ──restore──▶ draft
      └────────────────archive─────────────────▲
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import CATALOGUE_EDITORS, Actor, require_role
from parcours.catalogue import cache, search
from parcours.catalogue.models import (
    Competence,
    Module,
    ModuleCompetence,
    ProficiencyLevel,
    SearchSynonym,
    split_expansions,
)

Status = Module.Status

TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.PUBLISHED, Status.ARCHIVED}),
    Status.PUBLISHED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset({Status.DRAFT}),
}

CODE_PATTERN = re.compile(r"^[\w.-]+$")


@dataclass
class ModuleData:
    """The editable content of a module (everything but its organisation and status)."""

    code: str = ""
    title_fr: str = ""
    title_en: str = ""
    summary_fr: str = ""
    summary_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    objectives_fr: str = ""
    objectives_en: str = ""
    prerequisites_fr: str = ""
    prerequisites_en: str = ""
    duration_hours: Decimal | int | float | str | None = None
    format: str = Module.Format.IN_PERSON
    audience: str = Module.Audience.EVERYONE
    language: str = Module.Language.FR
    completion_mode: str = Module.CompletionMode.ATTENDANCE


DATA_FIELDS = tuple(f.name for f in fields(ModuleData))

CompetenceChoice = tuple["int | Competence", "int | ProficiencyLevel | None"]


# --- Validation helpers ------------------------------------------------------------------


def _as_values(data: ModuleData | Mapping[str, Any]) -> dict[str, Any]:
    if isinstance(data, ModuleData):
        return asdict(data)
    unknown = set(data) - set(DATA_FIELDS)
    if unknown:
        raise TypeError(f"Unknown module fields: {', '.join(sorted(unknown))}")
    return dict(data)


def _clean_values(values: dict[str, Any]) -> dict[str, Any]:
    cleaned = dict(values)
    for name, value in values.items():
        if isinstance(value, str) and name != "duration_hours":
            cleaned[name] = value.strip()
    return cleaned


def _validate(module: Module) -> None:
    """Field rules, code format and uniqueness within the organisation, positive duration."""
    errors: dict[str, list[str]] = {}
    try:
        module.full_clean(
            exclude=["organisation"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if "code" not in errors and module.code and not CODE_PATTERN.match(module.code):
        errors["code"] = [
            _(
                "Le code ne peut contenir que des lettres, des chiffres, des points, des tirets "
                "et des traits de soulignement, sans espace."
            )
        ]
    if "code" not in errors and _code_taken(module):
        errors["code"] = [_duplicate_code_message(module.code)]
    duration = module.duration_hours
    if "duration_hours" not in errors and duration is not None and Decimal(duration) <= 0:
        errors["duration_hours"] = [_("La durée doit être supérieure à zéro heure.")]
    if errors:
        raise ValidationError(errors)


def _code_taken(module: Module) -> bool:
    return (
        Module.objects.filter(organisation_id=module.organisation_id, code__iexact=module.code)
        .exclude(pk=module.pk)
        .exists()
    )


def _duplicate_code_message(code: str) -> str:
    return _("Le code « %(code)s » est déjà utilisé par un autre module de votre organisation.") % {
        "code": code
    }


def _validate_publishable(module: Module) -> None:
    errors: dict[str, list[str]] = {}
    if not module.title_fr.strip():
        errors["title_fr"] = [_("Un titre en français est requis pour publier.")]
    if not module.summary_fr.strip():
        errors["summary_fr"] = [_("Un résumé en français est requis pour publier.")]
    if module.duration_hours is None or Decimal(module.duration_hours) <= 0:
        errors["duration_hours"] = [_("Une durée supérieure à zéro est requise pour publier.")]
    if errors:
        raise ValidationError(errors)


def _resolve_competences(
    choices: Iterable[CompetenceChoice],
) -> list[tuple[Competence, ProficiencyLevel | None]]:
    pairs = [
        (getattr(c, "pk", c), getattr(lv, "pk", lv) if lv not in ("", None) else None)
        for c, lv in choices
    ]
    competence_ids = [c for c, _lv in pairs]
    competences = Competence.objects.select_related("framework").in_bulk(competence_ids)
    levels = ProficiencyLevel.objects.in_bulk([lv for _c, lv in pairs if lv is not None])
    errors: list[str] = []
    resolved: list[tuple[Competence, ProficiencyLevel | None]] = []
    seen: set[int] = set()
    for competence_id, level_id in pairs:
        competence = competences.get(competence_id)
        if competence is None:
            errors.append(_("Compétence inconnue (n° %(id)s).") % {"id": competence_id})
            continue
        if competence.pk in seen:
            message = _("La compétence « %(code)s » est citée plusieurs fois.")
            errors.append(message % {"code": competence.code})
            continue
        seen.add(competence.pk)
        level = levels.get(level_id) if level_id is not None else None
        wrong_level = level is None or level.framework_id != competence.framework_id
        if level_id is not None and wrong_level:
            errors.append(
                _("Le niveau choisi pour « %(code)s » n'appartient pas au référentiel %(fw)s.")
                % {"code": competence.code, "fw": competence.framework.name}
            )
            continue
        resolved.append((competence, level))
    if errors:
        raise ValidationError({"competences": errors})
    return resolved


def _save(module: Module) -> None:
    """Save, turning a lost race on the code into the same message as the early check."""
    try:
        with transaction.atomic():
            module.save()
    except IntegrityError:
        if _code_taken(module):
            raise ValidationError({"code": [_duplicate_code_message(module.code)]}) from None
        raise


def _snapshot(module: Module) -> dict[str, Any]:
    return {name: _jsonable(getattr(module, name)) for name in DATA_FIELDS}


def _jsonable(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def _competence_snapshot(links: Iterable[tuple[Competence, ProficiencyLevel | None]]) -> list[Any]:
    return [[c.code, lv.code if lv else None] for c, lv in links]


def _write_links(
    module: Module, links: list[tuple[Competence, ProficiencyLevel | None]], *, replace: bool
) -> None:
    if replace:
        ModuleCompetence.objects.filter(module=module).delete()
    ModuleCompetence.objects.bulk_create(
        [ModuleCompetence(module=module, competence=c, level=lv) for c, lv in links]
    )


def _locked(module: Module | int) -> Module:
    pk = module if isinstance(module, int) else module.pk
    return Module.objects.select_for_update().select_related("organisation").get(pk=pk)


def _organisation_id(module: Module | int) -> int:
    if isinstance(module, Module):
        return module.organisation_id
    return Module.objects.values_list("organisation_id", flat=True).get(pk=module)


# --- Actions -----------------------------------------------------------------------------


def create_module(
    *,
    actor: Actor,
    organisation: Organisation,
    data: ModuleData | Mapping[str, Any],
    competences: Iterable[CompetenceChoice] = (),
) -> Module:
    """A new draft module of ``organisation``, with its targeted competences and levels."""
    require_role(actor, organisation, CATALOGUE_EDITORS)
    values = _clean_values({**asdict(ModuleData()), **_as_values(data)})
    module = Module(organisation=organisation, status=Status.DRAFT, **values)
    errors: dict[str, list[str]] = {}
    links: list[tuple[Competence, ProficiencyLevel | None]] = []
    try:
        _validate(module)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        links = _resolve_competences(competences)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _save(module)
        _write_links(module, links, replace=False)
        search.index_module(module, [c for c, _lv in links])
        audit.record(
            "module.create",
            actor=actor.user,
            organisation=organisation,
            obj=module,
            changes={**_snapshot(module), "competences": _competence_snapshot(links)},
        )
    return module


def update_module(
    *,
    actor: Actor,
    module: Module | int,
    data: ModuleData | Mapping[str, Any],
    competences: Iterable[CompetenceChoice] | None = None,
) -> Module:
    """Change a module's content (a mapping may hold only some fields). ``competences=None``
    keeps the targeted competences; a list replaces them. A published module must stay
    publishable. Returns the updated module."""
    require_role(actor, _organisation_id(module), CATALOGUE_EDITORS)
    values = _clean_values(_as_values(data))
    with transaction.atomic():
        current = _locked(module)
        before = _snapshot(current)
        for name, value in values.items():
            setattr(current, name, value)
        errors: dict[str, list[str]] = {}
        try:
            _validate(current)
            if current.status == Status.PUBLISHED:
                _validate_publishable(current)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        links: list[tuple[Competence, ProficiencyLevel | None]] | None = None
        if competences is not None:
            try:
                links = _resolve_competences(competences)
            except ValidationError as exc:
                errors.update(exc.message_dict)
        if errors:
            raise ValidationError(errors)
        _save(current)
        changes: dict[str, Any] = {
            name: [before[name], value]
            for name, value in _snapshot(current).items()
            if before[name] != value
        }
        if links is not None:
            old_links = [
                (link.competence, link.level)
                for link in current.competence_links.select_related("competence", "level")
            ]
            old, new = _competence_snapshot(old_links), _competence_snapshot(links)
            if sorted(old, key=str) != sorted(new, key=str):
                changes["competences"] = [old, new]
            _write_links(current, links, replace=True)
        search.index_module(current, None if links is None else [c for c, _lv in links])
        audit.record(
            "module.update",
            actor=actor.user,
            organisation=current.organisation,
            obj=current,
            changes=changes,
        )
    return current


def _transition(actor: Actor, module: Module | int, target: str, action: str) -> Module:
    require_role(actor, _organisation_id(module), CATALOGUE_EDITORS)
    with transaction.atomic():
        current = _locked(module)
        if target not in TRANSITIONS[current.status]:
            raise ValidationError(
                _("Un module « %(from)s » ne peut pas devenir « %(to)s ».")
                % {"from": current.get_status_display(), "to": Status(target).label}
            )
        if target == Status.PUBLISHED:
            _validate_publishable(current)
            current.published_at = timezone.now()
        previous = current.status
        current.status = target
        current.save(update_fields=["status", "published_at", "updated_at"])
        audit.record(
            action,
            actor=actor.user,
            organisation=current.organisation,
            obj=current,
            changes={"status": [previous, target]},
        )
    return current


def publish_module(*, actor: Actor, module: Module | int) -> Module:
    """Make a draft visible in the public catalogue (needs a French title, summary, duration)."""
    return _transition(actor, module, Status.PUBLISHED, "module.publish")


def archive_module(*, actor: Actor, module: Module | int) -> Module:
    """Withdraw a draft or published module from the catalogue, keeping its history."""
    return _transition(actor, module, Status.ARCHIVED, "module.archive")


def restore_module(*, actor: Actor, module: Module | int) -> Module:
    """Bring an archived module back as a draft."""
    return _transition(actor, module, Status.DRAFT, "module.restore")


# --- Search synonyms ---------------------------------------------------------------------

#: Who edits an organisation's search synonyms (platform-wide ones: platform administrators).
SYNONYM_EDITORS = (Role.COORDINATOR, Role.ADMINISTRATOR)
#: Bounds: synonyms per organisation, equivalents per synonym.
MAX_SYNONYMS = 300
MAX_EXPANSIONS = search.MAX_ALTERNATIVES


def _require_synonym_editor(actor: Actor, organisation: Organisation | None) -> None:
    if organisation is None:
        if not actor.is_platform_admin:
            raise PermissionDenied(
                _("Seuls les administrateurs de la plateforme modifient les synonymes communs.")
            )
        return
    require_role(actor, organisation, SYNONYM_EDITORS)


def _clean_synonym(
    organisation: Organisation | None, term: str, expansions: str, exclude: int | None
) -> tuple[str, str, str]:
    """(term, expansions, key) cleaned, or ValidationError keyed by field."""
    term = " ".join((term or "").split())
    items = split_expansions(expansions)
    errors: dict[str, list[str]] = {}
    key_words = search.synonym_key(search.synonym_words(term))
    if not key_words:
        errors["term"] = [_("Le terme doit contenir au moins une lettre ou un chiffre.")]
    elif len(term) > 100:
        errors["term"] = [_("Le terme compte au plus 100 caractères.")]
    if not items:
        errors["expansions"] = [_("Indiquez au moins un équivalent.")]
    elif len(items) > MAX_EXPANSIONS:
        errors["expansions"] = [
            _("Au plus %(max)d équivalents par terme.") % {"max": MAX_EXPANSIONS}
        ]
    else:
        problems = []
        keys = {key_words}
        for item in items:
            words = search.synonym_key(search.synonym_words(item))
            if not words:
                problems.append(
                    _("« %(item)s » ne contient ni lettre ni chiffre.") % {"item": item}
                )
            elif words in keys:
                problems.append(_("« %(item)s » figure déjà.") % {"item": item})
            keys.add(words)
        if problems:
            errors["expansions"] = problems
    text = ", ".join(items)
    if len(text) > 500:
        errors.setdefault("expansions", []).append(
            _("Les équivalents comptent au plus 500 caractères en tout.")
        )
    key = " ".join(key_words)
    if not errors:
        same = SearchSynonym.objects.filter(organisation=organisation, key=key)
        if exclude is not None:
            same = same.exclude(pk=exclude)
        if same.exists():
            errors["term"] = [_("Un synonyme existe déjà pour « %(term)s ».") % {"term": term}]
        elif exclude is None and (
            SearchSynonym.objects.filter(organisation=organisation).count() >= MAX_SYNONYMS
        ):
            errors["term"] = [
                _("Au plus %(max)d synonymes par organisation.") % {"max": MAX_SYNONYMS}
            ]
    if errors:
        raise ValidationError(errors)
    return term, text, key


def create_synonym(
    *, actor: Actor, organisation: Organisation | None, term: str, expansions: str
) -> SearchSynonym:
    """A new search synonym of ``organisation`` (None: platform-wide)."""
    _require_synonym_editor(actor, organisation)
    term, text, key = _clean_synonym(organisation, term, expansions, exclude=None)
    try:
        with transaction.atomic():
            synonym = SearchSynonym.objects.create(
                organisation=organisation, term=term, expansions=text, key=key
            )
            audit.record(
                "synonym.create",
                actor=actor.user,
                organisation=organisation,
                obj=synonym,
                changes={"term": term, "expansions": text},
            )
            cache.bump()
    except IntegrityError as exc:  # a concurrent twin won the race
        raise ValidationError(
            {"term": [_("Un synonyme existe déjà pour « %(term)s ».") % {"term": term}]}
        ) from exc
    return synonym


def update_synonym(
    *, actor: Actor, synonym: SearchSynonym, term: str, expansions: str
) -> SearchSynonym:
    _require_synonym_editor(actor, synonym.organisation)
    term, text, key = _clean_synonym(synonym.organisation, term, expansions, exclude=synonym.pk)
    before = {"term": synonym.term, "expansions": synonym.expansions}
    try:
        with transaction.atomic():
            SearchSynonym.objects.filter(pk=synonym.pk).update(
                term=term, expansions=text, key=key, updated_at=timezone.now()
            )
            synonym.term, synonym.expansions, synonym.key = term, text, key
            audit.record(
                "synonym.update",
                actor=actor.user,
                organisation=synonym.organisation,
                obj=synonym,
                changes={"before": before, "after": {"term": term, "expansions": text}},
            )
            cache.bump()
    except IntegrityError as exc:
        raise ValidationError(
            {"term": [_("Un synonyme existe déjà pour « %(term)s ».") % {"term": term}]}
        ) from exc
    return synonym


def delete_synonym(*, actor: Actor, synonym: SearchSynonym) -> None:
    _require_synonym_editor(actor, synonym.organisation)
    with transaction.atomic():
        audit.record(
            "synonym.delete",
            actor=actor.user,
            organisation=synonym.organisation,
            obj=synonym,
            changes={"term": synonym.term, "expansions": synonym.expansions},
        )
        SearchSynonym.objects.filter(pk=synonym.pk).delete()
        cache.bump()
