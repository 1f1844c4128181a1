# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A change made in the tracker that makes an item unready, or ready, says so in its history
as the same change made in Timebox does ("no longer ready", "became ready": one line, after
the tracker's "edited" line), through the real app, the Slack emulator and the Jira emulator.
Before, the sync's merge wrote the "edited" line alone: the README promises the line for any
edit. A change that leaves readiness as it was adds no such line."""

from __future__ import annotations

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.trackers.adf import join_acceptance
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later

SYNC = 6 * 60  # seconds on: the regular sync has run
STATED = "By doing card payments we expect more completed checkouts."


async def ready_story(slack: LocalStack, jira: JiraEmulator) -> str:
    """A story ready as Jira gives it (a hypothesis stated, a criterion, 3 points), imported."""
    story = jira.add_issue(
        "Pay by card", description=join_acceptance(STATED, ["Visa and Mastercard"]), estimate=3
    )
    await connected(slack, jira)
    await drain(slack)
    return story.key


async def lines_after(slack: LocalStack, key: str, at: int) -> list[tuple[str, str, dict]]:
    return (await history(slack, await item_by_key(slack, key)))[at:]


async def test_criteria_removed_in_jira_say_no_longer_ready_and_back_became_ready(slack, jira):
    key = await ready_story(slack, jira)
    before = len(await history(slack, await item_by_key(slack, key)))

    jira.edit(key, description=STATED)  # rewritten without its acceptance-criteria section
    await later(slack, SYNC)

    item = await item_by_key(slack, key)
    assert item.acceptance_criteria == []
    said = await lines_after(slack, key, before)
    assert [(who, action) for who, action, _ in said] == [
        ("jira", "edited"),
        ("jira", "no longer ready"),
    ], said
    assert "acceptance_criteria" in said[0][2]

    jira.edit(key, description=join_acceptance(STATED, ["Visa and Mastercard"]))
    await later(slack, SYNC)

    said = await lines_after(slack, key, before + 2)
    assert [(who, action) for who, action, _ in said] == [
        ("jira", "edited"),
        ("jira", "became ready"),
    ], said


async def test_a_change_in_jira_that_keeps_readiness_adds_no_such_line(slack, jira):
    key = await ready_story(slack, jira)
    before = len(await history(slack, await item_by_key(slack, key)))

    jira.edit(key, summary="Pay by card or wallet")
    await later(slack, SYNC)

    said = await lines_after(slack, key, before)
    assert [(who, action) for who, action, _ in said] == [("jira", "edited")], said
