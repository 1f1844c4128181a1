# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""What the connect, disconnect and status replies say, through the real app, the Slack
emulator and the trackers' emulators: a sprint committed ahead of its slot says when it starts
in the tracker (not "sending"); a sprint closed in the tracker while it runs here is said in the
status; each reply keeps its line breaks; Linear's reply asks nobody to add the webhook Timebox
added; a refused connect promises no retry; `/timebox connect` on a connected channel says
which board it is connected to and that another replaces it."""

from __future__ import annotations

from bot.domain import tracker_sprints
from tests.app import test_tracker_connect as connecting
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_reconnect import disconnected, retitled_in_slack
from tests.app.test_tracker_reconnect_all import connected_then_apart, reconnected
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_slack import connected, submit
from tests.app.test_tracker_sprint_closed_there import close_there, status
from tests.app.test_tracker_sprint_scope import committed
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import committed_sprint, jira, seed_board  # noqa: F401
from tests.app.trackers import drain, item_by_key, later, roles
from tests.conftest import CHANNEL, PO, SM

AHEAD = 13  # days from today to the slot's first day


async def test_a_sprint_committed_ahead_says_when_it_starts_in_jira_not_that_it_is_sending(
    slack, jira
):
    keys = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    sprint_id = await committed_sprint(slack, keys[:1], "Take card payments", ahead_days=AHEAD)
    await drain(slack)
    async with slack.db.transaction() as store:
        sprint = await store.sprint_by_id(sprint_id)
        assert await store.sprint_link(sprint_id) is not None, "made in Jira already"
    day = sprint.starts_on
    name = tracker_sprints.sprint_name(sprint.number)

    said = await status(slack)

    assert f"{name} starts in Jira on {day:%a} {day.day} {day:%b}" in said, said
    assert "not yet in Jira" not in said, said
    assert "\n\n" not in said, "no blank line"
    await later(slack, 7 * 86400)
    assert f"{name} starts in Jira on {day:%a} {day.day} {day:%b}" in await status(slack)


async def test_the_status_says_a_sprint_closed_in_the_tracker_is_no_longer_written_there(
    slack, board
):
    tracker, em = board
    _, _, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)
    assert "was completed in" not in await status(slack)

    close_there(em, remote)
    await later(slack, SYNC)
    await later(slack, SYNC)

    said = await status(slack)
    closed = {
        "jira": "Sprint 1 was completed in Jira while it runs here",
        "github": "Sprint 1's iteration was ended in GitHub while it runs here",
        "linear": "Sprint 1's cycle was completed in Linear while it runs here",
    }[kind_of(tracker)]
    assert closed in said, said
    assert "no longer writes its scope there" in said and "`/sprint close`" in said, said
    assert "\n\n" not in said, "no blank line"


async def test_a_disconnect_with_a_change_unsent_tells_its_author_and_the_channel(slack, board):
    """The reply puts what was not sent on its own line; the channel is told who disconnected
    and what was not sent (its Developers would go on editing, believing it reaches the
    tracker)."""
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    await retitled_in_slack(slack, (await item_by_key(slack, key)).number, "Unsent")

    await slack.driver.command("/timebox", "disconnect", user=SM, channel=CHANNEL)

    said = last_ephemeral(slack, SM).text
    assert "matches them by their keys.\n1 change waiting for" in said, said
    await drain(slack)
    told = [
        shown(m)
        for m in slack.emulator.messages(CHANNEL)
        if not m.thread_ts and "disconnected this channel" in shown(m)
    ]
    assert len(told) == 1, told
    name = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}[kind_of(tracker)]
    assert f"<@{SM}> disconnected this channel from {name}" in told[0], told
    assert f"changes made here no longer reach {name}" in told[0], told
    assert f"1 change waiting for {name} was not sent" in told[0], told


async def test_the_reconnect_reply_puts_the_matching_on_its_own_line(slack, board):
    tracker, em = board
    await connected_then_apart(slack, tracker, em)

    answer = await reconnected(slack, tracker, em)

    assert "connect again for a new one)\nConnected again: the " in answer, answer


async def test_linear_asks_nobody_to_add_the_webhook_timebox_added_itself(
    slack, linear, monkeypatch
):
    linear.add_issue("Pay by card", estimate=3)
    await connecting.test_with_a_public_address_timebox_adds_its_own_linear_webhook(
        slack, linear, monkeypatch
    )
    await drain(slack)
    await disconnected(slack)

    await connect_linear(slack, linear)
    said = last_ephemeral(slack, PO).text

    assert "Timebox added its webhook in Linear: changes arrive at once." in said, said
    assert "webhookCreate" not in said and "Secret:" not in said, said
    assert "a workspace admin adds it" not in said, said
    assert ".\nConnected again: the " in said, said
    assert len(linear.webhooks) == 1


async def test_a_refused_connect_to_an_https_site_on_a_plain_http_server_promises_no_retry(
    slack, jira
):
    await roles(slack)
    site = jira.url.replace("http://", "https://")

    answer = await submit(slack, jira, **{"Jira site": site})

    assert "did not connect this channel to Jira" in answer, answer
    assert "Nothing was stored." in answer, answer
    assert "try again later" not in answer and "will try again" not in answer, answer


async def test_connect_on_a_connected_channel_says_which_board_and_that_another_replaces_it(
    slack, jira
):
    seed_board(jira)
    await connected(slack, jira)

    await slack.driver.command("/timebox", "connect", user=PO, channel=CHANNEL)

    said = shown(last_ephemeral(slack, PO))
    on_top = said.index("This channel is connected to Jira board *TB board*")
    assert on_top < said.index("Which tracker"), said
    assert "replaces that connection" in said, said
