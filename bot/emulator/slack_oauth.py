"""Installing the app into workspaces (OAuth v2), a mixin on the workspace: the app's
credentials, the workspaces that may install it, Slack's consent page already approved
(``GET /oauth/v2/authorize``), oauth.v2.access exchanging its code for a bot token, and a
workspace uninstalling the app.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from bot.emulator.slack_workspace import SlackWorkspace


@dataclass
class OAuthGrant:
    """An OAuth code from /oauth/v2/authorize, waiting to be exchanged by oauth.v2.access."""

    team_id: str
    user_id: str
    scope: str
    redirect_uri: str


class SlackOAuth(SlackWorkspace):
    """The app's installation: its credentials, the codes waiting, the tokens they give."""

    client_id: str | None
    client_secret: str | None
    redirect_uri: str | None
    _grants: dict[str, OAuthGrant]

    def oauth_app(self, client_id: str, client_secret: str, redirect_uri: str) -> None:
        """The app's credentials and its configured Redirect URL, as on api.slack.com/apps."""
        self.client_id, self.client_secret = client_id, client_secret
        self.redirect_uri = redirect_uri

    def add_workspace(self, team_id: str, name: str, domain: str | None = None) -> None:
        """Another workspace that may install the app (users and channels stay shared)."""
        domain = domain or team_id.lower()
        self.workspaces[team_id] = {"id": team_id, "name": name, "domain": domain}

    def uninstall(self, team_id: str) -> None:
        """The workspace removes the app: its bot tokens stop working at once (Slack then
        sends the app `app_uninstalled` and `tokens_revoked`; a driver delivers those)."""
        for token, team in list(self._token_teams.items()):
            if team == team_id:
                self._tokens.pop(token, None)

    async def _handle_authorize(self, request: web.Request) -> web.Response:
        """Slack's consent page, already approved: ``team`` (default: this emulator's) and
        ``user`` (the installer) choose who approves; redirects back with a code."""
        query = request.query
        if self.client_id is None or query.get("client_id") != self.client_id:
            return web.Response(status=400, text="invalid_client_id")
        redirect = query.get("redirect_uri") or self.redirect_uri
        if not redirect or (self.redirect_uri and redirect != self.redirect_uri):
            return web.Response(status=400, text="bad_redirect_uri")
        team = query.get("team") or self.team_id
        if team not in self.workspaces:
            return web.Response(status=400, text="unknown team")
        installer = query.get("user") or next(
            (u for u, info in self.users.items() if not info.get("is_bot")), self.bot_user_id
        )
        code = secrets.token_hex(12)
        self._grants[code] = OAuthGrant(team, installer, query.get("scope", ""), redirect)
        location = f"{redirect}?{urlencode({'code': code, 'state': query.get('state', '')})}"
        raise web.HTTPFound(location)

    def _oauth_v2_access(self, args: dict[str, Any], auth: str) -> tuple[int, dict[str, Any]]:
        """Exchanges a code for the workspace's bot token (client credentials in the form or
        in HTTP Basic auth, as slack_sdk sends them)."""
        client_id, client_secret = args.get("client_id"), args.get("client_secret")
        if auth.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(auth[6:].strip()).decode()
            except (binascii.Error, UnicodeDecodeError):
                return 200, {"ok": False, "error": "invalid_client_id"}
            client_id, _, client_secret = decoded.partition(":")
        if self.client_id is None or client_id != self.client_id:
            return 200, {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return 200, {"ok": False, "error": "bad_client_secret"}
        grant = self._grants.pop(str(args.get("code") or ""), None)
        if grant is None:
            return 200, {"ok": False, "error": "invalid_code"}
        if args.get("redirect_uri") and args["redirect_uri"] != grant.redirect_uri:
            return 200, {"ok": False, "error": "bad_redirect_uri"}
        token = f"xoxb-{grant.team_id}-{secrets.token_hex(8)}"
        self._tokens[token] = self.bot_user_id
        self._token_teams[token] = grant.team_id
        team = self.workspaces[grant.team_id]
        return 200, {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": grant.user_id},
            "scope": grant.scope,
            "token_type": "bot",
            "access_token": token,
            "bot_user_id": self.bot_user_id,
            "team": {"id": team["id"], "name": team["name"]},
            "enterprise": None,
            "is_enterprise_install": False,
        }
