"""Settings from the environment (and an optional `.env` file in the working directory).

A missing or malformed setting stops start-up with one line that names it and says what to do.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

from bot.runtime.logs import LOG_FORMATS, handler, quiet_ticks

SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


class ConfigError(Exception):
    """A setting is missing or wrong; the message is the one line shown to the operator."""


@dataclass(frozen=True)
class Settings:
    bot_token: str | None  # None when installed into many workspaces (client_id is set)
    signing_secret: str | None
    app_token: str | None
    database_url: str
    slack_api_url: str
    port: int
    log_level: str
    log_format: str = "text"
    # Installs into many workspaces through OAuth (HTTP mode), instead of one bot token.
    client_id: str | None = None
    client_secret: str | None = None
    redirect_uri: str | None = None
    clock_file: Path | None = None  # tests of real processes only: the time comes from a file
    public_url: str | None = None  # where people reach the bot (the calendar feed's address)

    @property
    def socket_mode(self) -> bool:
        return self.app_token is not None

    @property
    def multi_workspace(self) -> bool:
        return self.client_id is not None


def _default_database_url() -> str:
    return f"sqlite:///{Path.cwd() / 'timebox.db'}"


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")
) -> Settings:
    """Reads the settings; `environ` wins over `.env`, which fills only what is unset."""
    values: dict[str, str] = {}
    if dotenv is not None and dotenv.is_file():
        values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        value = values.get(name, "").strip()
        return value or None

    bot_token = get("SLACK_BOT_TOKEN")
    client_id, client_secret = get("SLACK_CLIENT_ID"), get("SLACK_CLIENT_SECRET")
    if client_id is not None or client_secret is not None:
        _check_oauth(bot_token, client_id, client_secret, get("SLACK_APP_TOKEN"))
    elif bot_token is None:
        raise ConfigError(
            "SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from your "
            "Slack app's OAuth & Permissions page."
        )
    elif not bot_token.startswith("xoxb-"):
        raise ConfigError("SLACK_BOT_TOKEN must be a bot token starting with xoxb-.")

    app_token = get("SLACK_APP_TOKEN")
    if app_token is not None and not app_token.startswith("xapp-"):
        raise ConfigError(
            "SLACK_APP_TOKEN must be an app-level token starting with xapp- (Basic Information "
            "> App-Level Tokens, scope connections:write); unset it to run in HTTP mode."
        )
    signing_secret = get("SLACK_SIGNING_SECRET")
    if app_token is None and signing_secret is None:
        raise ConfigError(
            "SLACK_SIGNING_SECRET is not set: HTTP mode needs it (Basic Information > Signing "
            "Secret). For Socket Mode, set SLACK_APP_TOKEN instead."
        )

    api_url = get("SLACK_API_URL") or SLACK_API_URL
    parsed = urlparse(api_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"SLACK_API_URL must be an http(s) URL such as {SLACK_API_URL}.")
    if not api_url.endswith("/"):
        api_url += "/"

    port_text = get("PORT") or "3000"
    if not re.fullmatch(r"[0-9]{1,5}", port_text) or not 0 < int(port_text) < 65536:
        raise ConfigError(f"PORT must be a port number from 1 to 65535, not {port_text!r}.")

    log_level = (get("TIMEBOX_LOG_LEVEL") or "INFO").upper()
    if log_level not in LOG_LEVELS:
        raise ConfigError(f"TIMEBOX_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}.")
    log_format = (get("TIMEBOX_LOG_FORMAT") or "text").lower()
    if log_format not in LOG_FORMATS:
        raise ConfigError(
            "TIMEBOX_LOG_FORMAT must be text (the default) or json (one JSON object per line)."
        )

    database_url = get("DATABASE_URL") or _default_database_url()
    if not database_url.startswith(("sqlite", "postgres")):
        raise ConfigError(
            "DATABASE_URL must be a sqlite:///path.db or postgresql://user@host/db URL."
        )

    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        database_url=database_url,
        slack_api_url=api_url,
        port=int(port_text),
        log_level=log_level,
        log_format=log_format,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=get("SLACK_REDIRECT_URI"),
        clock_file=Path(clock_file) if (clock_file := get("TIMEBOX_CLOCK_FILE")) else None,
        public_url=get("TIMEBOX_PUBLIC_URL"),
    )


def _check_oauth(
    bot_token: str | None, client_id: str | None, client_secret: str | None, app_token: str | None
) -> None:
    """Many workspaces: both OAuth credentials, HTTP mode, and no single-workspace token."""
    if client_id is None or client_secret is None:
        missing = "SLACK_CLIENT_ID" if client_id is None else "SLACK_CLIENT_SECRET"
        raise ConfigError(
            f"{missing} is not set: installing into many workspaces needs both SLACK_CLIENT_ID "
            "and SLACK_CLIENT_SECRET (Basic Information > App Credentials)."
        )
    if bot_token is not None:
        raise ConfigError(
            "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set: keep SLACK_BOT_TOKEN for one "
            "workspace, or SLACK_CLIENT_ID and SLACK_CLIENT_SECRET to install into many."
        )
    if app_token is not None:
        raise ConfigError(
            "Installing into many workspaces needs HTTP mode (Slack redirects browsers to "
            "/slack/oauth_redirect): unset SLACK_APP_TOKEN."
        )


def configure_logging(level: str, fmt: str = "text") -> None:
    """Logs to stderr as text, or as one JSON object per line (`fmt="json"`) for shippers."""
    logging.basicConfig(level=getattr(logging, level), handlers=[handler(fmt)])
    quiet_ticks()
