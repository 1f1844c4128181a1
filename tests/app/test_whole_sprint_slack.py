"""A whole sprint played through the real app and the Slack emulator (issue 13, "done when"):
refinement, an async estimation poll, planning with tasks and their owners, three days of task
progress with the burndown in hours, the close, and the next planning on the velocity horizon.

The emulator's clock moves the days (what fell due in between runs); nothing sleeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain import tasks
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import channel_posts, close_sprint, cmd
from tests.app.test_poker_slack import board, estimate_of, replies
from tests.app.test_ready_slack import ready
from tests.app.test_refine_slack import thread as refinement_thread
from tests.app.test_sprint_tasks_slack import menu
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

STORY = {"Value hypothesis": "By doing it we expect happier users", "Acceptance criteria": "works"}
TASKS_FORM = "Tasks, one per line with hours"


async def at(slack: LocalStack, day: int, hour: int, minute: int = 0) -> None:
    """March `day`, 2026, `hour`:`minute` UTC: what fell due by then has run."""
    slack.clock.set(datetime(2026, 3, day, hour, minute, tzinfo=UTC))
    await slack.services.jobs.run_due()
    await slack.settle()


def planning_thread(slack: LocalStack) -> list[Any]:
    """The thread of the newest planning meeting (there are two in a whole sprint)."""
    agenda = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and "Sprint planning" in shown(m) and not m.thread_ts
    ][-1]
    return slack.emulator.thread(CHANNEL, agenda.ts)[1:]


async def edit(slack: LocalStack, number: int, fields: dict[str, str]) -> None:
    await backlog(slack, f"edit {number}")
    await slack.driver.submit(slack.emulator.open_view(PO), fields, user=PO)


async def task(slack: LocalStack, text: str, user: str) -> str:
    """`/sprint task ...`: the private answer, as shown."""
    await cmd(slack, "/sprint", f"task {text}", user)
    return shown(last_ephemeral(slack, user))


async def hours_by_day(slack: LocalStack) -> list[tuple[str, float]]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = [s for s in await store.sprints(team.id) if s.number == 1]
        rows = await store.task_progress(sprint)
        days = tasks.hours_by_day(sprint, rows, slack.clock.now().date(), UTC)
        return [(f"{day:%a}", left) for day, left in days]


async def uploaded(slack: LocalStack, name: str) -> Any:
    [message] = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.files and slack.emulator.files[m.files[0]["id"]].name == name
    ][-1:]
    return message


async def test_a_whole_sprint_from_refinement_to_the_next_planning(slack):
    await roles(slack)
    for title in ("Export invoices", "Dark mode", "Audit log", "Search", "Reports"):
        await backlog(slack, f"add {title}", user=DEV1)

    # Monday 2 March, 09:00 UTC: refinement. Triage keeps the new items; the deep dive makes
    # the top three stories ready but for #1's estimate, which the poll below gives.
    await cmd(slack, "/refine", "start 45m")
    await cmd(slack, "/refine", "next")
    for _ in range(5):
        await slack.driver.click("Keep", user=PO, message=refinement_thread(slack)[-1])
    await cmd(slack, "/refine", "next")
    dives = {n: m for m in refinement_thread(slack) for n in (1, 2, 3) if f": #{n}*" in shown(m)}
    for number, estimate in ((1, ""), (2, "8"), (3, "3")):
        await slack.driver.click("Write hypothesis", user=PO, message=dives[number])
        fields = {**STORY, "Estimate (story points)": estimate} if estimate else STORY
        await slack.driver.submit(slack.emulator.open_view(PO), fields, user=PO)
    await cmd(slack, "/refine", "next")
    await cmd(slack, "/refine", "end")
    minutes = shown(refinement_thread(slack)[-1])
    assert "*Minutes of the Backlog refinement*" in minutes and "*Refined:* 3" in minutes
    await edit(slack, 4, {**STORY, "Estimate (story points)": "3"})
    await edit(slack, 5, {"Estimate (story points)": "5"})  # no hypothesis: not ready

    # An async poll estimates #1 by 11:00.
    await cmd(slack, "/poker", "async 1 for 2h")
    poll = board(slack)
    for dev in (DEV1, DEV2, DEV3):
        await slack.driver.click("5", user=dev, message=poll)
    await at(slack, 2, 11)
    [result] = replies(slack, poll)
    await slack.driver.click("Accept 5", user=SM, message=result)
    assert await estimate_of(slack, 1) == 5.0

    # 13:00: sprint planning, from the goal to the commitment, with tasks and their owners.
    await at(slack, 2, 13)
    await cmd(slack, "/planning", "start")
    await slack.driver.click("Write the sprint goal", user=PO, message=planning_thread(slack)[-1])
    goal = "By the end of this sprint we expect invoices customers can download"
    await slack.driver.submit(
        slack.emulator.open_view(PO), {"The outcome this sprint should bring": goal}, user=PO
    )
    await cmd(slack, "/planning", "next")
    await slack.driver.click("Choose items", user=DEV1, message=planning_thread(slack)[-1])
    chosen = {"items": ["1", "2", "3"], "goal_items": ["1", "3"]}
    await slack.driver.submit(slack.emulator.open_view(DEV1), chosen, user=DEV1)
    await cmd(slack, "/planning", "next")
    capacity = planning_thread(slack)[-1]
    await slack.driver.click("Days off & focus", user=SM, message=capacity)
    await slack.driver.submit(
        slack.emulator.open_view(SM),
        {"Days off: Diana Dev": "2", "First forecast (points)": "15"},
        user=SM,
    )
    await cmd(slack, "/planning", "next")
    breakdown = planning_thread(slack)[-1]
    await slack.driver.click("Tasks", user=DEV1, message=breakdown)
    await slack.driver.submit(
        slack.emulator.open_view(DEV1),
        {TASKS_FORM: "Design the query 3h\nBuild the PDF 8h\nTests 2h"},
        user=DEV1,
    )
    await task(slack, "2 add Dark palette 6h", DEV3)
    await task(slack, "2 add Settings toggle 4h", DEV3)
    await task(slack, "3 add Audit table 5h", DEV2)
    for text, dev in (
        ("1 1", DEV1),
        ("1 2", DEV1),
        ("1 3", DEV2),
        ("2 1", DEV3),
        ("2 2", DEV3),
        ("3 1", DEV2),
    ):
        await task(slack, f"{text} owner me", dev)
    how = shown(slack.emulator.find_message(CHANNEL, breakdown.ts))
    assert "So far 6 tasks, 28h, for 3 of 3 items." in how, "the How card counts them"
    status = shown(slack.emulator.find_message(CHANNEL, capacity.ts))
    assert "*Selection:* 16 points in 3 items, 107% of the forecast" in status
    assert "*Tasks:* 28 of 168 hours" in status
    assert sum("*Capacity:*" in shown(m) for m in planning_thread(slack)) == 1

    await cmd(slack, "/planning", "next")
    commit = planning_thread(slack)[-1]
    before = len(channel_posts(slack))
    for dev in (DEV1, DEV2, DEV3):
        await slack.driver.click("I commit", user=dev, message=commit)
    [committed] = channel_posts(slack)[before:]
    assert "*Sprint 1 is committed* (02 Mar to 13 Mar)" in shown(committed)
    assert "3 items, 16 points against a forecast of 15 (107%)" in shown(committed)
    assert "The planning meeting has ended" in shown(committed)

    # Three days of task progress, by command and by the task cards' menus.
    await at(slack, 3, 10)  # Tuesday
    await cmd(slack, "/sprint", "task 1", DEV1)
    await menu(slack, last_ephemeral(slack, DEV1), "Design the query", "Done", DEV1)
    await task(slack, "1 2 left 5", DEV1)
    await task(slack, "2 1 left 3", DEV3)
    assert "*Your open tasks* · 7h left" in await home(slack, DEV3)
    await at(slack, 4, 10)  # Wednesday
    await task(slack, "1 2 done", DEV1)
    answer = await task(slack, "1 3 done", DEV2)
    assert "Every task is done: `/sprint done 1`" in answer
    await cmd(slack, "/sprint", "done 1", DEV1)
    await task(slack, "3 1 left 2", DEV2)
    await at(slack, 5, 10)  # Thursday
    await task(slack, "2 1 done", DEV3)
    await task(slack, "2 2 left 1", DEV3)
    await task(slack, "3 1 done", DEV2)
    await cmd(slack, "/sprint", "done 3", DEV2)
    await cmd(slack, "/sprint", "", DEV1)
    card = shown(last_ephemeral(slack, DEV1))
    assert "1h of 28h of tasks left" in card and "8 of 16 points done" in card
    assert (
        f"*#2* Dark mode · 8 pts · _not for the goal_ · tasks 1/2 (10h) · 1h left · <@{DEV3}>"
        in card
    )
    await cmd(slack, "/sprint", "burndown hours", SM)
    chart = await uploaded(slack, "burndown-hours.png")
    assert "burndown in hours. 1h left of 28h at the commitment." in chart.text
    assert await hours_by_day(slack) == [("Mon", 28.0), ("Tue", 19.0), ("Wed", 9.0), ("Thu", 1.0)]

    # The close, on Friday of the second week: velocity from what was done.
    await at(slack, 13, 16)
    closed = await close_sprint(slack, "Mostly")
    assert "*Sprint 1 closed:* 8 of 16 committed points completed; velocity is now 8." in closed
    assert "Back at the top of the product backlog for the PO to order: #2." in closed

    # Monday 16 March: the next planning looks two sprints of velocity ahead.
    await at(slack, 16, 9)
    report = shown(await ready(slack))
    assert "*Ready coverage: 1.4 sprints* (11 ready points at a velocity of 8)" in report
    assert "The horizon is the top 3 items, about two sprints (16 points)" in report
    await cmd(slack, "/planning", "start")
    await cmd(slack, "/planning", "next")
    selection = shown(planning_thread(slack)[-1])
    assert "The top ready items up to the forecast of 8 points: #2 Dark mode." in selection
