"""An item removed from the running sprint (a logged renegotiation) is news for its owner, and
for the Product Owner when the Developers removed it: the channel's message mentions them (by
name, never @channel), and never the one who removed it."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_planning_slack import channel_posts, cmd, commit_sprint, setup
from tests.conftest import DEV1, DEV2, PO


async def owned_and_committed(slack: LocalStack, owner: str) -> None:
    """#1 (owned by `owner`) and #3 committed in sprint 1."""
    await setup(slack)
    await backlog(slack, "edit 1")
    await slack.driver.submit(slack.emulator.open_view(PO), {"Owner": owner}, user=PO)
    await commit_sprint(slack, 1, 3)


async def removal_said(slack: LocalStack, user: str) -> str:
    await cmd(slack, "/sprint", "remove 1 the customer postponed it", user)
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    said = shown(channel_posts(slack)[-1])
    assert "<!channel>" not in said and "<!here>" not in said, said
    return said


def told(said: str) -> str:
    """Who the message is addressed to: the mentions before its first sentence."""
    head, _, _ = said.partition("print 1 was renegotiated")
    return head


async def test_a_developer_removing_an_item_tells_its_owner_and_the_po(slack):
    await owned_and_committed(slack, DEV2)
    said = await removal_said(slack, DEV1)
    assert f"<@{PO}>" in told(said) and f"<@{DEV2}>" in told(said), said
    assert f"<@{DEV1}>" not in told(said), "not the one who removed it"
    assert f"<@{DEV1}> removed *#1* Export invoices" in said, said


async def test_the_po_removing_an_item_tells_its_owner_only(slack):
    await owned_and_committed(slack, DEV2)
    said = await removal_said(slack, PO)
    assert said.startswith(f":arrows_counterclockwise: <@{DEV2}>: sprint 1 was renegotiated."), said
    assert f"<@{PO}> removed *#1*" in said, said


async def test_an_owner_removing_their_own_item_is_not_told_of_it(slack):
    await owned_and_committed(slack, DEV2)
    said = await removal_said(slack, DEV2)
    assert said.startswith(f":arrows_counterclockwise: <@{PO}>: sprint 1 was renegotiated."), said


async def test_an_owner_who_is_the_po_is_mentioned_once(slack):
    await owned_and_committed(slack, PO)
    said = await removal_said(slack, DEV1)
    assert said.startswith(f":arrows_counterclockwise: <@{PO}>: sprint 1 was renegotiated."), said


async def test_an_item_added_does_not_call_in_its_owner(slack):
    await owned_and_committed(slack, DEV2)
    await cmd(slack, "/sprint", "remove 1 the customer postponed it", PO)
    slack.clock.advance(timedelta(minutes=5))  # a change of an item is told once per moment
    await cmd(slack, "/sprint", "add 1 the customer wants it back", PO)
    await slack.services.jobs.run_due()
    said = shown(channel_posts(slack)[-1])
    assert said.startswith(":arrows_counterclockwise: Sprint 1 was renegotiated."), said
