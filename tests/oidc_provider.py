"""A small, real OpenID Connect provider served in-process: discovery, authorize, token, jwks, userinfo.

Civic reaches it through `httpx2.ASGITransport(app=provider.app)`, so the authorization-code flow runs
end to end (state, nonce, PKCE, RS256 signatures) with no network. Tests change `user` to sign in as
someone else and `signing_key` to forge a token.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from functools import cache
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

ISSUER = "https://sso.example.test"
CLIENT_ID = "civic-test"
CLIENT_SECRET = "provider-secret-for-tests"


@cache
def rsa_key(kid: str) -> RSAKey:
    """Key generation takes a moment; one key per kid per test run is enough."""
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


class Provider:
    def __init__(self, *, issuer: str = ISSUER, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET):
        self.issuer, self.client_id, self.client_secret = issuer, client_id, client_secret
        self.key = rsa_key("provider-1")
        self.signing_key = self.key  # what /token signs with; /jwks always publishes `key`
        self.user: dict[str, Any] = {"sub": "sso-user-1", "email": "li.na@example.test", "email_verified": True,
                                     "name": "李娜"}
        self.id_token_claims: set[str] | None = None  # None: put every user claim in the id_token
        self.codes: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.app = Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/authorize", self.authorize),
            Route("/token", self.token, methods=["POST"]),
            Route("/jwks", self.jwks),
            Route("/userinfo", self.userinfo),
        ])

    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "code_challenge_methods_supported": ["S256"],
        })

    async def authorize(self, request: Request) -> Response:
        """No login screen: the configured user has already "signed in" and consents at once."""
        q = request.query_params
        if q.get("client_id") != self.client_id or q.get("response_type") != "code" or "openid" not in q.get(
                "scope", "").split():
            return JSONResponse({"error": "invalid_request"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"redirect_uri": q["redirect_uri"], "nonce": q.get("nonce"), "user": dict(self.user),
                            "challenge": q.get("code_challenge")}
        return RedirectResponse(f"{q['redirect_uri']}?{urlencode({'code': code, 'state': q.get('state', '')})}",
                                status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if not self._client_authenticated(request, form):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(str(form.get("code")), None)  # single use
        if grant is None or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant["challenge"] and _s256(str(form.get("code_verifier", ""))) != grant["challenge"]:
            return JSONResponse({"error": "invalid_grant", "error_description": "PKCE"}, status_code=400)
        user, now = grant["user"], int(time.time())
        claims = {k: v for k, v in user.items() if self.id_token_claims is None or k in self.id_token_claims}
        claims.update({"iss": self.issuer, "sub": user["sub"], "aud": self.client_id, "iat": now,
                       "exp": now + 300, "nonce": grant["nonce"]})
        header = {"alg": "RS256", "kid": self.signing_key.kid}
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = user
        return JSONResponse({"access_token": access_token, "token_type": "Bearer", "expires_in": 300,
                             "id_token": jwt.encode(header, claims, self.signing_key)})

    def _client_authenticated(self, request: Request, form) -> bool:
        auth = request.headers.get("authorization", "")
        if auth.startswith("Basic "):
            client_id, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        else:
            client_id, secret = str(form.get("client_id")), str(form.get("client_secret"))
        return client_id == self.client_id and secret == self.client_secret

    async def jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self.key]).as_dict(private=False))

    async def userinfo(self, request: Request) -> Response:
        user = self.tokens.get(request.headers.get("authorization", "").removeprefix("Bearer "))
        if user is None:
            return JSONResponse({"error": "invalid_token"}, status_code=401)
        return JSONResponse(user)


def _s256(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
