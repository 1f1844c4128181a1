"""Tracker tokens at rest: encrypted with TIMEBOX_SECRET_KEY, rotatable, never shown."""

from __future__ import annotations

import logging
import pickle

import pytest
from cryptography.fernet import Fernet

from bot.runtime.config import ConfigError
from bot.runtime.secrets import (
    MISSING_KEY,
    Secret,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
    generate_key,
)
from bot.trackers.base import ApiToken, OAuth2Token

TOKEN = "ATATT3xFfGF0-very-secret-token"


def test_a_secret_never_shows_its_value() -> None:
    secret = Secret(TOKEN)
    shown = [
        repr(secret),
        str(secret),
        f"{secret}",
        f"{secret!r}",
        format(secret, ">10"),
        str([secret]),
    ]
    assert all(TOKEN not in text for text in shown)
    assert str(secret) == "***" and repr(secret) == "Secret('***')"
    assert secret.reveal() == TOKEN
    assert secret == Secret(TOKEN) and secret != Secret("other") and bool(secret)
    assert len({secret, Secret(TOKEN)}) == 1


def test_credentials_holding_a_secret_do_not_show_it() -> None:
    credential = ApiToken("po@example.com", Secret(TOKEN))
    oauth = OAuth2Token(Secret(TOKEN), "cloud-1", refresh_token=Secret(TOKEN + "-refresh"))
    assert TOKEN not in repr(credential) and TOKEN not in repr(oauth)
    assert "po@example.com" in repr(credential)


def test_a_secret_in_a_log_line_shows_stars(caplog) -> None:
    with caplog.at_level(logging.INFO):
        logging.getLogger("timebox.test").info(
            "connecting with %s and %r", Secret(TOKEN), ApiToken("a@b.c", Secret(TOKEN))
        )
    assert TOKEN not in caplog.text and "***" in caplog.text


def test_a_secret_cannot_be_pickled_in_the_clear() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(TOKEN))


def test_tokens_are_encrypted_and_decrypted_with_the_key() -> None:
    box = SecretBox.from_env({"TIMEBOX_SECRET_KEY": generate_key()})

    stored = box.encrypt(Secret(TOKEN))

    assert TOKEN not in stored and stored.isascii()
    assert box.encrypt(TOKEN) != stored  # a fresh nonce each time
    assert box.decrypt(stored) == Secret(TOKEN)
    assert box.decrypt(stored).reveal() == TOKEN
    assert repr(box) == "SecretBox(keys=1)"


def test_without_a_key_the_error_says_what_to_set() -> None:
    for environ in ({}, {"TIMEBOX_SECRET_KEY": "  "}, {"TIMEBOX_SECRET_KEY": " , "}):
        with pytest.raises(SecretKeyError) as missing:
            SecretBox.from_env(environ)
        assert str(missing.value) == MISSING_KEY == "set TIMEBOX_SECRET_KEY to store tracker tokens"
        assert isinstance(missing.value, ConfigError)  # start-up shows it as one line


def test_a_malformed_key_is_named() -> None:
    with pytest.raises(SecretKeyError) as bad:
        SecretBox.from_env({"TIMEBOX_SECRET_KEY": "not-a-key"})
    assert str(bad.value).startswith("TIMEBOX_SECRET_KEY is not a Fernet key")
    with pytest.raises(SecretKeyError) as second:
        SecretBox.from_env({"TIMEBOX_SECRET_KEY": f"{generate_key()},short"})
    assert str(second.value).startswith("key 2 of TIMEBOX_SECRET_KEY is not a Fernet key")
    assert "short" not in str(second.value)


def test_keys_rotate_newest_first() -> None:
    old, new = generate_key(), generate_key()
    stored_with_old = SecretBox([old]).encrypt(TOKEN)
    both = SecretBox.from_env({"TIMEBOX_SECRET_KEY": f"{new},{old}"})

    assert both.decrypt(stored_with_old).reveal() == TOKEN
    rotated = both.rotate(stored_with_old)
    assert SecretBox([new]).decrypt(rotated).reveal() == TOKEN
    with pytest.raises(SecretDecryptError):
        SecretBox([old]).decrypt(rotated)
    assert Fernet(new.encode()).decrypt(both.encrypt(TOKEN).encode()).decode() == TOKEN


def test_a_token_from_another_key_or_damaged_is_refused_plainly() -> None:
    stored = SecretBox([generate_key()]).encrypt(TOKEN)
    box = SecretBox([generate_key()])
    for bad in (stored, stored[:-4] + "AAAA", "not a token", "é"):
        with pytest.raises(SecretDecryptError) as refused:
            box.decrypt(bad)
        assert "cannot be decrypted with TIMEBOX_SECRET_KEY" in str(refused.value)
        assert TOKEN not in str(refused.value)
    with pytest.raises(SecretDecryptError):
        box.rotate(stored)
