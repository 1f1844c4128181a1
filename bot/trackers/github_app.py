"""The credentials of the GitHub client: a fine-grained token (``Authorization: Bearer``), or a
GitHub App installation, whose JWT (signed RS256 with the App's private key, with
``cryptography``, which Timebox has already) the client exchanges for an installation token
(``GitHubApi`` in bot/trackers/github_api.py).

An installation token lasts an hour, and every job run opens a client of its own, so the token
is kept in the process (``INSTALLATION_TOKENS``) for every client of the installation: asked
for once an hour, renewed five minutes before GitHub's ``expires_at``, and forgotten when GitHub
answers 401 to it. Only a ``Secret`` in memory: never written anywhere, never logged, and found
only with the App's private key (the key is part of what it is filed under). Not in the
database: a token more per instance and per restart costs one call an hour, where keeping it
there would put a second live credential at rest and a read in every run.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bot.domain import trackers
from bot.runtime.secrets import Secret


@dataclass(frozen=True)
class GitHubToken:
    """A fine-grained personal access token (Issues and Projects: read and write)."""

    token: Secret
    kind: str = field(default="token", init=False)


@dataclass
class GitHubApp:
    """A GitHub App installation: the App's id and private key (PEM); the installation is the
    one on the connected repository unless given."""

    app_id: str
    private_key: Secret
    installation_id: int | None = None
    kind: str = field(default="app", init=False)

    def cache_key(self, api: str) -> str:
        """What the installation's token is filed under (``installation_id`` known): the API,
        the App, the installation and its private key, hashed; a caller without the key
        cannot name it."""
        parts = (api, self.app_id, str(self.installation_id), self.private_key.reveal())
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


REFRESH_BEFORE = timedelta(minutes=5)  # a token is renewed this long before its expires_at


@dataclass(frozen=True)
class InstallationToken:
    """An installation token and when GitHub says it expires."""

    token: Secret
    expires_at: datetime

    def fresh(self, now: datetime) -> bool:
        return now < self.expires_at - REFRESH_BEFORE


class InstallationTokens:
    """The installation tokens of this process, by ``GitHubApp.cache_key``: ``token`` gives
    the one held while fresh, else the one ``fetch`` brings (one fetch at a time per
    installation: concurrent jobs wait for it rather than each asking); ``forget`` drops a
    token GitHub refused."""

    def __init__(self) -> None:
        self._held: dict[str, InstallationToken] = {}
        self._locks: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, dict[str, asyncio.Lock]
        ] = weakref.WeakKeyDictionary()

    async def token(
        self,
        key: str,
        now: Callable[[], datetime],
        fetch: Callable[[], Awaitable[InstallationToken]],
    ) -> Secret:
        held = self._held.get(key)
        if held is not None and held.fresh(now()):
            return held.token
        locks = self._locks.setdefault(asyncio.get_running_loop(), {})
        async with locks.setdefault(key, asyncio.Lock()):
            held = self._held.get(key)
            if held is None or not held.fresh(now()):
                held = await fetch()
                self._held = {k: t for k, t in self._held.items() if t.fresh(now())}
                self._held[key] = held
        return held.token

    def forget(self, key: str, token: Secret) -> None:
        """``token`` is no longer accepted: the next ``token`` call fetches (unless another
        call has already replaced it)."""
        held = self._held.get(key)
        if held is not None and held.token == token:
            del self._held[key]


INSTALLATION_TOKENS = InstallationTokens()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def app_jwt(app_id: str, private_key: Secret, now: datetime) -> str:
    """The App's JWT (RS256): issued a minute in the past against clock drift, valid 9 minutes
    (GitHub accepts at most ten)."""
    try:
        key = serialization.load_pem_private_key(private_key.reveal().encode(), password=None)
    except (ValueError, TypeError) as exc:
        raise trackers.TrackerError(
            "The GitHub App private key is not a PEM private key: paste the whole .pem file "
            "GitHub gave (-----BEGIN RSA PRIVATE KEY----- …).",
            kind=trackers.TrackerErrorKind.AUTH,
        ) from exc
    if not isinstance(key, rsa.RSAPrivateKey):
        raise trackers.TrackerError(
            "A GitHub App key is an RSA key.", kind=trackers.TrackerErrorKind.AUTH
        )
    issued = int(now.timestamp()) - 60
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = _b64(json.dumps({"iat": issued, "exp": issued + 540, "iss": str(app_id)}).encode())
    signed = f"{header}.{claims}".encode()
    signature = key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{claims}.{_b64(signature)}"
