"""The Home tab shows a channel only to someone who works in it (README, App Home): named in a
role, or a Developer as "everyone else" of a channel they are in. QA: with the Developers named,
Arjun, in the channel without a role, saw the team (its backlog, sprint goal, meetings) with no
role label, because he owned an item there; a task or a vote asked of him did the same."""

from __future__ import annotations

from bot.domain.backlog import ItemFields
from bot.domain.sprints import set_goal
from bot.usecases import sprints
from tests.app.test_home_slack import READY, home
from tests.app.test_poker_slack import poker
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

NOTHING = "*Nothing here for you yet.*"


async def named_developers_and_dmitris_work(slack) -> None:
    """Paula PO, Sam SM, Diana and Devon named as the Developers; Dmitri, in the channel with
    no role, owns an item, has a task in the running sprint and is a named voter of a poll."""
    await roles(slack)
    ack = await slack.driver.command(
        "/timebox", f"roles dev <@{DEV1}|diana> <@{DEV2}|devon>", user=PO, channel=CHANNEL
    )
    assert ack.status == 200
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        await store.add_item(
            team, ItemFields(title="Export invoices", estimate=3, **READY), PO, now
        )
        await store.add_item(team, ItemFields(title="Dark mode", owner=DEV3), PO, now)
        sprint = await sprints.upcoming(store, team, now)
        set_goal(sprint, "Invoices go out as PDF", "")
        await sprints.select(store, team, sprint, [1], {1}, {}, now)
        export = await sprints.set_tasks(store, team, sprint, 1, "Query 2h")
        export.tasks[0].owner = DEV3
        committed = await sprints.commit(store, team, sprint, SM, [DEV1, DEV2], now, for_team=True)
        assert committed.recorded
    await poker(slack, f"async 2 for 24h voters <@{DEV1}|diana> <@{DEV3}|dmitri>")


async def test_someone_without_a_role_sees_no_team_for_their_item_task_or_vote(slack):
    await named_developers_and_dmitris_work(slack)

    dmitri = await home(slack, DEV3)

    assert NOTHING in dmitri, dmitri
    assert f"<#{CHANNEL}>" not in dmitri and "Invoices go out as PDF" not in dmitri
    diana = await home(slack, DEV1)
    assert f"*<#{CHANNEL}>* · Developer · 1 item on the backlog" in diana, diana
    assert "*Waiting for your vote*" in diana and ">Invoices go out as PDF" in diana


async def test_a_default_developer_shows_as_one_whatever_brought_the_channel(slack):
    await roles(slack)  # the Developers are everyone else in the channel: Dmitri is one
    await slack.driver.command("/backlog", "add Export invoices", user=DEV1, channel=CHANNEL)
    await poker(slack, "async 1 for 24h")

    dmitri = await home(slack, DEV3)

    assert f"*<#{CHANNEL}>* · Developer · 1 item on the backlog" in dmitri, dmitri
    assert "*Waiting for your vote*" in dmitri
