"""Sprint planning end to end: from the goal to a recorded, committed sprint, then its life."""

from __future__ import annotations

import codecs
from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_ready_slack import READY
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, beside_roles, roles


async def cmd(slack: LocalStack, command: str, text: str, user: str = SM) -> None:
    ack = await slack.driver.command(command, text, user=user, channel=CHANNEL)
    assert ack.status == 200


def thread(slack: LocalStack) -> list:
    [agenda] = [
        m
        for m in slack.emulator.messages(CHANNEL)
        if m.blocks and "Sprint planning" in shown(m) and not m.thread_ts
    ]
    return slack.emulator.thread(CHANNEL, agenda.ts)[1:]


def channel_posts(slack: LocalStack) -> list:
    return [m for m in slack.emulator.messages(CHANNEL) if not m.thread_ts and m.user == "UBOT"]


def posted(slack: LocalStack, words: str) -> str:
    """The newest channel post containing `words`, as shown."""
    found = [shown(m) for m in channel_posts(slack) if words in shown(m)]
    assert found, f"no channel post says {words!r}"
    return found[-1]


async def setup(slack: LocalStack) -> None:
    await roles(slack)
    for title in ("Export invoices", "Dark mode", "Audit log"):
        await backlog(slack, f"add {title}", user=DEV1)
    for number, points in ((1, "5"), (2, "8"), (3, "3")):
        await backlog(slack, f"edit {number}")
        await slack.driver.submit(
            slack.emulator.open_view(PO), {**READY, "Estimate (story points)": points}, user=PO
        )
    await backlog(slack, "add Spike on search", user=DEV1)  # #4, not ready


async def commit_sprint(slack: LocalStack, *numbers: int) -> None:
    """A one-hour planning that takes items `numbers` with the PO's goal, committed by the team."""
    await cmd(slack, "/planning", "start 1h")
    for number in numbers:
        await cmd(slack, "/planning", f"add {number}")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "commit team")


async def close_sprint(slack: LocalStack, answer: str) -> str:
    """The Scrum Master closes the sprint and answers the review's question: the closing post,
    as shown."""
    await cmd(slack, "/sprint", "close", SM)
    await slack.driver.submit(
        slack.emulator.open_view(SM), {"Did we get the value we expected?": answer}, user=SM
    )
    await slack.services.jobs.run_due()  # its announcement, from the outbox
    return shown(channel_posts(slack)[-1])


async def test_a_whole_planning_meeting_records_a_committed_sprint(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start")
    agenda = beside_roles(channel_posts(slack))[0]  # its agenda: the first post but the roles
    assert "*Why - the sprint goal* · 36 min" in shown(agenda), "240 min scaled"

    goal = thread(slack)[-1]
    await slack.driver.click("Write the sprint goal", user=DEV1, message=goal)
    assert "Only the Product Owner can set the sprint goal" in last_ephemeral(slack, DEV1).text
    await slack.driver.click("Write the sprint goal", user=PO, message=goal)
    await slack.driver.submit(
        slack.emulator.open_view(PO),
        {
            "The outcome this sprint should bring": "By the end of this sprint we expect invoices "
            "customers can download",
            "If only one thing gets done, what must it be?": "PDF export",
        },
        user=PO,
    )
    assert "Sprint goal: By the end of this sprint" in shown(thread(slack)[-1])

    await cmd(slack, "/planning", "next")
    selection = thread(slack)[-1]
    assert "#1 Export invoices, #2 Dark mode, #3 Audit log" in shown(selection)
    await slack.driver.click("Choose items", user=DEV1, message=selection)
    form = slack.emulator.open_view(DEV1)
    ack = await slack.driver.submit(
        form, {"Take an unready item anyway": "#4 Spike on search"}, user=DEV1
    )
    assert ack.json["errors"] == {"override_reason": "Say why the team takes an unready item."}
    await slack.driver.submit(
        form, {"Why take it although it is not ready?": "a one-day spike"}, user=DEV1
    )
    assert "chose 4 items" in shown(thread(slack)[-1])

    await cmd(slack, "/planning", "next")
    capacity = thread(slack)[-1]
    assert "3 developers × 10 working days" in shown(capacity)
    assert "Forecast:* none yet" in shown(capacity)
    await slack.driver.click("Days off & focus", user=SM, message=capacity)
    await slack.driver.submit(
        slack.emulator.open_view(SM),
        {"Days off: Diana Dev": "2", "Focus factor (%)": "75", "First forecast (points)": "12"},
        user=SM,
    )
    status = shown(thread(slack)[-1])
    assert "3 developers × 10 working days, 2 days off → availability 93%, 168 hours" in status
    assert "*Forecast:* 12 points (the team's first forecast" in status
    assert "*Selection:* 16 points in 4 items, 133% of the forecast :warning:" in status

    await cmd(slack, "/planning", "next")
    breakdown = thread(slack)[-1]
    await slack.driver.click("Tasks", user=DEV2, message=breakdown)
    await slack.driver.submit(
        slack.emulator.open_view(DEV2),
        {"Tasks, one per line with hours": "Design DB query 2h\nBuild the PDF 6h"},
        user=DEV2,
    )
    assert "#1: 2 tasks, 8h." in shown(thread(slack)[-1])

    await cmd(slack, "/planning", "next")
    commit = thread(slack)[-1]
    await slack.driver.click("I commit", user=PO, message=commit)
    assert "The Developers commit to the sprint" in last_ephemeral(slack, PO).text
    await slack.driver.click("I commit", user=DEV1, message=commit)
    await slack.driver.click("I commit", user=DEV2, message=commit)
    assert f"Waiting for <@{DEV3}>" in shown(thread(slack)[-1])
    await slack.driver.click("I commit", user=DEV3, message=commit)
    summary = posted(slack, "*Sprint 1 is committed*")
    assert "*Sprint 1 is committed*" in summary and "customers can download" in summary
    assert "4 items, 16 points against a forecast of 12 (133%)" in summary
    assert "Minutes of the Sprint planning" in shown(thread(slack)[-1])
    await cmd(slack, "/planning", "history", DEV1)
    past = shown(last_ephemeral(slack, DEV1))
    assert "Past sprint plannings" in past and "meeting_minutes" in past, past

    await cmd(slack, "/sprint", "", DEV1)
    card = shown(last_ephemeral(slack, DEV1))
    assert "Sprint 1 (running)" in card and "*#1* Export invoices" in card
    assert "tasks 0/2 (8h)" in card and "_taken unready: a one-day spike_" in card
    listing = shown(await backlog(slack))
    assert "The backlog" not in listing and "Export invoices" not in listing, "in the sprint now"


async def test_commitment_needs_a_goal_and_a_committed_sprint_changes_only_with_a_reason(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "commit team")
    assert "No sprint goal yet" in last_ephemeral(slack, SM).text
    await cmd(slack, "/planning", "add 4")
    assert "Not ready: #4" in last_ephemeral(slack, SM).text
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "commit team")
    assert posted(slack, "*Sprint 1 is committed*")

    await cmd(slack, "/sprint", "add 2", DEV1)
    assert "say why" in last_ephemeral(slack, DEV1).text
    await cmd(slack, "/sprint", "add 2 the customer escalated it", DEV1)
    await slack.services.jobs.run_due()  # the announcement, from the outbox
    change = shown(channel_posts(slack)[-1])
    assert f"<@{PO}>: sprint 1 was renegotiated. <@{DEV1}> added *#2* Dark mode (8 pts)" in change
    assert "Reason: the customer escalated it" in change
    await cmd(slack, "/sprint", "done 1", DEV1)
    slack.clock.advance(timedelta(days=13))
    await cmd(slack, "/sprint", "close", DEV1)
    assert "Only the Product Owner or Scrum Master can close the sprint" in (
        last_ephemeral(slack, DEV1).text
    )
    closed = await close_sprint(slack, "Partly")
    closing = (
        "*Sprint 1 closed:* 5 of 13 points completed (5 at the commitment); velocity is now 5."
    )
    assert closing in closed, "the sprint card's figures: #2 (8) came in, and goes back"
    assert "Back at the top of the product backlog for the PO to order: #2." in closed
    assert "*Did we get the value we expected?* Partly" in closed
    listing = shown(await backlog(slack))
    assert listing.index("#2* Dark mode") < listing.index("#3* Audit log")


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "a PNG file"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


async def test_charts_and_exports_are_uploaded_files(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    await cmd(slack, "/sprint", "done 3", DEV1)
    slack.clock.advance(timedelta(days=2))
    for text in ("velocity", "burndown", "export csv", "export md"):
        await cmd(slack, "/sprint", text, DEV1)
    files = [
        slack.emulator.files[m.files[0]["id"]] for m in slack.emulator.messages(CHANNEL) if m.files
    ]
    by_name = {f.name: f.content for f in files}
    assert png_size(by_name["velocity.png"]) == (1000, 500)
    assert png_size(by_name["burndown.png"]) == (1000, 500)
    sprint_csv = by_name["sprint-1.csv"]
    assert sprint_csv.startswith(codecs.BOM_UTF8), "Excel reads it as UTF-8"
    assert sprint_csv.decode("utf-8-sig").splitlines()[0].startswith("Sprint,Goal,Item,Title")
    assert "By the end we expect PDF invoices" in by_name["sprint-1.md"].decode()


async def test_only_the_forms_about_the_developers_ask_slack_who_is_in_the_channel(slack):
    """The selection and capacity forms need the developers (the proposal's forecast, days
    off): the use case reads the channel's people for them, and for no other form."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")

    async def members_asked(label: str, user: str) -> int:
        before = len(slack.emulator.calls)
        await slack.driver.click(label, user=user, message=thread(slack)[-1])
        assert slack.emulator.open_view(user), f"{label} opens its form"
        calls = slack.emulator.calls[before:]
        return sum(c.method == "conversations.members" for c in calls)

    assert await members_asked("Write the sprint goal", PO) == 0
    await cmd(slack, "/planning", "next")
    assert await members_asked("Choose items", SM) > 0
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "next")
    assert await members_asked("Days off & focus", SM) > 0
    await cmd(slack, "/planning", "next")
    assert await members_asked("Tasks", DEV2) == 0


async def test_a_plan_change_outside_a_running_planning_meeting_is_told_to_the_asker(slack):
    """Without a running planning meeting nothing is posted: the asker is told, with where
    the plan stands while the sprint is planned, and the change alone once it is committed."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await slack.driver.click("Write the sprint goal", user=PO, message=thread(slack)[-1])
    goal_form = slack.emulator.open_view(PO)
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "next")
    await cmd(slack, "/planning", "next")
    await slack.driver.click("Days off & focus", user=SM, message=thread(slack)[-1])
    capacity_form = slack.emulator.open_view(SM)
    await cmd(slack, "/planning", "end")

    posts = len(slack.emulator.messages(CHANNEL))
    goal = {"The outcome this sprint should bring": "By the end we expect PDF invoices"}
    await slack.driver.submit(goal_form, goal, user=PO)
    told = shown(last_ephemeral(slack, PO))
    assert "Sprint goal: By the end we expect PDF invoices" in told
    assert "*Selection:* 5 points in 1 item" in told, "where the plan stands"
    assert len(slack.emulator.messages(CHANNEL)) == posts, "nothing posted"

    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "commit team")
    assert posted(slack, "*Sprint 1 is committed*")
    posts = len(slack.emulator.messages(CHANNEL))
    await slack.driver.submit(capacity_form, {"Focus factor (%)": "75"}, user=SM)
    told = shown(last_ephemeral(slack, SM))
    assert f"<@{SM}> updated days off and focus" in told and "*Selection:*" not in told
    assert len(slack.emulator.messages(CHANNEL)) == posts, "nothing posted"


async def test_a_commit_by_the_po_or_the_scrum_master_says_who_commits_and_how_the_sm_may(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    await cmd(slack, "/planning", "commit", PO)
    said = last_ephemeral(slack, PO).text
    assert "The Developers commit to the sprint" in said and "watch" not in said
    await cmd(slack, "/planning", "commit", SM)
    said = last_ephemeral(slack, SM).text
    assert "`/planning commit team`" in said and "watch" not in said
