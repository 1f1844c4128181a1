"""Settings for installing into many workspaces (OAuth), and the tests' clock file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.runtime.config import ConfigError, load_settings

OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "s", "SLACK_SIGNING_SECRET": "x"}


def test_client_credentials_replace_the_bot_token():
    settings = load_settings(
        {**OAUTH, "SLACK_REDIRECT_URI": "https://h/slack/oauth_redirect"}, dotenv=None
    )
    assert settings.multi_workspace and settings.bot_token is None
    assert settings.redirect_uri == "https://h/slack/oauth_redirect"
    one = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x"}, dotenv=None)
    assert not one.multi_workspace


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"SLACK_CLIENT_SECRET": ""}, "SLACK_CLIENT_SECRET is not set"),
        ({"SLACK_CLIENT_ID": ""}, "SLACK_CLIENT_ID is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_BOT_TOKEN and SLACK_CLIENT_ID are both set"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "needs HTTP mode"),
    ],
)
def test_a_half_done_oauth_setup_stops_with_one_line(change, problem):
    with pytest.raises(ConfigError, match=problem):
        load_settings({**OAUTH, **change}, dotenv=None)


def test_the_clock_file_is_for_tests_of_real_processes(tmp_path):
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "x"}
    assert load_settings(env, dotenv=None).clock_file is None
    clock = tmp_path / "clock"
    assert load_settings({**env, "TIMEBOX_CLOCK_FILE": str(clock)}, dotenv=None).clock_file == Path(
        clock
    )
