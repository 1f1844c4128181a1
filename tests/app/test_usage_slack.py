"""Issue 13, point 10: every subcommand a parser knows is in its command's usage lines, and
each command's help shows its own commands (`/timebox help` all of them)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.domain import commands
from bot.domain.commands import USAGE
from bot.domain.errors import UsageError, UserError
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.conftest import CHANNEL, DEV1

ALIASES: dict[str, dict[str, str]] = getattr(commands, "ALIASES", {})
PARSERS: dict[str, Callable[[str], Any]] = {
    "/backlog": commands.parse_backlog,
    "/planning": commands.parse_planning,
    "/sprint": commands.parse_sprint,
    "/poker": commands.parse_poker,
    "/ready": commands.parse_ready,
    "/refine": commands.parse_refine,
    "/review": commands.parse_review,
    "/timebox": commands.parse_timebox,
}


def _candidates() -> set[str]:
    """Every lowercase word written in the command grammar's source: any subcommand a
    parser accepts is one of them (a parser compares the typed word with a literal)."""
    tree = ast.parse(Path(commands.__file__).read_text())
    return {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.fullmatch(r"[a-z][a-z-]*", node.value)
    }


def subcommands(command: str) -> set[str]:
    """The first words the command's parser takes as a subcommand (the rest it answers
    with "is not something I know")."""
    found = set()
    for word in _candidates():
        try:
            PARSERS[command](word)
        except UsageError as refused:
            if "is not something I know" in refused.problem:
                continue
        except UserError:
            pass
        found.add(word)
    return found


def _named(word: str, line: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", line) is not None


def test_the_parsers_are_all_covered():
    assert set(PARSERS) == set(USAGE)


@pytest.mark.parametrize("command", sorted(USAGE))
def test_every_subcommand_is_named_in_a_usage_line_of_its_command(command):
    lines = [line for line, _ in USAGE[command].values()]
    found = subcommands(command)
    assert "help" in found and len(found) > 2, "the parser was probed"
    missing = []
    for word in sorted(found):
        target = ALIASES.get(command, {}).get(word, word)
        if not any(_named(target, line) for line in lines):
            missing.append(word)
    assert missing == [], f"{command}: not in any usage line: {missing}"
    for alias, target in ALIASES.get(command, {}).items():
        assert alias in found and target in found, f"{command} {alias} -> {target}"


@pytest.mark.parametrize("command", sorted(USAGE))
def test_every_usage_line_is_of_its_own_command(command):
    for line, what in USAGE[command].values():
        assert line.startswith(command) and what


async def test_each_command_helps_with_its_own_commands_and_timebox_with_all(slack):
    for command in sorted(USAGE):
        ack = await slack.driver.command(command, "help", user=DEV1, channel=CHANNEL)
        assert ack.status == 200
        text = shown(last_ephemeral(slack, DEV1))
        for line, _ in USAGE[command].values():
            assert f"`{line}`" in text, (command, line)
        others = [c for c in USAGE if c != command]
        if command == "/timebox":
            assert all(f"`{c} help`" in text for c in others), "/timebox help shows them all"
        else:
            strangers = [c for c in others if c != "/timebox"]
            assert not any(f"`{c} help`" in text for c in strangers), f"{command}: its own"
            assert "`/timebox help` lists every command" in text
