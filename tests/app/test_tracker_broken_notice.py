# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A tracker connection that breaks for good (its token revoked) is told in the team's channel,
through the real app, the Slack emulator and each tracker's emulator: once per break however
often its work is retried, in plain words (what broke, that Timebox's changes wait, who
reconnects and how), never with the token; its end once too, and a later break again. One
write the tracker refuses is that item's trouble, not a break."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_backlog_scope import linear, status_text  # noqa: F401
from tests.app.test_tracker_connect import connect_linear
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_slack import submit
from tests.app.test_tracker_sprint_pending import NAMES
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later, roles, webhook_of
from tests.conftest import CHANNEL, PO, SM

HOUR = 3600
BROKEN = "Timebox's changes no longer reach"
WORKING = "Timebox reaches"


def _revoke_jira(jira: JiraEmulator) -> tuple[str, Callable[[], None]]:
    token = jira.user.token
    jira.user.token = "revoked-by-the-admin"
    return token, lambda: setattr(jira.user, "token", token)


def _revoke_github(github: Any) -> tuple[str, Callable[[], None]]:
    login = github.tokens.pop(github.token)
    return github.token, lambda: github.tokens.__setitem__(github.token, login)


def _revoke_linear(linear: Any) -> tuple[str, Callable[[], None]]:
    key = linear.user.api_key
    linear.user.api_key = "lin_api_revoked"
    return key, lambda: setattr(linear.user, "api_key", key)


REVOKE: dict[str, Callable[[Any], tuple[str, Callable[[], None]]]] = {
    "jira": _revoke_jira,
    "github": _revoke_github,
    "linear": _revoke_linear,
}
"""Revokes the connection's credential in the tracker: (the credential, its restoring)."""
CREDENTIAL = {"jira": "API token", "github": "token", "linear": "API key"}


def told(slack: LocalStack, what: str) -> list[str]:
    """The channel's messages that start with `what`, as people read them."""
    return [shown(m) for m in slack.emulator.messages(CHANNEL) if what in m.text]


async def test_a_revoked_token_is_told_once_however_often_retried_and_its_end_once(
    slack, board, caplog
):
    caplog.set_level(logging.DEBUG)
    tracker, em = board
    kind = kind_of(tracker)
    name = NAMES[kind]
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    assert told(slack, BROKEN) == []
    secret, restore = REVOKE[kind](em)
    em.reset_calls()

    number = (await item_by_key(slack, key)).number
    await backlog(slack, f"done {number}")
    await backlog(slack, "add Refund by card")
    await drain(slack)
    for _ in range(4):  # hours of retries: each write and the sync refused again and again
        await later(slack, HOUR)

    refused = [c for c in em.calls if c.status in (400, 401)]  # Linear's is a 400
    assert len(refused) >= 10, "retried all along"
    [notice] = told(slack, BROKEN)
    assert f"{BROKEN} {name}" in notice
    assert f"{name} refuses the {CREDENTIAL[kind]} Timebox signs in with" in notice, notice
    assert f"Nothing is lost: the 2 changes not yet in {name} wait" in notice, notice
    assert "Timebox tries again every hour" in notice
    assert f"the Product Owner or a Scrum Master (<@{PO}>, <@{SM}>) connects" in notice
    assert f"with a new {CREDENTIAL[kind]}: `/timebox connect {kind}`" in notice
    assert secret not in notice
    assert "retrying after an error" in await status_text(slack)
    assert not tracker.is_done(em, key), "nothing reached the tracker meanwhile"

    restore()
    await later(slack, HOUR)
    await later(slack, HOUR)

    [back] = told(slack, WORKING)
    assert f"{WORKING} {name} again" in back and "the break is over" in back, back
    assert tracker.is_done(em, key), "the change that waited landed"
    assert (await item_by_key(slack, key)).tracker_link.pending == 0
    assert "in step" in await status_text(slack)
    assert len(told(slack, BROKEN)) == 1

    secret, _ = REVOKE[kind](em)  # a later break is a new one: told again
    await backlog(slack, "add Refund by wallet")
    await drain(slack)
    await later(slack, HOUR)

    assert len(told(slack, BROKEN)) == 2 and len(told(slack, WORKING)) == 1
    assert secret not in caplog.text
    assert all(secret not in text for text in told(slack, ""))


async def test_the_board_name_is_escaped_and_a_sync_alone_ends_the_break(slack, jira):
    seed_board(jira)
    jira.boards[1].name = "<!channel> *TB* & co"
    await roles(slack)
    answer = await submit(slack, jira)
    await webhook_of(slack, "jira", answer)
    secret, restore = _revoke_jira(jira)

    await later(slack, SYNC)
    await later(slack, HOUR)

    [notice] = [m for m in slack.emulator.messages(CHANNEL) if BROKEN in m.text]
    assert "&lt;!channel&gt; ∗TB∗ &amp; co" in notice.text and "<!channel>" not in notice.text
    assert "Nothing is lost: whatever the team changes here meanwhile waits" in shown(notice)
    assert "Why: Jira did not accept the API token for" in shown(notice).replace("_", "")
    assert secret not in shown(notice)

    restore()
    await later(slack, HOUR)

    [back] = told(slack, WORKING)
    assert "Nothing is waiting: this backlog and Jira are back in step" in back


async def test_one_write_the_tracker_refuses_is_no_break_of_the_connection(slack, linear):
    linear.add_issue("Pay by card", estimate=3)
    await roles(slack)
    await webhook_of(slack, "linear", await connect_linear(slack, linear))
    now = slack.clock.now()
    async with slack.db.transaction() as store:  # an estimate off Linear's scale: refused
        team = await store.ensure_team(WORKSPACE, CHANNEL, now)
        [item] = await store.all_items(team.id, include_closed=False)
        item.estimate = 13.0
        await tracker_uc.after_estimate(store, team, item, now)
    await drain(slack)
    await later(slack, HOUR)

    assert told(slack, BROKEN) == [] and told(slack, WORKING) == []
    status = await status_text(slack)
    assert "Status: behind: some of Timebox's changes fail to reach Linear" in status, status


async def test_connecting_again_with_a_new_token_makes_a_later_break_a_new_one(slack, jira):
    seed_board(jira)
    await roles(slack)
    await webhook_of(slack, "jira", await submit(slack, jira))
    _revoke_jira(jira)
    await later(slack, SYNC)
    assert len(told(slack, BROKEN)) == 1

    jira.user.token = "a-new-token"
    await submit(slack, jira, **{"API token": "a-new-token"})
    await drain(slack)
    await later(slack, SYNC)
    assert len(told(slack, BROKEN)) == 1, "working again: nothing more to tell"
    _revoke_jira(jira)
    await later(slack, SYNC)
    await later(slack, HOUR)

    assert len(told(slack, BROKEN)) == 2
    assert all("a-new-token" not in text for text in told(slack, ""))
