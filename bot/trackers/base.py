"""Credentials for trackers (the tracker interface itself is ``bot.domain.trackers``).

A ``Credential`` knows its kind, how to authorise a request, and which base URL the API is
reached on (Jira's API tokens talk to the site itself; OAuth 2.0 (3LO) tokens go through
``https://api.atlassian.com/ex/jira/<cloud id>``). The records, errors and the ``Tracker``
protocol are plain data in the domain, so the use cases and rules can name them.
"""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol

from bot.domain.trackers import TrackerError, TrackerErrorKind
from bot.runtime.secrets import Secret


class CredentialKind(StrEnum):
    API_TOKEN = "api_token"  # Atlassian account email + API token, HTTP basic auth
    OAUTH2 = "oauth2"  # OAuth 2.0 (3LO) access token, bearer


class Credential(Protocol):
    kind: CredentialKind

    async def authorization(self) -> str:
        """The ``Authorization`` header value for the next request."""
        ...

    def api_base(self, site_url: str) -> str:
        """Where the REST API is for this site (no trailing slash)."""
        ...


@dataclass(frozen=True)
class ApiToken:
    """Jira Cloud API token (or Data Center basic auth): ``email:token`` in a basic header."""

    email: str
    token: Secret
    kind: CredentialKind = field(default=CredentialKind.API_TOKEN, init=False)

    async def authorization(self) -> str:
        raw = f"{self.email}:{self.token.reveal()}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def api_base(self, site_url: str) -> str:
        return site_url.rstrip("/")


class RefreshingToken:
    """What an OAuth 2.0 access token does (Jira's and Linear's alike): when it has expired,
    ``refresh`` (kept by whoever stores the rotated refresh token) is awaited once, under a lock
    so that calls at the same moment refresh once, and its answer replaces the token's values;
    without ``refresh`` an expired token is an AUTH error naming the tracker."""

    tracker: ClassVar[str]  # "Jira"
    access_token: Secret
    expires_at: datetime | None
    refresh_token: Secret | None
    refresh: Callable[[Any], Awaitable[Any]] | None
    now: Callable[[], datetime] | None
    _lock: asyncio.Lock

    def expired(self) -> bool:
        return (
            self.expires_at is not None and self.now is not None and (self.now() >= self.expires_at)
        )

    async def authorization(self) -> str:
        async with self._lock:
            if self.expired():
                if self.refresh is None:
                    raise TrackerError(
                        f"The {self.tracker} authorisation has expired: connect {self.tracker} "
                        "again.",
                        kind=TrackerErrorKind.AUTH,
                    )
                fresh = await self.refresh(self)
                self.access_token = fresh.access_token
                self.expires_at = fresh.expires_at
                self.refresh_token = fresh.refresh_token or self.refresh_token
        return "Bearer " + self.access_token.reveal()


Refresh = Callable[["OAuth2Token"], Awaitable["OAuth2Token"]]


@dataclass
class OAuth2Token(RefreshingToken):
    """OAuth 2.0 (3LO) access for one Jira site (``cloud_id`` from accessible-resources).

    The API is reached at ``https://api.atlassian.com/ex/jira/<cloud_id>``; the sync engine
    keeps ``refresh`` (see ``RefreshingToken``).
    """

    tracker: ClassVar[str] = "Jira"
    access_token: Secret
    cloud_id: str
    expires_at: datetime | None = None
    refresh_token: Secret | None = None
    refresh: Refresh | None = field(default=None, compare=False, repr=False)
    now: Callable[[], datetime] | None = field(default=None, compare=False, repr=False)
    gateway: str = "https://api.atlassian.com"
    kind: CredentialKind = field(default=CredentialKind.OAUTH2, init=False)
    _lock: asyncio.Lock = field(default_factory=asyncio.Lock, init=False, repr=False, compare=False)

    def api_base(self, site_url: str) -> str:
        return f"{self.gateway.rstrip('/')}/ex/jira/{self.cloud_id}"
