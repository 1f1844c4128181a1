# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""Connecting again to the same board with a new credential after the old one was revoked,
through the real app, the Slack emulator and each tracker's emulator (Jira, a GitHub project,
Linear): the connection is renewed in place, so what waited while it was broken (a reorder, a
done item, a scope change of the running sprint) lands at once and once, in the sprint the
tracker has already; the channel hears once that it works again, and the webhook stays as the
tracker's admin set it. A write a runner holds is left to it. Connecting to another board, or
to another part of it, still starts afresh."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_github_sync import submit as github_submit
from tests.app.test_planning_slack import cmd
from tests.app.test_tracker_broken_notice import BROKEN, CREDENTIAL, REVOKE, WORKING, told
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_reconnect import RETITLE
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_slack import submit as jira_submit
from tests.app.test_tracker_sprint_pending import NAMES, status_text
from tests.app.test_tracker_sprint_scope import ADD
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira, running_sprint, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, backlog_text, drain, item_by_key, later, roles
from tests.conftest import CHANNEL, PO

HOUR = 3600
NEW = {"jira": "API token", "github": "Token or App private key", "linear": "API key"}
"""The connect form's field for the credential, by tracker."""


async def _renew_jira(slack: LocalStack, jira: Any) -> tuple[str, str]:
    jira.user.token = "jira-token-made-after-the-revocation"
    return await jira_submit(slack, jira, **{NEW["jira"]: jira.user.token}), jira.user.token


async def _renew_github(slack: LocalStack, github: Any) -> tuple[str, str]:
    token = "github_pat_made_after_the_revocation"
    github.tokens[token] = github.login
    return await github_submit(slack, github, **{NEW["github"]: token}), token


async def _renew_linear(slack: LocalStack, linear: Any) -> tuple[str, str]:
    linear.user.api_key = key = "lin_api_made_after_the_revocation"
    return await connect_linear(slack, linear, **{NEW["linear"]: key}), key


RENEW: dict[str, Callable[[LocalStack, Any], Awaitable[tuple[str, str]]]] = {
    "jira": _renew_jira,
    "github": _renew_github,
    "linear": _renew_linear,
}
"""The PO connects the channel again to the same board with a new credential the tracker
takes: (the private answer, the credential)."""


def _iteration_field(github: Any) -> Any:
    return next(f for f in github.project.fields if f.data_type == "ITERATION")


SPRINTS: dict[str, Callable[[Any], list[str]]] = {
    "jira": lambda jira: [str(s) for s in jira.sprints],
    "github": lambda github: [str(i.id) for i in _iteration_field(github).iterations],
    "linear": lambda linear: [str(c) for c in linear.cycles],
}
"""The tracker's sprints (iterations, cycles), by id."""

SPRINT_OF: dict[str, Callable[[Any, str], str]] = {
    "jira": lambda jira, key: str(jira.issues[key].sprint),
    "github": lambda github, key: str(github.item(key).values.get(_iteration_field(github).id)),
    "linear": lambda linear, key: str(linear.issues[key].cycle_id),
}
"""The sprint (iteration, cycle) an issue is in."""

ORDER: dict[str, Callable[[Any], list[str]]] = {
    "jira": lambda jira: list(jira.rank),
    "github": lambda github: github.project_keys(),
    "linear": lambda linear: linear.open_keys(),
}
"""The tracker's order of its open issues (Jira's: all of them)."""

WRITES: dict[str, dict[str, int]] = {
    "jira": {"issue.transition": 1, "issue.rank": 1, "sprint.create": 0},
    "github": {"issues.update": 1, "graphql.updateProjectV2ItemPosition": 1},
    "linear": {"UpdateIssue": 2, "CreateCycle": 0},  # the done mark and the rank
}
"""The calls that carry the done mark, the reorder and a new sprint, as each tracker names
them, and how many of them must succeed once the connection works again."""


def _succeeded(em: Any, route: str) -> list[Any]:
    """The calls to `route` the tracker took."""
    return [c for c in em.calls_to(route) if 200 <= c.status < 300]


async def _connection_row(slack: LocalStack) -> tuple[int, str, str, str]:
    """The team's connection as stored: its id, webhook token, webhook secret and status."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        connection = await store.connection(team.id)
        assert connection is not None
        return (
            connection.id,
            connection.webhook_token,
            connection.webhook_secret,
            connection.status,
        )


async def test_a_new_token_for_the_same_board_lands_what_waited_once(slack, board, caplog):
    caplog.set_level(logging.DEBUG)
    tracker, em = board
    kind = kind_of(tracker)
    keys = tracker.seed(em)
    while len(keys) < 5:
        keys.append(ADD[kind](em, f"Issue {len(keys)}"))
    path, secret = await tracker.connect(slack, em)
    em.add_webhook(f"{slack.url}{path}", secret)  # as the tracker's admin registered it
    in_sprint, added, done, stays, moved = keys[:5]
    await running_sprint(slack, [in_sprint])
    [sprint_there] = SPRINTS[kind](em)
    connection_id, token, hook_secret, _ = await _connection_row(slack)
    revoked, _ = REVOKE[kind](em)

    await backlog(slack, f"move {(await item_by_key(slack, moved)).number} top")
    await drain(slack)
    await backlog(slack, f"done {(await item_by_key(slack, done)).number}")
    await cmd(slack, "/sprint", f"add {(await item_by_key(slack, added)).number} urgent", PO)
    await drain(slack)
    await later(slack, HOUR)
    await later(slack, HOUR)
    assert len(told(slack, BROKEN)) == 1 and not tracker.is_done(em, done)
    assert ORDER[kind](em).index(stays) < ORDER[kind](em).index(moved), "not moved there yet"
    em.reset_calls()

    answer, credential = await RENEW[kind](slack, em)
    await drain(slack)  # no time passes: what waited for the hourly retry runs now

    assert f"with the new {CREDENTIAL[kind]}" in answer, answer
    assert f"Timebox reaches {NAMES[kind]} again" in answer, answer
    assert "Nothing is lost" in answer and "4 changes not yet in" in answer, answer
    assert "Secret:" not in answer and f"`{path}`" in answer, "the webhook is kept, not shown"
    assert credential not in answer + caplog.text and revoked not in answer + caplog.text
    assert await _connection_row(slack) == (connection_id, token, hook_secret, "connected")
    landed = {route: len(_succeeded(em, route)) for route in WRITES[kind]}
    assert landed == WRITES[kind], "each waiting write landed once"
    assert tracker.is_done(em, done)
    assert ORDER[kind](em).index(moved) < ORDER[kind](em).index(stays), "the reorder landed"
    assert SPRINTS[kind](em) == [sprint_there], "no second sprint in the tracker"
    assert SPRINT_OF[kind](em, added) == sprint_there, "the scope change joined it there"
    [back] = told(slack, WORKING)
    assert "the break is over" in back and all(credential not in t for t in told(slack, ""))
    assert (await item_by_key(slack, added)).tracker_link.pending == 0
    assert "in step" in await status_text(slack)

    RETITLE[kind](em, stays, "Edited after the renewal")
    await later(slack, SYNC)
    await em.deliver_webhooks()
    [hook] = em.webhooks
    assert hook.deliveries and set(hook.deliveries) == {204}, "the same webhook still signs"
    assert len(told(slack, WORKING)) == 1 and len(told(slack, BROKEN)) == 1, "told once"
    assert (await item_by_key(slack, stays)).title == "Edited after the renewal"


async def _claimed_by_another_instance(slack: LocalStack, prefix: str) -> str:
    """Another instance claims the due work whose key starts with `prefix` (its lease of two
    minutes running): the key it holds."""
    async with slack.db.transaction() as store:
        [job] = [j for j in await store.overdue(slack.clock.now()) if j.key.startswith(prefix)]
        claimed = await store.claim_due(slack.clock.now(), "other:1", timedelta(minutes=2), 50)
        assert job.key in {j.key for j in claimed}
        return job.key


async def test_a_write_another_instance_holds_is_left_to_it(slack, jira):
    done, *_ = seed_board(jira)
    await jira_connected(slack, jira)
    REVOKE["jira"](jira)
    await backlog(slack, f"done {(await item_by_key(slack, done)).number}")
    await drain(slack)
    await later(slack, HOUR - 60)
    assert len(told(slack, BROKEN)) == 1
    slack.clock.advance(timedelta(seconds=60))  # the hourly retries are due: one is taken
    held = await _claimed_by_another_instance(slack, "tracker_write:")

    await _renew_jira(slack, jira)
    await drain(slack)

    async with slack.db.transaction() as store:
        job = await store.scheduled(held)
        assert job is not None and job.claimed_by == "other:1" and job.done_at is None
    assert jira.issues[done].status != "Done", "not run twice at once: the holder runs it"
    await later(slack, 121)  # the other instance died: its lease ran out, the row is free
    assert jira.issues[done].status == "Done"
    assert len(_succeeded(jira, "issue.transition")) == 1
    assert len(told(slack, WORKING)) == 1


async def test_a_write_of_this_process_on_its_way_ends_before_the_renewal(slack, jira):
    """A retry with the revoked token is held by Jira while the PO connects again: the
    renewal waits for it, so its failure neither breaks the renewed connection again nor
    pushes its write an hour on."""
    done, *_ = seed_board(jira)
    await jira_connected(slack, jira)
    REVOKE["jira"](jira)
    await backlog(slack, f"done {(await item_by_key(slack, done)).number}")
    await drain(slack)
    assert len(told(slack, BROKEN)) == 1
    jira.delay_next(30, route="issue.get")  # the done write's first call, with the old token
    slack.clock.advance(timedelta(seconds=HOUR))
    sweep = asyncio.create_task(slack.services.jobs.run_due())
    await _until(lambda: any(c.held for c in jira.calls_to("issue.get")))

    renewing = asyncio.create_task(_renew_jira(slack, jira))
    await _until(lambda: len(jira.calls_to("fields")) > 1)  # checked: the renewal comes next
    for _ in range(50):
        await asyncio.sleep(0)
    jira.release_held()
    await sweep
    await renewing
    await drain(slack)

    assert jira.issues[done].status == "Done", "the write was made due after its failure"
    assert len(told(slack, BROKEN)) == 1 and len(told(slack, WORKING)) == 1
    assert (await _connection_row(slack))[3] == "connected"


async def _until(ready: Callable[[], bool]) -> None:
    """Until `ready()`: real requests on their way, bounded, no clock involved."""
    for _ in range(400):
        if ready():
            return
        await asyncio.sleep(0.01)
    pytest.fail("the emulator never saw the call")


async def test_an_import_cut_short_by_the_revocation_goes_on_where_it_stopped(slack, jira):
    seed_board(jira)
    jira.add_issue("Imported once renewed")
    await roles(slack)
    await jira_submit(slack, jira)
    REVOKE["jira"](jira)  # before the import's first page
    await drain(slack)
    assert len(told(slack, BROKEN)) == 1 and (await _connection_row(slack))[3] == "error"
    before = await _connection_row(slack)

    await _renew_jira(slack, jira)
    assert (await _connection_row(slack))[3] == "importing", "its import is not done"
    await drain(slack)

    assert await _connection_row(slack) == (*before[:3], "connected")
    assert "Imported once renewed" in await backlog_text(slack)
    assert len(told(slack, WORKING)) == 1 and len(told(slack, BROKEN)) == 1


@pytest.mark.parametrize(
    "elsewhere", [{"Board number": "2"}, {"Only issues matching (JQL)": "labels = web"}]
)
async def test_another_board_or_filter_starts_afresh(slack, jira, elsewhere):
    done, *_ = seed_board(jira)
    jira.add_board(2, "Mobile board", "TB")
    path, secret = await jira_connected(slack, jira)
    REVOKE["jira"](jira)
    await backlog(slack, f"done {(await item_by_key(slack, done)).number}")
    await drain(slack)
    _, token, *_ = await _connection_row(slack)

    jira.user.token = "jira-token-made-after-the-revocation"
    answer = await jira_submit(slack, jira, **{NEW["jira"]: jira.user.token}, **elsewhere)
    await drain(slack)

    assert "This channel is connected to Jira board" in answer, answer
    assert "Secret: `" in answer and secret not in answer and path not in answer
    assert (await _connection_row(slack))[1] != token, "a new connection, a new webhook"
    assert told(slack, WORKING) == []
    assert jira.issues[done].status != "Done", "a new connection drops what waited (as before)"


async def test_renewing_a_working_connection_tells_the_channel_nothing(slack, jira):
    seed_board(jira)
    await jira_connected(slack, jira)
    posts = len(slack.emulator.messages(CHANNEL))

    answer, _ = await _renew_jira(slack, jira)
    await later(slack, SYNC)

    assert "reaches Jira again" not in answer and "Nothing is lost" in answer, answer
    assert len(slack.emulator.messages(CHANNEL)) == posts
    assert "in step" in await status_text(slack)
