"""The learner's optional profile page (/sessions/mon-profil/): every field may stay blank."""

from __future__ import annotations

import pytest
from django.urls import reverse

from parcours.enrolment.models import LearnerProfile

pytestmark = pytest.mark.django_db


def test_a_learner_declares_then_erases_their_optional_fields(learner, as_user) -> None:
    client = as_user(learner)
    url = reverse("enrolment:my_profile")
    page = client.get(url)
    assert page.status_code == 200
    assert "facultatives" in page.content.decode()
    answer = client.post(
        url,
        {"audience": "pupils", "gender": "female", "birth_year": "2011", "school_year": "S2"},
    )
    assert answer.status_code == 302
    profile = LearnerProfile.objects.get(user=learner)
    assert (profile.gender, profile.birth_year, profile.school_year) == ("female", 2011, "S2")
    blank = client.post(url, {})
    assert blank.status_code == 302, blank.content.decode()[-3000:]  # all blank is fine
    profile.refresh_from_db()
    assert (profile.gender, profile.birth_year, profile.age_band) == ("", None, "")


def test_an_impossible_birth_year_fails_in_place_with_a_message(learner, as_user) -> None:
    client = as_user(learner)
    answer = client.post(reverse("enrolment:my_profile"), {"birth_year": "2025"})
    assert answer.status_code == 422
    assert "année de naissance entre" in answer.content.decode()
    assert not LearnerProfile.objects.filter(user=learner, birth_year=2025).exists()


def test_the_profile_page_needs_a_login(client) -> None:
    answer = client.get(reverse("enrolment:my_profile"))
    assert answer.status_code == 302
