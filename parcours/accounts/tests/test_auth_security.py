"""Security headers: CSP without inline scripts, HSTS over HTTPS, framing, production settings."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.http import HttpResponse
from django.test import Client, RequestFactory

from parcours.accounts.security import frameable

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def production_csp(settings) -> None:
    settings.CONTENT_SECURITY_POLICY = settings.CSP_POLICY


def directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.usefixtures("production_csp")
@pytest.mark.parametrize("url", ["/catalogue/", "/compte/connexion/", "/compte/signup/"])
def test_pages_carry_a_csp_without_inline_scripts(client: Client, db: None, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_other_security_headers(client: Client, db: None) -> None:
    response = client.get("/catalogue/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "publickey-credentials-get=(self)" in response["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response  # plain HTTP: no HSTS


def test_hsts_over_https_behind_a_proxy(client: Client, db: None, settings) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/catalogue/", headers={"X-Forwarded-Proto": "https"})
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/catalogue/")


def _lobby(request):
    return HttpResponse("lobby")


@pytest.mark.usefixtures("production_csp")
def test_only_frameable_views_may_be_framed_and_only_by_the_configured_origins(
    settings,
) -> None:
    from csp.middleware import CSPMiddleware
    from django.middleware.clickjacking import XFrameOptionsMiddleware

    view = frameable(_lobby)

    def run(request):
        return CSPMiddleware(XFrameOptionsMiddleware(view))(request)  # type: ignore[arg-type]

    request = RequestFactory().get("/logistique/ecran/")
    denied = run(request)
    assert denied["X-Frame-Options"] == "DENY"
    assert directives(denied["Content-Security-Policy"])["frame-ancestors"] == ["'none'"]

    settings.FRAME_ANCESTORS = ["https://signage.example.be"]
    allowed = run(RequestFactory().get("/logistique/ecran/"))
    assert "X-Frame-Options" not in allowed
    assert directives(allowed["Content-Security-Policy"])["frame-ancestors"] == [
        "'self'",
        "https://signage.example.be",
    ]


def _production_env(**extra: str) -> dict[str, str]:
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        CREDENTIALS_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="parcours.example.be",
        SITE_URL="https://parcours.example.be",
        CSRF_TRUSTED_ORIGINS="https://parcours.example.be",
        SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
        SECURE_SSL_REDIRECT="true",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="true",
        SECURE_HSTS_PRELOAD="true",
    )
    env.update(extra)
    return env


def test_production_settings_pass_check_deploy_and_turn_the_csp_on() -> None:
    """The settings documented in docs/deployment.md: `check --deploy` has nothing to say."""
    script = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "django.setup(); from django.conf import settings as s;"
        "from django.core.management import call_command;"
        "call_command('check', deploy=True, fail_level='WARNING');"
        "assert s.CONTENT_SECURITY_POLICY == s.CSP_POLICY, 'CSP off';"
        "assert s.SESSION_COOKIE_SECURE and s.CSRF_COOKIE_SECURE;"
        "assert s.SECURE_PROXY_SSL_HEADER == ('HTTP_X_FORWARDED_PROTO', 'https');"
        "assert s.ACCOUNT_RATE_LIMITS == s.PARCOURS_RATE_LIMITS;"
        "assert s.ACCOUNT_DEFAULT_HTTP_PROTOCOL == 'https';"
        "assert not s.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
