"""Secrets at rest: tracker tokens are kept encrypted with a key from the environment.

``TIMEBOX_SECRET_KEY`` holds one Fernet key, or several separated by commas to rotate: the first
encrypts, every one of them decrypts (``rotate()`` re-encrypts an old token under the first).
Make a key with ``python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"``.

A decrypted value is a ``Secret``: its ``repr``, ``str`` and format show ``***``, so a token
that reaches a log line, an exception or a debugger shows nothing; ``reveal()`` is the one
way to read it, at the moment it goes into an HTTP header.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from bot.runtime.config import ConfigError

if TYPE_CHECKING:  # cryptography is loaded with the first key (not to start: 10 ms of imports)
    from cryptography.fernet import MultiFernet

SECRET_KEY_VARIABLE = "TIMEBOX_SECRET_KEY"
MISSING_KEY = f"set {SECRET_KEY_VARIABLE} to store tracker tokens"
_HIDDEN = "***"


class Secret:
    """A value that never shows itself: ``repr``/``str``/``format`` give ``***``."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("a Secret holds a str")
        self._value = value

    def reveal(self) -> str:
        """The value itself: only where it must be sent (an Authorization header)."""
        return self._value

    def __repr__(self) -> str:
        return f"Secret('{_HIDDEN}')"

    def __str__(self) -> str:
        return _HIDDEN

    def __format__(self, spec: str) -> str:
        return _HIDDEN

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __reduce__(self) -> tuple[object, ...]:
        # Pickling would write the value in the clear (caches, task queues): encrypt instead.
        raise TypeError("a Secret cannot be pickled; store SecretBox.encrypt(secret)")


class SecretKeyError(ConfigError):
    """TIMEBOX_SECRET_KEY is missing or malformed; the message is one line for the operator."""


class SecretDecryptError(Exception):
    """A stored value cannot be decrypted with any of the configured keys."""


def generate_key() -> str:
    """A fresh key for TIMEBOX_SECRET_KEY."""
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


class SecretBox:
    """Encrypts and decrypts secrets with the keys of TIMEBOX_SECRET_KEY (newest first)."""

    def __init__(self, keys: list[str]) -> None:
        from cryptography.fernet import Fernet, MultiFernet

        if not keys:
            raise SecretKeyError(MISSING_KEY)
        fernets = []
        for number, key in enumerate(keys, start=1):
            try:
                fernets.append(Fernet(key.encode()))
            except (ValueError, TypeError) as exc:
                where = (
                    f"key {number} of {SECRET_KEY_VARIABLE}"
                    if len(keys) > 1
                    else SECRET_KEY_VARIABLE
                )
                raise SecretKeyError(
                    f"{where} is not a Fernet key (32 random bytes, url-safe base64, 44 "
                    'characters): make one with python -c "from cryptography.fernet import '
                    'Fernet; print(Fernet.generate_key().decode())"'
                ) from exc
        self._fernet: MultiFernet = MultiFernet(fernets)
        self.key_count = len(fernets)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SecretBox:
        """The box for ``TIMEBOX_SECRET_KEY``; ``SecretKeyError`` when it is unset."""
        value = (os.environ if environ is None else environ).get(SECRET_KEY_VARIABLE, "")
        keys = [part.strip() for part in value.split(",") if part.strip()]
        return cls(keys)

    def encrypt(self, secret: Secret | str) -> str:
        """The ciphertext to store (ASCII, safe in any text column)."""
        value = secret.reveal() if isinstance(secret, Secret) else secret
        return self._fernet.encrypt(value.encode()).decode("ascii")

    def decrypt(self, stored: str) -> Secret:
        from cryptography.fernet import InvalidToken

        try:
            return Secret(self._fernet.decrypt(stored.encode("ascii")).decode())
        except (InvalidToken, UnicodeError, ValueError) as exc:
            raise SecretDecryptError(
                f"a stored tracker token cannot be decrypted with {SECRET_KEY_VARIABLE}: if "
                "the key was changed, list the old key after the new one (comma-separated), or "
                "connect the tracker again"
            ) from exc

    def rotate(self, stored: str) -> str:
        """The same secret encrypted under the first (newest) key."""
        from cryptography.fernet import InvalidToken

        try:
            return self._fernet.rotate(stored.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError, ValueError) as exc:
            raise SecretDecryptError(
                f"a stored tracker token cannot be decrypted with {SECRET_KEY_VARIABLE}"
            ) from exc

    def __repr__(self) -> str:
        return f"SecretBox(keys={self.key_count})"
