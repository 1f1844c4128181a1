# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A Linear team's cycles cannot overlap, and its cycle settings make its future cycles ahead:
a sprint committed in Timebox uses the cycle its dates fall in (its dates kept: they are the
team's cycle schedule), through the real app and the Linear emulator. When every cycle its
dates fall in holds another of Timebox's sprints, the channel is told once, in plain words,
what to do, the sprint's write is retried hourly (never "sending"), and it uses the cycle once
Linear has room for it."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_seeded
from tests.app.test_tracker_sync import committed_sprint
from tests.app.trackers import drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1

TOLD = "is not in Linear yet"


async def status(slack: LocalStack) -> str:
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    return shown(last_ephemeral(slack, DEV1))


async def test_a_sprint_uses_the_cycle_its_dates_fall_in_and_keeps_its_dates(slack, linear):
    keys = await linear_seeded(slack, linear)
    now = slack.clock.now()
    cycle = linear.add_cycle(now - timedelta(days=2), now + timedelta(days=12))
    dates = (cycle.starts, cycle.ends)

    sprint_id = await committed_sprint(slack, keys[:2], "Cards", ahead_days=1)
    await drain(slack)

    assert [c.id for c in linear.cycles.values()] == [cycle.id], "no cycle made beside it"
    assert linear.cycle_keys(cycle.id) == keys[:2], "the sprint's issues in the cycle"
    assert (cycle.starts, cycle.ends) == dates, "its dates are the team's cycle schedule"
    assert cycle.description == "Cards"
    assert [c for c in linear.calls if c.status >= 400] == []
    async with slack.db.transaction() as store:
        assert (await store.sprint_link(sprint_id)).remote_id == cycle.id
    said = await status(slack)
    assert "sending" not in said and "not yet in Linear" not in said, said
    card = await item_by_key(slack, keys[0])
    assert card.tracker_link.pending == 0 and card.tracker_link.error is None
    assert not [m for m in channel_posts(slack) if TOLD in shown(m)]


async def test_a_cycle_another_sprint_uses_is_told_once_and_the_write_waits_for_room(slack, linear):
    keys = await linear_seeded(slack, linear)
    now = slack.clock.now()
    first = await committed_sprint(slack, keys[:1], "Cards")
    await drain(slack)
    async with slack.db.transaction() as store:
        used = (await store.sprint_link(first)).remote_id
        sprint = await store.sprint_by_id(first)
        sprint.status = "closed"  # over here, its cycle still open in Linear
        sprint.ends_on = sprint.starts_on + timedelta(days=1)
    cycle = linear.cycles[used]
    cycle.ends = (now + timedelta(days=40)).timestamp() * 1000  # Linear's cycle runs on
    dates = (cycle.starts, cycle.ends)

    await committed_sprint(slack, keys[1:2], "Refunds", ahead_days=3)
    await drain(slack)

    assert list(linear.cycles) == [used], "no cycle made over the one Sprint 1 uses"
    assert linear.cycle_keys(used) == keys[:1], "Sprint 2's issue not put in Sprint 1's cycle"
    assert (cycle.starts, cycle.ends) == dates
    posts = [shown(m) for m in channel_posts(slack) if TOLD in shown(m)]
    assert len(posts) == 1, posts
    assert "Sprint 2 is not in Linear yet" in posts[0] and "(used by Sprint 1)" in posts[0], posts
    assert "tries again every hour" in posts[0], posts
    said = await status(slack)
    assert "sending" not in said and "in step" not in said, said
    assert "Sprint 2 not yet in Linear: retrying (Linear cycles cannot overlap" in said, said
    card = shown(await backlog(slack, f"show {(await item_by_key(slack, keys[1])).number}"))
    assert "does not try again" not in card, card

    await later(slack, 3600)
    assert len([m for m in channel_posts(slack) if TOLD in shown(m)]) == 1, "told once"

    cycle.ends = (now + timedelta(days=2)).timestamp() * 1000  # room made in Linear
    fresh = linear.add_cycle(now + timedelta(days=2), now + timedelta(days=16), name="Next")
    await later(slack, 3600)
    assert linear.cycle_keys(fresh.id) == keys[1:2], "the cycle its dates fall in, used"
    said = await status(slack)
    assert "not yet in Linear" not in said, said
