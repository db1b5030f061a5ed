"""Import of the competence frameworks DigComp 3.0, DigCompEdu and EntreComp.

Two stages, so that an import is all-or-nothing:

1. *Parsing*: pure functions (``parse_digcomp``, ``parse_digcompedu``, ``parse_entrecomp``)
   turn each source file into plain typed dataclasses (``FrameworkData``). They check the
   structure and raise ``FrameworkImportError`` naming the file and the faulty entry.
2. *Writing*: ``write_frameworks`` stores parsed frameworks in one transaction, matching
   rows by their natural keys (framework slug, then codes) so that re-running changes nothing.

The source files live in ``fixtures/frameworks/`` (the project's own copies); another directory
with the same layout can be given instead (e.g. ``../shared/data/frameworks``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from django.db import models, transaction
from django.utils.translation import gettext as _

from parcours.catalogue.models import (
    Competence,
    CompetenceArea,
    CompetenceStatement,
    Framework,
    ProficiencyLevel,
)

BUNDLED_DIR = Path(__file__).resolve().parent / "fixtures" / "frameworks"

JRC = "Commission européenne, Centre commun de recherche (JRC)"
CC_BY = "CC BY 4.0"


class FrameworkImportError(Exception):
    """A source file is missing, unreadable or not shaped as expected."""


# --------------------------------------------------------------------------------------------
# Parsed data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LevelData:
    code: str
    order: int
    name_en: str
    name_fr: str = ""
    description_en: str = ""
    description_fr: str = ""


@dataclass(frozen=True)
class AreaData:
    code: str
    order: int
    title_en: str
    title_fr: str = ""
    description_en: str = ""
    description_fr: str = ""


@dataclass(frozen=True)
class CompetenceData:
    code: str
    area_code: str
    order: int
    title_en: str
    title_fr: str = ""
    description_en: str = ""
    description_fr: str = ""


@dataclass(frozen=True)
class StatementData:
    competence_code: str
    code: str
    kind: str
    level_code: str | None
    text_en: str
    text_fr: str = ""


@dataclass(frozen=True)
class FrameworkData:
    slug: str
    name: str
    version: str
    publisher: str
    source_url: str
    licence: str
    attribution: str
    levels: tuple[LevelData, ...]
    areas: tuple[AreaData, ...]
    competences: tuple[CompetenceData, ...]
    statements: tuple[StatementData, ...] = ()
    description_fr: str = ""
    description_en: str = ""


@dataclass
class ImportResult:
    """What ``write_frameworks`` did for one framework."""

    name: str
    areas: int
    competences: int
    levels: int
    statements: int
    created: int = 0
    updated: int = 0
    deleted: int = 0
    # Codes present in the database but no longer in the source (kept: modules may use them).
    stale: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Reading helpers: every error names the file and the entry
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Where:
    """A position in a source file, for error messages: ``file: area 3, competence 2``."""

    filename: str
    steps: tuple[str, ...] = ()

    def at(self, step: str) -> _Where:
        return _Where(self.filename, (*self.steps, step))

    def error(self, message: str) -> FrameworkImportError:
        where = ", ".join(self.steps)
        return FrameworkImportError(
            f"{self.filename}: {where}: {message}" if where else f"{self.filename}: {message}"
        )

    def mapping(self, value: object) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            raise self.error(_("un objet est attendu"))
        return value

    def _get(self, obj: object, key: str) -> Any:
        obj = self.mapping(obj)
        if key not in obj or obj[key] is None:
            raise self.error(_('champ "%(key)s" manquant') % {"key": key})
        return obj[key]

    def text(self, obj: object, key: str) -> str:
        value = self._get(obj, key)
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(_('le champ "%(key)s" doit être un texte') % {"key": key})
        value = str(value).strip()
        if not value:
            raise self.error(_('le champ "%(key)s" est vide') % {"key": key})
        return value

    def optional_text(self, obj: object, key: str) -> str:
        if self.mapping(obj).get(key) is None:
            return ""
        value = self.mapping(obj)[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise self.error(_('le champ "%(key)s" doit être un texte') % {"key": key})
        return str(value).strip()

    def integer(self, obj: object, key: str) -> int:
        value = self._get(obj, key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(_('le champ "%(key)s" doit être un nombre entier') % {"key": key})
        return value

    def items(self, obj: object, key: str) -> list[Any]:
        value = self._get(obj, key)
        if not isinstance(value, list):
            raise self.error(_('le champ "%(key)s" doit être une liste') % {"key": key})
        if not value:
            raise self.error(_('la liste "%(key)s" est vide') % {"key": key})
        return value


def _read(path: Path, loader: Callable[[str], Any]) -> Any:
    where = _Where(path.name)
    if not path.is_file():
        raise FrameworkImportError(_("%(path)s: fichier introuvable") % {"path": path})
    try:
        return loader(path.read_text(encoding="utf-8"))
    except (ValueError, yaml.YAMLError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        raise where.error(_("fichier illisible (%(error)s)") % {"error": exc}) from exc


def _check_unique(where: _Where, kind: str, codes: Iterable[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise where.error(_("%(kind)s en double : %(code)s") % {"kind": kind, "code": code})
        seen.add(code)


# --------------------------------------------------------------------------------------------
# DigComp 3.0 (JSON-LD data supplement)
# --------------------------------------------------------------------------------------------

DIGCOMP_FILE = "digcomp-3.0/digcomp-3.0-data-supplement.jsonld"


def _ref(where: _Where, value: str, prefix: str) -> str:
    """``"Competence/1.1"`` → ``"1.1"``."""
    if not value.startswith(prefix + "/") or len(value) == len(prefix) + 1:
        raise where.error(
            _('référence invalide "%(value)s" (attendu : %(prefix)s/…)')
            % {"value": value, "prefix": prefix}
        )
    return value[len(prefix) + 1 :]


def parse_digcomp(path: Path) -> FrameworkData:
    return parse_digcomp_data(_read(path, json.loads), path.name)


def parse_digcomp_data(data: object, filename: str) -> FrameworkData:
    root = _Where(filename)
    graph = root.items(data, "@graph")

    areas: list[AreaData] = []
    competences: list[CompetenceData] = []
    levels: list[LevelData] = []
    bands: dict[str, str] = {}  # four-level name ("Basic") → code of its first level ("1")
    raw_statements: list[tuple[_Where, Mapping[str, Any]]] = []
    competence_places: list[_Where] = []
    per_area: dict[str, int] = {}

    for index, entry in enumerate(graph, start=1):
        where = root.at(_("entrée %(n)d") % {"n": index})
        kind = where.text(entry, "@type")
        ident = where.text(entry, "@id")
        where = root.at(_("entrée %(n)d (%(id)s)") % {"n": index, "id": ident})
        if kind == "CompetenceArea":
            areas.append(
                AreaData(
                    code=_ref(where, ident, "CompetenceArea"),
                    order=len(areas) + 1,
                    title_en=where.text(entry, "name"),
                    description_en=where.optional_text(entry, "description"),
                )
            )
        elif kind == "Competence":
            area_code = _ref(where, where.text(entry, "competence_area_id"), "CompetenceArea")
            per_area[area_code] = per_area.get(area_code, 0) + 1
            competence_places.append(where)
            competences.append(
                CompetenceData(
                    code=_ref(where, ident, "Competence"),
                    area_code=area_code,
                    order=per_area[area_code],
                    title_en=where.text(entry, "name"),
                    description_en=where.optional_text(entry, "description"),
                )
            )
        elif kind == "ProficiencyLevel":
            order = where.integer(entry, "eight_levels_mapping")
            band = where.text(entry, "four_levels_name")
            six = where.optional_text(entry, "six_levels_mapping")
            levels.append(
                LevelData(
                    code=str(order),
                    order=order,
                    name_en=f"{band} ({six})" if six else band,
                    description_en=where.optional_text(entry, "eight_levels_description"),
                )
            )
            if band not in bands or order < int(bands[band]):
                bands[band] = str(order)
        elif kind in ("CompetenceStatement", "LearningOutcome"):
            raw_statements.append((where, where.mapping(entry)))
        # Other entries (Glossary) are not imported.

    area_codes = {area.code for area in areas}
    for where, competence in zip(competence_places, competences, strict=True):
        if competence.area_code not in area_codes:
            raise where.error(_("domaine inconnu : %(code)s") % {"code": competence.area_code})
    competence_codes = {competence.code for competence in competences}

    statements: list[StatementData] = []
    for where, entry in raw_statements:
        competence_code = _ref(where, where.text(entry, "competence_id"), "Competence")
        if competence_code not in competence_codes:
            raise where.error(_("compétence inconnue : %(code)s") % {"code": competence_code})
        band = _ref(where, where.text(entry, "four_levels_proficiency_name"), "ProficiencyLevel")
        if band not in bands:
            raise where.error(_("niveau inconnu : %(name)s") % {"name": band})
        entry_type = where.text(entry, "@type")
        if entry_type == "CompetenceStatement":
            kind = "competence_statement"
        else:
            kind = f"learning_outcome:{where.text(entry, 'type').lower()}"
        statements.append(
            StatementData(
                competence_code=competence_code,
                code=_ref(where, where.text(entry, "@id"), entry_type),
                kind=kind,
                level_code=bands[band],
                text_en=where.text(entry, "description"),
            )
        )

    framework = FrameworkData(
        slug="digcomp-3-0",
        name="DigComp 3.0",
        version="3.0",
        publisher=JRC,
        source_url="https://joint-research-centre.ec.europa.eu/digcomp_en",
        licence=CC_BY,
        attribution="DigComp 3.0, European Commission, Joint Research Centre",
        levels=tuple(sorted(levels, key=lambda level: level.order)),
        areas=tuple(areas),
        competences=tuple(competences),
        statements=tuple(statements),
    )
    _check_framework(root, framework)
    return framework


# --------------------------------------------------------------------------------------------
# DigCompEdu (YAML transcription)
# --------------------------------------------------------------------------------------------

DIGCOMPEDU_FILE = "digcompedu/digcompedu.yaml"


def parse_digcompedu(path: Path) -> FrameworkData:
    return parse_digcompedu_data(_read(path, yaml.safe_load), path.name)


def parse_digcompedu_data(data: object, filename: str) -> FrameworkData:
    root = _Where(filename)
    meta_where = root.at("framework")
    meta = meta_where.mapping(root.mapping(data).get("framework") or {})
    names = meta_where.mapping(meta.get("name") or {})

    levels: list[LevelData] = []
    for index, entry in enumerate(root.items(data, "levels"), start=1):
        where = root.at(_("niveau %(n)d") % {"n": index})
        levels.append(
            LevelData(
                code=where.text(entry, "code"),
                order=index,
                name_en=where.text(entry, "en"),
                name_fr=where.optional_text(entry, "fr"),
            )
        )

    areas: list[AreaData] = []
    competences: list[CompetenceData] = []
    for area_index, area_entry in enumerate(root.items(data, "areas"), start=1):
        area_where = root.at(_("domaine %(n)d") % {"n": area_index})
        area = AreaData(
            code=area_where.text(area_entry, "code"),
            order=area_index,
            title_en=area_where.text(area_entry, "en"),
            title_fr=area_where.optional_text(area_entry, "fr"),
        )
        areas.append(area)
        for index, entry in enumerate(area_where.items(area_entry, "competences"), start=1):
            where = area_where.at(_("compétence %(n)d") % {"n": index})
            competences.append(
                CompetenceData(
                    code=where.text(entry, "code"),
                    area_code=area.code,
                    order=index,
                    title_en=where.text(entry, "en"),
                    title_fr=where.optional_text(entry, "fr"),
                )
            )

    framework = FrameworkData(
        slug="digcompedu",
        name=str(names.get("fr") or names.get("en") or "DigCompEdu"),
        version=meta_where.optional_text(meta, "version") or "2017",
        publisher=JRC,
        source_url="https://joint-research-centre.ec.europa.eu/digcompedu_en",
        licence=CC_BY,
        attribution="DigCompEdu, European Commission, Joint Research Centre (2017)",
        levels=tuple(levels),
        areas=tuple(areas),
        competences=tuple(competences),
    )
    _check_framework(root, framework)
    return framework


# --------------------------------------------------------------------------------------------
# EntreComp (JSON from scify/entreCompOnline)
# --------------------------------------------------------------------------------------------

ENTRECOMP_FILE = "entrecomp/entrecomp.json"


def parse_entrecomp(path: Path) -> FrameworkData:
    return parse_entrecomp_data(_read(path, json.loads), path.name)


def _entrecomp_text(text: str) -> str:
    """Undo an artefact of the JSON conversion, which renamed "competences" in the texts."""
    return text.replace("competenceAreas", "competences")


def parse_entrecomp_data(data: object, filename: str) -> FrameworkData:
    root = _Where(filename)

    prog_where = root.at("prog")
    levels: list[LevelData] = []
    categories = prog_where.items(root.mapping(data).get("prog"), "progressionCategories")
    for cat_index, category in enumerate(categories, start=1):
        cat_where = prog_where.at(_("catégorie %(n)d") % {"n": cat_index})
        title = cat_where.text(category, "title")
        for index, entry in enumerate(cat_where.items(category, "levels"), start=1):
            where = cat_where.at(_("niveau %(n)d") % {"n": index})
            order = where.integer(entry, "level")
            autonomy = where.text(entry, "name").rstrip(".")
            description = _entrecomp_text(where.optional_text(entry, "levelDescription"))
            levels.append(
                LevelData(
                    code=str(order),
                    order=order,
                    name_en=f"{title}: {where.text(entry, 'action')}",
                    description_en=f"{autonomy}. {description}" if description else autonomy,
                )
            )
    level_codes = {level.code for level in levels}

    areas: list[AreaData] = []
    competences: list[CompetenceData] = []
    statements: list[StatementData] = []
    area_entries = root.at("areas").items(root.mapping(data).get("areas"), "competenceAreas")
    for area_index, area_entry in enumerate(area_entries, start=1):
        area_where = root.at(_("domaine %(n)d") % {"n": area_index})
        area = AreaData(
            code=str(area_index), order=area_index, title_en=area_where.text(area_entry, "name")
        )
        areas.append(area)
        for index, entry in enumerate(area_where.items(area_entry, "competences"), start=1):
            where = area_where.at(_("compétence %(n)d") % {"n": index})
            code = f"{area.code}.{index}"
            hint = _entrecomp_text(where.optional_text(entry, "hint"))
            descriptors = [
                _entrecomp_text(str(text).strip())
                for text in where.mapping(entry).get("descriptors") or []
                if str(text or "").strip()
            ]
            description = "\n".join(
                [hint, *(f"- {text}" for text in descriptors)] if hint else descriptors
            )
            competences.append(
                CompetenceData(
                    code=code,
                    area_code=area.code,
                    order=index,
                    title_en=where.text(entry, "name"),
                    description_en=description,
                )
            )
            # "skills" are the competence's threads; each has one statement per level, null
            # where the framework leaves the cell empty.
            for thread_index, thread in enumerate(where.items(entry, "skills"), start=1):
                thread_where = where.at(_("fil %(n)d") % {"n": thread_index})
                thread_where.text(thread, "name")
                seen: set[str] = set()
                for n, statement in enumerate(thread_where.items(thread, "levels"), start=1):
                    if statement is None:
                        continue
                    statement_where = thread_where.at(_("énoncé %(n)d") % {"n": n})
                    level = statement_where.mapping(
                        statement_where.mapping(statement).get("competenceLevel")
                    )
                    level_code = str(statement_where.integer(level, "level"))
                    if level_code not in level_codes:
                        raise statement_where.error(
                            _("niveau inconnu : %(name)s") % {"name": level_code}
                        )
                    if level_code in seen:
                        raise statement_where.error(
                            _("niveau en double : %(name)s") % {"name": level_code}
                        )
                    seen.add(level_code)
                    statements.append(
                        StatementData(
                            competence_code=code,
                            code=f"{code}.T{thread_index}.L{level_code}",
                            kind="level_statement",
                            level_code=level_code,
                            text_en=_entrecomp_text(statement_where.text(statement, "name")),
                        )
                    )

    framework = FrameworkData(
        slug="entrecomp",
        name="EntreComp",
        version="2016",
        publisher=JRC,
        source_url=(
            "https://joint-research-centre.ec.europa.eu/"
            "entrecomp-entrepreneurship-competence-framework_en"
        ),
        licence=CC_BY,
        attribution="EntreComp, European Commission, Joint Research Centre (2016)",
        levels=tuple(sorted(levels, key=lambda level: level.order)),
        areas=tuple(areas),
        competences=tuple(competences),
        statements=tuple(statements),
    )
    _check_framework(root, framework)
    return framework


_LIMITED: tuple[tuple[str, type[models.Model], tuple[str, ...]], ...] = (
    ("levels", ProficiencyLevel, ("code", "name_fr", "name_en")),
    ("areas", CompetenceArea, ("code", "title_fr", "title_en")),
    ("competences", Competence, ("code", "title_fr", "title_en")),
    ("statements", CompetenceStatement, ("code", "kind")),
)


def _check_framework(where: _Where, framework: FrameworkData) -> None:
    """Codes unique, texts within the columns' lengths (PostgreSQL would refuse them)."""
    for attribute, model, names in _LIMITED:
        for entry in getattr(framework, attribute):
            for name in names:
                limit = getattr(model._meta.get_field(name), "max_length", None)
                value = getattr(entry, name)
                if limit and len(value) > limit:
                    raise where.at(entry.code).error(
                        _('"%(field)s" dépasse %(limit)d caractères : %(value)s')
                        % {"field": name, "limit": limit, "value": value}
                    )
    _check_unique(where, _("niveau"), (level.code for level in framework.levels))
    _check_unique(where, _("domaine"), (area.code for area in framework.areas))
    _check_unique(where, _("compétence"), (c.code for c in framework.competences))
    _check_unique(
        where,
        _("énoncé"),
        (f"{s.competence_code} {s.code}" for s in framework.statements),
    )


# --------------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    key: str
    relative_path: str
    parse: Callable[[Path], FrameworkData]


SOURCES: tuple[Source, ...] = (
    Source("digcomp", DIGCOMP_FILE, parse_digcomp),
    Source("digcompedu", DIGCOMPEDU_FILE, parse_digcompedu),
    Source("entrecomp", ENTRECOMP_FILE, parse_entrecomp),
)
SOURCE_KEYS: tuple[str, ...] = tuple(source.key for source in SOURCES)


def parse_frameworks(
    directory: Path = BUNDLED_DIR, only: Sequence[str] | None = None
) -> list[FrameworkData]:
    """Parse every selected framework under ``directory``; raise before anything is written."""
    if not directory.is_dir():
        raise FrameworkImportError(_("%(path)s: dossier introuvable") % {"path": directory})
    unknown = sorted(set(only or ()) - set(SOURCE_KEYS))
    if unknown:
        raise FrameworkImportError(
            _("référentiel inconnu : %(keys)s") % {"keys": ", ".join(unknown)}
        )
    return [
        source.parse(directory / source.relative_path)
        for source in SOURCES
        if not only or source.key in only
    ]


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0


K = TypeVar("K")
M = TypeVar("M", bound=models.Model)


def _sync(
    model: type[M],
    existing: Mapping[K, M],
    wanted: Mapping[K, dict[str, Any]],
    tally: _Tally,
) -> list[M]:
    """Create missing rows, update rows whose values differ; return the rows no longer wanted."""
    to_create: list[M] = []
    to_update: list[M] = []
    changed_fields: set[str] = set()
    for key, values in wanted.items():
        row = existing.get(key)
        if row is None:
            to_create.append(model(**values))
            continue
        changed = [name for name, value in values.items() if getattr(row, name) != value]
        if changed:
            for name in changed:
                setattr(row, name, values[name])
            to_update.append(row)
            changed_fields.update(changed)
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=500)
    if to_update:
        model._default_manager.bulk_update(to_update, sorted(changed_fields), batch_size=500)
    tally.created += len(to_create)
    tally.updated += len(to_update)
    return [row for key, row in existing.items() if key not in wanted]


def _write_framework(data: FrameworkData) -> ImportResult:
    tally = _Tally()
    framework_values = {
        "slug": data.slug,
        "name": data.name,
        "version": data.version,
        "publisher": data.publisher,
        "source_url": data.source_url,
        "licence": data.licence,
        "attribution": data.attribution,
        "description_fr": data.description_fr,
        "description_en": data.description_en,
    }
    _sync(
        Framework,
        {f.slug: f for f in Framework.objects.filter(slug=data.slug)},
        {data.slug: framework_values},
        tally,
    )
    framework = Framework.objects.get(slug=data.slug)
    fw = {"framework_id": framework.pk}

    stale: list[str] = []
    stale_levels = _sync(
        ProficiencyLevel,
        {level.code: level for level in ProficiencyLevel.objects.filter(**fw)},
        {
            level.code: {
                **fw,
                "code": level.code,
                "order": level.order,
                "name_fr": level.name_fr,
                "name_en": level.name_en,
                "description_fr": level.description_fr,
                "description_en": level.description_en,
            }
            for level in data.levels
        },
        tally,
    )
    stale_areas = _sync(
        CompetenceArea,
        {area.code: area for area in CompetenceArea.objects.filter(**fw)},
        {
            area.code: {
                **fw,
                "code": area.code,
                "order": area.order,
                "title_fr": area.title_fr,
                "title_en": area.title_en,
                "description_fr": area.description_fr,
                "description_en": area.description_en,
            }
            for area in data.areas
        },
        tally,
    )
    area_ids = dict(CompetenceArea.objects.filter(**fw).values_list("code", "id"))
    stale_competences = _sync(
        Competence,
        {competence.code: competence for competence in Competence.objects.filter(**fw)},
        {
            competence.code: {
                **fw,
                "area_id": area_ids[competence.area_code],
                "code": competence.code,
                "order": competence.order,
                "title_fr": competence.title_fr,
                "title_en": competence.title_en,
                "description_fr": competence.description_fr,
                "description_en": competence.description_en,
            }
            for competence in data.competences
        },
        tally,
    )
    stale += [f"{_('niveau')} {row.code}" for row in stale_levels]
    stale += [f"{_('domaine')} {row.code}" for row in stale_areas]
    stale += [f"{_('compétence')} {row.code}" for row in stale_competences]

    competence_ids = dict(Competence.objects.filter(**fw).values_list("code", "id"))
    level_ids = dict(ProficiencyLevel.objects.filter(**fw).values_list("code", "id"))
    existing_statements = CompetenceStatement.objects.filter(competence__framework=framework)
    stale_statements = _sync(
        CompetenceStatement,
        {(row.competence_id, row.code): row for row in existing_statements},
        {
            (competence_ids[s.competence_code], s.code): {
                "competence_id": competence_ids[s.competence_code],
                "level_id": level_ids[s.level_code] if s.level_code else None,
                "code": s.code,
                "kind": s.kind,
                "text_fr": s.text_fr,
                "text_en": s.text_en,
            }
            for s in data.statements
        },
        tally,
    )
    # Statements belong to the framework's text only: those gone from the source go.
    deleted = 0
    if stale_statements:
        deleted, _by_model = CompetenceStatement.objects.filter(
            pk__in=[row.pk for row in stale_statements]
        ).delete()

    return ImportResult(
        name=data.name,
        areas=len(data.areas),
        competences=len(data.competences),
        levels=len(data.levels),
        statements=len(data.statements),
        created=tally.created,
        updated=tally.updated,
        deleted=deleted,
        stale=stale,
    )


def write_frameworks(frameworks: Sequence[FrameworkData]) -> list[ImportResult]:
    """Store parsed frameworks, all of them or none (one transaction)."""
    from parcours.catalogue import cache

    with transaction.atomic():
        results = [_write_framework(data) for data in frameworks]
        cache.bump()  # bulk writes send no signals: the filters' competences may have changed
        return results


def import_frameworks(
    directory: Path = BUNDLED_DIR, only: Sequence[str] | None = None
) -> list[ImportResult]:
    """Parse then write the selected frameworks found under ``directory``."""
    return write_frameworks(parse_frameworks(directory, only))
