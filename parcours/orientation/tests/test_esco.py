"""The ESCO import: idempotent, all-or-nothing, clear errors; the row parser; the search."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given
from hypothesis import strategies as st

from parcours.lib.text import fold
from parcours.orientation import esco
from parcours.orientation.actions import import_esco
from parcours.orientation.models import IscoGroup, Occupation
from parcours.orientation.search import search_occupations

OCC_COLUMNS = [
    "conceptType",
    "conceptUri",
    "iscoGroup",
    "preferredLabel",
    "altLabels",
    "description",
    "code",
]
ISCO_COLUMNS = ["conceptType", "conceptUri", "code", "preferredLabel", "description"]
URI = "http://data.europa.eu/esco/occupation/"


def isco(code: str, label: str) -> dict[str, str]:
    return {
        "conceptType": "ISCOGroup",
        "conceptUri": f"{esco.ISCO_URI}{code}",
        "code": code,
        "preferredLabel": label,
        "description": f"Description {label}",
    }


def occ(tail: str, code: str, label: str, alt: str = "", description: str = "") -> dict[str, str]:
    return {
        "conceptType": "Occupation",
        "conceptUri": f"{URI}{tail}",
        "iscoGroup": code[:4],
        "preferredLabel": label,
        "altLabels": alt,
        "description": description,
        "code": code,
    }


def write(
    path: Path, name: str, columns: list[str], rows: list[dict[str, str]], *, gz: bool = False
) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, columns)
    writer.writeheader()
    writer.writerows(rows)
    data = buffer.getvalue().encode()
    if gz:
        (path / f"{name}.csv.gz").write_bytes(gzip.compress(data))
    else:
        (path / f"{name}.csv").write_bytes(data)


GROUPS = [
    isco("7", "Métiers qualifiés de l'industrie"),
    isco("74", "Électriciens"),
    isco("741", "Installateurs"),
    isco("7411", "Électriciens du bâtiment"),
]
GROUPS_EN = [
    isco("7", "Craft workers"),
    isco("74", "Electricians"),
    isco("741", "Installers"),
    isco("7411", "Building electricians"),
]


def make_source(tmp_path: Path, occupations_fr: list[dict[str, str]] | None = None) -> Path:
    write(tmp_path, "ISCOGroups_fr", ISCO_COLUMNS, GROUPS)
    write(tmp_path, "ISCOGroups_en", ISCO_COLUMNS, GROUPS_EN, gz=True)
    write(
        tmp_path,
        "occupations_fr",
        OCC_COLUMNS,
        occupations_fr
        or [
            occ(
                "a-1",
                "7411.1",
                "électricien/électricienne",
                "électricien\nélectricienne",
                "Installe les réseaux électriques.",
            ),
            occ("b-2", "7411.2", "domoticien/domoticienne", "installateur domotique"),
        ],
    )
    write(
        tmp_path,
        "occupations_en",
        OCC_COLUMNS,
        [
            occ("a-1", "7411.1", "electrician", "wireman"),
            occ("b-2", "7411.2", "home automation technician"),
        ],
    )
    return tmp_path


def test_import_loads_both_languages_and_isco_hierarchy(db: None, tmp_path: Path) -> None:
    result = import_esco(make_source(tmp_path))
    assert (result.groups_created, result.occupations_created) == (4, 2)
    electrician = Occupation.objects.get(uri=f"{URI}a-1")
    assert electrician.preferred_label_fr == "électricien/électricienne"
    assert electrician.preferred_label_en == "electrician"
    assert electrician.alt_labels_en == "wireman"
    assert electrician.isco_group.code == "7411"
    assert electrician.isco_group.parent.code == "741"  # type: ignore[union-attr]
    assert IscoGroup.objects.get(code="74").label_en == "Electricians"


def test_import_twice_changes_nothing_then_updates_in_place(db: None, tmp_path: Path) -> None:
    source = make_source(tmp_path)
    import_esco(source)
    again = import_esco(source)
    assert (again.groups_created, again.occupations_created, again.occupations_updated) == (0, 0, 0)
    assert again.occupations_unchanged == 2
    make_source(
        tmp_path,
        [occ("a-1", "7411.1", "électricien industriel"), occ("b-2", "7411.2", "domoticien")],
    )
    third = import_esco(source)
    assert third.occupations_updated == 2
    assert Occupation.objects.count() == 2
    assert Occupation.objects.get(uri=f"{URI}a-1").preferred_label_fr == "électricien industriel"
    # The search's in-memory index follows the import.
    assert [o.code for o in search_occupations("industriel")] == ["7411.1"]


def test_a_malformed_row_names_the_row_and_writes_nothing(db: None, tmp_path: Path) -> None:
    make_source(
        tmp_path,
        [occ("a-1", "7411.1", "électricien"), occ("b-2", "7411.2", "")],  # empty label, row 2
    )
    with pytest.raises(CommandError) as error:
        call_command("import_esco", "--source", str(tmp_path), verbosity=0)
    message = str(error.value)
    assert "occupations_fr" in message
    assert "enregistrement 2" in message
    assert "preferredLabel" in message
    assert IscoGroup.objects.count() == 0
    assert Occupation.objects.count() == 0


def test_an_unknown_isco_group_is_refused(db: None, tmp_path: Path) -> None:
    make_source(tmp_path, [occ("a-1", "2512.1", "développeur")])
    with pytest.raises(esco.EscoError, match="2512"):
        import_esco(tmp_path)
    assert not Occupation.objects.exists()


def test_a_missing_file_is_named(db: None, tmp_path: Path) -> None:
    make_source(tmp_path)
    (tmp_path / "occupations_en.csv").unlink()
    with pytest.raises(esco.EscoError, match="occupations_en"):
        import_esco(tmp_path)


def test_search_is_accent_insensitive_over_alternative_labels(db: None, tmp_path: Path) -> None:
    import_esco(make_source(tmp_path))
    assert [o.preferred_label_fr for o in search_occupations("electricien")] == [
        "électricien/électricienne"
    ]
    assert [o.code for o in search_occupations("INSTALLATEUR domotique")] == ["7411.2"]
    assert [o.code for o in search_occupations("wireman")] == ["7411.1"]
    assert not search_occupations("")
    assert not search_occupations('"%_*')


def test_the_bundled_fixture_is_the_full_esco(db: None) -> None:
    result = import_esco()
    assert result.occupations_created == 3007
    assert IscoGroup.objects.count() == 619
    found = [o.preferred_label_fr for o in search_occupations("electricien")]
    assert "électricien/électricienne" in found
    assert found[0] == "électricien/électricienne"  # the exact label before longer ones


# --- The row parser -------------------------------------------------------------------------

labels = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)


@given(label=labels, alternatives=st.lists(labels, max_size=5))
def test_parsed_rows_keep_the_label_and_unique_alternatives(
    label: str, alternatives: list[str]
) -> None:
    row = occ("x-1", "7411.3", label, "\n".join(alternatives))
    if not label.strip():
        with pytest.raises(esco.EscoError):
            esco.parse_occupation_row(row, "r")
        return
    parsed = esco.parse_occupation_row(row, "r")
    assert parsed.label == label.strip()
    assert len(set(parsed.alt_labels)) == len(parsed.alt_labels)
    assert parsed.label not in parsed.alt_labels
    assert all(a and a == a.strip() for a in parsed.alt_labels)


@given(row=st.dictionaries(st.sampled_from(OCC_COLUMNS), st.text(max_size=40) | st.none()))
def test_the_parser_accepts_or_refuses_any_row_with_an_esco_error(
    row: dict[str, str | None],
) -> None:
    try:
        parsed = esco.parse_occupation_row(row, "r")
    except esco.EscoError:
        return
    assert parsed.code.startswith(parsed.isco_code)


@given(text=st.text(max_size=60))
def test_search_text_is_folded(text: str) -> None:
    folded = esco.search_text([text, text.upper()])
    assert folded == fold(folded)
    assert "\n" not in folded or len(folded.splitlines()) == 2
