"""GitHub Apps, a mixin on the site: an App made for tests and the sandbox (its RSA key in PEM,
installed on a repository), the check of a JWT an App signs RS256 (its issuer's key, ``iat`` and
``exp``, at most ten minutes of life), and the two routes such a JWT may call: a repository's
installation (``repos.installation``) and an hour's installation token for it (``apps.token``).
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.emulator.github_records import GhApp, GitHubFailure
from bot.emulator.github_site import GitHubSite
from bot.emulator.tracker import route


class GitHubApps(GitHubSite):
    """GitHub Apps: made for a test, their JWTs checked, their installation tokens issued."""

    # -- an App and its JWT --------------------------------------------------------------

    def add_app(self, app_id: str = "4242", repo: str | None = None) -> GhApp:
        """A GitHub App installed on ``repo`` (the default repository); its private key in
        PEM is ``private_key_pem``."""
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        ).decode()
        app = GhApp(app_id, pem, key.public_key())
        app.installations[self._next_id()] = repo or self.repository.full_name
        self.apps[app_id] = app
        return app

    def _verify_jwt(self, token: str) -> GhApp | None:
        try:
            header, claims, signature = token.split(".")
            payload = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
            app = self.apps.get(str(payload.get("iss")))
            if app is None:
                return None
            raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
            app.public_key.verify(
                raw, f"{header}.{claims}".encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (ValueError, InvalidSignature, json.JSONDecodeError):
            return None
        now = self.epoch()
        if not (payload.get("iat", 0) <= now + 60 and now < payload.get("exp", 0)):
            return None
        if payload["exp"] - payload["iat"] > 600:
            return None
        return app

    # -- installations -------------------------------------------------------------------

    @route("GET", "/repos/{owner}/{repo}/installation", "repos.installation")
    def _installation(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        app = self.apps[user.split(":", 1)[1]]
        name = f"{request.match_info['owner']}/{request.match_info['repo']}"
        for installation, repo in app.installations.items():
            if repo == name:
                return 200, {
                    "id": installation,
                    "app_id": int(app.id),
                    "target_type": "Organization",
                }
        raise GitHubFailure(404, "Not Found")

    def revoke_installation_tokens(self) -> int:
        """Every installation token issued so far revoked (GitHub answers them 401, as after
        ``DELETE /installation/token`` or a change of the App's permissions); how many."""
        revoked = [t for t, who in self.tokens.items() if who.startswith("installation:")]
        for token in revoked:
            del self.tokens[token]
            self.token_expiry.pop(token, None)
        return len(revoked)

    @route("POST", "/app/installations/{id}/access_tokens", "apps.token")
    def _access_token(self, request: web.Request, user: str, body: Any) -> tuple[int, Any]:
        app = self.apps[user.split(":", 1)[1]]
        installation = int(request.match_info["id"])
        if installation not in app.installations:
            raise GitHubFailure(404, "Not Found")
        token = f"ghs_{uuid.uuid4().hex}"
        self.tokens[token] = f"installation:{installation}"
        self.token_expiry[token] = self.epoch() + 3600
        return 201, {"token": token, "expires_at": self.iso(self.epoch() + 3600)}
