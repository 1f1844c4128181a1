"""Configuration: sensible defaults, and one clear line for each missing or bad setting."""

from __future__ import annotations

import pytest

from bot.runtime.config import ConfigError, load_settings
from tests.fleet import run_cli

BASE = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}


def test_defaults_give_http_mode_on_a_local_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    settings = load_settings(BASE, dotenv=None)
    assert not settings.socket_mode
    assert settings.database_url == f"sqlite:///{tmp_path / 'timebox.db'}"
    assert (settings.slack_api_url, settings.port, settings.log_level) == (
        "https://slack.com/api/",
        3000,
        "INFO",
    )


def test_app_token_means_socket_mode_and_dotenv_fills_gaps(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("SLACK_APP_TOKEN=xapp-1\nPORT=4000\nSLACK_BOT_TOKEN=xoxb-from-file\n")
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-env"}, dotenv=env_file)
    assert settings.socket_mode and settings.port == 4000
    assert settings.bot_token == "xoxb-env"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxp-user"}, "SLACK_BOT_TOKEN must be a bot token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({**BASE, "SLACK_APP_TOKEN": "xoxb-2"}, "SLACK_APP_TOKEN must be an app-level token"),
        ({**BASE, "PORT": "http"}, "PORT must be a port number"),
        ({**BASE, "SLACK_API_URL": "slack.com"}, r"SLACK_API_URL must be an http\(s\) URL"),
        ({**BASE, "TIMEBOX_LOG_LEVEL": "LOUD"}, "TIMEBOX_LOG_LEVEL must be one of"),
        ({**BASE, "DATABASE_URL": "mysql://x"}, "DATABASE_URL must be"),
    ],
)
def test_bad_settings_name_themselves(env, named):
    with pytest.raises(ConfigError, match=named):
        load_settings(env, dotenv=None)


def test_cli_stops_with_one_line_and_no_traceback(tmp_path):
    result = run_cli("run", tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "timebox: SLACK_BOT_TOKEN is not set: copy the Bot User OAuth Token (xoxb-...) from "
        "your Slack app's OAuth & Permissions page."
    ]


@pytest.mark.parametrize(
    ("line", "named"),
    [
        ("TIMEBOX_TRACKER_HOSTS=https://jira.example.com", "TIMEBOX_TRACKER_HOSTS lists hosts"),
        ("TIMEBOX_SECRET_KEY=not-a-key", "TIMEBOX_SECRET_KEY is not a Fernet key"),
    ],
)
def test_the_tracker_settings_in_dotenv_are_read_and_a_bad_one_stops_start_up(
    tmp_path, line, named
):
    """The key for tokens and the hosts trackers may be reached on are read where they are
    used, from the environment: a `.env` fills them in as it does every other setting, and a
    bad one stops `timebox run` at start-up with one line, not at the first connect."""
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=s\n{line}\n")
    result = run_cli("run", tmp_path)
    assert result.returncode == 2, result.stderr
    [said] = result.stderr.strip().splitlines()
    assert said.startswith(f"timebox: {named}"), said
