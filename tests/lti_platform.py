"""A small LTI 1.3 platform on loopback, for the LTI tests: its own RSA key and JWKS, signed
id_tokens, an OAuth2 token endpoint, an AGS score endpoint that records what it is sent, and
an NRPS memberships endpoint.
"""

from __future__ import annotations

import html
import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
CLIENT_ID = "stepwise-client"
DEPLOYMENT_ID = "deployment-1"


@dataclass
class Platform:
    url: str
    key: JWK
    kid: str
    scores: list[dict[str, Any]] = field(default_factory=list)
    # Score posts to answer with a 500 before the next one is accepted.
    fail_scores: int = 0
    members: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    # What the platform's auth endpoint signs for the next browser launch (Platform.claims).
    launch_args: dict[str, Any] = field(default_factory=dict)

    @property
    def issuer(self) -> str:
        return self.url

    def id_token(self, claims: dict[str, Any], *, key: JWK | None = None) -> str:
        signing = key or self.key
        pem = signing.export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def claims(
        self,
        *,
        nonce: str,
        sub: str = "learner-1",
        roles: tuple[str, ...] = (LEARNER,),
        custom: dict[str, str] | None = None,
        resource_link: str = "link-1",
        **overrides: Any,
    ) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "sub": sub,
            "iat": now,
            "exp": now + 300,
            "nonce": nonce,
            "given_name": "Ada",
            "family_name": "Lovelace",
            "email": "shared@example.com",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": "http://testserver/lti/launch/",
            LTI + "resource_link": {"id": resource_link, "title": "Week 1"},
            LTI + "roles": list(roles),
            LTI + "context": {"id": "course-1", "title": "Algebra 1", "label": "ALG1"},
            LTI + "custom": custom or {},
            AGS: {
                "scope": [
                    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                ],
                "lineitems": f"{self.url}/lineitems",
                "lineitem": f"{self.url}/lineitems/1",
            },
            NRPS: {
                "context_memberships_url": f"{self.url}/memberships",
                "service_versions": ["2.0"],
            },
        }
        body.update(overrides)
        return body


def _handler(platform: Platform) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _reply(self, status: int, body: Any, content_type: str = "application/json") -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if path == "/jwks":
                public = json.loads(platform.key.export_public())
                self._reply(200, {"keys": [{**public, "kid": platform.kid, "alg": "RS256"}]})
            elif path == "/auth":
                self._auth_response()
            elif path == "/memberships":
                self._reply(
                    200,
                    {"id": "m", "context": {"id": "course-1"}, "members": platform.members},
                    "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
                )
            else:
                self._reply(404, {})

        def _auth_response(self) -> None:
            # The OIDC authorization step of a real LMS: it signs an id_token for the signed-in
            # user and has the browser post it, with the state, to the tool's redirect URI.
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            token = platform.id_token(platform.claims(nonce=query["nonce"], **platform.launch_args))
            page = (
                f'<form method="post" action="{html.escape(query["redirect_uri"])}">'
                f'<input type="hidden" name="id_token" value="{token}">'
                f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
                "</form><script>document.forms[0].submit()</script>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length)
            path = urlsplit(self.path).path
            if path == "/token":
                platform.token_requests += 1
                form = parse_qs(raw.decode())
                assert form.get("grant_type") == ["client_credentials"]
                self._reply(200, {"access_token": "t", "token_type": "Bearer", "expires_in": 3600})
            elif path.endswith("/scores"):
                if platform.fail_scores > 0:
                    platform.fail_scores -= 1
                    self._reply(500, {"error": "down"})
                    return
                platform.scores.append(json.loads(raw))
                self._reply(200, {})
            else:
                self._reply(404, {})

    return Handler


@pytest.fixture
def platform() -> Iterator[Platform]:
    key = JWK.generate(kty="RSA", size=2048)
    holder = Platform(url="", key=key, kid=uuid.uuid4().hex)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(holder))
    holder.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield holder
    server.shutdown()
    server.server_close()


@pytest.fixture
def registration(platform: Platform, db: None) -> Any:
    """The platform registered in Stepwise, as an admin would, with one enabled deployment."""
    from lti_tool.models import LtiDeployment, LtiRegistration

    reg = LtiRegistration.objects.create(
        name="Loopback LMS",
        issuer=platform.issuer,
        client_id=CLIENT_ID,
        auth_url=f"{platform.url}/auth",
        token_url=f"{platform.url}/token",
        keyset_url=f"{platform.url}/jwks",
    )
    LtiDeployment.objects.create(registration=reg, deployment_id=DEPLOYMENT_ID, is_active=True)
    return reg


def login_initiation_url(base: str, platform: Platform, registration: Any) -> str:
    """Where an LMS sends the browser to start a launch (the tool's OIDC login URL)."""
    query = urlencode(
        {
            "iss": platform.issuer,
            "client_id": CLIENT_ID,
            "login_hint": "hint",
            "target_link_uri": f"{base}/lti/launch/",
        }
    )
    return f"{base}/lti/login/{registration.uuid}/?{query}"


def login_initiation(client: Any, platform: Platform, registration: Any) -> dict[str, str]:
    """Step 1 in the browser: Stepwise sets its state cookie and sends it to the platform;
    the state and nonce the platform must echo are read off that redirect."""
    response = client.get(
        f"/lti/login/{registration.uuid}/",
        {
            "iss": platform.issuer,
            "client_id": CLIENT_ID,
            "login_hint": "hint",
            "lti_message_hint": "msg",
            "target_link_uri": "http://testserver/lti/launch/",
        },
    )
    assert response.status_code == 302, response.content[:300]
    query = parse_qs(urlsplit(response["Location"]).query)
    return {"state": query["state"][0], "nonce": query["nonce"][0]}


def launch(client: Any, platform: Platform, registration: Any, **claim_args: Any) -> Any:
    """A whole launch: login initiation, then the platform's signed id_token posted back."""
    flow = login_initiation(client, platform, registration)
    token = platform.id_token(platform.claims(nonce=flow["nonce"], **claim_args))
    return client.post("/lti/launch/", {"id_token": token, "state": flow["state"]})
