"""manifest.yml is a valid Slack app manifest and matches what the code handles."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot.domain.commands import USAGE
from handlers.commands import COMMANDS

ROOT = Path(__file__).parents[2]
SCHEMA = ROOT.parent / "shared" / "slack" / "manifest.schema.1.0.0.json"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return yaml.safe_load((ROOT / "manifest.yml").read_text())


def test_manifest_is_valid_against_slacks_schema(manifest):
    if not SCHEMA.exists():
        pytest.skip(f"Slack's manifest schema is not at {SCHEMA}")
    jsonschema.validate(manifest, json.loads(SCHEMA.read_text()))


def test_every_registered_command_is_in_the_manifest_and_back(manifest):
    listed = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert listed == set(COMMANDS) == set(USAGE)
    for command in manifest["features"]["slash_commands"]:
        assert command["description"] and command["usage_hint"]
        assert command["should_escape"] is True, "mentions must arrive as <@U…> ids"


def test_manifest_asks_for_what_the_app_uses(manifest):
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert set(manifest["settings"]["event_subscriptions"]["bot_events"]) == {
        "app_home_opened",
        "file_shared",
        "app_uninstalled",
        "tokens_revoked",
    }
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "commands",
        "chat:write",
        "users:read",
        "channels:read",  # planning poker: a channel's members are its voters
        "groups:read",  # ... in private channels too
        "channels:history",  # after a crash: did Slack get the post? (handlers/outbox.py)
        "groups:history",  # ... in private channels too
        "im:write",  # ... and in direct messages: conversations.open gives the DM's id
        "im:history",  # ... whose history is read the same way
        "usergroups:read",  # `/poker 3 voters @group`
        "files:read",
        "files:write",
    }


def test_each_usage_hint_lists_every_subcommand_typed_by_its_word(manifest):
    """Slack shows the hint as one types the command: a subcommand `/timebox help` lists
    (`/timebox setup`, `/planning schedule`) is listed there too (help aside)."""
    for command in manifest["features"]["slash_commands"]:
        name, hint = command["command"], command["usage_hint"]
        said = set(re.findall(r"[a-z]+", hint))
        typed = {line[0].split()[1] for line in USAGE[name].values() if line[0].count(" ")}
        choices = {
            choice
            for line in USAGE[name].values()
            for word in line[0].split()[2:]
            if "|" in word
            for choice in word.split("|")
            if choice.isalpha()
        }  # `move <n> top|bottom|…`: each choice a word of the hint too
        missing = {word for word in typed | choices if word.isalpha() and word != "help"} - said
        assert not missing, f"{name}'s usage hint does not list {sorted(missing)}"
        assert len(hint) <= 1000 and "\n" not in hint
