"""The credentials of the GitHub client: a fine-grained token (``Authorization: Bearer``), or a
GitHub App installation, whose JWT (signed RS256 with the App's private key, with
``cryptography``, which Timebox has already) the client exchanges for an installation token and
renews before it expires (``GitHubApi`` in bot/trackers/github_api.py).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import datetime

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
    token: Secret | None = field(default=None, repr=False)
    expires_at: datetime | None = None


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
