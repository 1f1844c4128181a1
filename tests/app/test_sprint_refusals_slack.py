"""A refused `/sprint` or `/planning` command points to the step that works in the state the
team is in: no sprint at all, a sprint being planned (not running yet), a running one."""

from __future__ import annotations

import re

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral
from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.conftest import DEV1, SM


async def refused(slack: LocalStack, command: str, text: str, user: str = DEV1) -> str:
    """The refusal's words as Slack shows them, without the emoji it opens with."""
    await cmd(slack, command, text, user)
    said = last_ephemeral(slack, user).text.replace("&lt;", "<").replace("&gt;", ">")
    return re.sub(r"^:[a-z_]+: ", "", said)


async def test_a_scope_change_with_no_sprint_says_none_runs_before_asking_for_a_reason(slack):
    """Asked for a reason first, the asker would give one only to hear no sprint runs."""
    await setup(slack)
    for text in ("add 2", "add 2 the customer escalated it"):
        said = await refused(slack, "/sprint", text)
        assert said.startswith("No sprint is running in this channel"), said
        assert "`/planning start` plans one" in said and "`/planning add 2` takes #2" in said
        assert "renegotiation: say why" not in said


async def test_sprint_commands_while_a_sprint_is_planned_say_it_is_not_running_yet(slack):
    """Planning is under way: "`/planning start` plans one" would send them to start it
    again; they are told the sprint is being planned, and its next step."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    planned = "Sprint 1 is being planned, not running yet"
    cases = [
        ("close", SM, "it is closed once it has run"),
        ("done 1", DEV1, "its items are marked done once it runs"),
        ("remove 1 not needed", DEV1, "`/planning drop 1` leaves #1 out of it"),
        ("add 2", DEV1, "`/planning add 2` takes #2 into it"),
    ]
    for text, user, instead in cases:
        said = await refused(slack, "/sprint", text, user)
        assert said.startswith(f"{planned}: {instead}."), (text, said)
        assert "`/planning commit`" in said, "it runs once committed"
        assert "`/planning start`" not in said, "planning runs already"


async def test_an_item_missing_from_the_channel_or_the_sprint_is_told_apart(slack):
    await setup(slack)
    await commit_sprint(slack, 1)

    said = await refused(slack, "/sprint", "done 99")
    assert said.startswith("There is no item #99 in this channel"), said
    assert "is not in sprint" not in said

    brings = "`/sprint add 2 <reason>` brings it in (a renegotiation)."
    assert await refused(slack, "/sprint", "done 2") == f"#2 is not in sprint 1: {brings}"
    said = await refused(slack, "/sprint", "task 2 add Write the docs 3h")
    assert said == f"#2 is not in sprint 1: {brings}"
    await backlog(slack, "done 3", user=DEV1)  # off the backlog: no way in to suggest
    assert await refused(slack, "/sprint", "done 3") == "#3 is not in sprint 1."


async def test_a_burndown_names_a_sprint_not_an_item(slack):
    await setup(slack)
    said = await refused(slack, "/sprint", "burndown foo")
    assert "`foo` is not a sprint number: `burndown 3` draws sprint 3's" in said, said
    assert "item number" not in said


async def test_a_commitment_without_a_goal_says_how_and_by_whom_it_is_set(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    said = await refused(slack, "/planning", "commit team", SM)
    assert said.startswith("No sprint goal yet"), said
    assert "the Product Owner sets it first with `/planning goal <outcome>`" in said
