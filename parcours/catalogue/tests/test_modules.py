"""Module actions: permissions, validation, audit, state transitions, search index upkeep.

The fixtures and helpers here (frameworks built with the ORM, ``make_module`` through the real
actions) are imported by the other catalogue test modules.
"""

from __future__ import annotations

import itertools
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from conftest import make_person
from parcours.accounts.models import AuditEntry, Organisation, Role, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions
from parcours.catalogue.models import (
    Competence,
    CompetenceArea,
    Framework,
    Module,
    ModuleCompetence,
    ProficiencyLevel,
)
from parcours.catalogue.search import reindex_modules, search_modules

_codes = itertools.count(1)


def make_module(
    user: User,
    organisation: Organisation,
    *,
    publish: bool = False,
    competences: Any = (),
    **data: Any,
) -> Module:
    values = {
        "code": f"MOD-{next(_codes)}",
        "title_fr": "Un module",
        "summary_fr": "Un résumé en français.",
        "duration_hours": 12,
        **data,
    }
    actor = Actor.of(user)
    module = actions.create_module(
        actor=actor, organisation=organisation, data=values, competences=competences
    )
    if publish:
        module = actions.publish_module(actor=actor, module=module)
    return module


@pytest.fixture
def digcomp(db: None) -> Framework:
    framework = Framework.objects.create(slug="digcomp-3", name="DigComp 3.0", version="3.0")
    for order in range(1, 5):
        ProficiencyLevel.objects.create(
            framework=framework, code=str(order), order=order, name_fr=f"Niveau {order}"
        )
    info = CompetenceArea.objects.create(
        framework=framework, code="1", order=1, title_fr="Information et données"
    )
    creation = CompetenceArea.objects.create(
        framework=framework, code="3", order=3, title_fr="Création de contenus numériques"
    )
    Competence.objects.create(
        framework=framework,
        area=info,
        code="1.1",
        order=1,
        title_fr="Naviguer, rechercher et filtrer des données",
        title_en="Browsing, searching and filtering data",
    )
    Competence.objects.create(
        framework=framework,
        area=creation,
        code="3.4",
        order=4,
        title_fr="Programmation",
        title_en="Programming",
    )
    return framework


@pytest.fixture
def digcompedu(db: None) -> Framework:
    framework = Framework.objects.create(slug="digcompedu", name="DigCompEdu")
    for order, code in enumerate(["A1", "A2", "B1"], start=1):
        ProficiencyLevel.objects.create(framework=framework, code=code, order=order)
    area = CompetenceArea.objects.create(framework=framework, code="4", title_fr="Évaluation")
    Competence.objects.create(
        framework=framework,
        area=area,
        code="4.1",
        title_fr="Stratégies d'évaluation",
        title_en="Assessment strategies",
    )
    return framework


def competence(code: str) -> Competence:
    return Competence.objects.get(code=code)


def level(framework: Framework, code: str) -> ProficiencyLevel:
    return ProficiencyLevel.objects.get(framework=framework, code=code)


# --- Creating ----------------------------------------------------------------------------


def test_coordinator_creates_a_draft_with_competences_and_an_audit_entry(
    coordinator: User, org: Organisation, digcomp: Framework
) -> None:
    module = make_module(
        coordinator,
        org,
        code="IOT-101",
        title_fr="Internet des objets",
        duration_hours="14.5",
        competences=[(competence("1.1").pk, level(digcomp, "2").pk), (competence("3.4"), None)],
    )
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT
    assert module.organisation == org
    assert module.duration_hours == Decimal("14.5")
    links = {(link.competence.code, link.level_id) for link in module.competence_links.all()}
    assert links == {("1.1", level(digcomp, "2").pk), ("3.4", None)}
    entry = AuditEntry.objects.get(action="module.create")
    assert entry.actor == coordinator
    assert entry.organisation == org
    assert entry.object_id == str(module.pk)
    assert entry.changes["code"] == "IOT-101"
    assert entry.changes["competences"] == [["1.1", "2"], ["3.4", None]]


def test_an_administrator_of_the_organisation_may_edit_the_catalogue(org: Organisation) -> None:
    admin = make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")
    assert make_module(admin, org).pk


def test_a_platform_administrator_may_edit_any_catalogue(org: Organisation) -> None:
    root = User.objects.create_superuser(email="root@parcours.test", password="x")
    assert make_module(root, org).pk


@pytest.mark.parametrize("persona", ["trainer", "learner", "logistics", "outsider"])
def test_only_coordinators_create_modules(
    persona: str, org: Organisation, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        make_module(user, org)
    assert not Module.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="module.").exists()


def test_an_anonymous_actor_cannot_create(org: Organisation) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        actions.create_module(
            actor=Actor.of(AnonymousUser()),  # type: ignore[arg-type]
            organisation=org,
            data={"code": "X", "title_fr": "X", "duration_hours": 1},
        )


@pytest.mark.parametrize("persona", ["trainer", "learner", "outsider"])
def test_others_cannot_change_a_module_even_by_id(
    persona: str, coordinator: User, org: Organisation, request: pytest.FixtureRequest
) -> None:
    module = make_module(coordinator, org, title_fr="Original")
    actor = Actor.of(request.getfixturevalue(persona))
    with pytest.raises(PermissionDenied):
        actions.update_module(actor=actor, module=module.pk, data={"title_fr": "Piraté"})
    with pytest.raises(PermissionDenied):
        actions.publish_module(actor=actor, module=module.pk)
    with pytest.raises(PermissionDenied):
        actions.archive_module(actor=actor, module=module)
    module.refresh_from_db()
    assert module.title_fr == "Original"
    assert module.status == Module.Status.DRAFT


# --- Validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title_fr": ""}, "title_fr"),
        ({"title_fr": "   "}, "title_fr"),
        ({"duration_hours": 0}, "duration_hours"),
        ({"duration_hours": "-3"}, "duration_hours"),
        ({"duration_hours": "douze"}, "duration_hours"),
        ({"duration_hours": None}, "duration_hours"),
        ({"code": ""}, "code"),
        ({"code": "M 1"}, "code"),
        ({"code": "a/b"}, "code"),
        ({"format": "telepathy"}, "format"),
        ({"audience": "cats"}, "audience"),
        ({"title_fr": "x" * 201}, "title_fr"),
    ],
)
def test_invalid_data_is_refused_field_by_field_and_nothing_is_written(
    data: dict[str, Any], field: str, coordinator: User, org: Organisation
) -> None:
    with pytest.raises(ValidationError) as caught:
        make_module(coordinator, org, **data)
    assert field in caught.value.message_dict
    assert not Module.objects.exists()
    assert not AuditEntry.objects.filter(action="module.create").exists()


def test_code_is_unique_per_organisation_with_a_french_message(
    coordinator: User, outsider: User, org: Organisation, other_org: Organisation
) -> None:
    make_module(coordinator, org, code="M1A")
    with pytest.raises(ValidationError) as caught:
        make_module(coordinator, org, code="m1a")
    assert caught.value.message_dict["code"] == [
        "Le code « m1a » est déjà utilisé par un autre module de votre organisation."
    ]
    assert make_module(outsider, other_org, code="M1A").pk  # another organisation: fine


def test_changing_to_a_taken_code_is_refused(coordinator: User, org: Organisation) -> None:
    make_module(coordinator, org, code="A")
    second = make_module(coordinator, org, code="B")
    with pytest.raises(ValidationError) as caught:
        actions.update_module(actor=Actor.of(coordinator), module=second, data={"code": "A"})
    assert "code" in caught.value.message_dict
    second.refresh_from_db()
    assert second.code == "B"


def test_competence_errors_are_reported_and_nothing_is_written(
    coordinator: User, org: Organisation, digcomp: Framework, digcompedu: Framework
) -> None:
    wrong_level = level(digcompedu, "A1").pk
    with pytest.raises(ValidationError) as caught:
        make_module(
            coordinator,
            org,
            competences=[
                (competence("1.1").pk, wrong_level),
                (999_999, None),
                (competence("3.4").pk, None),
                (competence("3.4").pk, None),
            ],
        )
    messages = caught.value.message_dict["competences"]
    assert len(messages) == 3
    assert any("DigComp 3.0" in m for m in messages)
    assert not Module.objects.exists()
    assert not ModuleCompetence.objects.exists()


def test_a_bad_update_changes_nothing(
    coordinator: User, org: Organisation, digcomp: Framework
) -> None:
    module = make_module(
        coordinator, org, title_fr="Avant", competences=[(competence("1.1"), None)]
    )
    with pytest.raises(ValidationError):
        actions.update_module(
            actor=Actor.of(coordinator),
            module=module,
            data={"title_fr": "Après"},
            competences=[(123_456, None)],
        )
    module.refresh_from_db()
    assert module.title_fr == "Avant"
    assert [link.competence.code for link in module.competence_links.all()] == ["1.1"]
    assert not AuditEntry.objects.filter(action="module.update").exists()


def test_unknown_fields_are_a_programming_error(coordinator: User, org: Organisation) -> None:
    with pytest.raises(TypeError):
        make_module(coordinator, org, status="published")


# --- Updating ----------------------------------------------------------------------------


def test_update_records_what_changed_and_replaces_competences(
    coordinator: User, org: Organisation, digcomp: Framework
) -> None:
    module = make_module(
        coordinator, org, title_fr="Avant", competences=[(competence("1.1"), None)]
    )
    updated = actions.update_module(
        actor=Actor.of(coordinator),
        module=module,
        data={"title_fr": "Après", "duration_hours": Decimal("7")},
        competences=[(competence("3.4"), level(digcomp, "3"))],
    )
    assert updated.title_fr == "Après"
    assert [
        (x.competence.code, getattr(x.level, "code", None)) for x in updated.competence_links.all()
    ] == [("3.4", "3")]
    entry = AuditEntry.objects.get(action="module.update")
    assert entry.changes["title_fr"] == ["Avant", "Après"]
    assert entry.changes["duration_hours"] == ["12.00", "7"]
    assert entry.changes["competences"] == [[["1.1", None]], [["3.4", "3"]]]
    assert "summary_fr" not in entry.changes


def test_update_without_competences_keeps_them(
    coordinator: User, org: Organisation, digcomp: Framework
) -> None:
    module = make_module(coordinator, org, competences=[(competence("1.1"), None)])
    actions.update_module(actor=Actor.of(coordinator), module=module, data={"title_fr": "Neuf"})
    assert module.competence_links.count() == 1


def test_a_published_module_must_stay_publishable(coordinator: User, org: Organisation) -> None:
    module = make_module(coordinator, org, publish=True)
    with pytest.raises(ValidationError) as caught:
        actions.update_module(actor=Actor.of(coordinator), module=module, data={"summary_fr": ""})
    assert "summary_fr" in caught.value.message_dict
    module.refresh_from_db()
    assert module.summary_fr


# --- Publishing and archiving ------------------------------------------------------------


def test_publishing_requires_a_french_summary(coordinator: User, org: Organisation) -> None:
    module = make_module(coordinator, org, summary_fr="", summary_en="An English summary")
    with pytest.raises(ValidationError) as caught:
        actions.publish_module(actor=Actor.of(coordinator), module=module)
    assert "summary_fr" in caught.value.message_dict
    module.refresh_from_db()
    assert module.status == Module.Status.DRAFT
    assert module.published_at is None


def test_the_life_of_a_module(coordinator: User, org: Organisation) -> None:
    actor = Actor.of(coordinator)
    module = make_module(coordinator, org)
    module = actions.publish_module(actor=actor, module=module)
    assert module.status == Module.Status.PUBLISHED
    assert module.published_at is not None
    with pytest.raises(ValidationError):
        actions.publish_module(actor=actor, module=module)
    with pytest.raises(ValidationError):
        actions.restore_module(actor=actor, module=module)
    module = actions.archive_module(actor=actor, module=module)
    assert module.status == Module.Status.ARCHIVED
    with pytest.raises(ValidationError):
        actions.publish_module(actor=actor, module=module)
    module = actions.restore_module(actor=actor, module=module)
    assert module.status == Module.Status.DRAFT
    recorded = list(
        AuditEntry.objects.filter(object_type="catalogue.module", object_id=str(module.pk))
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )
    assert recorded == ["module.create", "module.publish", "module.archive", "module.restore"]


def test_every_state_has_its_transitions() -> None:
    assert set(actions.TRANSITIONS) == set(Module.Status.values)
    for targets in actions.TRANSITIONS.values():
        assert targets <= set(Module.Status.values)


# --- Search index upkeep -----------------------------------------------------------------


def test_actions_keep_the_search_index_up_to_date(coordinator: User, org: Organisation) -> None:
    module = make_module(coordinator, org, title_fr="Robotique éducative")
    assert list(search_modules(Module.objects.all(), "robotique")) == [module]
    actions.update_module(
        actor=Actor.of(coordinator), module=module, data={"title_fr": "Électronique"}
    )
    assert not search_modules(Module.objects.all(), "robotique").exists()
    assert list(search_modules(Module.objects.all(), "electronique")) == [module]
    module.refresh_from_db()
    assert "electronique" in module.search_text


def test_reindex_after_a_competence_rename(
    coordinator: User, org: Organisation, digcomp: Framework
) -> None:
    module = make_module(coordinator, org, competences=[(competence("3.4"), None)])
    Competence.objects.filter(code="3.4").update(title_fr="Pensée informatique")
    assert not search_modules(Module.objects.all(), "pensee informatique").exists()
    assert reindex_modules([module.pk]) == 1
    assert list(search_modules(Module.objects.all(), "pensee informatique")) == [module]


def test_reindex_catalogue_command(coordinator: User, org: Organisation) -> None:
    make_module(coordinator, org, title_fr="Cybersécurité")
    make_module(coordinator, org, title_fr="Réseaux")
    out = StringIO()
    call_command("reindex_catalogue", stdout=out)
    assert "2 modules réindexés" in out.getvalue()
    assert search_modules(Module.objects.all(), "cybersecurite").count() == 1
