"""`/planning add` and `/planning drop` said again change nothing: the channel's thread hears
of a real change once, and the person who repeated it is told why nothing happened, privately."""

from __future__ import annotations

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd, setup, thread
from tests.conftest import CHANNEL, SM


async def plan_numbers(slack) -> list[int]:
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        [sprint] = await store.open_sprints(team.id)
        return [si.item.number for si in await store.sprint_items(sprint)]


async def test_adding_or_dropping_an_item_again_is_told_privately_and_changes_nothing(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "add 2")
    await cmd(slack, "/planning", "add 1")
    assert "#1 is in the plan already" in shown(last_ephemeral(slack, SM))
    await cmd(slack, "/planning", "drop 2")
    await cmd(slack, "/planning", "drop 2")
    assert "#2 is not in the plan" in shown(last_ephemeral(slack, SM))
    assert await plan_numbers(slack) == [1]

    said = [shown(m) for m in thread(slack)]
    assert sum("Took #1 into the plan." in s for s in said) == 1, said
    assert sum("Left #2 out of the plan." in s for s in said) == 1, said
    assert not any("in the plan already" in s or "not in the plan" in s for s in said), said


async def test_an_item_never_in_the_plan_is_not_left_out_of_it(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    posts = len(thread(slack))
    await cmd(slack, "/planning", "drop 3")
    assert "#3 is not in the plan" in shown(last_ephemeral(slack, SM))
    assert len(thread(slack)) == posts, "nothing said in the thread"
    assert await plan_numbers(slack) == []
