"""The App Home tab end to end: a user's channels with their sprint, tasks, unready items,
poker votes and meetings, through the Slack emulator."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.domain.backlog import ItemFields
from bot.domain.sprints import set_goal
from bot.emulator.blockcheck import check_view
from bot.emulator.stack import LocalStack
from bot.usecases import sprints
from handlers.blocks.home import TeamHome, WaitingVote, home_view
from storage import models
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
READY = {"hypothesis": "Fewer support tickets", "acceptance_criteria": ["A PDF is attached"]}


async def home(slack: LocalStack, user: str) -> str:
    """Opens the user's Home tab; returns what it shows, as Slack markup."""
    ack = await slack.driver.event({"type": "app_home_opened", "user": user, "tab": "home"})
    assert ack.status == 200
    view = slack.emulator.home(user)
    assert view is not None and view["type"] == "home"
    assert len(view["blocks"]) <= 100
    return json.dumps(view["blocks"], ensure_ascii=False)


async def setup_sprint(slack: LocalStack) -> None:
    """PO and SM by command (the developers are everyone else); items #1-#4; sprint 1 with
    #1 and #2 committed, tasks for Diana and Devon; a past refinement that set a next date."""
    await roles(slack)
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        items = [
            ItemFields(title="Export invoices", estimate=3, owner=DEV1, **READY),
            ItemFields(title="Mail the PDF", estimate=5, **READY),
            ItemFields(title="Dark <mode> & more", owner=DEV1),  # not ready
            ItemFields(title="Legal text", estimate=2, owner=DEV2, **READY),
        ]
        for fields in items:
            await store.add_item(team, fields, PO, now)
        sprint = await sprints.upcoming(store, team, now)
        set_goal(sprint, "Invoices go out as PDF", "")
        await sprints.select(store, team, sprint, [1, 2], {1, 2}, {}, now)
        export = await sprints.set_tasks(store, team, sprint, 1, "Query 2h\nTests 1.5h")
        export.tasks[0].owner, export.tasks[1].owner = DEV1, DEV2
        mail = await sprints.set_tasks(store, team, sprint, 2, "Template 3h")
        mail.tasks[0].owner, mail.tasks[0].done = DEV1, True
        committed = await sprints.commit(
            store, team, sprint, SM, [DEV1, DEV2, DEV3], now, for_team=True
        )
        assert committed.recorded
        store.session.add(
            models.Meeting(
                team_id=team.id,
                open_for=None,
                kind="refinement",
                agenda={"name": "Backlog refinement", "sections": []},
                facilitator=SM,
                status="ended",
                section=0,
                section_started_at=now - timedelta(days=3),
                section_ends_at=now - timedelta(days=3),
                started_at=now - timedelta(days=3),
                ended_at=now - timedelta(days=3),
                data={"next_session": "2026-03-12"},
            )
        )


def poll_message(slack: LocalStack) -> Any:
    [poll] = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.user == "UBOT"
        and m.blocks
        and m.blocks[0].get("type") == "header"
        and m.blocks[0]["text"]["text"] == "Estimation poll"
    ]
    return poll


async def test_home_shows_sprint_tasks_unready_items_votes_and_meetings(slack):
    await setup_sprint(slack)
    await slack.driver.command("/poker", "async 3 for 48h", user=SM, channel=CHANNEL)
    poll = poll_message(slack)
    await slack.driver.click("5", user=DEV2, message=poll)
    slack.clock.set(MONDAY + timedelta(days=1))  # Tuesday

    diana = await home(slack, DEV1)
    # A Developer by default (README, App Home), labelled so: no longer brought by her items.
    assert f"*<#{CHANNEL}>* · Developer · 2 items on the backlog" in diana, "#1, #2 in sprint"
    assert "*Sprint 1* · 9 working days left, ends Fri 13 Mar" in diana
    assert ">Invoices go out as PDF" in diana
    assert "*Your open tasks* · 2h left\\n• *#1* Export invoices: Query · 2h" in diana
    assert "Tests" not in diana and "Template" not in diana, "Devon's task, and a done one"
    assert "*Your items that are not ready yet*" in diana
    assert (
        "• *#3* Dark &lt;mode&gt; &amp; more: no value hypothesis or description; "
        "no acceptance criteria; not estimated"
    ) in diana
    deadline = int((MONDAY + timedelta(hours=48)).timestamp())
    link = f"https://{slack.emulator.team_domain}.slack.com/archives/{CHANNEL}/p"
    link += poll.ts.replace(".", "")
    assert "*Waiting for your vote*" in diana
    assert f"• *#3* Dark &lt;mode&gt; &amp; more · closes <!date^{deadline}^" in diana
    assert f"<{link}|open the poll>" in diana
    assert ":calendar: Sprint planning Mon 16 Mar" in diana
    assert ":mag: Next refinement Thu 12 Mar" in diana
    assert "running now" not in diana

    devon = await home(slack, DEV2)
    assert "Waiting for your vote" not in devon, "Devon has voted"
    assert "• *#1* Export invoices: Tests · 1.5h" in devon
    assert "None of your items needs work before planning." in devon

    dmitri = await home(slack, DEV3)  # no item, no task: a Developer by default, with a vote
    assert f"*<#{CHANNEL}>* · Developer · 2 items on the backlog" in dmitri
    assert "*Waiting for your vote*" in dmitri and "Your open tasks" not in dmitri

    paula = await home(slack, PO)
    assert f"*<#{CHANNEL}>* · Product Owner · 2 items on the backlog" in paula
    assert "Waiting for your vote" not in paula, "the PO watches"

    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    diana = await home(slack, DEV1)
    assert (
        f":hourglass_flowing_sand: Backlog refinement running now: Kick-off, facilitated by <@{SM}>"
    ) in diana

    slack.clock.set(datetime(2026, 3, 13, 9, 0, tzinfo=UTC))  # Friday of week two
    diana = await home(slack, DEV1)
    assert "*Sprint 1* · last working day, ends today" in diana
    assert "Waiting for your vote" not in diana, "the poll's deadline has passed"
    assert "Next refinement" not in diana, "that date is behind us"
    slack.clock.set(datetime(2026, 3, 16, 9, 0, tzinfo=UTC))
    assert "*Sprint 1* · ended Fri 13 Mar, not closed yet" in await home(slack, DEV1)
    assert ":calendar: Sprint planning today" in await home(slack, DEV1)


async def test_a_task_in_the_active_sprint_brings_its_channel_home(slack):
    await setup_sprint(slack)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        sprint = await sprints.require_active(store, team)
        mail = await sprints.find_item(store, team, sprint, 2)
        mail.tasks[0].owner, mail.tasks[0].done = DEV3, False
    dmitri = await home(slack, DEV3)
    assert "• *#2* Mail the PDF: Template · 3h" in dmitri
    assert ":calendar: Sprint planning Mon 16 Mar" in dmitri, "not today: sprint 1 is planned"


async def test_a_user_with_nothing_gets_a_helpful_empty_home(slack):
    nothing = await home(slack, DEV3)
    assert "*Nothing here for you yet.*" in nothing
    assert "`/backlog`" in nothing and "`/timebox help`" in nothing
    assert '"divider"' not in nothing
    await slack.driver.command("/backlog", "add Export invoices", user=DEV1, channel=CHANNEL)
    assert "*Nothing here for you yet.*" in await home(slack, DEV3), "others' work stays theirs"


async def test_other_tabs_are_left_alone(slack):
    await slack.driver.event({"type": "app_home_opened", "user": DEV1, "tab": "messages"})
    assert slack.emulator.home(DEV1) is None


# -- the builder, within Slack's limits -----------------------------------------------------------


def busy_team(n: int) -> TeamHome:
    team = models.Team(
        id=n,
        workspace_id="T0TEAM",
        channel_id=f"C{n:04d}",
        roles=[],
        working_days="mon,tue,wed,thu,fri",
    )
    sprint = models.Sprint(
        number=7, starts_on=date(2026, 3, 2), ends_on=date(2026, 3, 15), goal="G" * 2000
    )
    item = models.BacklogItem(number=n, title="T" * 250, owner=DEV1)
    poll = models.PokerPoll(id=n, voters=[DEV1])
    round_ = models.PokerRound(
        item_number=n, number=2, deadline=datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    )
    return TeamHome(
        team=team,
        today=date(2026, 3, 3),
        roles=("po", "sm", "dev"),
        backlog=n,
        owns_items=True,
        sprint=sprint,
        days_left=9,
        tasks=[(item, models.SprintTask(title="x" * 200, hours=1.5)) for _ in range(20)],
        unready=[(item, ["no acceptance criteria"] * 30) for _ in range(20)],
        votes=[WaitingVote(poll, round_, "T" * 250, "https://example.slack.com/x")] * 9,
        next_planning=date(2026, 3, 16),
        next_refinement=date(2027, 1, 5),
    )


def test_a_full_home_stays_within_100_valid_blocks_and_names_what_did_not_fit():
    view = home_view([busy_team(n) for n in range(1, 31)], MONDAY)
    assert check_view(view) == []
    blocks = view["blocks"]
    assert len(blocks) <= 100
    shown = json.dumps(blocks, ensure_ascii=False)
    assert shown.count('"divider"') == 16, "16 channels of six blocks after the header"
    assert "…and 12 more" in shown and "…and 4 more" in shown
    assert "Sprint planning Mon 16 Mar" in shown and "Next refinement Tue 5 Jan 2027" in shown
    assert "(round 2)" in shown
    last = blocks[-1]["elements"][0]["text"]
    assert last.startswith("Also yours, not shown for lack of room: <#C0017>, <#C0018>")
    assert last.endswith("<#C0030>")


def test_a_channel_without_a_running_sprint_says_so():
    team = models.Team(id=1, workspace_id="T0TEAM", channel_id=CHANNEL, roles=[])
    base = TeamHome(team=team, today=date(2026, 3, 3), roles=("dev",), backlog=1, owns_items=False)
    idle = json.dumps(home_view([base], MONDAY), ensure_ascii=False)
    assert f"*<#{CHANNEL}>* · Developer · 1 item on the backlog\\nNo sprint is running." in idle
    assert "Sprint planning" not in idle and '"context"' in idle, "only the updated line"
    planning = TeamHome(
        team=team,
        today=date(2026, 3, 3),
        roles=(),
        backlog=0,
        owns_items=False,
        planning=models.Sprint(number=2, starts_on=date(2026, 3, 16), ends_on=date(2026, 3, 29)),
        next_planning=date(2026, 3, 16),
        # being planned: its planning meeting runs (without one it is the next to plan)
        meeting=models.Meeting(
            kind="planning", status="running", agenda={"name": "Sprint planning"}, facilitator=SM
        ),
    )
    shown = json.dumps(home_view([planning], MONDAY), ensure_ascii=False)
    assert "0 items on the backlog\\nSprint 2 is being planned." in shown
    assert ":calendar: Sprint planning Mon 16 Mar" in shown


async def test_home_names_the_day_a_scheduled_planning_was_moved_to(slack):
    """The Home tab's next planning is the scheduled one where a move put it, as the
    reminders count down to it; not the sprint calendar's first day."""
    await setup_sprint(slack)
    await slack.driver.command("/planning", "schedule 10:00", user=SM, channel=CHANNEL)
    await slack.driver.command(
        "/timebox", "calendar move 2026-03-16 to 2026-03-17 10:00", user=SM, channel=CHANNEL
    )
    assert ":calendar: Sprint planning Tue 17 Mar" in await home(slack, DEV1)
