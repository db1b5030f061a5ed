"""Competence labels in the reader's language (issue #9: English labels showed in the French
interface). The official framework data is English for DigComp 3.0 and EntreComp, and for
DigCompEdu's competences: French shows where it exists; English stands in, marked as such."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

from parcours.accounts.models import Organisation, User
from parcours.catalogue.models import Competence, CompetenceArea, Framework, ProficiencyLevel
from parcours.catalogue.templatetags.catalogue_i18n import in_language
from parcours.catalogue.tests.test_modules import make_module


@pytest.fixture
def entrecomp(db: None) -> Framework:
    framework = Framework.objects.create(slug="entrecomp", name="EntreComp")
    area = CompetenceArea.objects.create(framework=framework, code="1", title_en="Ideas")
    ProficiencyLevel.objects.create(framework=framework, code="1", order=1, name_en="Discover")
    Competence.objects.create(
        framework=framework, area=area, code="1.1", title_en="Spotting opportunities"
    )
    Competence.objects.create(
        framework=framework,
        area=area,
        code="1.2",
        title_fr="Créativité",
        title_en="Creativity",
    )
    return framework


def test_in_language_says_when_the_other_language_stands_in(entrecomp: Framework) -> None:
    spotting = Competence.objects.get(code="1.1")
    creativity = Competence.objects.get(code="1.2")
    with translation.override("fr"):
        assert in_language(creativity, "title") == ("Créativité", None)
        assert in_language(spotting, "title") == ("Spotting opportunities", "en")
    with translation.override("en"):
        assert in_language(creativity, "title") == ("Creativity", None)


def test_the_module_page_shows_french_labels_and_marks_english_ones(
    client: Client, coordinator: User, org: Organisation, entrecomp: Framework
) -> None:
    level = ProficiencyLevel.objects.get(framework=entrecomp)
    module = make_module(
        coordinator,
        org,
        title_fr="Entreprendre",
        competences=[
            (Competence.objects.get(code="1.1"), level),
            (Competence.objects.get(code="1.2"), None),
        ],
        publish=True,
    )
    url = reverse("catalogue:detail", args=[org.slug, module.code])
    html = client.get(url).content.decode()
    assert "Créativité" in html and "Creativity" not in html
    assert (
        '<span lang="en">Spotting opportunities</span> <span class="muted">(en anglais)</span>'
        in html
    )
    assert '<span lang="en">Discover</span>' in html
    # The list's cards say it in the competence's tooltip.
    listing = client.get(reverse("catalogue:public_list")).content.decode()
    assert 'title="Spotting opportunities (en anglais)"' in listing
    assert 'title="Créativité"' in listing
    # In English, the English labels, unmarked.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(url).content.decode()
    assert '<html lang="en">' in english
    assert "Creativity" in english and "Créativité" not in english
    assert '<span lang="en">' not in english
