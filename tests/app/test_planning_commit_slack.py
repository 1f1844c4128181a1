"""The planning's "I commit" through the real app and the Slack emulator: a double click, a
copy of one click and a replay are one commitment, told once in the meeting's thread; and a
developer away for the whole sprint is not waited for (the thread says they are away)."""

from __future__ import annotations

import asyncio

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_guards import delivered_four_times, replay
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, posted, setup, thread
from tests.conftest import DEV1, DEV2, DEV3, PO, SM


async def at_commitment(slack: LocalStack, days_off: dict[str, str] | None = None) -> object:
    """Sprint 1 planned in a running one-hour meeting (#1, a goal; `days_off` by the
    developers' names, given in the capacity section), at its commitment section: the
    Commitment card."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "next")  # the selection
    await cmd(slack, "/planning", "next")  # the capacity
    if days_off:
        await slack.driver.click("Days off & focus", user=SM, message=thread(slack)[-1])
        form = {f"Days off: {name}": days for name, days in days_off.items()}
        await slack.driver.submit(slack.emulator.open_view(SM), form, user=SM)
    await cmd(slack, "/planning", "next")  # the breakdown
    await cmd(slack, "/planning", "next")  # the commitment
    card = thread(slack)[-1]
    assert "*Commitment.*" in shown(card)
    return card


def commits_said(slack: LocalStack, user: str) -> list[str]:
    """The thread's lines saying `user` commits."""
    return [shown(m) for m in thread(slack) if f"<@{user}> commits" in shown(m)]


async def test_a_double_click_on_i_commit_is_one_commitment_told_once(slack):
    card = await at_commitment(slack)

    await slack.driver.click("I commit", user=DEV1, message=card)
    await slack.driver.click("I commit", user=DEV1, message=card)  # the double click

    [said] = commits_said(slack, DEV1)
    assert f"Waiting for <@{DEV2}>, <@{DEV3}>" in said
    again = shown(last_ephemeral(slack, DEV1))
    assert "You have committed already" in again and f"<@{DEV2}>, <@{DEV3}>" in again

    # Two clicks arriving at once, each of them delivered four times, then one replayed.
    with delivered_four_times(slack.driver):
        acks = await asyncio.gather(
            slack.driver.click("I commit", user=DEV2, message=card),
            slack.driver.click("I commit", user=DEV2, message=card),
        )
    await replay(slack, acks[0].sent, interaction=True)
    assert len(commits_said(slack, DEV2)) == 1, [shown(m) for m in thread(slack)]
    assert len(commits_said(slack, DEV1)) == 1

    await slack.driver.click("I commit", user=DEV3, message=card)
    assert posted(slack, "*Sprint 1 is committed*")


async def test_a_developer_away_the_whole_sprint_is_not_waited_for(slack):
    card = await at_commitment(slack, {"Dmitri Dev": "10"})
    assert "10 days off" in shown(card), "all of Dmitri's ten working days"

    await slack.driver.click("I commit", user=DEV1, message=card)
    [said] = commits_said(slack, DEV1)
    assert f"Waiting for <@{DEV2}>" in said and f"Waiting for <@{DEV2}>, <@{DEV3}>" not in said
    assert f"<@{DEV3}> is away this sprint" in said, said

    await slack.driver.click("I commit", user=DEV2, message=card)
    summary = posted(slack, "*Sprint 1 is committed*")
    assert "1 item, 5 points" in summary, summary
