"""Issue 13 through the real app and the Slack emulator: tasks with an owner, hours, what is
left and done (point 2); people's names, not Slack ids, in files (point 4); no more days off
than the sprint has (point 6); and a channel that hears only what the team needs (point 9)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import channel_posts, cmd, png_size, setup, thread
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PEOPLE, PO, SM

OTHER_CHANNEL = "C0OTHER"
TASKS_FORM = "Tasks, one per line with hours"


async def planned(slack: LocalStack, *, tasks: bool = True) -> None:
    """Sprint 1 planned in a running meeting: #1 Export invoices (5) and #3 Audit log (3), a
    goal, and (`tasks`) #1's two tasks added by Diana."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "add 3")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    if tasks:
        await cmd(slack, "/sprint", "task 1 add Design the query 2h", DEV1)
        await cmd(slack, "/sprint", "task 1 add Build the PDF 6h", DEV1)


async def committed(slack: LocalStack) -> None:
    await planned(slack)
    await cmd(slack, "/planning", "commit team")


async def menu(slack: LocalStack, card: Any, title: str, choice: str, user: str) -> None:
    """Picks `choice` in the menu of the task titled `title` on a task card."""
    [block] = [
        b
        for b in card.blocks
        if (b.get("accessory") or {}).get("action_id") == "sprint_task"
        and title in b["text"]["text"]
    ]
    ack = await slack.driver.act(card, block["block_id"], "sprint_task", choice, user=user)
    assert ack is not None and ack.status == 200


def private(slack: LocalStack, user: str, channel: str = CHANNEL) -> str:
    ephemerals = [e for e in slack.emulator.ephemerals(channel, user) if not e.deleted]
    return shown(ephemerals[-1])


def bot_messages(slack: LocalStack) -> list[Any]:
    """Every message of the bot in the channel, threads included, as it stands."""
    found = []
    for message in slack.emulator.messages(CHANNEL):
        if message.user != "UBOT":
            continue
        found += [m for m in slack.emulator.thread(CHANNEL, message.ts) if m.user == "UBOT"]
    return found


async def task_states(slack: LocalStack) -> list[tuple[str, float, float, bool, str | None]]:
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        sprint = (await store.open_sprints(team.id))[0]
        return [
            (t.title, t.hours, t.remaining, t.done, t.owner)
            for si in await store.sprint_items(sprint)
            for t in si.tasks
        ]


# -- point 2: tasks ------------------------------------------------------------------------------


async def test_tasks_get_an_owner_hours_what_is_left_and_done_by_command_and_menu(slack):
    await committed(slack)
    await cmd(slack, "/sprint", "task 1 1 owner me", DEV1)
    assert f"*Design the query*: 2h left, <@{DEV1}>'s." in private(slack, DEV1)
    await cmd(slack, "/sprint", f"task 1 2 owner <@{DEV2}|devon>", DEV1)
    await cmd(slack, "/sprint", "task 1 2 left 1", PO)
    assert "changed by its owner or by one of the team's developers" in private(slack, PO)
    await cmd(slack, "/sprint", f"task 1 2 owner <@{PO}|paula>", DEV2)
    assert "owned by the team's developers, and the person you named is not one" in private(
        slack, DEV2
    )
    await cmd(slack, "/sprint", "task 1 2 left 4", DEV2)
    card = private(slack, DEV2)
    assert f"`2` :black_square_button: Build the PDF · 6h, 4h left · <@{DEV2}>" in card
    assert "*#1* Export invoices · tasks 0/2 done · 6h of 8h left" in card
    await cmd(slack, "/sprint", "task 1 3 done", DEV2)
    assert "#1 has 2 tasks: `/sprint task 1` lists them." in private(slack, DEV2)

    # The sprint shows each item's progress, with a way to its tasks.
    await cmd(slack, "/sprint", "", DEV1)
    sprint = last_ephemeral(slack, DEV1)
    assert "6h of 8h of tasks left" in shown(sprint)
    assert f"tasks 0/2 (8h) · 6h left · <@{DEV1}>, <@{DEV2}>" in shown(sprint)
    assert "*#3* Audit log · 3 pts · no tasks yet" in shown(sprint)
    await slack.driver.click("Tasks", user=DEV1, message=sprint)
    card = last_ephemeral(slack, DEV1)
    await menu(slack, card, "Design the query", "Done", DEV1)
    redrawn = last_ephemeral(slack, DEV1)
    assert redrawn.ts == card.ts, "the card the menu was on, redrawn"
    assert "tasks 1/2 done · 4h of 8h left" in shown(redrawn)
    assert "`1` :white_check_mark: Design the query · 2h" in shown(redrawn)
    await menu(slack, redrawn, "Build the PDF", "Take it", DEV3)
    assert await task_states(slack) == [
        ("Design the query", 2.0, 0.0, True, DEV1),
        ("Build the PDF", 6.0, 4.0, False, DEV3),
    ]

    # The App Home lists each developer's open tasks.
    assert "*Your open tasks* · 4h left" in await home(slack, DEV3)
    assert "Export invoices: Build the PDF · 4h left of 6h" in await home(slack, DEV3)
    assert "Your open tasks" not in await home(slack, DEV1), "Diana's task is done"


async def test_a_ticked_line_in_the_tasks_form_is_a_done_task_not_a_title(slack):
    await committed(slack)
    await cmd(slack, "/sprint", "tasks 3", DEV1)
    form = slack.emulator.open_view(DEV1)
    await slack.driver.submit(
        form, {TASKS_FORM: "[x] Audit schema 2h\nWrite the log 3h, 1h left"}, user=DEV1
    )
    assert "#3: 2 tasks, 5h." in private(slack, DEV1)
    await cmd(slack, "/sprint", "", DEV1)
    assert "tasks 1/2 (5h) · 1h left" in shown(last_ephemeral(slack, DEV1))
    states = await task_states(slack)
    assert ("Audit schema", 2.0, 0.0, True, None) in states
    assert ("Write the log", 3.0, 1.0, False, None) in states
    await cmd(slack, "/sprint", "tasks 3", DEV1)
    lines = slack.emulator.open_view(DEV1).blocks[1]["element"]["initial_value"]
    assert lines == "[x] Audit schema 2h\nWrite the log 3h, 1h left", "as saved"


async def test_the_planning_how_card_counts_tasks_and_hours_as_they_are_added(slack):
    await planned(slack, tasks=False)
    for _ in range(3):  # selection, capacity, the task breakdown
        await cmd(slack, "/planning", "next")
    breakdown = thread(slack)[-1]
    assert "*#1* Export invoices · 0 tasks, 0h" in shown(breakdown)
    await slack.driver.click("Tasks", user=DEV2, message=breakdown)
    await slack.driver.submit(
        slack.emulator.open_view(DEV2),
        {TASKS_FORM: "Design DB query 2h\nBuild the PDF 6h"},
        user=DEV2,
    )
    await cmd(slack, "/sprint", "task 3 add Audit table 3h", DEV3)
    card = shown(slack.emulator.find_message(CHANNEL, breakdown.ts))
    assert "So far 3 tasks, 11h, for 2 of 2 items." in card
    assert "*#1* Export invoices · 2 tasks, 8h" in card and "*#3* Audit log · 1 task, 3h" in card
    capacity = [m for m in thread(slack) if "Days off & focus" in shown(m)]
    assert len(capacity) == 1 and "*Tasks:* 11 of 180 hours" in shown(capacity[0])


async def test_the_burndown_is_drawn_in_hours_too(slack):
    await committed(slack)  # Monday 09:00: 8h of tasks at the commitment
    slack.clock.advance(timedelta(hours=1))
    await cmd(slack, "/sprint", "task 3 add Audit table 4h", DEV1)
    await cmd(slack, "/sprint", "task 1 1 done", DEV1)
    slack.clock.set(datetime(2026, 3, 3, 10, 0, tzinfo=UTC))
    await cmd(slack, "/sprint", "task 1 2 left 3", DEV2)
    slack.clock.set(datetime(2026, 3, 4, 10, 0, tzinfo=UTC))
    await cmd(slack, "/sprint", "task 3 1 done", DEV3)
    await cmd(slack, "/sprint", "burndown hours", DEV1)
    await cmd(slack, "/sprint", "burndown", DEV1)
    uploads = [m for m in slack.emulator.messages(CHANNEL) if m.files]
    charts = {slack.emulator.files[m.files[0]["id"]].name: m for m in uploads}
    hours = charts["burndown-hours.png"]
    assert png_size(slack.emulator.files[hours.files[0]["id"]].content) == (1000, 500)
    assert "asked for sprint 1 burndown in hours. 3h left of 8h at the commitment." in hours.text
    assert "8 points left of 8 points at the commitment." in charts["burndown.png"].text


# -- point 4: names in files ---------------------------------------------------------------------


async def test_exports_name_people_by_their_names_looked_up_once_a_while(slack):
    await committed(slack)
    await cmd(slack, "/sprint", "task 1 1 owner me", DEV1)
    asked_before = len(slack.emulator.calls_to("users.info"))
    await cmd(slack, "/sprint", "export md", DEV1)
    slack.emulator.users[DEV1]["real_name"] = "Diana Devi"  # renamed in Slack
    await cmd(slack, "/sprint", "export csv", DEV1)
    files = {
        slack.emulator.files[m.files[0]["id"]].name: slack.emulator.files[m.files[0]["id"]]
        for m in slack.emulator.messages(CHANNEL)
        if m.files
    }
    markdown = files["sprint-1.md"].content.decode()
    # the Scrum Master recorded the Developers' commitment (`commit team`): no committer
    assert f"- Committed by: {PEOPLE[SM][1]}" not in markdown
    assert "- Committed: 8 points" in markdown
    assert "- [ ] Design the query, 2h, Diana Dev" in markdown
    assert "U0" not in markdown, "no Slack id leaves Slack"
    rows = files["sprint-1.csv"].content.decode().splitlines()
    assert rows[1].endswith(",Design the query,2,Diana Dev,no"), "the name kept a while"
    asked = [c.args.get("user") for c in slack.emulator.calls_to("users.info")[asked_before:]]
    assert asked.count(DEV1) <= 1 and asked.count(SM) <= 1, "asked at most once for two files"

    slack.clock.advance(timedelta(hours=2))
    await cmd(slack, "/sprint", "export csv", DEV1)
    latest = [m for m in slack.emulator.messages(CHANNEL) if m.files][-1]
    rows = slack.emulator.files[latest.files[0]["id"]].content.decode().splitlines()
    assert rows[1].endswith(",Design the query,2,Diana Devi,no"), "looked up again later"


# -- point 6: days off ---------------------------------------------------------------------------


async def test_days_off_beyond_the_sprints_working_days_are_refused_with_the_limit(slack):
    await planned(slack)
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    capacity = thread(slack)[-1]
    await slack.driver.click("Days off & focus", user=SM, message=capacity)
    form = slack.emulator.open_view(SM)
    ack = await slack.driver.submit(form, {"Days off: Diana Dev": "20"}, user=SM)
    assert ack.json["errors"] == {
        f"off-{DEV1}": "Diana Dev has 20 days off, but the sprint has 10 working days."
    }
    # A form that does not say the limit (an older one, a crafted one) meets the same rule.
    meta = json.loads(form.view["private_metadata"])
    del meta["working_days"]
    form.view["private_metadata"] = json.dumps(meta)
    await slack.driver.submit(form, {"Days off: Diana Dev": "20"}, user=SM)
    assert (
        "A developer has 20 days off, but the sprint has 10 working days."
        in last_ephemeral(slack, SM).text
    )
    assert "3 developers × 10 working days →" in shown(
        slack.emulator.find_message(CHANNEL, capacity.ts)
    ), "nothing changed"


# -- point 9: what the channel hears -------------------------------------------------------------


def capacity_blocks(slack: LocalStack) -> list[Any]:
    return [m for m in thread(slack) if "*Capacity:*" in shown(m)]


async def test_the_capacity_block_is_updated_in_place_not_posted_at_every_change(slack):
    await planned(slack)
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    [capacity] = capacity_blocks(slack)
    await slack.driver.click("Days off & focus", user=SM, message=capacity)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Days off: Diana Dev": "2"}, user=SM)
    await slack.driver.click("Days off & focus", user=SM, message=capacity)
    await slack.driver.submit(slack.emulator.open_view(SM), {"Focus factor (%)": "80"}, user=SM)
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices by mail", PO)
    await cmd(slack, "/planning", "add 2")
    await cmd(slack, "/sprint", "task 2 add Dark palette 5h", DEV3)
    assert capacity_blocks(slack) == [capacity], "one capacity block, never posted again"
    now = shown(slack.emulator.find_message(CHANNEL, capacity.ts))
    assert "2 days off → availability 93%, 179 hours with a focus factor of 80%" in now
    assert "*Selection:* 16 points in 3 items" in now and "*Tasks:* 13 of 179 hours" in now
    notes = [shown(m) for m in thread(slack)[-2:]]
    assert "Sprint goal: By the end we expect PDF invoices by mail" in notes[0]
    assert "Took #2 into the plan." in notes[1] and "*Capacity:*" not in notes[1]


async def test_after_planning_a_change_of_tasks_is_answered_privately(slack):
    await committed(slack)
    before = [(m.ts, m.text) for m in bot_messages(slack)]
    await cmd(slack, "/sprint", "tasks 1", DEV1)
    await slack.driver.submit(
        slack.emulator.open_view(DEV1), {TASKS_FORM: "Design the query 2h\nBuild it 5h"}, user=DEV1
    )
    assert [(m.ts, m.text) for m in bot_messages(slack)] == before, "nothing posted or changed"
    answer = private(slack, DEV1)
    assert "#1: 2 tasks, 7h." in answer and "*Capacity:*" not in answer


async def test_an_empty_chart_is_a_private_answer_in_words(slack):
    await setup(slack)
    await cmd(slack, "/sprint", "velocity", DEV1)
    assert [m for m in slack.emulator.messages(CHANNEL) if m.files] == []
    assert "No sprint recorded yet" in private(slack, DEV1)
    await committed(slack)
    await cmd(slack, "/sprint", "task 1 2 done", DEV1)
    await cmd(slack, "/sprint", "task 1 1 done", DEV1)
    await cmd(slack, "/sprint", "tasks 1", DEV1)
    await slack.driver.submit(slack.emulator.open_view(DEV1), {TASKS_FORM: ""}, user=DEV1)
    await cmd(slack, "/sprint", "burndown hours", DEV1)
    assert "No task of sprint 1 has hours yet" in private(slack, DEV1)
    assert [m for m in slack.emulator.messages(CHANNEL) if m.files] == []


async def test_the_commitment_and_the_end_of_planning_are_one_message(slack):
    await planned(slack)
    before = len(channel_posts(slack))
    await cmd(slack, "/planning", "commit team")
    [post] = channel_posts(slack)[before:]
    assert "*Sprint 1 is committed*" in shown(post)
    assert "The planning meeting has ended; its minutes are in its thread." in shown(post)
    assert "Minutes of the Sprint planning" in shown(thread(slack)[-1])


# -- the task buttons from another team ----------------------------------------------------------


async def test_task_buttons_from_another_channels_team_are_refused_and_change_nothing(slack):
    await committed(slack)
    await cmd(slack, "/sprint", "", DEV1)
    sprint_card = last_ephemeral(slack, DEV1)
    await cmd(slack, "/sprint", "task 1", DEV1)
    task_card = last_ephemeral(slack, DEV1)
    states = await task_states(slack)
    slack.emulator.add_channel(OTHER_CHANNEL, "team-b", members=[*PEOPLE, "UBOT"])
    for card in (task_card, sprint_card):  # a copy of each in team B's channel
        blocks = copy.deepcopy(card.blocks)
        card = slack.emulator.add_message(OTHER_CHANNEL, "UBOT", card.text, blocks=blocks)
        if card.blocks[-1]["type"] == "actions":
            await menu(slack, card, "Design the query", "Done", DEV1)
        else:
            await slack.driver.click("Tasks", user=DEV1, message=card)
        refusal = private(slack, DEV1, OTHER_CHANNEL)
        assert "That sprint belongs to another channel's team." in refusal
        assert "Design the query" not in refusal
    assert await task_states(slack) == states


async def test_an_item_done_says_its_sprint_and_the_open_tasks_done_with_it(slack):
    """`/sprint done` and `/backlog done` on an item of the running sprint: both say it is
    done in sprint 1 and which open tasks (with their hours left) went with it."""
    await committed(slack)
    await cmd(slack, "/sprint", "tasks 3", DEV1)
    form = slack.emulator.open_view(DEV1)
    await slack.driver.submit(
        form, {TASKS_FORM: "[x] Audit schema 2h\nWrite the log 3h, 1h left\nReview 2h"}, user=DEV1
    )
    await cmd(slack, "/backlog", "done 3", DEV1)
    said = private(slack, DEV1)
    done = "#3 is done in sprint 1; its 2 open tasks are done with it (3h were still estimated)."
    assert done in said, said

    await cmd(slack, "/sprint", "done 1", DEV1)
    said = private(slack, DEV1)
    assert "#1 is done in sprint 1; its 2 open tasks" in said, said
