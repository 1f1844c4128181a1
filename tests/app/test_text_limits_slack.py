"""Text typed over its limit, end to end: refused with the limit and the length typed, nothing
stored, as a backlog item's title always was (QA 7: an action item, a session's goal, a
sprint's goal and a task's title were stored cut short, and the answer did not say so). Text
at its limits, typed as the characters Slack escapes, stays within Slack's own limits on the
cards, minutes and announcements that show it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_poker_slack import setup_team
from tests.app.test_ready_slack import READY
from tests.app.test_sprint_tasks_slack import planned
from tests.conftest import CHANNEL, DEV1, PO, SM


async def rows(slack: LocalStack, sql: str) -> list[str]:
    async with slack.db.engine.connect() as conn:
        return [r[0] for r in await conn.execute(text(sql))]


def typed_over(limit: int) -> str:
    """Words, one space apart, well over `limit` characters."""
    typed = " ".join(f"word{n}" for n in range(limit // 4))
    assert len(typed) > limit
    return typed


@pytest.mark.parametrize(
    ("command", "words", "limit", "sql"),
    [
        ("/refine", "note", 500, "select text from action_items"),
        ("/refine", "goal", 300, "select goal from meetings"),
        ("/planning", "goal", 1000, "select goal from sprints"),
    ],
    ids=["action item", "session goal", "sprint goal"],
)
async def test_text_over_its_limit_is_refused_with_the_limit_not_cut_silently(
    slack, command, words, limit, sql
):
    """An action item, a session's goal or a sprint's goal over its limit: refused, naming
    both counts as people write them (`1,000`), and nothing is stored."""
    await setup_team(slack, "Export invoices")
    await slack.driver.command(command, "start", user=SM, channel=CHANNEL)
    typed = typed_over(limit)
    await slack.driver.command(command, f"{words} {typed}", user=PO, channel=CHANNEL)
    kept = [t for t in await rows(slack, sql) if t]
    assert all(t == typed for t in kept), f"cut to {[len(t) for t in kept]} characters"
    assert kept == [], "nothing is stored"
    said = last_ephemeral(slack, PO).text
    assert f"{limit:,} characters at most; this one has {len(typed):,}." in said, said


async def test_a_title_over_its_limit_is_answered_in_the_same_words(slack):
    await setup_team(slack, "Export invoices")
    typed = typed_over(1000)
    await slack.driver.command("/backlog", f"add {typed}", user=PO, channel=CHANNEL)
    said = last_ephemeral(slack, PO).text
    assert f"Titles can be 250 characters at most; this one has {len(typed):,}." in said, said
    assert await rows(slack, "select title from backlog_items") == ["Export invoices"]


async def test_a_task_title_over_its_limit_is_refused_and_the_tasks_stay(slack):
    await planned(slack)
    before = await rows(slack, "select title from sprint_tasks order by id")
    typed = typed_over(200)
    await cmd(slack, "/sprint", f"task 1 add {typed} 2h", DEV1)
    said = last_ephemeral(slack, DEV1).text
    assert f"A task's title can be 200 characters at most; this one has {len(typed):,}." in said
    assert await rows(slack, "select title from sprint_tasks order by id") == before


async def test_long_text_typed_as_escapes_at_its_limits_stays_within_slacks_limits(slack):
    """`&<>` typed up to each limit (an action item's 500, a sprint goal's 1,000: each
    character 4 or 5 once escaped, so over Slack's 3,000 for a section) and 900 times as a
    reason for taking an item in: the cards, minutes and announcements that show them stay
    within Slack's limits. (QA 7's test typed 900 `&<>` everywhere, relying on the cuts.)"""
    await setup_team(slack, "Export invoices", "Dark mode")
    for number in (1, 2):
        await slack.driver.command("/backlog", f"edit {number}", user=PO, channel=CHANNEL)
        await slack.driver.submit(slack.emulator.open_view(PO), READY, user=PO)
    escape = slack.driver.escape
    note, goal, reason = "&<>" * 166, "&<>" * 333, "&<>" * 900
    for command, words, user in (
        ("/refine", "start", SM),
        ("/refine", f"note {escape(note)}", SM),
        ("/refine", "end", SM),
        ("/planning", "start", SM),
        ("/planning", f"goal {escape(goal)}", PO),
        ("/planning", "next", SM),
        ("/planning", "add 1", SM),
        ("/planning", "commit team", SM),
        ("/sprint", "", DEV1),
        ("/sprint", f"add 2 {escape(reason)}", PO),
    ):
        ack = await slack.driver.command(command, words, user=user, channel=CHANNEL)
        assert ack.status == 200
        assert slack.emulator.problems == [], f"{command} {words[:20]}"
    assert await rows(slack, "select text from action_items") == [note], "kept whole"
    assert await rows(slack, "select goal from sprints") == [goal], "kept whole"
    posted = " ".join(shown(m) for m in slack.emulator.messages(CHANNEL))
    assert "Sprint 1 is committed" in posted and "&<>&<>" in posted
