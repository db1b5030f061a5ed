"""The public catalogue's filters: their options, and selects rendered without templates."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.test import Client
from django.urls import reverse
from django.utils import translation

from parcours.accounts.models import Organisation, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions
from parcours.catalogue.forms import OptionsSelect, published_competence_choices
from parcours.catalogue.models import Framework
from parcours.catalogue.tests.test_modules import (  # noqa: F401 - fixtures
    competence,
    digcomp,
    digcompedu,
    make_module,
)

LIST = reverse("catalogue:public_list")

CHOICES = [
    ("", "Toutes"),
    ("a&b", 'A <b> & "c"'),
    ("DigComp — 1 Information", [(1, "1.1 Naviguer"), (2, "1.2 Évaluer l'info")]),
    ("z", "Z"),
]


def without_blank_lines(html: str) -> str:
    return "\n".join(line for line in html.splitlines() if line.strip())


@pytest.mark.parametrize("value", ["", "a&b", 2, "2", None, "absent"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "id_x", "aria-describedby": "x<y", "required": True, "disabled": False}],
)
def test_options_select_writes_the_markup_of_djangos_select(
    value: Any, attrs: dict[str, Any] | None
) -> None:
    django_html = forms.Select(choices=CHOICES).render("x", value, attrs)
    ours = OptionsSelect(choices=CHOICES).render("x", value, attrs)
    assert without_blank_lines(ours) == without_blank_lines(django_html)
    assert "<b>" not in ours
    assert 'value="a&amp;b"' in ours


def test_the_filters_offer_only_what_published_modules_use(
    client: Client,
    coordinator: User,
    org: Organisation,
    other_org: Organisation,
    digcomp: Framework,  # noqa: F811
    digcompedu: Framework,  # noqa: F811
) -> None:
    make_module(coordinator, org, competences=[(competence("1.1"), None)], publish=True)
    html = client.get(LIST).content.decode()
    assert f'<option value="{org.slug}">{org.name}</option>' in html
    assert f'value="{other_org.slug}"' not in html  # no published module
    assert '<option value="digcomp-3">DigComp 3.0</option>' in html
    assert 'value="digcompedu"' not in html
    assert f'<option value="{competence("1.1").pk}">' in html
    assert f'value="{competence("3.4").pk}"' not in html


def test_the_filters_follow_publication_at_once(
    client: Client,
    coordinator: User,
    org: Organisation,
    digcomp: Framework,  # noqa: F811
) -> None:
    module = make_module(coordinator, org, competences=[(competence("3.4"), None)], publish=True)
    assert f'value="{competence("3.4").pk}"' in client.get(LIST).content.decode()
    actions.archive_module(actor=Actor.of(coordinator), module=module)
    html = client.get(LIST).content.decode()
    assert f'value="{competence("3.4").pk}"' not in html
    assert f'value="{org.slug}"' not in html


def test_the_chosen_filters_stay_selected(
    client: Client,
    coordinator: User,
    org: Organisation,
    digcomp: Framework,  # noqa: F811
) -> None:
    make_module(coordinator, org, competences=[(competence("1.1"), None)], publish=True)
    target = competence("1.1").pk
    html = client.get(
        LIST, {"organisation": org.slug, "format": "hybrid", "competence": str(target)}
    ).content.decode()
    assert f'<option value="{org.slug}" selected>' in html
    assert '<option value="hybrid" selected>' in html
    assert f'<option value="{target}" selected>' in html
    assert '<select name="competence" id="id_competence">' in html


def test_competence_options_follow_the_language(
    coordinator: User,
    org: Organisation,
    digcomp: Framework,  # noqa: F811
) -> None:
    target = competence("1.1")
    target.title_en = "Browsing, searching and filtering"
    target.save()
    make_module(coordinator, org, competences=[(target, None)], publish=True)
    with translation.override("fr"):
        frameworks, [(group, [(pk, label)])] = published_competence_choices()
    assert frameworks == [("digcomp-3", "DigComp 3.0")]
    assert (pk, label) == (target.pk, f"1.1 {target.title_fr}")
    assert group.startswith("DigComp 3.0 — 1 ")
    with translation.override("en"):
        _frameworks, [(_group, [(pk, label)])] = published_competence_choices()
    assert label == "1.1 Browsing, searching and filtering"
