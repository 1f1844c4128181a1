"""GitHub's REST and GraphQL APIs as the GitHub client calls them (``GitHubApi``, the base of
``GitHub`` in bot/trackers/github.py): the ``Authorization`` of a token or of a GitHub App's
installation (bot/trackers/github_app.py: its token shared for the hour, asked for again after
a 401), which answers ask Timebox to wait and how long, and a refusal in plain words.

Rate limits: 429, or 403 with ``retry-after`` (secondary limit), waits as told; 403/429 with
``x-ratelimit-remaining: 0`` (primary limit) waits until ``x-ratelimit-reset``; a 403 that names
a secondary rate limit without a header waits a minute, and twice as long each time the same
call meets it again, as GitHub's documentation asks; GraphQL's ``RATE_LIMITED`` likewise. The
rest is the retry rules of every tracker client (bot/trackers/http.py): 5xx, timeouts and
dropped connections retried with backoff, a create that may have happened said to be
``maybe_applied``, a wait longer than the policy allows handed back to the caller (RATE_LIMITED,
with ``retry_after``).

No library: gidgethub has no retry or wait of its own and githubkit brings httpx and pydantic,
neither of which would go through the host policy's resolver (bot/trackers/hosts.py); the
client needs a dozen endpoints, and the App's JWT is signed with ``cryptography``, which
Timebox has already.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Mapping
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

from bot.domain import trackers
from bot.runtime.secrets import Secret
from bot.trackers.github_app import (
    INSTALLATION_TOKENS,
    GitHubApp,
    GitHubToken,
    InstallationToken,
    app_jwt,
)
from bot.trackers.http import JsonClient, Reply, parse_time, retry_after

GITHUB_API = "https://api.github.com"
API_VERSION = "2022-11-28"
SECONDARY_WAIT = 60.0  # GitHub: wait at least a minute after a secondary limit without a header


def graphql_url(api: str) -> str:
    """GitHub's GraphQL endpoint for a REST base: api.github.com/graphql; an Enterprise
    Server's ``https://host/api/v3`` has it at ``https://host/api/graphql``."""
    if api.endswith("/api/v3"):
        return api[: -len("/v3")] + "/graphql"
    return f"{api}/graphql"


def _message(body: Any) -> str:
    if isinstance(body, Mapping):
        text = str(body.get("message") or "")
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            details = [
                str(e.get("message") or e.get("code") or e) if isinstance(e, Mapping) else str(e)
                for e in errors
            ]
            text = f"{text} ({'; '.join(details)})" if text else "; ".join(details)
        return text[:300]
    if isinstance(body, str) and not body.lstrip().startswith("<"):
        return body.strip()[:300]
    return ""


_ISSUE_PATH = re.compile(r"^/(?:repositories/\d+|repos/[\w.-]+/[\w.-]+)/issues/\d+(?:/[\w/]*)?$")
"""An issue's REST address (or one under it: its labels): the only redirect followed, so a
converted issue's discussion, say, is never read as an issue."""


class Moved(trackers.TrackerError):
    """A redirect to an issue's address on the same REST API (``path``): GitHub's ``301 Moved
    Permanently`` for an issue transferred to another repository, which ``_rest`` follows
    once."""

    def __init__(self, status: int, path: str) -> None:
        super().__init__(
            f"GitHub moved the issue to {path}.",
            kind=trackers.TrackerErrorKind.INVALID,
            status=status,
        )
        self.path = path


def next_page(link: str | None) -> str | None:
    """The ``page`` of the ``rel="next"`` address of a ``Link`` header."""
    for part in (link or "").split(","):
        if 'rel="next"' in part:
            url = part.split(";")[0].strip().strip("<>")
            pages = parse_qs(urlsplit(url).query).get("page")
            return pages[0] if pages else None
    return None


class GitHubApi(JsonClient):
    """GitHub's APIs reached with one credential, for one repository (an App's installation is
    the one on it): ``_rest`` and ``_graphql`` with the retry rules."""

    display_name = "GitHub"
    refused_holder = "GitHub token"
    not_found_where = "on GitHub, or the token cannot see it"
    rights_advice = (
        " A fine-grained token needs Issues (read and write) on the repository, and Projects"
        " (read and write) for a project."
    )
    refusal_kinds = {**JsonClient.refusal_kinds, 410: trackers.TrackerErrorKind.NOT_FOUND}
    _detail = staticmethod(_message)
    session_headers = {
        "Accept": "application/vnd.github+json",
        "User-Agent": "Timebox",
        "X-GitHub-Api-Version": API_VERSION,
    }

    api: str  # the REST API's base
    graphql: str  # the GraphQL endpoint (``graphql_url``)
    credential: GitHubToken | GitHubApp
    repo: str  # owner/name
    _app_token: Secret | None = None  # the installation token last sent

    def _wait_asked(self, reply: Reply, attempt: int) -> float | None:
        """The seconds a rate limit asks to wait (REST 403/429, GraphQL ``RATE_LIMITED``):
        ``Retry-After``, else the primary limit's reset, else for a secondary limit a minute,
        doubled for each try of the call before (GitHub: "wait for an exponentially increasing
        amount of time between retries"; past the policy's longest wait, the caller's job waits
        instead); None when the answer is no rate limit."""
        errors = reply.body.get("errors") if isinstance(reply.body, Mapping) else None
        graphql_limited = isinstance(errors, list) and any(
            isinstance(e, Mapping) and e.get("type") == "RATE_LIMITED" for e in errors
        )
        if reply.status not in (403, 429) and not graphql_limited:
            return None
        headers, now = reply.headers, self._now()
        wait = retry_after(headers.get("Retry-After"), now)
        if wait is None and headers.get("X-RateLimit-Remaining") == "0":
            with contextlib.suppress(ValueError):
                wait = max(0.0, float(headers.get("X-RateLimit-Reset", "")) - now.timestamp())
        secondary = reply.status == 429 or "rate limit" in _message(reply.body).lower()
        if wait is None and (secondary or graphql_limited):
            wait = SECONDARY_WAIT * 2 ** (attempt - 1)
        return wait

    async def _authorization(self) -> str:
        """A token's, or the App installation's token (INSTALLATION_TOKENS: shared by every
        client of the installation in this process, renewed near its expiry)."""
        credential = self.credential
        if isinstance(credential, GitHubToken):
            return "Bearer " + credential.token.reveal()
        if credential.installation_id is None:
            await self._find_installation(credential)
        self._app_token = await INSTALLATION_TOKENS.token(
            credential.cache_key(self.api), self._now, partial(self._installation_token, credential)
        )
        return "Bearer " + self._app_token.reveal()

    async def _find_installation(self, app: GitHubApp) -> None:
        """The App's installation on the repository (``GET /repos/{o}/{r}/installation``)."""
        found, _ = await self._rest(
            "GET",
            f"/repos/{self.repo}/installation",
            action=f"find the GitHub App's installation on {self.repo}",
            what=f"An installation of App {app.app_id} on {self.repo}",
            authorization="Bearer " + app_jwt(app.app_id, app.private_key, self._now()),
        )
        app.installation_id = int((found or {}).get("id") or 0) or None
        if app.installation_id is None:
            raise trackers.TrackerError(
                f"GitHub App {app.app_id} is not installed on {self.repo}.",
                kind=trackers.TrackerErrorKind.NOT_FOUND,
            )

    async def _installation_token(self, app: GitHubApp) -> InstallationToken:
        """A new installation token (``POST /app/installations/{id}/access_tokens``)."""
        token, _ = await self._rest(
            "POST",
            f"/app/installations/{app.installation_id}/access_tokens",
            action="get an installation token for the GitHub App",
            what=f"Installation {app.installation_id} of App {app.app_id}",
            authorization="Bearer " + app_jwt(app.app_id, app.private_key, self._now()),
        )
        token = token or {}
        return InstallationToken(
            Secret(str(token.get("token") or "")),
            parse_time(token.get("expires_at")) or (self._now() + timedelta(hours=1)),
        )

    async def _request(self, method: str, url: str, **options: Any) -> Reply:
        """``JsonClient._request``, sent once more with a new installation token when GitHub
        refuses the one held (401: revoked, or expired before its time); a 401 changed
        nothing, so even a create may be sent again."""
        try:
            return await super()._request(method, url, **options)
        except trackers.TrackerError as error:
            refused, credential = self._app_token, self.credential
            if (
                error.kind is not trackers.TrackerErrorKind.AUTH
                or options.get("authorization")
                or refused is None
                or not isinstance(credential, GitHubApp)
            ):
                raise
            INSTALLATION_TOKENS.forget(credential.cache_key(self.api), refused)
            self._app_token = None
        return await super()._request(method, url, **options)

    def _unauthorised(self) -> str:
        if isinstance(self.credential, GitHubApp):
            return (
                f"GitHub did not accept GitHub App {self.credential.app_id}'s credentials: "
                "check the App id and that the private key is current, then connect again."
            )
        return (
            "GitHub did not accept the token: check that it is current and not revoked "
            "(Settings > Developer settings > Fine-grained tokens), then connect again."
        )

    def _redirected(self, reply: Reply, where: str) -> trackers.TrackerError:
        """A redirect is refused (``JsonClient``, which logs it), but one of GitHub's own REST
        API to an issue's address is told apart (``Moved``): a transferred issue's old address
        answers ``301`` with the issue's address by its new repository's id."""
        location = reply.headers.get("Location") or ""
        if reply.status in (301, 302, 307, 308) and location:
            with contextlib.suppress(ValueError):
                api, moved = urlsplit(self.api), urlsplit(urljoin(where, location))
                base = api.path.rstrip("/")
                path = moved.path[len(base) :] if moved.path.startswith(base + "/") else ""
                if (moved.scheme, moved.netloc) == (api.scheme, api.netloc) and _ISSUE_PATH.match(
                    path
                ):
                    return Moved(reply.status, path + (f"?{moved.query}" if moved.query else ""))
        return super()._redirected(reply, where)

    async def _rest(self, method: str, path: str, **options: Any) -> tuple[Any, Mapping[str, str]]:
        """A call to ``path`` of the REST API (``JsonClient._request``'s options): the decoded
        JSON (or None) and the answer's headers. A redirect to another address of the API
        (``Moved``: a transferred issue) is followed once, with the same method and body."""
        try:
            reply = await self._request(method, f"{self.api}{path}", **options)
        except Moved as moved:
            reply = await self._request(method, f"{self.api}{moved.path}", **options)
        return reply.body, reply.headers

    async def _graphql(
        self,
        query: str,
        variables: Mapping[str, Any],
        *,
        action: str,
        what: str | None = None,
        idempotent: bool = True,
    ) -> dict[str, Any]:
        """``data`` of a GraphQL answer; its ``errors`` as a TrackerError in plain words."""
        reply = await self._request(
            "POST",
            self.graphql,
            action=action,
            what=what,
            body={"query": query, "variables": dict(variables)},
            idempotent=idempotent,
        )
        answer = reply.body if isinstance(reply.body, Mapping) else {}
        errors = [e for e in answer.get("errors") or [] if isinstance(e, Mapping)]
        if errors:
            kinds = {str(e.get("type") or "") for e in errors}
            text = "; ".join(str(e.get("message") or "") for e in errors)[:300]
            if "NOT_FOUND" in kinds:
                raise self._not_found(what)
            if "FORBIDDEN" in kinds or "INSUFFICIENT_SCOPES" in kinds:
                raise trackers.TrackerError(
                    f"The GitHub token is not allowed to {action} ({text}). A fine-grained "
                    "token needs Projects (read and write) for a project.",
                    kind=trackers.TrackerErrorKind.FORBIDDEN,
                )
            raise trackers.TrackerError(
                f"GitHub refused to {action}: {text}", kind=trackers.TrackerErrorKind.INVALID
            )
        return dict(answer.get("data") or {})
