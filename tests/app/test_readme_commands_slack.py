"""The README's "Commands" section, claim by claim, through the real app: each test names the
README's words it checks (claims no other test checks), and the command table names every
command `/timebox help` lists."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_home_slack import home
from tests.app.test_planning_slack import cmd, commit_sprint, setup
from tests.app.test_poker_slack import board, poker, replies, vote
from tests.app.test_ready_slack import ready
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, PO, SM, roles

README = Path(__file__).resolve().parents[2] / "README.md"


async def item_row(slack: LocalStack, number: int):
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return await store.item(team.id, number)


async def open_meeting(slack: LocalStack):
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        return await store.open_meeting(team.id)


async def test_readme_backlog_add_is_anyones_and_lands_at_the_bottom_as_new(slack):
    """`/backlog add <title>`: "Adds an item at the bottom, status *new* (anyone)"."""
    await roles(slack)
    for title, user in (("First", PO), ("Second", DEV3)):
        await backlog(slack, f"add {title}", user=user)
    item = await item_row(slack, 2)
    assert item.status == "new" and item.created_by == DEV3
    listing = shown(await backlog(slack, "", user=DEV3))
    assert listing.index("#1* First") < listing.index("#2* Second")


async def test_readme_poker_async_is_open_24_hours_by_default(slack):
    """`/poker async <n>`: "every item open until the deadline (24 hours by default ...)"."""
    await roles(slack)
    await backlog(slack, "add Alpha", user=DEV1)
    start = slack.clock.now()
    await poker(slack, "async 1")
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, start)
        [poll] = await store.open_polls(team.id)
    assert poll.mode == "async" and poll.deadline == start + timedelta(hours=24)


async def test_readme_poker_picker_offers_only_unestimated_items(slack):
    """`/poker` alone: "The top unestimated items, each with a button that starts a round"."""
    await roles(slack)
    for title in ("Alpha", "Beta", "Gamma"):
        await backlog(slack, f"add {title}", user=DEV1)
    await backlog(slack, "edit 2", user=PO)
    await slack.driver.submit(
        slack.emulator.open_view(PO), {"Estimate (story points)": "3"}, user=PO
    )
    picker = await poker(slack, "", user=DEV2)
    starts = [
        b["accessory"]["value"]
        for b in picker.blocks
        if b.get("accessory", {}).get("action_id") == "poker_start"
    ]
    assert starts == ["1", "3"], starts


async def test_readme_refine_start_lasts_60_minutes_by_default(slack):
    """`/refine start [45m]`: "(60 minutes by default ...)"."""
    await roles(slack)
    await slack.driver.command("/refine", "start", user=DEV1, channel=CHANNEL)
    meeting = await open_meeting(slack)
    assert meeting.kind == "refinement" and meeting.agenda["minutes"] == 60
    assert meeting.facilitator == DEV1


async def test_readme_refine_auto_is_the_facilitators_or_a_scrum_masters(slack):
    """`/refine auto on|off` with `/refine status / next / ...`: moving the clock is "the
    facilitator, who started it, or a Scrum Master"."""
    await roles(slack)
    await slack.driver.command("/refine", "start", user=DEV1, channel=CHANNEL)
    await slack.driver.command("/refine", "auto on", user=DEV2, channel=CHANNEL)
    assert "Only the facilitator or a Scrum Master" in last_ephemeral(slack, DEV2).text
    assert not (await open_meeting(slack)).auto_advance
    await slack.driver.command("/refine", "auto on", user=SM, channel=CHANNEL)
    assert (await open_meeting(slack)).auto_advance


async def test_readme_refine_note_names_its_owner_in_the_minutes(slack):
    """`/refine note <text> [@owner]`: "an action item with its owner"."""
    await roles(slack)
    await slack.driver.command("/refine", "start", user=SM, channel=CHANNEL)
    await slack.driver.command(
        "/refine", f"note Ask legal about PDFs <@{DEV2}|devon>", user=SM, channel=CHANNEL
    )
    await slack.driver.command("/refine", "end", user=SM, channel=CHANNEL)
    await slack.services.jobs.run_due()
    await slack.settle()
    minutes = [shown(m) for m in slack.emulator.messages(CHANNEL) if "Minutes of" in shown(m)]
    assert minutes and "Ask legal about PDFs" in minutes[-1], minutes
    line = next(x for x in minutes[-1].split("\\n") if "Ask legal" in x)
    assert f"<@{DEV2}>" in line, line


async def test_readme_review_start_lasts_60_minutes_and_its_clock_is_the_facilitators(slack):
    """`/review start [60m]`: "(60 minutes by default)"; `/review next / extend 5m ...`:
    "moving the clock (the facilitator or a Scrum Master)"."""
    await setup(slack)
    await commit_sprint(slack, 1)
    await cmd(slack, "/backlog", "done 1", DEV1)
    await cmd(slack, "/review", "start", DEV1)
    meeting = await open_meeting(slack)
    assert meeting.kind == "review" and meeting.agenda["minutes"] == 60
    for text in ("next", "extend 5m", "pause", "end"):
        await cmd(slack, "/review", text, DEV2)
        assert "Only the facilitator or a Scrum Master" in last_ephemeral(slack, DEV2).text, text
    section = meeting.section
    await cmd(slack, "/review", "next", SM)
    assert (await open_meeting(slack)).section == section + 1


async def test_readme_planning_is_2_hours_per_sprint_week_for_a_one_week_sprint(slack):
    """`/planning start [2h]`: "(2 hours per sprint week by default ...)"."""
    await roles(slack)
    await cmd(slack, "/timebox", "settings sprint 1w", PO)
    await cmd(slack, "/planning", "start", SM)
    meeting = await open_meeting(slack)
    assert meeting.kind == "planning" and meeting.agenda["minutes"] == 120


async def test_readme_ready_snooze_is_allowed_to_the_items_owner(slack):
    """`/ready snooze <n> <days>`: "(its owner, the PO or a Scrum Master)"."""
    await roles(slack)
    await backlog(slack, "add Alpha", user=DEV1)
    await backlog(slack, "edit 1", user=PO)
    await slack.driver.submit(slack.emulator.open_view(PO), {"Owner": DEV2}, user=PO)
    answer = await ready(slack, "snooze 1 2", user=DEV2)
    assert "stays out of readiness reminders" in shown(answer), shown(answer)
    assert (await item_row(slack, 1)).snoozed_until is not None


async def test_readme_home_asks_slack_about_at_most_20_channels(slack):
    """App Home: "a Developer as 'everyone else' of a channel they are a member of: Slack is
    asked after the event's ack, at most 20 channels"."""
    channels = [f"C0MANY{n:02d}" for n in range(25)]
    for channel in channels:
        slack.emulator.add_channel(channel, channel.lower(), members=[PO, SM, DEV3, "UBOT"])
        await roles(slack, channel)
    slack.emulator.reset_calls()
    seen = await home(slack, DEV3)
    asked = slack.emulator.calls_to("conversations.members")
    assert 0 < len(asked) <= 20, len(asked)
    assert seen.count("· Developer ·") == len(asked), "each channel asked that has him shows"


async def test_readme_home_shows_a_channel_without_roles_where_they_own_an_item(slack):
    """App Home: "in a channel with no roles yet, where they own an item or a task or are
    asked to vote"."""
    await backlog(slack, "add Alpha", user=DEV1)
    await backlog(slack, "edit 1", user=DEV1)
    await slack.driver.submit(slack.emulator.open_view(DEV1), {"Owner": DEV2}, user=DEV1)
    assert (await item_row(slack, 1)).owner == DEV2
    seen = await home(slack, DEV2)
    assert f"<#{CHANNEL}>" in seen and "Nothing here for you yet" not in seen, seen


def readme_commands() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("## Commands") : text.index("## Trackers")]


async def test_readme_names_every_command_timebox_help_lists(slack):
    """`/timebox help`: "Every command". Each command the help shows is in the README's
    command table, so a newcomer reading the README knows it exists."""
    await roles(slack)
    await slack.driver.command("/timebox", "help", user=DEV1, channel=CHANNEL)
    listed = shown(last_ephemeral(slack, DEV1))
    table = readme_commands()
    words = set(re.findall(r"`(/[a-z]+ [a-z]+)\b", listed))
    settings = re.search(r"`/timebox settings \[([^`]*)\]`", listed)
    assert settings is not None, listed
    words |= {f"/timebox settings {w.split()[0]}" for w in settings.group(1).split(" | ")}
    words = {w for w in words if w.split()[-1] not in ("help", "wsjf", "opportunity", "off")}
    missing = sorted(
        w
        for w in words
        if w not in table
        and not re.search(rf"`{w.split()[-1]}[ `]", table)  # `/x a` / `b` in a row
    )
    assert missing == [], f"commands in /timebox help but not in the README: {missing}"


async def test_readme_poker_row_says_what_neighbouring_cards_suggest(slack):
    """`/poker <n>`: on two neighbouring cards both are offered and the facilitator decides
    (issue 13, point 10), as the README's row says (it once promised the higher one)."""
    await roles(slack)
    await backlog(slack, "add Alpha", user=DEV1)
    await poker(slack, "1")
    for user, card in ((DEV1, "5"), (DEV2, "8"), (DEV3, "8")):
        await vote(slack, user, card)
    [result] = replies(slack, board(slack))
    assert "*Suggested: 5 or 8, the facilitator decides.*" in shown(result)
    row = next(line for line in readme_commands().splitlines() if line.startswith("| `/poker <n>"))
    assert "on two neighbouring cards both are offered, and the facilitator decides" in row, row
