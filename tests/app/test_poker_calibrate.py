"""Calibration through the real app and the Slack emulator (issue 18, point 6): `/poker
calibrate` shows, per estimate, how many working days done items really took; every poker
reveal names done items of its suggested size in the thread as reference stories; a team
without done items gets plain words and no reference; another channel's team sees nothing of
this one's; and a reference that fails never costs the reveal its result."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from bot.domain.backlog import ItemFields
from bot.emulator.stack import LocalStack
from bot.sandbox import seed
from bot.sandbox.clock import SandboxClock
from bot.sandbox.server import Sandbox
from bot.usecases import poker as poker_uc
from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd
from tests.app.test_poker_faults import quick_retries  # noqa: F401  (a fixture)
from tests.app.test_poker_slack import at, board, poker, replies, vote
from tests.app.test_poker_teams import OTHER, OTHER_SM, other_channel
from tests.app.test_sprint_tasks_slack import committed
from tests.conftest import CHANNEL, DEV1, DEV2, DEV3, SM, beside_roles, roles
from tests.sprint_rows import closed_sprint, done_in

SPRINT_START = date(2026, 2, 2)  # a Monday; the clock stands at Monday, March 2
# (number, estimate, done on the sprint's nth working day (1 = its Monday), hour UTC):
# counted from the sprint's Monday, #12 took 2 days, #31 and #44 3, #20 4; #7 1 and #8 2.
DONE = (
    (12, 5.0, 2, 11),
    (31, 5.0, 3, 16),
    (44, 5.0, 3, 10),
    (20, 5.0, 4, 12),
    (7, 3.0, 1, 15),
    (8, 3.0, 2, 15),
)
SHOUTING = "<!channel> Export invoices & credit notes"  # #31's title: shown, never a ping


async def seed_done(
    slack: LocalStack, done: Sequence[tuple[int, float, int, int]] = DONE, upto: int = 44
) -> None:
    """Items #1..#upto in the team's backlog; those in `done` were done in its closed sprint 1
    (February 2-13), none with task progress, so each counts from the sprint's Monday."""
    now = slack.clock.now()
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, now)
        for number in range(1, upto + 1):
            title = SHOUTING if number == 31 else f"Story {number}"
            await store.add_item(team, ItemFields(title=title), DEV1, now - timedelta(days=60))
        sprint = await closed_sprint(
            store,
            team.id,
            SPRINT_START,
            SPRINT_START + timedelta(days=11),
            goal="Invoices customers can pay",
            committed_by=[DEV1],
            committed_at=datetime(2026, 2, 2, 9, tzinfo=UTC),
            completed_points=sum(points for _, points, _, _ in done),
            closed_at=datetime(2026, 2, 13, 17, tzinfo=UTC),
        )
        added = datetime(2026, 2, 2, 8, tzinfo=UTC)
        for position, (number, points, day, hour) in enumerate(done):
            item = await store.item(team.id, number)
            assert item is not None
            item.estimate, item.status = points, "done"
            finished = datetime.combine(SPRINT_START + timedelta(days=day - 1), datetime.min.time())
            await done_in(
                store, sprint, item, position, added, finished.replace(hour=hour, tzinfo=UTC)
            )


async def calibrate(slack: LocalStack, user: str = DEV1, channel: str = CHANNEL) -> Any:
    """`/poker calibrate`: the private answer."""
    before = len(slack.emulator.ephemerals(channel, user))
    ack = await slack.driver.command("/poker", "calibrate", user=user, channel=channel)
    assert ack.status == 200 and ack.text == ""
    answers = slack.emulator.ephemerals(channel, user)
    assert len(answers) == before + 1, "one private answer"
    return answers[-1]


def raw(message: Any) -> str:
    """A message as Slack receives it (escapes included)."""
    return message.text + json.dumps(message.blocks, ensure_ascii=False)


def lines(message: Any) -> list[str]:
    """A message's texts, block by block (without Slack's block ids)."""
    found = []
    for block in message.blocks:
        found += [block["text"]["text"]] if "text" in block else []
        found += [e["text"] for e in block.get("elements", []) if "text" in e]
    return found


def references(messages: Sequence[Any]) -> list[Any]:
    return [m for m in messages if "Reference stories" in shown(m)]


async def estimate(slack: LocalStack, title: str) -> Any:
    """A new item, estimated in a live round (started by the Scrum Master); the poll."""
    await slack.driver.command("/backlog", f"add {title}", user=DEV1, channel=CHANNEL)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        number = team.next_number - 1
    await poker(slack, str(number))
    return board(slack)


# -- /poker calibrate ------------------------------------------------------------------------


async def test_calibrate_shows_each_estimates_spread_of_working_days(slack):
    await roles(slack)
    await seed_done(slack)
    answer = await calibrate(slack)
    text = shown(answer)
    assert "How long done items really took, per estimate*, in working days (6 done items)" in (
        text
    )
    assert "• *3 points*: 1-2 working days, median 1.5 · 2 items · _few data_ · #8, #7" in text
    assert "• *5 points*: 2-4 working days, median 3 · 4 items · #31, #44, #20" in text
    assert text.index("*3 points*") < text.index("*5 points*"), "smallest estimate first"
    assert "6 items without task progress count from their sprint's first day" in text
    assert answer.user == DEV1 and not [
        m for m in slack.emulator.messages(CHANNEL) if "How long done items" in shown(m)
    ], "private: nothing in the channel"
    assert lines(await calibrate(slack, SM)) == lines(answer), "the same for anyone in the team"


async def test_hundreds_of_estimates_fit_one_message_within_slacks_limits(slack):
    """Estimates typed in the item form can be anything up to 1000 points: 600 of them, each
    a line, fill the sections a message may hold and the rest is said to be left out. (The
    emulator checks every payload against Block Kit's limits.)"""
    await roles(slack)
    done = [(n, float(n), 1 + n % 5, 12) for n in range(1, 601)]
    await seed_done(slack, done, upto=600)
    answer = await calibrate(slack)
    assert len(answer.blocks) <= 13 and all(len(t) <= 3000 for t in lines(answer))
    text = shown(answer)
    assert "(600 done items)" in text and "• *1 point*: 2 working days · 1 item" in text
    assert text.rstrip().count("…and more estimates") == 1


async def test_an_items_work_begins_with_its_first_task_taken_and_ends_when_done(slack):
    """Through the app: sprint 1 committed on Monday, March 2 (#1, 5 points, with tasks; #3,
    3 points, without); Diana takes #1's first task on Wednesday, both are done on Friday."""
    await committed(slack)
    await at(slack, datetime(2026, 3, 4, 10, tzinfo=UTC))
    await cmd(slack, "/sprint", "task 1 1 owner me", DEV1)
    await at(slack, datetime(2026, 3, 5, 10, tzinfo=UTC))
    await cmd(slack, "/sprint", "task 1 1 done", DEV1)  # a later move: the start stays
    await at(slack, datetime(2026, 3, 6, 15, tzinfo=UTC))
    await cmd(slack, "/sprint", "done 1", DEV2)
    await cmd(slack, "/sprint", "done 3", DEV2)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        [sprint] = await store.open_sprints(team.id)
        started = {si.item.number: si.started_at for si in await store.sprint_items(sprint)}
    assert started == {1: datetime(2026, 3, 4, 10, tzinfo=UTC), 3: None}
    text = shown(await calibrate(slack))
    assert "• *3 points*: 5 working days · 1 item · _few data_ · #3" in text, "Monday to Friday"
    assert "• *5 points*: 3 working days · 1 item · _few data_ · #1" in text, "Wednesday on"
    assert "1 item without task progress counts from its sprint's first day" in text


async def test_a_team_with_nothing_done_gets_plain_words_and_no_reference(slack):
    await roles(slack)
    text = shown(await calibrate(slack))
    assert "*No calibration yet:* no item with an estimate has been done in a sprint" in text
    assert "`/sprint done <n>`" in text
    poll = await estimate(slack, "Dark mode")
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5", poll)
    [result] = replies(slack, poll)
    assert "*Consensus: 5*" in shown(result)
    await at(slack, slack.clock.now() + timedelta(minutes=15))  # the outbox has run
    assert replies(slack, poll) == [result], "no reference message without data"


# -- reference stories at each reveal -----------------------------------------------------------


async def test_a_reveal_names_reference_stories_of_its_suggested_size_in_the_thread(slack):
    await roles(slack)
    await seed_done(slack)
    poll = await estimate(slack, "Pay by card")  # #45
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "5", poll)
    result, reference = replies(slack, poll)
    assert "round 1: everyone voted" in shown(result), "the result first"
    text = shown(reference)
    assert reference.thread_ts == poll.ts and reference.user == "UBOT"
    assert (
        ":straight_ruler: *Reference stories:* 5 points here took 2-4 working days: #31, #44, #20."
        in text
    )
    assert f"• *#31* {SHOUTING} · 3 working days, done <!date^" in text
    assert "• *#20* Story 20 · 4 working days" in text
    assert "Median 3 working days over 4 done items of 5 points." in text
    assert "<!channel>" not in raw(reference) and "&lt;!channel&gt;" in raw(reference)
    assert reference.text == "5 points here took 2-4 working days: #31, #44, #20"

    # Revealed early by the facilitator on two neighbouring cards: the suggestion is 3.
    await slack.driver.click("Accept 5", user=SM, message=result)
    poll = await estimate(slack, "Dark mode")  # #46
    await vote(slack, DEV1, "2", poll)
    await vote(slack, DEV2, "3", poll)
    await slack.driver.click("Reveal", user=SM, message=poll)
    result, reference = replies(slack, poll)
    assert "*Suggested: 2 or 3, the facilitator decides.*" in shown(result)
    text = shown(reference)
    assert "3 points here took 1-2 working days: #8, #7." in text
    assert "_Few data:_ only 2 done items of 3 points so far." in text

    # A re-vote that splits the team suggests nothing: no reference for round 2.
    await slack.driver.click("Re-vote", user=SM, message=result)
    await vote(slack, DEV1, "1", board(slack))
    await vote(slack, DEV2, "13", board(slack))
    await vote(slack, DEV3, "5", board(slack))
    second = replies(slack, poll)[-1]
    assert "round 2: everyone voted" in shown(second) and "*No consensus.*" in shown(second)
    assert len(references(replies(slack, poll))) == 1, "round 1's only"


async def test_an_async_poll_closing_at_its_deadline_names_them_too(slack):
    await roles(slack)
    await seed_done(slack)
    await slack.driver.command("/backlog", "add Pay by card", user=DEV1, channel=CHANNEL)
    await poker(slack, "async 45 for 24h")
    poll = board(slack)
    await vote(slack, DEV1, "3", poll)
    await at(slack, slack.clock.now() + timedelta(hours=24))
    thread = replies(slack, poll)
    [reference] = references(thread)
    assert thread.index(reference) == len(thread) - 1, "after the result"
    assert "3 points here took 1-2 working days: #8, #7." in shown(reference)


async def test_t_shirt_sizes_are_named_as_the_team_plays_them(slack):
    await roles(slack)
    await seed_done(slack)
    await poker(slack, "deck tshirt")
    text = shown(await calibrate(slack))
    assert "• *M (3 points)*: 1-2 working days" in text and "• *L (5 points)*: 2-4" in text
    poll = await estimate(slack, "Pay by card")
    for user in (DEV1, DEV2, DEV3):
        await vote(slack, user, "L", poll)
    [reference] = references(replies(slack, poll))
    assert "L (5 points) here took 2-4 working days: #31, #44, #20." in shown(reference)


# -- teams, and failures ----------------------------------------------------------------------


async def test_another_channels_team_gets_nothing_of_this_teams_calibration(slack):
    await roles(slack)
    await seed_done(slack)
    await other_channel(slack)
    text = shown(await calibrate(slack, DEV1, OTHER))
    assert "*No calibration yet:*" in text and "#31" not in text and "Story" not in text
    await slack.driver.command("/backlog", "add Their story", user=DEV1, channel=OTHER)
    await slack.driver.command("/poker", "1", user=OTHER_SM, channel=OTHER)
    posts = beside_roles(slack.emulator.messages(OTHER))  # but its setup's roles, told
    [poll] = [m for m in posts if m.user == "UBOT" and not m.thread_ts]
    for user in (DEV1, DEV2):
        await vote(slack, user, "5", poll)
    await at(slack, slack.clock.now() + timedelta(minutes=15))
    thread = [m for m in slack.emulator.messages(OTHER) if m.thread_ts == poll.ts]
    assert len(thread) == 1 and "*Consensus: 5*" in shown(thread[0]), "the result alone"
    mine = [m for m in slack.emulator.messages(CHANNEL) if "Reference stories" in shown(m)]
    assert mine == [], "nor did anything land in this team's channel"


async def test_a_reference_that_cannot_be_worked_out_leaves_the_reveal_whole(slack, caplog):
    """The team's holiday country is broken in the database (no such country): the reference
    stories cannot be counted, the reveal's result is posted all the same."""
    await roles(slack)
    await seed_done(slack)
    async with slack.db.transaction() as store:
        team = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        team.holiday_country = "XX"
    poll = await estimate(slack, "Pay by card")
    with caplog.at_level(logging.WARNING):
        for user in (DEV1, DEV2, DEV3):
            await vote(slack, user, "5", poll)
    [result] = replies(slack, poll)
    assert "*Consensus: 5*" in shown(result)
    assert any("reference stories for 5 points left out" in r.message for r in caplog.records)
    await slack.driver.click("Accept 5", user=SM, message=result)
    async with slack.db.transaction() as store:
        item = await store.item(team.id, 45)
        assert item is not None and item.estimate == 5.0, "the reveal went on to its estimate"


@pytest.mark.usefixtures("quick_retries")
async def test_slack_refusing_a_reference_posts_it_later_and_a_refused_result_keeps_order(slack):
    await roles(slack)
    await seed_done(slack)
    poll = await estimate(slack, "Pay by card")
    await vote(slack, DEV1, "5", poll)
    await vote(slack, DEV2, "5", poll)
    slack.clock.set(slack.clock.now() + timedelta(minutes=2))
    slack.emulator.rate_limit("chat.postMessage", per_minute=1)  # the result, not its stories
    await vote(slack, DEV3, "5", poll)
    [result] = replies(slack, poll)
    assert "*Consensus: 5*" in shown(result), "the result is not held up"
    await at(slack, slack.clock.now() + timedelta(minutes=1, seconds=1))
    result_again, reference = replies(slack, poll)
    assert result_again.ts == result.ts and "Reference stories" in shown(reference)

    # Slack refuses the result of the next reveal: both come with the poll's sync, in order.
    slack.emulator.rate_limit("chat.postMessage", per_minute=1000)  # limits lifted
    await slack.driver.click("Accept 5", user=SM, message=result)
    poll = await estimate(slack, "Dark mode")
    await vote(slack, DEV1, "3", poll)
    await vote(slack, DEV2, "3", poll)
    slack.emulator.fail_next("chat.postMessage", status=500, times=3)  # every try of the result
    await slack.driver.click("Reveal", user=SM, message=poll)
    assert replies(slack, poll) == [], "Slack refused the result; its stories wait with it"
    await at(slack, slack.clock.now() + poker_uc.SYNC_AFTER)
    result, reference = replies(slack, poll)
    assert "revealed by" in shown(result) and "3 points here took" in shown(reference)
    await at(slack, slack.clock.now() + timedelta(minutes=15))
    assert len(replies(slack, poll)) == 2, "each once, whatever the outbox finds later"


# -- the sandbox ---------------------------------------------------------------------------------


async def test_the_sandbox_team_has_done_items_to_calibrate_and_compare_with(tmp_path):
    """A newcomer's `/poker calibrate` shows sprint 0's items, and `/poker 4` (the PDF
    export) revealed on 3 names three of them; the open backlog is the demo's 12 items."""
    clock = SandboxClock(base=lambda: datetime(2026, 3, 2, 8, tzinfo=UTC))
    sandbox = await Sandbox(tmp_path / "sandbox.db", clock=clock, tick=None).start()
    try:
        kenji = seed.DEVS[0].id
        await sandbox.command(kenji, seed.CHANNEL, "/poker calibrate")
        text = shown(sandbox.emulator.ephemerals(seed.CHANNEL, kenji)[-1])
        assert "(7 done items)" in text
        assert "• *3 points*: 2-4 working days, median 3 · 3 items · #17, #19, #13" in text
        assert "• *5 points*: 4-6 working days, median 5 · 2 items · _few data_" in text
        await sandbox.command(seed.SM.id, seed.CHANNEL, "/poker 4")
        poll = [m for m in sandbox.emulator.messages(seed.CHANNEL) if "Planning poker" in m.text]
        for developer in seed.DEVS:
            await sandbox.stack.driver.click("3", user=developer.id, message=poll[-1])
        await sandbox.stack.settle()
        thread = sandbox.emulator.thread(seed.CHANNEL, poll[-1].ts)
        [reference] = references(thread)
        assert "3 points here took 2-4 working days: #17, #19, #13." in shown(reference)
        async with sandbox.db.transaction() as store:
            team = await store.team(seed.WORKSPACE, seed.CHANNEL)
            assert team is not None and team.sprint_start is None, "no planning date set"
            assert len(await store.all_items(team.id, include_closed=False)) == 12
    finally:
        await sandbox.stop()
