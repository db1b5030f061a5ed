"""Reading the ESCO v1.1.1 CSV exports: occupations and ISCO-08 groups, French and English.

A source directory holds four files, plain or gzipped (``.csv`` or ``.csv.gz``):
``occupations_fr``, ``occupations_en``, ``ISCOGroups_fr``, ``ISCOGroups_en`` — the columns of the
ESCO download (only ``conceptType``, ``conceptUri``, ``code``, ``iscoGroup``, ``preferredLabel``,
``altLabels`` and ``description`` are read). The project's copy is ``fixtures/esco/`` (the same
files with the unused columns dropped). Parsing is pure: the rows become dataclasses, or an
``EscoError`` naming the file and row; writing is ``actions.import_esco``.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from parcours.lib.text import fold

BUNDLED_DIR = Path(__file__).resolve().parent / "fixtures" / "esco"
LANGUAGES = ("fr", "en")
OCCUPATION_URI = "http://data.europa.eu/esco/occupation/"
ISCO_URI = "http://data.europa.eu/esco/isco/C"
MAX_LABEL = 300
MAX_FIELD = 20_000

_ISCO_CODE = re.compile(r"\d{1,4}")
_ESCO_CODE = re.compile(r"\d{4}(\.\d{1,3}){1,6}")
_URI_TAIL = re.compile(r"[0-9A-Za-z-]{1,80}")


class EscoError(ValueError):
    """A source file is missing or a row is malformed; nothing is written."""


@dataclass(frozen=True)
class IscoRow:
    code: str
    uri: str
    label: str
    description: str


@dataclass(frozen=True)
class OccupationRow:
    uri: str
    code: str
    isco_code: str
    label: str
    alt_labels: tuple[str, ...]
    description: str


def _text(row: Mapping[str, str | None], column: str, where: str, *, limit: int) -> str:
    value = row.get(column)
    value = (value or "").strip()
    if "\x00" in value:
        raise EscoError(_("%(where)s : caractère nul dans « %(column)s ».") % _ctx(where, column))
    if len(value) > limit:
        raise EscoError(_("%(where)s : « %(column)s » est trop long.") % _ctx(where, column))
    return value


def _ctx(where: str, column: str) -> dict[str, str]:
    return {"where": where, "column": column}


def _required(row: Mapping[str, str | None], column: str, where: str, *, limit: int) -> str:
    value = _text(row, column, where, limit=limit)
    if not value:
        raise EscoError(_("%(where)s : « %(column)s » est vide.") % _ctx(where, column))
    return value


def parse_isco_row(row: Mapping[str, str | None], where: str) -> IscoRow:
    """One row of ``ISCOGroups_<lang>``, checked."""
    kind = _text(row, "conceptType", where, limit=40)
    if kind != "ISCOGroup":
        raise EscoError(
            _("%(where)s : ce n'est pas un groupe CITP (ISCOGroup).") % {"where": where}
        )
    code = _required(row, "code", where, limit=4)
    if not _ISCO_CODE.fullmatch(code):
        raise EscoError(
            _("%(where)s : code CITP invalide « %(code)s ».") % {"where": where, "code": code}
        )
    uri = _required(row, "conceptUri", where, limit=200)
    if uri != f"{ISCO_URI}{code}":
        raise EscoError(
            _("%(where)s : URI inattendue pour le groupe %(code)s.")
            % {"where": where, "code": code}
        )
    return IscoRow(
        code=code,
        uri=uri,
        label=_required(row, "preferredLabel", where, limit=MAX_LABEL),
        description=_text(row, "description", where, limit=MAX_FIELD),
    )


def parse_occupation_row(row: Mapping[str, str | None], where: str) -> OccupationRow:
    """One row of ``occupations_<lang>``, checked; alternative labels de-duplicated."""
    kind = _text(row, "conceptType", where, limit=40)
    if kind != "Occupation":
        raise EscoError(_("%(where)s : ce n'est pas un métier (Occupation).") % {"where": where})
    uri = _required(row, "conceptUri", where, limit=200)
    if not uri.startswith(OCCUPATION_URI) or not _URI_TAIL.fullmatch(uri[len(OCCUPATION_URI) :]):
        raise EscoError(_("%(where)s : URI de métier invalide.") % {"where": where})
    code = _required(row, "code", where, limit=40)
    if not _ESCO_CODE.fullmatch(code):
        raise EscoError(
            _("%(where)s : code ESCO invalide « %(code)s ».") % {"where": where, "code": code}
        )
    isco = _required(row, "iscoGroup", where, limit=4)
    if not (len(isco) == 4 and isco.isdigit() and code.startswith(isco)):
        raise EscoError(
            _("%(where)s : groupe CITP « %(code)s » invalide ou incohérent avec le code ESCO.")
            % {"where": where, "code": isco}
        )
    label = _required(row, "preferredLabel", where, limit=MAX_LABEL)
    alternatives = _text(row, "altLabels", where, limit=MAX_FIELD)
    seen: dict[str, None] = {}
    for line in alternatives.splitlines():
        line = line.strip()
        if line and line != label and len(line) <= MAX_LABEL:
            seen.setdefault(line, None)
    return OccupationRow(
        uri=uri,
        code=code,
        isco_code=isco,
        label=label,
        alt_labels=tuple(seen),
        description=_text(row, "description", where, limit=MAX_FIELD),
    )


def search_text(labels: list[str]) -> str:
    """The folded labels, one per line, without repeats (the ``search_text`` column)."""
    seen: dict[str, None] = {}
    for label in labels:
        folded = " ".join(fold(label).split())
        if folded:
            seen.setdefault(folded, None)
    return "\n".join(seen)


def _open(directory: Path, name: str) -> str:
    for candidate, opener in ((f"{name}.csv", Path.read_bytes), (f"{name}.csv.gz", None)):
        path = directory / candidate
        if path.is_file():
            raw = opener(path) if opener else gzip.decompress(path.read_bytes())
            try:
                return raw.decode("utf-8-sig")
            except UnicodeDecodeError as error:
                raise EscoError(_("%(file)s n'est pas en UTF-8.") % {"file": candidate}) from error
    raise EscoError(
        _("Fichier introuvable : %(file)s.csv (ou .csv.gz) dans %(dir)s.")
        % {"file": name, "dir": directory}
    )


def _rows(directory: Path, name: str) -> Iterator[tuple[str, dict[str, str | None]]]:
    text = _open(directory, name)
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
        for index, row in enumerate(reader, start=1):
            if None in row:
                raise EscoError(
                    _("%(file)s, ligne %(line)d : trop de colonnes.")
                    % {"file": name, "line": reader.line_num}
                )
            yield (
                _("%(file)s, ligne %(line)d (enregistrement %(index)d)")
                % {
                    "file": name,
                    "line": reader.line_num,
                    "index": index,
                },
                row,
            )
    except csv.Error as error:
        raise EscoError(
            _("%(file)s : CSV illisible (%(error)s).") % {"file": name, "error": error}
        ) from error


@dataclass
class EscoData:
    """Both languages joined: ISCO groups by code, occupations by URI."""

    isco: dict[str, dict[str, IscoRow]]  # code -> lang -> row
    occupations: dict[str, dict[str, OccupationRow]]  # uri -> lang -> row


def read_directory(directory: Path) -> EscoData:
    """Every row of the four files, parsed; French and English must describe the same items."""
    data = EscoData(isco={}, occupations={})
    for lang in LANGUAGES:
        for where, row in _rows(directory, f"ISCOGroups_{lang}"):
            group = parse_isco_row(row, where)
            if lang in data.isco.setdefault(group.code, {}):
                raise EscoError(_("%(where)s : groupe CITP en double.") % {"where": where})
            data.isco[group.code][lang] = group
        for where, row in _rows(directory, f"occupations_{lang}"):
            occupation = parse_occupation_row(row, where)
            if lang in data.occupations.setdefault(occupation.uri, {}):
                raise EscoError(_("%(where)s : métier en double.") % {"where": where})
            data.occupations[occupation.uri][lang] = occupation
    if not data.occupations:
        raise EscoError(_("Aucun métier dans les fichiers."))
    for uri, by_lang in data.occupations.items():
        if "fr" not in by_lang:
            raise EscoError(_("Le métier %(uri)s n'a pas de libellé français.") % {"uri": uri})
        isco = by_lang["fr"].isco_code
        if isco not in data.isco:
            raise EscoError(
                _("Le métier %(uri)s renvoie à un groupe CITP inconnu (%(code)s).")
                % {"uri": uri, "code": isco}
            )
    return data
