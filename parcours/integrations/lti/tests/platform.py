"""A local LTI 1.3 platform for the tests, written around Open edX's LTI consumer
(``lti_consumer.lti_1p3``, the platform side of ``lti-consumer-xblock``): it signs the launch
and deep-linking messages, issues and checks the service access tokens, and verifies Parcours'
client assertions and deep-linking responses against Parcours' key (its PEM, or the JWKS URL of
a live server). Its HTTP endpoints run on 127.0.0.1 on a free port:

* ``/jwks``                                 the platform's key set (``keyset_down`` → 500);
* ``/token``                                OAuth2 client credentials (JWT client assertion);
* ``/auth``                                 the OIDC authorisation endpoint: answers with a page
                                            that posts the id_token to Parcours' launch URL;
* ``/start``                                a page that posts the login initiation to Parcours;
* ``/memberships``                          NRPS, two members per page, ``Link: rel="next"``;
* ``/lineitems`` and ``/lineitems/<n>/scores``  AGS (``score_status`` forces an answer);
* ``/.well-known/openid-configuration`` and ``/register``  Dynamic Registration.
"""

from __future__ import annotations

import html
import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti_consumer.data import Lti1p3LaunchData
from lti_consumer.lti_1p3.consumer import LtiAdvantageConsumer

LEARNER = "student"  # lti_consumer's role names (see its LTI_1P3_ROLE_MAP)
INSTRUCTOR = "staff"  # → membership#Instructor
ADMINISTRATOR = "global_staff"  # → system/institution/membership Administrator
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")


def _one(query: dict[str, list[str]]) -> dict[str, str]:
    return {key: values[0] for key, values in query.items()}


class Platform:
    def __init__(self, *, tool_base: str, tool_public_pem: str | None = None) -> None:
        self.client_id = "parcours-" + uuid.uuid4().hex[:8]
        self.deployment_id = "1"
        self.members: list[dict[str, Any]] = []
        self.lineitems: list[dict[str, Any]] = []
        self.scores: list[dict[str, Any]] = []
        self.registrations: list[dict[str, Any]] = []
        self.tokens_issued = 0
        self.score_status = 200
        self.keyset_down = False
        self.tool_base = tool_base.rstrip("/")
        self._pem = _pem()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.tool_public_pem = tool_public_pem
        self.consumer = self._consumer()

    # -- set-up ------------------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return self.base

    @property
    def launch_url(self) -> str:
        return self.tool_base + "/integrations/lti/lancement/"

    @property
    def login_url(self) -> str:
        return self.tool_base + "/integrations/lti/connexion/"

    def _consumer(self, *, keyset_url: str | None = None) -> LtiAdvantageConsumer:
        return LtiAdvantageConsumer(
            iss=self.issuer,
            lti_oidc_url=self.login_url,
            lti_launch_url=self.launch_url,
            client_id=self.client_id,
            deployment_id=self.deployment_id,
            rsa_key=self._pem,
            rsa_key_id="platform-key-1",
            redirect_uris=[self.launch_url],
            tool_key=self.tool_public_pem,
            tool_keyset_url=keyset_url,
        )

    def trust_tool_keyset(self, url: str) -> None:
        """Verify Parcours' signatures against its published key set (live server)."""
        self.tool_public_pem = None
        self.consumer = self._consumer(keyset_url=url)

    def registration_data(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer,
            "client_id": self.client_id,
            "auth_login_url": self.base + "/auth",
            "auth_token_url": self.base + "/token",
            "key_set_url": self.base + "/jwks",
            "deployment_ids": [self.deployment_id],
        }

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- messages ------------------------------------------------------------------------------

    def prepare(
        self,
        *,
        sub: str,
        role: str = LEARNER,
        email: str | None = None,
        name: str | None = None,
        custom: dict[str, str] | None = None,
        context_id: str = "course-42",
        context_title: str = "Cours Moodle",
        deep_linking: bool = False,
        services: bool = True,
    ) -> dict[str, str]:
        """Set the next message up and return the login initiation parameters."""
        consumer = self.consumer
        consumer.extra_claims = {}
        consumer.lti_claim_custom_parameters = None
        consumer.set_user_data(sub, role, full_name=name, email_address=email)
        consumer.set_resource_link_claim("link-" + (custom or {}).get("parcours_id", "0"))
        consumer.set_context_claim(context_id, context_title=context_title)
        if custom:
            consumer.set_custom_parameters(custom)
        if services:
            consumer.enable_nrps(self.base + "/memberships")
            consumer.enable_ags(self.base + "/lineitems", allow_programmatic_grade_interaction=True)
        if deep_linking:
            consumer.enable_deep_linking(self.launch_url, self.base + "/deep-link-return")
        launch_data = Lti1p3LaunchData(
            user_id=sub,
            user_role=role,
            config_id=str(uuid.uuid4()),
            resource_link_id="link-1",
            message_type="LtiDeepLinkingRequest" if deep_linking else "LtiResourceLinkRequest",
        )
        url = consumer.prepare_preflight_url(launch_data)
        return _one(parse_qs(urlsplit(url).query))

    def answer_auth(self, auth_params: dict[str, str]) -> dict[str, str]:
        """The platform's answer to the tool's authorisation request: state + id_token."""
        return dict(self.consumer.generate_launch_request(auth_params))

    # -- HTTP ----------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _send(
                self,
                status: int,
                body: Any,
                *,
                content_type: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                data = (body if isinstance(body, str) else json.dumps(body)).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def _authorised(self) -> bool:
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer "):
                    return False
                try:
                    return bool(platform.consumer.check_token(auth[7:]))
                except Exception:
                    return False

            def _body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = _one(parse_qs(parts.query))
                if parts.path == "/jwks":
                    if platform.keyset_down:
                        self._send(500, "down", content_type="text/plain")
                    else:
                        self._send(200, platform.consumer.get_public_keyset())
                elif parts.path == "/.well-known/openid-configuration":
                    self._send(
                        200,
                        {
                            "issuer": platform.issuer,
                            "authorization_endpoint": platform.base + "/auth",
                            "token_endpoint": platform.base + "/token",
                            "jwks_uri": platform.base + "/jwks",
                            "registration_endpoint": platform.base + "/register",
                            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                                "product_family_code": "moodle",
                                "version": "4.3",
                            },
                        },
                    )
                elif parts.path == "/memberships":
                    if not self._authorised():
                        self._send(401, {"error": "invalid token"})
                        return
                    page = int(query.get("page", "1"))
                    chunk = platform.members[(page - 1) * 2 : page * 2]
                    headers = {}
                    if page * 2 < len(platform.members):
                        nxt = f"{platform.base}/memberships?page={page + 1}"
                        headers["Link"] = f'<{nxt}>; rel="next"'
                    self._send(
                        200,
                        {"id": platform.base + "/memberships", "members": chunk},
                        content_type="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                        headers=headers,
                    )
                elif parts.path == "/lineitems":
                    if not self._authorised():
                        self._send(401, {"error": "invalid token"})
                        return
                    self._send(200, platform.lineitems)
                elif parts.path == "/start":
                    # The LMS page that opens the tool: auto-posts the login initiation.
                    fields = "".join(
                        f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                        for k, v in platform.pending_login.items()
                    )
                    self._send(
                        200,
                        f'<html><body><form id="f" method="post" action="{platform.login_url}">'
                        f"{fields}</form><script>document.getElementById('f').submit()"
                        "</script></body></html>",
                        content_type="text/html",
                    )
                elif parts.path == "/auth":
                    try:
                        message = platform.answer_auth(query)
                    except Exception as exc:
                        self._send(400, {"error": str(exc)})
                        return
                    fields = "".join(
                        f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
                        for k, v in message.items()
                    )
                    self._send(
                        200,
                        f'<html><body><form id="f" method="post" '
                        f'action="{html.escape(query["redirect_uri"])}">{fields}</form>'
                        "<script>document.getElementById('f').submit()</script></body></html>",
                        content_type="text/html",
                    )
                else:
                    self._send(404, {"error": "not found"})

            def do_POST(self) -> None:
                parts = urlsplit(self.path)
                body = self._body()
                if parts.path == "/token":
                    form = _one(parse_qs(body.decode("utf-8")))
                    try:
                        answer = platform.consumer.access_token(form)
                    except Exception as exc:
                        self._send(400, {"error": "invalid_client", "detail": str(exc)})
                        return
                    platform.tokens_issued += 1
                    self._send(200, answer)
                elif parts.path == "/register":
                    if self.headers.get("Authorization") != "Bearer reg-token-1":
                        self._send(401, {"error": "bad registration token"})
                        return
                    payload = json.loads(body)
                    platform.registrations.append(payload)
                    self._send(
                        200,
                        {
                            **payload,
                            "client_id": platform.client_id,
                            "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                                **payload["https://purl.imsglobal.org/spec/lti-tool-configuration"],
                                "deployment_id": platform.deployment_id,
                            },
                        },
                    )
                elif parts.path == "/lineitems":
                    if not self._authorised():
                        self._send(401, {"error": "invalid token"})
                        return
                    item = json.loads(body)
                    item["id"] = f"{platform.base}/lineitems/{len(platform.lineitems) + 1}"
                    platform.lineitems.append(item)
                    self._send(201, item, content_type="application/vnd.ims.lis.v2.lineitem+json")
                elif parts.path.startswith("/lineitems/") and parts.path.endswith("/scores"):
                    if not self._authorised():
                        self._send(401, {"error": "invalid token"})
                        return
                    if platform.score_status >= 400:
                        self._send(platform.score_status, {"error": "refused"})
                        return
                    score = json.loads(body)
                    score["lineitem"] = platform.base + parts.path.rsplit("/scores", 1)[0]
                    platform.scores.append(score)
                    self._send(200, {})
                else:
                    self._send(404, {"error": "not found"})

        return Handler

    pending_login: dict[str, str] = {}

    def start_url(self, params: dict[str, str]) -> str:
        self.pending_login = params
        return self.base + "/start?" + urlencode({"n": uuid.uuid4().hex})
