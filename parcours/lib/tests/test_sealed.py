from __future__ import annotations

import pytest
from django.test import override_settings

from parcours.lib.sealed import UnsealError, seal, unseal


def test_a_sealed_value_opens_for_its_purpose_only() -> None:
    token = seal("jeton-moodle-très-secret", purpose="moodle-token")
    assert "jeton" not in token
    assert unseal(token, purpose="moodle-token") == "jeton-moodle-très-secret"
    with pytest.raises(UnsealError):
        unseal(token, purpose="lrs-password")


def test_rotation_keeps_old_values_readable_and_dropping_the_key_does_not() -> None:
    with override_settings(CREDENTIALS_KEY="old-master"):
        token = seal("valeur", purpose="p")
    with override_settings(CREDENTIALS_KEY="new-master,old-master"):
        assert unseal(token, purpose="p") == "valeur"
    with override_settings(CREDENTIALS_KEY="new-master"), pytest.raises(UnsealError):
        unseal(token, purpose="p")


def test_an_altered_value_is_refused() -> None:
    token = seal("valeur", purpose="p")
    with pytest.raises(UnsealError):
        unseal(token[:-4] + "AAAA", purpose="p")
