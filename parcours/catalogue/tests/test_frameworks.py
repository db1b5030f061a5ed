"""Import of the competence frameworks (DigComp 3.0, DigCompEdu, EntreComp)."""

from __future__ import annotations

import json
import shutil
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from parcours.catalogue import frameworks
from parcours.catalogue.frameworks import (
    BUNDLED_DIR,
    FrameworkImportError,
    parse_digcomp_data,
    parse_digcompedu_data,
    parse_entrecomp_data,
)
from parcours.catalogue.models import (
    Competence,
    CompetenceArea,
    CompetenceStatement,
    Framework,
    ProficiencyLevel,
)

EXPECTED = {
    # slug: (areas, competences, levels, statements)
    "digcomp-3-0": (5, 21, 8, 362 + 523),
    "digcompedu": (6, 22, 6, 0),
    "entrecomp": (3, 15, 8, 443),
}


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_frameworks", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def counts(slug: str) -> tuple[int, int, int, int]:
    framework = Framework.objects.get(slug=slug)
    return (
        framework.areas.count(),
        framework.competences.count(),
        framework.levels.count(),
        CompetenceStatement.objects.filter(competence__framework=framework).count(),
    )


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every imported row by natural key, with every field but the primary keys."""

    def rows(model: Any, key: tuple[str, ...], exclude: tuple[str, ...] = ()) -> list[Any]:
        names = [
            f.attname for f in model._meta.concrete_fields if f.attname not in ("id", *exclude)
        ]
        return sorted(tuple(str(v) for v in row) for row in model.objects.values_list(*key, *names))

    return {
        "frameworks": rows(Framework, ()),
        "levels": rows(ProficiencyLevel, ("framework__slug",), ("framework_id",)),
        "areas": rows(CompetenceArea, ("framework__slug",), ("framework_id",)),
        "competences": rows(
            Competence, ("framework__slug", "area__code"), ("framework_id", "area_id")
        ),
        "statements": rows(
            CompetenceStatement,
            ("competence__framework__slug", "competence__code", "level__code"),
            ("competence_id", "level_id"),
        ),
    }


def copy_fixtures(tmp_path: Path) -> Path:
    target = tmp_path / "frameworks"
    shutil.copytree(BUNDLED_DIR, target)
    for path in target.rglob("*"):
        path.chmod(0o644 if path.is_file() else 0o755)
    return target


# --- the bundled import -------------------------------------------------------------------


@pytest.mark.django_db
def test_import_counts_and_output() -> None:
    out = run()
    for slug, expected in EXPECTED.items():
        assert counts(slug) == expected, slug
    assert Framework.objects.count() == 3
    assert "DigComp 3.0 : 5 domaines, 21 compétences, 8 niveaux, 885 énoncés" in out
    assert "DigCompEdu : 6 domaines, 22 compétences, 6 niveaux, 0 énoncés" in out
    assert "EntreComp : 3 domaines, 15 compétences, 8 niveaux, 443 énoncés" in out


@pytest.mark.django_db
def test_framework_metadata() -> None:
    run()
    for framework in Framework.objects.all():
        assert framework.name
        assert framework.version
        assert framework.publisher
        assert framework.source_url.startswith("https://")
        assert framework.licence == "CC BY 4.0"
        assert "Joint Research Centre" in framework.attribution
    assert Framework.objects.get(slug="digcomp-3-0").name == "DigComp 3.0"


@pytest.mark.django_db
def test_digcomp_content() -> None:
    run("--only", "digcomp")
    assert list(Framework.objects.values_list("slug", flat=True)) == ["digcomp-3-0"]
    competence = Competence.objects.get(framework__slug="digcomp-3-0", code="1.1")
    assert competence.title_en == "Browsing, searching and filtering information"
    assert competence.title_fr == ""  # no French in the data: nothing invented
    assert competence.title == competence.title_en  # falls back to English
    assert competence.area.code == "1"
    assert competence.description_en.startswith("To articulate information needs")

    levels = ProficiencyLevel.objects.filter(framework__slug="digcomp-3-0")
    assert [level.code for level in levels] == [str(n) for n in range(1, 9)]
    assert levels.get(code="1").name_en == "Basic (A1)"
    assert levels.get(code="4").name_en == "Intermediate (B2)"
    assert levels.get(code="8").name_en == "Highly advanced (C2)"

    statement = CompetenceStatement.objects.get(competence=competence, code="CS1.1.01")
    assert statement.kind == "competence_statement"
    assert statement.level is not None and statement.level.code == "1"  # first "Basic" level
    outcome = CompetenceStatement.objects.get(competence=competence, code="LO1.1.02")
    assert outcome.kind == "learning_outcome:knowledge"
    statements = CompetenceStatement.objects.filter(competence__framework__slug="digcomp-3-0")
    assert statements.filter(kind="competence_statement").count() == 362
    assert statements.filter(kind__startswith="learning_outcome:").count() == 523
    assert set(statements.values_list("level__code", flat=True)) == {"1", "3", "5", "7"}


@pytest.mark.django_db
def test_digcompedu_french_names() -> None:
    run("--only", "digcompedu")
    levels = ProficiencyLevel.objects.filter(framework__slug="digcompedu")
    assert [(level.code, level.name_fr, level.name_en) for level in levels] == [
        ("A1", "Nouveau venu", "Newcomer"),
        ("A2", "Explorateur", "Explorer"),
        ("B1", "Intégrateur", "Integrator"),
        ("B2", "Expert", "Expert"),
        ("C1", "Leader", "Leader"),
        ("C2", "Pionnier", "Pioneer"),
    ]
    area = CompetenceArea.objects.get(framework__slug="digcompedu", code="2")
    assert (area.title_fr, area.title_en) == ("Ressources numériques", "Digital resources")
    competence = Competence.objects.get(framework__slug="digcompedu", code="2.1")
    assert competence.title_en == "Selecting digital resources"
    assert competence.title_fr == ""
    assert competence.area == area
    with translation.override("fr"):
        assert str(levels.get(code="A1")) == "A1 — Nouveau venu"
        assert competence.title == "Selecting digital resources"


@pytest.mark.django_db
def test_entrecomp_content() -> None:
    run("--only", "entrecomp")
    competence = Competence.objects.get(framework__slug="entrecomp", code="1.1")
    assert competence.title_en == "Spotting opportunities"
    assert competence.description_en.startswith("Use your imagination")
    assert Competence.objects.get(framework__slug="entrecomp", code="3.5").title_en == (
        "Learning through experience"
    )
    levels = ProficiencyLevel.objects.filter(framework__slug="entrecomp")
    assert [level.name_en.split(":")[0] for level in levels] == [
        "Foundation",
        "Foundation",
        "Intermediate",
        "Intermediate",
        "Advanced",
        "Advanced",
        "Expert",
        "Expert",
    ]
    # The JSON conversion turned "competences" into "competenceAreas" in some texts: undone.
    assert levels.get(code="7").description_en.startswith(
        "Taking responsibility for contributing to complex developments in a specific field. "
        "Level 7 focuses on the competences needed"
    )
    texts = CompetenceStatement.objects.filter(competence__framework__slug="entrecomp")
    assert not texts.filter(text_en__contains="competenceAreas").exists()
    assert texts.filter(text_en__contains="skills and competences").count() == 3
    statement = CompetenceStatement.objects.get(competence=competence, code="1.1.T1.L1")
    assert statement.text_en == "I can find opportunities to help others"
    assert statement.level is not None and statement.level.code == "1"
    # Empty cells of the framework (null in the data) give no statement.
    creativity = Competence.objects.get(framework__slug="entrecomp", code="1.2")
    thread_1 = creativity.statements.filter(code__startswith="1.2.T1.")
    assert sorted(s.level.code for s in thread_1 if s.level) == [str(n) for n in range(1, 7)]


# --- idempotency and all-or-nothing ---------------------------------------------------------


@pytest.mark.django_db
def test_import_is_idempotent() -> None:
    run()
    before = snapshot()
    ids_before = set(CompetenceStatement.objects.values_list("id", flat=True))
    out = run()
    assert snapshot() == before
    assert set(CompetenceStatement.objects.values_list("id", flat=True)) == ids_before
    assert out.count("(créés : 0, modifiés : 0, supprimés : 0)") == 3


@pytest.mark.django_db
def test_reimport_repairs_changed_rows_and_drops_removed_statements() -> None:
    run()
    before = snapshot()
    competence = Competence.objects.get(framework__slug="digcomp-3-0", code="1.1")
    competence.title_en = "Changed by hand"
    competence.save()
    CompetenceStatement.objects.create(competence=competence, code="CS-EXTRA", text_en="x")
    out = run("--only", "digcomp")
    assert "(créés : 0, modifiés : 1, supprimés : 1)" in out
    assert snapshot() == before


def break_digcompedu(directory: Path) -> None:
    path = directory / "digcompedu" / "digcompedu.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["areas"][2]["competences"][1]["en"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


@pytest.mark.django_db
def test_malformed_file_writes_nothing(tmp_path: Path) -> None:
    source = copy_fixtures(tmp_path)
    break_digcompedu(source)
    with pytest.raises(CommandError) as error:
        run("--source", str(source))
    assert 'digcompedu.yaml: domaine 3, compétence 2: champ "en" manquant' in str(error.value)
    assert "rien n'a été écrit" in str(error.value)
    # DigComp comes first and parsed fine, but nothing was written.
    assert Framework.objects.count() == 0
    assert CompetenceStatement.objects.count() == 0


@pytest.mark.django_db
def test_malformed_file_leaves_previous_import_unchanged(tmp_path: Path) -> None:
    run()
    before = snapshot()
    source = copy_fixtures(tmp_path)
    path = source / "entrecomp" / "entrecomp.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["areas"]["competenceAreas"][0]["competences"][0]["name"] = "Changed"
    del data["areas"]["competenceAreas"][1]["competences"][3]["skills"][0]["levels"][2]["name"]
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        CommandError,
        match=r"entrecomp\.json: domaine 2, compétence 4, fil 1, "
        r'énoncé 3: champ "name" manquant',
    ):
        run("--source", str(source))
    assert snapshot() == before


@pytest.mark.django_db
def test_failure_while_writing_rolls_everything_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write = frameworks._write_framework

    def failing_write(data: frameworks.FrameworkData) -> frameworks.ImportResult:
        if data.slug == "entrecomp":
            raise FrameworkImportError("boom")
        return write(data)

    monkeypatch.setattr(frameworks, "_write_framework", failing_write)
    with pytest.raises(CommandError, match="boom"):
        run()
    assert Framework.objects.count() == 0
    assert Competence.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_and_missing_files(tmp_path: Path) -> None:
    source = copy_fixtures(tmp_path)
    (source / "entrecomp" / "entrecomp.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match=r"entrecomp\.json: fichier illisible"):
        run("--source", str(source))
    (source / "entrecomp" / "entrecomp.json").unlink()
    with pytest.raises(CommandError, match=r"entrecomp\.json: fichier introuvable"):
        run("--source", str(source))
    run("--source", str(source), "--only", "digcomp")  # the others are still fine
    with pytest.raises(CommandError, match="dossier introuvable"):
        run("--source", str(tmp_path / "nowhere"))
    assert list(Framework.objects.values_list("slug", flat=True)) == ["digcomp-3-0"]


# --- parsers (no database) --------------------------------------------------------------------


def load(relative: str) -> Any:
    text = (BUNDLED_DIR / relative).read_text(encoding="utf-8")
    return yaml.safe_load(text) if relative.endswith(".yaml") else json.loads(text)


def test_digcomp_parser_names_the_entry() -> None:
    data = load(frameworks.DIGCOMP_FILE)
    parsed = parse_digcomp_data(data, "digcomp.jsonld")
    assert (len(parsed.areas), len(parsed.competences), len(parsed.levels)) == (5, 21, 8)
    data["@graph"][5]["competence_area_id"] = "CompetenceArea/9"
    with pytest.raises(
        FrameworkImportError,
        match=r"digcomp\.jsonld: entrée 6 \(Competence/1\.1\): domaine inconnu : 9",
    ):
        parse_digcomp_data(data, "digcomp.jsonld")
    data = load(frameworks.DIGCOMP_FILE)
    index = next(i for i, e in enumerate(data["@graph"]) if e["@type"] == "LearningOutcome")
    data["@graph"][index]["four_levels_proficiency_name"] = "ProficiencyLevel/Wizard"
    with pytest.raises(FrameworkImportError, match="niveau inconnu : Wizard"):
        parse_digcomp_data(data, "digcomp.jsonld")


def test_digcompedu_parser_rejects_duplicates_and_bad_types() -> None:
    data = load(frameworks.DIGCOMPEDU_FILE)
    data["areas"][1]["competences"][0]["code"] = "1.1"
    with pytest.raises(FrameworkImportError, match=r"compétence en double : 1\.1"):
        parse_digcompedu_data(data, "digcompedu.yaml")
    data = load(frameworks.DIGCOMPEDU_FILE)
    data["levels"] = "A1-C2"
    with pytest.raises(FrameworkImportError, match='"levels" doit être une liste'):
        parse_digcompedu_data(data, "digcompedu.yaml")


def test_entrecomp_parser_checks_levels() -> None:
    data = load(frameworks.ENTRECOMP_FILE)
    statement = data["areas"]["competenceAreas"][0]["competences"][0]["skills"][0]["levels"][0]
    statement["competenceLevel"]["level"] = 9
    with pytest.raises(
        FrameworkImportError,
        match=r"domaine 1, compétence 1, fil 1, énoncé 1: niveau inconnu : 9",
    ):
        parse_entrecomp_data(data, "entrecomp.json")


# --- the shared data gives the same result ------------------------------------------------------


@pytest.mark.django_db
def test_shared_data_gives_same_result() -> None:
    shared = Path(settings.SHARED_DATA_DIR) / "frameworks"
    if not shared.is_dir():
        # The project works without ../shared (it bundles its copies): nothing to compare.
        reason = f"{shared} absent: shared reference data not available"
        print(reason)
        pytest.skip(reason)
    run("--source", str(shared))
    from_shared = snapshot()
    out = run()  # the bundled fixtures over it: nothing to change
    assert out.count("(créés : 0, modifiés : 0, supprimés : 0)") == 3
    assert snapshot() == from_shared
    for slug, expected in EXPECTED.items():
        assert counts(slug) == expected, slug


def test_parser_rejects_codes_too_long_for_the_database() -> None:
    data = load(frameworks.DIGCOMPEDU_FILE)
    data["levels"][0]["code"] = "A1-very-long-code"
    with pytest.raises(FrameworkImportError, match='"code" dépasse 10 caractères'):
        parse_digcompedu_data(data, "digcompedu.yaml")
