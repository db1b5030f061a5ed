"""A badge's certificate is a tagged PDF (PDF/UA-1) in the holder's language (issue #9)."""

from __future__ import annotations

import pytest

from conftest import make_person
from parcours.accounts.models import Role
from parcours.credentials.models import IssuedCredential
from parcours.credentials.tests.conftest import EARNING, complete
from parcours.lib.tests.pdf_checks import assert_tagged

pytestmark = pytest.mark.usefixtures("no_network")


@pytest.mark.parametrize(("language", "title"), [("fr", "Référent IA"), ("en", "AI referent")])
def test_the_certificate_is_tagged_with_title_and_language(
    as_user, org, ai_badge, ai_modules, django_capture_on_commit_callbacks, language, title
):
    holder = make_person(org, Role.LEARNER, "h@exemple.test", "Hélène", "Dupuis", language=language)
    with django_capture_on_commit_callbacks(execute=True):
        complete(holder, ai_modules, *EARNING)
    credential = IssuedCredential.objects.get(learner=holder)
    response = as_user(holder).get(f"/badges/{credential.uuid}/certificat.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert_tagged(response.content, lang=language, title=title)
