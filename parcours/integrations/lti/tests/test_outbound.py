"""Dynamic Registration calls only public addresses (SSRF), unless the setting allows private
ones; answers are read up to a size and a time."""

from __future__ import annotations

import io
import re
import socket
from typing import Any

import pytest
import requests
from django.test import Client

from conftest import make_person
from parcours.accounts.models import Organisation, Role, User
from parcours.integrations.lti import outbound
from parcours.integrations.lti.tests.platform import Platform
from parcours.integrations.models import LtiRegistration, LtiServiceFailure


@pytest.fixture
def admin(org: Organisation) -> User:
    return make_person(org, Role.ADMINISTRATOR, "admin@technofutur.test", "Ada", "Admin")


def _registration_url(client: Client) -> str:
    response = client.post("/integrations/lti/lien-d-enregistrement/")
    found = re.search(
        r'value="http://testserver(/integrations/lti/enregistrement/[^"]+)"',
        response.content.decode(),
    )
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.10",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # shared (CGNAT)
        "224.0.0.1",
        "240.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address under test, not a bind
        "::1",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_refused(address: str) -> None:
    assert outbound._refused_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "93.184.216.34", "2001:4860:4860::8888"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not outbound._refused_address(address)


def test_registration_against_a_loopback_platform_is_refused_in_french(
    as_user, admin: User, platform: Platform, settings
) -> None:
    settings.LTI_ALLOW_PRIVATE_ADDRESSES = False
    url = _registration_url(as_user(admin))
    query = {
        "openid_configuration": platform.base + "/.well-known/openid-configuration",
        "registration_token": "reg-token-1",
    }
    refused = Client().get(url, query)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "127.0.0.1" in html and "machine interne" in html
    assert not LtiRegistration.objects.exists()
    assert platform.registrations == []
    assert "not a public address" in LtiServiceFailure.objects.get().detail
    # The same link works once the setting allows the local platform.
    settings.LTI_ALLOW_PRIVATE_ADDRESSES = True
    assert Client().get(url, query).status_code == 200


def test_a_name_resolving_to_a_private_address_is_refused_at_connect_time(
    monkeypatch: pytest.MonkeyPatch, settings
) -> None:
    settings.LTI_ALLOW_PRIVATE_ADDRESSES = False
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "moodle.exemple.test":
            return real("10.20.30.40", *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    with pytest.raises(outbound.AddressRefused, match=r"10\.20\.30\.40"):
        outbound.guarded_session().get("http://moodle.exemple.test/config", timeout=2)


def test_the_connection_goes_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch, platform: Platform
) -> None:
    """The name is resolved once, when connecting, and the socket goes to that address."""
    port = platform.base.rsplit(":", 1)[1]
    calls: list[str] = []
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(host)
        return real("127.0.0.1" if host == "moodle.exemple.test" else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    answer = outbound.guarded_session().get(
        f"http://moodle.exemple.test:{port}/.well-known/openid-configuration",
        timeout=5,
        stream=True,
    )
    assert outbound.read_json(answer)["issuer"] == platform.issuer
    assert calls == ["moodle.exemple.test"]


def _response(body: bytes, headers: dict[str, str] | None = None) -> requests.Response:
    response = requests.Response()
    response.status_code = 200
    response.raw = io.BytesIO(body)
    response.headers.update(headers or {})
    return response


def test_answers_are_read_up_to_a_size() -> None:
    assert outbound.read_json(_response(b'{"issuer": "x"}')) == {"issuer": "x"}
    assert outbound.read_json(_response(b"")) == {}
    big = b'{"a": "' + b"x" * (outbound.MAX_RESPONSE_BYTES + 10) + b'"}'
    with pytest.raises(outbound.ResponseRefused):
        outbound.read_json(_response(big))
    with pytest.raises(outbound.ResponseRefused):
        outbound.read_json(_response(b"{}", {"Content-Length": str(10**9)}))


def test_answers_are_read_within_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbound, "TOTAL_TIMEOUT", -1.0)
    with pytest.raises(outbound.ResponseRefused):
        outbound.read_json(_response(b'{"issuer": "x"}'))
