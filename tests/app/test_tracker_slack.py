# ruff: noqa: F811  (the `jira` and `github` fixtures are imported from their tests' modules)
"""A channel connected to a Jira board, through the real app, the Slack emulator and the Jira
emulator: the form and what it answers, the key in `/backlog`, an estimate and a reorder
landing in the tracker (Jira, and a GitHub project alike), Jira's edits coming back by
webhook, and what never leaks (the token)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_sprint_slack import opened_in, workspaces  # noqa: F401
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.test_workspaces import ANN, BEN, person
from tests.app.trackers import (
    answer_to_form,
    backlog_text,
    connected_as_po,
    drain,
    estimate_by_poker,
    item_by_key,
    jira_form,
    later,
    move_to_top,
    only_the_signed_webhook_counts,
    roles,
)
from tests.conftest import CHANNEL, DEV1, PEOPLE, PO, SM

OTHER = "C0OTHER"


async def open_connect_form(slack: LocalStack, user: str = PO, channel: str = CHANNEL) -> Any:
    ack = await slack.driver.command("/timebox", "connect jira", user=user, channel=channel)
    assert ack.status == 200
    return slack.emulator.open_view(user)


async def submit(
    slack: LocalStack, jira: JiraEmulator, user: str = PO, channel: str = CHANNEL, **values: str
) -> str:
    """Fills in and sends the connect form; the answer's text (``answer_to_form``)."""
    view = await open_connect_form(slack, user, channel)
    assert view is not None and view.view["callback_id"] == "tracker_connect"
    await slack.driver.submit(view, jira_form(jira) | values, user=user)
    await slack.settle()
    return answer_to_form(slack, user, channel)


async def connected(slack: LocalStack, jira: JiraEmulator) -> tuple[str, str]:
    """Connects the channel as its PO and imports the board; (webhook path, secret)."""
    return await connected_as_po(
        slack, "jira", partial(submit, slack, jira), "Jira board *TB board*"
    )


# -- connecting --------------------------------------------------------------------------------


async def test_connecting_checks_the_board_and_shows_its_keys_in_the_backlog(slack, jira):
    bug, story, *_ = seed_board(jira)
    await connected(slack, jira)
    listed = await backlog_text(slack)
    assert f"<{jira.url}/browse/{bug}|{bug}>" in listed and "Receipt shows the wrong VAT" in listed
    assert listed.index("Receipt shows the wrong VAT") < listed.index("Pay by card")
    assert f"{story}>" in listed and "In Progress" in listed and "Paula Owner" in listed
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    status = shown(last_ephemeral(slack, DEV1))
    assert "Connected to Jira board *TB board*" in status and "Linked items: 4" in status
    assert "in step" in status and jira.user.token not in status


async def test_the_webhook_address_is_shown_to_the_po_and_sm_alone(slack, jira):
    """Its path is the connection's token: a Developer sees that webhooks are on."""
    seed_board(jira)
    path, _ = await connected(slack, jira)
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    status = shown(last_ephemeral(slack, DEV1))
    assert path not in status and "/trackers/" not in status, status
    assert "the Product Owner and the Scrum Master see its address" in status, status
    for user in (PO, SM):
        await slack.driver.command("/timebox", "connect status", user=user, channel=CHANNEL)
        assert path in shown(last_ephemeral(slack, user))


async def test_a_wrong_token_no_board_access_or_no_estimation_field_is_said_plainly(slack, jira):
    await roles(slack)
    answer = await submit(slack, jira, **{"API token": "not-the-token"})
    assert "did not connect this channel" in answer
    assert f"Jira did not accept the API token for {jira.user.email}" in answer
    jira.hide_board(1)
    answer = await submit(slack, jira)
    assert f"{jira.user.email} cannot open board 1" in answer
    jira.boards[1].access.clear()
    jira.set_estimation(1, None)
    answer = await submit(slack, jira)
    assert "does not estimate with a field" in answer and "Story points" in answer
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None and await store.connection(team.id) is None, "nothing stored"


async def test_a_site_outside_atlassian_is_refused_before_any_call(slack, jira):
    await roles(slack)
    for site in ("http://169.254.169.254", "https://intranet.example.com"):
        answer = await submit(slack, jira, **{"Jira site": site})
        assert "did not connect this channel" in answer
        assert "Jira Cloud site" in answer or "https://" in answer, answer
    assert jira.calls == []


async def test_only_the_po_or_the_scrum_master_connects(slack, jira):
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    await slack.driver.command("/timebox", "connect", user=DEV1, channel=CHANNEL)
    assert slack.emulator.open_view(DEV1) is None
    refusal = shown(last_ephemeral(slack, DEV1))
    assert "connect this channel to Jira" in refusal


async def test_a_form_opened_for_another_channel_connects_nothing(slack, jira):
    slack.emulator.add_channel(OTHER, "team-b", members=[*PEOPLE, "UBOT"])
    await slack.driver.command("/timebox", f"roles po <@{PO}|paula>", user=PO, channel=OTHER)
    view = await open_connect_form(slack, PO, OTHER)
    meta = json.loads(view.view["private_metadata"])
    async with slack.db.transaction() as store:
        ours = await store.ensure_team("T0TEAM", CHANNEL, slack.clock.now())
        await store.set_role(ours, "po", [PO])
    view.view["private_metadata"] = json.dumps({**meta, "channel": CHANNEL})
    await slack.driver.submit(view, jira_form(jira), user=PO)
    await slack.settle()
    answers = [shown(e) for e in slack.emulator.ephemerals(user=PO)]
    assert "That form belongs to another channel's team" in answers[-1]
    assert jira.calls == [], "nothing was checked either"
    async with slack.db.transaction() as store:
        for channel in (CHANNEL, OTHER):
            team = await store.team("T0TEAM", channel)
            assert await store.connection(team.id) is None


async def test_a_form_from_another_workspace_with_the_same_channel_id_connects_nothing(
    workspaces, jira
):
    stack, same = workspaces, "C0SAME"
    async with stack.db.transaction() as store:
        for workspace, user in (("T1", ANN), ("T2", BEN)):
            team = await store.ensure_team(workspace, same, stack.clock.now())
            await store.set_role(team, "po", [user])
        first = (await store.team("T1", same)).id
    ben = person(stack, "T2")
    try:
        await ben.command("/timebox", "connect jira", user=BEN, channel=same)
        view = opened_in(stack.emulator.open_view(BEN), "T2")
        meta = json.loads(view.view["private_metadata"])
        view.view["private_metadata"] = json.dumps({**meta, "team": first})
        await ben.submit(view, jira_form(jira), user=BEN)
        await stack.settle()
        refusal = shown(stack.emulator.ephemerals(same, BEN)[-1])
        assert "That form belongs to another channel's team" in refusal
        assert jira.calls == [], "nothing was checked either"
        async with stack.db.transaction() as store:
            for workspace in ("T1", "T2"):
                team = await store.team(workspace, same)
                assert await store.connection(team.id) is None
    finally:
        await ben.aclose()


async def test_the_token_is_encrypted_at_rest_and_never_logged(slack, jira, caplog):
    caplog.set_level(logging.DEBUG)
    seed_board(jira)
    jira.fail_next(401, route="search.jql")  # an error path logs too
    await connected(slack, jira)
    await later(slack, 301)
    await later(slack, 3600)
    async with slack.db.session() as session:
        rows = (
            await session.execute(text("SELECT secret, webhook_secret FROM tracker_connections"))
        ).all()
        dump = json.dumps([list(r) for r in rows])
    assert jira.user.token not in dump and rows[0][0].startswith("gAAAA"), "a Fernet token"
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.__dict__}" for r in caplog.records)
    assert caplog.records and jira.user.token not in logged
    assert "tracker" in logged, "the sync did log (its failures)"


# -- writes to Jira and changes from Jira ------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """A tracker's board as the writes below need it: four issues seeded (returned in the
    board's order), the channel connected, the call an estimate is written with, and the
    board's order of the four."""

    seed: Callable[[Any], list[str]]
    connect: Callable[[LocalStack, Any], Awaitable[tuple[str, str]]]
    estimate_call: str
    order: Callable[[Any], list[str]]


BOARDS = {
    "jira": Board(seed_board, connected, "issue.edit", lambda jira: jira.backlog_keys()),
    "github": Board(
        seed,
        github_connected,
        "graphql.updateProjectV2ItemFieldValue",
        lambda github: github.project_keys()[:4],
    ),
}


@pytest.fixture(params=list(BOARDS))
def board(request: pytest.FixtureRequest) -> tuple[Board, Any]:
    """Each tracker in turn, its emulator running (the module's ``jira`` or ``github``)."""
    return BOARDS[request.param], request.getfixturevalue(request.param)


async def test_an_accepted_poker_estimate_lands_in_the_tracker(slack, board):
    tracker, em = board
    first, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await estimate_by_poker(slack, first, "8")
    assert em.estimate_of(first) == 8.0
    assert len(em.calls_to(tracker.estimate_call)) == 1


async def test_a_reorder_by_the_po_moves_the_issue_in_the_tracker(slack, board):
    tracker, em = board
    first, second, third, last = tracker.seed(em)
    await tracker.connect(slack, em)
    await move_to_top(slack, last)
    assert tracker.order(em) == [last, first, second, third]


async def test_an_item_added_in_slack_shows_pending_until_it_is_in_jira(slack, jira):
    seed_board(jira)
    await connected(slack, jira)
    jira.fail_next(503, route="issue.create")
    await slack.driver.command("/backlog", "add Apple Pay", user=DEV1, channel=CHANNEL)
    await drain(slack)
    assert (
        "not yet in Jira: retrying (Jira answered HTTP 503, a problem on its side)"
        in await backlog_text(slack)
    )
    await later(slack, 10)
    [made] = [i for i in jira.issues.values() if i.summary == "Apple Pay"]
    listed = await backlog_text(slack)
    assert "not yet in Jira" not in listed and f"|{made.key}>" in listed


async def test_an_edit_in_jira_comes_back_by_webhook_and_a_wrong_secret_changes_nothing(
    slack, jira
):
    _, story, *_ = seed_board(jira)
    path, secret = await connected(slack, jira)
    await only_the_signed_webhook_counts(
        slack,
        jira,
        path,
        secret,
        "/trackers/jira/no-such-connection",
        partial(jira.edit, story, summary="Pay by card or wallet"),
    )
    number = (await item_by_key(slack, story)).number
    await slack.driver.command("/backlog", f"show {number}", user=PO, channel=CHANNEL)
    item = shown(last_ephemeral(slack, PO))
    assert f"*Jira:* <{jira.url}/browse/{story}|{story}>" in item and "In Progress" in item
    assert "Card payments at checkout." in item, "Jira's description, shown"
    assert "Jira edited title" in item, "the history says the change came from Jira"

    async with slack.db.transaction() as store:
        before = len(await store.jobs())
    async with aiohttp.ClientSession() as http:
        answer = await http.post(f"{slack.url}{path}", data=b"{}", headers={})
        assert answer.status == 401
    async with slack.db.transaction() as store:
        assert len(await store.jobs()) == before, "a refused call changes nothing"


async def test_disconnecting_keeps_the_items_unlinked(slack, jira):
    seed_board(jira)
    await connected(slack, jira)
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    answer = shown(last_ephemeral(slack, PO))
    assert "no longer connected to Jira board *TB board*" in answer and "4 items" in answer
    listed = await backlog_text(slack)
    assert "Receipt shows the wrong VAT" in listed and "/browse/" not in listed
