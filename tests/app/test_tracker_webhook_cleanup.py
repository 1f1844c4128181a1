# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The webhook Timebox adds itself in Linear never outlives what keeps it, through the real app
and the trackers' emulators (their webhook lists): a connect refused after adding it (the
board taken meanwhile, the roles changed, the database failing) removes it again; connecting
the channel to another board removes the old connection's, as a disconnect does; and a
disconnect's removal is due work recorded with it, so a crash or a failing tracker after the
commit only delays it. A webhook a tracker's admin added (Jira, GitHub) stays theirs."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pytest

from bot.emulator.linear import LinearEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker_connect, tracker_unhook
from storage.repositories.trackers import TrackerQueries
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_slack import connected as jira_connected
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, later, roles
from tests.conftest import CHANNEL, DEV1, PO

ADDED = "Timebox added its webhook in Linear"
CONNECTED = "This channel is connected to Linear team"


@pytest.fixture
def public(slack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timebox knows its public address, so it adds its own webhook in Linear."""
    settings = dataclasses.replace(slack.services.settings, public_url="https://timebox.example")
    monkeypatch.setattr(slack.services, "settings", settings)


def after_adding(monkeypatch: pytest.MonkeyPatch, then: Callable[[], Any]) -> None:
    """What happens elsewhere (``then()``) right after a connect added its webhook, before
    the transaction that stores the connection."""
    real = tracker_connect._add_webhook

    async def added(*args: Any) -> Any:
        done = await real(*args)
        await then()
        return done

    monkeypatch.setattr(tracker_connect, "_add_webhook", added)


async def connection(slack: LocalStack) -> Any:
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return await store.connection(team.id)


async def removals(slack: LocalStack) -> list[Any]:
    async with slack.db.transaction() as store:
        return list(await store.jobs(tracker_unhook.KIND))


async def linear_with_its_webhook(slack: LocalStack, linear: LinearEmulator) -> None:
    await roles(slack)
    answer = await connect_linear(slack, linear)
    assert CONNECTED in answer and ADDED in answer, answer
    assert len(linear.webhooks) == 1
    await drain(slack)


# -- a connect that stores nothing removes the webhook it added -------------------------------


def storing(monkeypatch: pytest.MonkeyPatch, does: Callable[[], Any]) -> None:
    """Storing the connection does ``does()`` instead: None is the database's unique board
    key refusing it (another channel connected the board since the connect looked)."""

    async def instead(self: Any, connection: Any) -> Any:
        return await does()

    monkeypatch.setattr(TrackerQueries, "add_connection", instead)


async def _taken() -> None:
    return None


async def _database_failing() -> None:
    raise RuntimeError("the database went away")


@pytest.mark.parametrize("meanwhile", ["board taken", "roles changed", "database failing"])
async def test_a_connect_that_stores_nothing_removes_the_webhook_it_added(
    slack, linear, public, monkeypatch, meanwhile
):
    await roles(slack)

    async def no_longer_po() -> None:
        async with slack.db.transaction() as store:
            team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
            await store.set_role(team, "po", [DEV1])
            await store.set_role(team, "sm", [])

    if meanwhile == "roles changed":
        after_adding(monkeypatch, no_longer_po)
    else:
        storing(monkeypatch, _taken if meanwhile == "board taken" else _database_failing)
    answer = await connect_linear(slack, linear)

    if meanwhile == "board taken":
        assert "connected to another Timebox channel already" in answer, answer
    assert linear.webhooks == [], "nothing left to call a Timebox that answers 401"
    assert await connection(slack) is None


async def test_a_refused_connect_whose_webhook_linear_will_not_remove_at_once_retries_it(
    slack, linear, public, monkeypatch
):
    await roles(slack)

    async def taken_and_linear_down() -> None:
        linear.fail_next(503, route="DeleteWebhook")

    storing(monkeypatch, taken_and_linear_down)
    await connect_linear(slack, linear)
    assert len(linear.webhooks) == 1, "Linear did not answer the removal"
    [row] = await removals(slack)
    assert linear.user.api_key not in json.dumps(row.payload), "the key is kept encrypted"

    await later(slack, 60)

    assert linear.webhooks == []
    [row] = await removals(slack)
    assert row.done_at is not None and row.outcome == "removed"


# -- another board ----------------------------------------------------------------------------


async def test_connecting_another_linear_team_removes_the_old_connections_webhook(
    slack, linear, public
):
    ops = linear.add_team("OPS", "Operations")
    await linear_with_its_webhook(slack, linear)
    [old] = linear.webhooks

    answer = await connect_linear(slack, linear, **{"Team key": "OPS"})
    assert "This channel is connected to Linear team *Operations*" in answer, answer
    await drain(slack)

    [kept] = linear.webhooks
    assert kept.id != old.id and kept.team_id == ops.id, "the new connection's stays"
    assert (await connection(slack)).board["webhook_id"] == kept.id


async def test_connecting_jira_instead_removes_the_linear_connections_webhook(
    slack, linear, jira, public, monkeypatch
):
    hosts = f"{linear.host_setting},{jira.host_setting}"
    monkeypatch.setenv("TIMEBOX_TRACKER_HOSTS", hosts)
    await linear_with_its_webhook(slack, linear)

    await jira_connected(slack, jira)
    await drain(slack)

    assert linear.webhooks == []
    assert (await connection(slack)).kind == "jira"


# -- a disconnect -----------------------------------------------------------------------------


async def test_a_crash_right_after_the_disconnect_still_removes_the_webhook(
    slack, linear, public, monkeypatch
):
    await linear_with_its_webhook(slack, linear)

    async def crashed(svc: Any, key: str) -> None:  # the process stopped before it tried
        return None

    monkeypatch.setattr(tracker_unhook, "remove_now", crashed)
    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    assert await connection(slack) is None
    assert len(linear.webhooks) == 1

    await drain(slack)

    assert linear.webhooks == []


async def test_a_removal_linear_fails_at_the_disconnect_is_retried_until_it_lands(
    slack, linear, public
):
    await linear_with_its_webhook(slack, linear)
    linear.fail_next(503, route="DeleteWebhook", times=2)  # at once, and the first retry

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    said = shown(last_ephemeral(slack, PO))
    assert "could not remove the webhook it added in Linear yet" in said, said
    assert "keeps trying" in said, said
    await drain(slack)
    assert len(linear.webhooks) == 1, "the first retry failed too"
    await later(slack, 60)
    assert linear.webhooks == []
    [row] = await removals(slack)
    assert row.done_at is not None and row.outcome == "removed"


async def test_a_disconnect_that_removed_the_webhook_at_once_leaves_no_work(slack, linear, public):
    await linear_with_its_webhook(slack, linear)

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    assert linear.webhooks == []
    await drain(slack)
    [row] = await removals(slack)
    assert row.done_at is not None and row.outcome == "removed at once", "not run again"


@pytest.fixture(params=["jira", "github"])
def admins(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """Jira, then GitHub: trackers whose webhook an admin adds by hand; its emulator, and
    what connects the channel to it (the webhook's path and secret)."""
    connect = {"jira": jira_connected, "github": github_connected}[request.param]
    return request.getfixturevalue(request.param), connect


async def test_a_webhook_the_trackers_admin_added_stays_at_a_disconnect(slack, admins, public):
    em, connect = admins
    path, secret = await connect(slack, em)
    em.add_webhook(f"{slack.url}{path}", secret)

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)
    await drain(slack)

    assert len(em.webhooks) == 1, "an admin's webhook is theirs to remove"
    assert await removals(slack) == []
