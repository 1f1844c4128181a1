"""A sprint's points through the real app: what planning may take in, what the sprint card, the
burndown and the close say is left and done (the same figures, from the items' estimates now,
on the team's days), a sprint planned after its calendar slot began, and a sprint start that is
not a working day."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain import charts
from bot.domain import sprints as rules
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_planning_slack import (
    close_sprint,
    cmd,
    commit_sprint,
    posted,
    setup,
    thread,
)
from tests.conftest import CHANNEL, DEV1, PO, SM

ESTIMATE = "Estimate (story points)"


async def card(slack: LocalStack, user: str = DEV1) -> str:
    await cmd(slack, "/sprint", "", user)
    return shown(last_ephemeral(slack, user))


def uploads(slack: LocalStack, name: str) -> list[tuple[str, bytes]]:
    """The comment and the content of each file called `name` posted in the channel."""
    found = []
    for message in slack.emulator.messages(CHANNEL):
        for file in message.files or []:
            if slack.emulator.files[file["id"]].name == name:
                found.append((message.text, slack.emulator.files[file["id"]].content))
    return found


async def burndown(slack: LocalStack) -> str:
    """`/sprint burndown`: the comment of the chart it posted."""
    await cmd(slack, "/sprint", "burndown", DEV1)
    return uploads(slack, "burndown.png")[-1][0]


async def reestimate(slack: LocalStack, number: int, points: str) -> None:
    """The PO changes an item's estimate in its form (as a sync from the tracker would)."""
    await backlog(slack, f"edit {number}")
    await slack.driver.submit(slack.emulator.open_view(PO), {ESTIMATE: points}, user=PO)


# -- 1: what planning takes in -------------------------------------------------------------------


async def test_planning_refuses_done_and_archived_items_as_the_sprint_does(slack):
    await setup(slack)  # #1 (5), #2 (8), #3 (3) ready; #4 not
    await backlog(slack, "done 1")
    await backlog(slack, "remove 2")
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    assert "#1 is done: only backlog items can come in" in last_ephemeral(slack, SM).text
    await cmd(slack, "/planning", "add 2 we need it")
    assert "#2 is archived: only backlog items can come in" in last_ephemeral(slack, SM).text
    await cmd(slack, "/planning", "add 3")
    await cmd(slack, "/planning", "goal By the end we expect an audit log", PO)
    await cmd(slack, "/planning", "commit team")
    committed = posted(slack, "*Sprint 1 is committed*")
    assert "1 item, 3 points" in committed, committed
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = await store.open_sprints(team.id)
        numbers = [si.item.number for si in await store.sprint_items(sprint, include_removed=True)]
        assert numbers == [3]
        done = await store.items_by_number(team.id, [1])
        assert [i.status for i in done] == ["done"], "a done item stays done"


# -- 2: the card, the burndown and the close agree -----------------------------------------------


async def test_the_card_the_burndown_and_the_close_count_the_estimates_as_they_are_now(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)  # Monday 2 March: #1 (5) and #3 (3), 8 points committed
    await reestimate(slack, 3, "5")  # the team learnt more: 10 points of work now
    await cmd(slack, "/sprint", "done 1", DEV1)
    assert "5 of 10 points done" in await card(slack)
    assert "5 points left of 8 points at the commitment." in await burndown(slack)

    slack.clock.advance(timedelta(days=1))
    await cmd(slack, "/sprint", "done 3", DEV1)
    assert "10 of 10 points done" in await card(slack)
    assert "0 points left of 8 points at the commitment." in await burndown(slack)
    closed = await close_sprint(slack, "Yes")
    assert (
        "*Sprint 1 closed:* every item done: 10 points completed (8 at the commitment); "
        "velocity is now 10." in closed
    ), closed
    assert "Back at the top" not in closed


async def test_the_close_counts_what_was_added_and_left_undone(slack):
    await setup(slack)
    await commit_sprint(slack, 1)  # 5 points committed
    await cmd(slack, "/sprint", "add 3 the auditors asked", DEV1)
    await cmd(slack, "/sprint", "done 1", DEV1)
    assert "5 of 8 points done" in await card(slack)
    said = await burndown(slack)
    assert "3 points left of 5 points at the commitment, after 1 scope change." in said, said
    closed = await close_sprint(slack, "Partly")
    assert "*Sprint 1 closed:* 5 of 8 points completed (5 at the commitment)" in closed, closed
    assert "Back at the top of the product backlog for the PO to order: #3." in closed

    # right after the close: the sprint just closed, or any sprint by its number
    assert "asked for sprint 1 burndown" in await burndown(slack)
    before = len(uploads(slack, "burndown.png"))
    await cmd(slack, "/sprint", "burndown 1", DEV1)
    assert len(uploads(slack, "burndown.png")) == before + 1
    assert "asked for sprint 1 burndown" in uploads(slack, "burndown.png")[-1][0]
    await cmd(slack, "/sprint", "burndown 9", DEV1)
    refused = last_ephemeral(slack, DEV1).text
    assert "This channel has no sprint 9 (its sprints: 1 to 2). Name one of those" in refused


async def test_the_burndown_counts_days_in_the_teams_time_zone_and_shows_re_estimates(slack):
    """Berlin's team: an item done at 00:30 on Tuesday is Tuesday's, not Monday's (23:30 UTC),
    in points and in hours; a re-estimate shows on the day it was made."""
    await setup(slack)
    await commit_sprint(slack, 1, 3)  # Monday 2 March, 10:00 in Berlin: 8 points
    await reestimate(slack, 1, "8")  # Monday: 11 points left
    await cmd(slack, "/sprint", "task 3 add Audit table 4h", DEV1)
    slack.clock.set(datetime(2026, 3, 2, 23, 30, tzinfo=UTC))  # Tuesday 00:30 in Berlin
    await cmd(slack, "/sprint", "done 3", DEV1)
    slack.clock.set(datetime(2026, 3, 4, 12, 0, tzinfo=UTC))  # Wednesday
    await cmd(slack, "/sprint", "done 1", DEV1)
    summary = await burndown(slack)
    assert "0 points left of 8 points at the commitment." in summary
    await cmd(slack, "/sprint", "burndown hours", DEV1)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = await store.open_sprints(team.id)
        workdays = rules.sprint_working_days(team, sprint)

    def by_day(values: list[float]) -> list[tuple[date, float]]:
        return [(sprint.starts_on + timedelta(days=n), left) for n, left in enumerate(values)]

    drawn = charts.burndown_chart(sprint, by_day([11, 8, 0]), working_days=workdays)
    assert uploads(slack, "burndown.png")[-1][1] == drawn, "Monday 11, Tuesday 8, Wednesday 0"
    in_hours = charts.burndown_chart(
        sprint, by_day([4, 0, 0]), working_days=workdays, hours_at_start=4.0
    )
    assert uploads(slack, "burndown-hours.png")[-1][1] == in_hours, "the task's 4h left Monday"


# -- 3: planning after the sprint's slot began ---------------------------------------------------


async def test_a_sprint_planned_late_keeps_its_end_and_counts_the_days_left(slack):
    """Sprints from Monday 30 November; planned on Friday 4 December, sprint 1 keeps its slot
    (it ends on Sunday 13, sprint 2 opens on Monday 14) but runs from the Friday: its
    capacity, days left and burndown count the 6 working days from then, not the 4 gone."""
    slack.clock.set(datetime(2026, 11, 27, 9, 0, tzinfo=UTC))
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-11-30", PO)
    slack.clock.set(datetime(2026, 12, 4, 9, 0, tzinfo=UTC))
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    capacity = shown(thread(slack)[-1])
    assert "3 developers × 6 working days (4 of its slot went by before planning)" in capacity
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "commit team")
    committed = posted(slack, "*Sprint 1 is committed*")
    assert "(04 Dec to 11 Dec: planned 4 working days into its slot, it counts the 6 left)" in (
        committed
    ), committed
    assert "Fri 04 Dec to Fri 11 Dec · 6 working days left" in await card(slack)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = await store.open_sprints(team.id)
        assert rules.sprint_working_days(team, sprint)[0].isoformat() == "2026-12-04"
        assert sprint.capacity is not None and sprint.capacity["working_days"] == 6
    slack.clock.set(datetime(2026, 12, 14, 8, 0, tzinfo=UTC))
    closed = await close_sprint(slack, "Yes")
    assert "Sprint 2 opens Mon 14 Dec" in closed, "the cadence holds"


# -- 4: a start on a day off ---------------------------------------------------------------------


async def test_a_sprint_start_on_a_day_off_is_noted_in_the_settings(slack):
    async def start(day: str) -> str:
        """The settings as `/timebox settings start <day>` answers them."""
        await cmd(slack, "/timebox", f"settings start {day}", PO)
        return shown(last_ephemeral(slack, PO))

    await setup(slack)
    answer = await start("2026-12-05")  # a Saturday typed moves to the Monday, said so
    assert "not set → Monday 07 December 2026" in answer and "not a working day of" in answer
    await cmd(slack, "/timebox", "settings days tue-fri", PO)  # then Monday is a day off
    answer = shown(last_ephemeral(slack, PO))
    assert (
        "Monday 07 December 2026 _(not a working day: each sprint starts on a day off; "
        "`/timebox settings start 2026-12-08` starts them on a working day)_" in answer
    ), answer
    await cmd(slack, "/timebox", "settings days mon-fri", PO)
    await cmd(slack, "/timebox", "settings country es", PO)
    answer = await start("2026-12-08")  # the Immaculate Conception
    assert (
        "Tuesday 08 December 2026 _(a public holiday: the first sprint's first working day "
        "is Wednesday 09 December)_" in answer
    ), answer
    answer = await start("2026-12-07")
    assert "not a working day" not in answer and "public holiday" not in answer
