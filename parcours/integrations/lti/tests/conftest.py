from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache

from parcours.accounts.models import Organisation
from parcours.integrations.lti import keys
from parcours.integrations.lti.tests.platform import Platform


@pytest.fixture(autouse=True)
def _fresh_cache(settings) -> Iterator[None]:
    settings.LTI_ALLOW_PRIVATE_ADDRESSES = True  # the test platform listens on 127.0.0.1
    settings.PLATFORM_NAME = "Moodle-Technosphère (essai)"
    cache.clear()  # pylti1p3's states, nonces and cached key sets; the consumer's launch data
    yield
    cache.clear()


@pytest.fixture
def platform(org: Organisation, settings) -> Iterator[Platform]:
    settings.SITE_URL = "http://testserver"
    found = Platform(tool_base="http://testserver", tool_public_pem=keys.tool_key(org).public_pem)
    yield found
    found.stop()
