"""A slash command's text is read once as the person typed it, whatever the command.

Slack sends typed `&`, `<` and `>` as entities and the people, groups and channels picked as
markup (`<@U0INES|ines>`). Every command answers a mistake by quoting what was typed: decoded
once on the way in, escaped once on the way out, so the person reads `frob<x>&y` (never
`frob&lt;x&gt;`), a mention by its name, and nothing pings. The people picked stay readable by
the commands that name people (`/timebox roles`, `/poker … voters`); text typed to look like a
mention is not one. Replies to a typed time say in which zone it was read (the team's).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.domain.commands import USAGE
from bot.emulator.stack import LocalStack
from tests.app.test_calendar_slack import say
from tests.app.test_calendar_slack import team as calendar_team
from tests.conftest import DEV1, DEV2, PO, SM

COMMANDS = sorted(USAGE)  # every slash command
TYPED = "frob<x>&y"


async def answer(slack: LocalStack, command: str, text: str, user: str = DEV1) -> str:
    """The private answer to `command text` (text in Slack's wire format), as sent to Slack."""
    return sent(await say(slack, command, text, user))


def sent(message: Any) -> str:
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


@pytest.mark.parametrize("command", COMMANDS)
async def test_a_verb_typed_with_markup_characters_is_quoted_as_typed(slack, command):
    said = await answer(slack, command, slack.driver.escape(TYPED))
    assert f"`{command} frob&lt;x&gt;&amp;y` is not something I know" in said, said
    assert "&amp;lt;" not in said and "&amp;amp;" not in said, "escaped once, never twice"


@pytest.mark.parametrize("command", COMMANDS)
async def test_slack_markup_as_a_verb_is_named_as_typed_and_pings_nobody(slack, command):
    said = await answer(slack, command, "<!channel>")
    assert f"`{command} @channel` is not something I know" in said, said
    said = await answer(slack, command, "<@U0INES|ines>")
    assert f"`{command} @ines` is not something I know" in said, said
    said = await answer(slack, command, slack.driver.escape("<!here>"))
    assert f"`{command} &lt;!here&gt;` is not something I know" in said, said
    calls = json.dumps([c.args for c in slack.emulator.calls], ensure_ascii=False)
    for markup in ("<!channel", "<!here", "<@U0INES"):
        assert markup not in calls, f"{markup} reached Slack as markup"


async def test_roles_read_the_people_picked_and_quote_the_rest_as_typed(slack):
    typed = slack.driver.escape(TYPED)
    said = await answer(slack, "/timebox", f"roles po <@{PO}|paula> sm {typed}")
    assert "`frob&lt;x&gt;&amp;y` is not a mention" in said, said
    said = await answer(slack, "/timebox", "roles <@U0INES|ines> po")
    assert "`@ines` is not a role" in said, said
    # Text typed to look like a mention is text: it names nobody.
    said = await answer(slack, "/timebox", f"roles po {slack.driver.escape(f'<@{DEV2}>')}", PO)
    assert f"`&lt;@{DEV2}&gt;` is not a mention" in said, said
    said = await answer(slack, "/timebox", f"roles po <@{PO}|paula> sm <@{SM}|sam>", PO)
    assert f"<@{PO}>" in said and f"<@{SM}>" in said, "the people picked, by their ids"
    said = await answer(slack, "/sprint", f"task 1 1 owner {slack.driver.escape('<@U0X>')}")
    assert "`owner` takes a person" in said, said


async def test_poker_voters_are_the_people_picked_and_a_typed_lookalike_is_refused(slack):
    typed = slack.driver.escape(f"<@{DEV2}>")
    said = await answer(slack, "/poker", f"async 1 voters {typed}", SM)
    assert f"`&lt;@{DEV2}&gt;` is not a mention" in said, said
    said = await answer(slack, "/poker", f"async 1 voters {slack.driver.escape(TYPED)}", SM)
    assert "`frob&lt;x&gt;&amp;y` is not a mention" in said, said


async def test_a_moved_ceremony_says_the_typed_time_was_read_in_the_teams_zone(slack):
    await calendar_team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    # Sam reads Slack in New York; the team's time is Berlin's.
    moved = sent(await say(slack, "/timebox", "calendar move 2026-03-11 to 2026-03-12 15:00"))
    assert "read as Thursday 12 March 15:00 Europe/Berlin (the team's time zone)" in moved, moved
    moved = sent(await say(slack, "/timebox", "calendar move 2026-03-18 to 9:30"))
    assert "read as Wednesday 18 March 09:30 Europe/Berlin (the team's time zone)" in moved, moved
