# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A channel connected to a Linear team, as a team uses it: an issue restored from Linear's
trash comes back as its archived item (no copy), a write refused with Linear's RATELIMITED
answer lands once after the reset, and Linear-made titles with mentions never ping as their
issue is canceled and deleted."""

from __future__ import annotations

from datetime import timedelta

from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected, linear_seeded
from tests.app.trackers import drain, item_by_key, items, later
from tests.conftest import CHANNEL, PO

SYNC = 600
HOUR = 3601


async def test_an_issue_restored_from_linears_trash_comes_back_as_its_item(slack, linear):
    keys = await linear_seeded(slack, linear)
    card = await item_by_key(slack, keys[1])
    linear.remove_issue(keys[1])
    await later(slack, HOUR)
    [gone] = [i for i in await items(slack, include_closed=True) if i.id == card.id]
    assert gone.archived_at is not None
    slack.clock.advance(timedelta(minutes=5))
    issue = linear.issues[keys[1]]
    issue.trashed, issue.archived = False, None  # restored from the trash in Linear
    linear.touch(keys[1])
    await later(slack, SYNC)
    await later(slack, HOUR)

    every = await items(slack, include_closed=True)
    refunds = [i for i in every if i.title == "Refunds"]
    assert len(refunds) == 1, [(i.number, i.archived_at, i.tracker_link) for i in refunds]
    assert refunds[0].archived_at is None


async def test_a_ratelimited_edit_lands_once_after_the_reset(slack, linear):
    keys = await linear_seeded(slack, linear)
    number = (await item_by_key(slack, keys[0])).number
    linear.rate_limit_next(route="UpdateIssue", reset_in=120)
    await backlog(slack, f"edit {number}")
    await slack.driver.submit(
        slack.emulator.open_view(PO), {"Title": "Pay by card or wallet"}, user=PO
    )
    await drain(slack)
    card = shown(await backlog(slack, f"show {number}"))
    assert "not yet in Linear" in card, card
    await later(slack, 121)
    assert linear.issues[keys[0]].title == "Pay by card or wallet"
    ok = [c for c in linear.calls_to("UpdateIssue") if c.status == 200]
    assert len(ok) == 1
    card = shown(await backlog(slack, f"show {number}"))
    assert "not yet in Linear" not in card, card
    assert not [m for m in channel_posts(slack) if "Linear" in shown(m)], [
        shown(m) for m in channel_posts(slack)
    ]


async def test_a_linear_title_with_mentions_never_pings_when_its_issue_goes(slack, linear):
    linear.add_issue("Pay by card")
    bad = linear.add_issue("<!channel> refund <@U0PO> *now* =cmd|' /C calc'!A0").identifier
    await linear_connected(slack, linear)
    await backlog(slack, "")
    slack.clock.advance(timedelta(minutes=1))
    linear.edit(bad, state="Canceled")
    await later(slack, SYNC)
    linear.remove_issue(bad)
    await later(slack, HOUR)
    for m in slack.emulator.messages(CHANNEL):
        raw = (m.text or "") + str(m.blocks)
        assert "<!channel>" not in raw and "<@U0PO>" not in raw, raw
    for m in slack.emulator.ephemerals(CHANNEL, PO):
        raw = (m.text or "") + str(m.blocks)
        assert "<!channel>" not in raw and "<@U0PO>" not in raw, raw
