"""kill -9 between the Slack answer and the Jira write, then a restart: the write is done once.

A real `timebox run` process, connected to the Jira emulator, answers a reorder and an item
added in Slack, then is killed while Jira holds its write: the rank call never reaches Jira
(dropped), the create does (Jira made the issue, the answer was lost). A new process takes
over the same database once the dead one's leases run out: the issue is ranked, and the item
is linked to the one issue Jira made (no second one). On SQLite and on PostgreSQL.

The helpers here serve the same scenario with GitHub and Linear (test_tracker_kills.py).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.emulator import SlackEmulator
from bot.emulator.jira import JiraEmulator
from bot.runtime.secrets import generate_key
from storage.db import Database
from tests.app.test_backlog_slack import shown
from tests.app.trackers import jira_form
from tests.fleet import Instance, Relaunches, SharedClock, command, instance_env, until

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PO = "U0PO"
CHANNEL = "CJIRA"
HELD = 60.0  # seconds the tracker would hold its answer: the kill comes long before
RANK, CREATE = "issue.rank", "issue.create"


@asynccontextmanager
async def world_with(
    tmp_path: Path, tracker_emulator: type
) -> AsyncIterator[tuple[SlackEmulator, Any, SharedClock]]:
    """Slack (Paula in the team's channel) and the tracker's emulator, on a clock the bot's
    processes share; stopped after."""
    clock = SharedClock(tmp_path / "clock", START)
    slack = SlackEmulator(now=clock.now)
    slack.add_user(PO, "paula", tz="Europe/Berlin")
    slack.add_channel(CHANNEL, "tracker-team", members=[PO, "UBOT"])
    async with slack, tracker_emulator(now=clock.now) as tracker:
        yield slack, tracker, clock


def relaunches(
    slack: SlackEmulator, tracker: Any, clock: SharedClock, database_url: str, tmp_path: Path
) -> Relaunches:
    """`timebox run` processes on the shared database and clock, allowed to call the tracker."""
    env = instance_env(slack, database_url, clock.path) | {
        "TIMEBOX_SECRET_KEY": generate_key(),
        "TIMEBOX_TRACKER_HOSTS": tracker.host_setting,
    }
    return Relaunches(env, tmp_path)


async def connect_by_form(
    instance: Instance, slack: SlackEmulator, kind: str, form: dict[str, str]
) -> str:
    """Paula made PO connects the channel through ``kind``'s form: the connection's answer."""
    driver = instance.driver(slack)
    await command(driver, "/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
    await driver.command("/timebox", f"connect {kind}", user=PO, channel=CHANNEL)
    await until(lambda: slack.open_view(PO) is not None, "the connect form")
    view = slack.open_view(PO)
    assert view is not None
    await driver.submit(view, form, user=PO)

    def answer() -> str | None:
        said = [shown(e) for e in slack.ephemerals(CHANNEL, PO)]
        return next((text for text in said if "is connected to" in text), None)

    await until(lambda: answer() is not None, "the connection's answer")
    return answer() or ""


async def killed_during(
    runs: Relaunches,
    instance: Instance,
    slack: SlackEmulator,
    tracker: Any,
    text: str,
    says: str,
    *,
    route: str,
    applied: bool,
) -> Instance:
    """`/backlog <text>` answered in Slack (the answer says ``says``), its write (a call of
    ``route``) held by the tracker and the bot killed meanwhile; the write then let go (done
    if ``applied``, else dropped) and a new process started: returned."""
    tracker.delay_next(HELD, route=route, applied=applied)
    await command(instance.driver(slack), "/backlog", text, user=PO, channel=CHANNEL)
    assert says.lower() in shown(slack.ephemerals(CHANNEL, PO)[-1]).lower()
    await until(lambda: any(c.held for c in tracker.calls_to(route)), f"the held {route}")
    await instance.kill()
    tracker.release_held()
    return await runs.start()


async def linked_keys(db: Database) -> list[str | None]:
    """The channel's backlog as keys of the issues its items are linked to (None: not yet)."""
    async with db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        if team is None:
            return []
        items = await store.all_items(team.id, include_closed=False)
        return [i.tracker_link.key if i.tracker_link else None for i in items]


async def keys_are(db: Database, keys: list[str]) -> bool:
    try:
        return await linked_keys(db) == keys
    except Exception:
        return False


async def linked_once(db: Database, made: list[str]) -> bool:
    """One issue was made, and an item is linked to it."""
    return len(made) == 1 and made[0] in await linked_keys(db)


def assert_logs_clean(instance: Instance, runs: Relaunches, tmp_path: Path, token: str) -> None:
    """No log of any run shows the token, and the last one no traceback."""
    logs = "".join((tmp_path / f"run-{n}.log").read_text() for n in range(1, runs.count + 1))
    assert token not in logs
    assert "Traceback" not in instance.output(), instance.tail()


@pytest.fixture
async def world(tmp_path):
    async with world_with(tmp_path, JiraEmulator) as started:
        yield started


async def test_a_write_cut_off_by_a_kill_is_done_once_after_the_restart(
    world, empty_database_url, tmp_path
):
    slack, jira, clock = world
    keys = [jira.add_issue(f"Story {n}").key for n in range(1, 5)]
    runs = relaunches(slack, jira, clock, empty_database_url, tmp_path)
    db = Database(empty_database_url)
    instance = await runs.start()
    try:
        answer = await connect_by_form(instance, slack, "jira", jira_form(jira))
        assert "is connected to Jira" in answer and jira.user.token not in answer
        await until(lambda: keys_are(db, keys), "the import")

        # -- 1. a reorder: its rank call never reaches Jira ----------------------------------
        instance = await killed_during(
            runs, instance, slack, jira, "move 4 top", "moved", route=RANK, applied=False
        )
        clock.set(START + timedelta(minutes=3))  # past the dead process's lease
        await until(lambda: jira.backlog_keys() == [keys[3], *keys[:3]], "the rank in Jira")

        # -- 2. an item added in Slack: Jira makes the issue, its answer is lost --------------
        instance = await killed_during(
            runs, instance, slack, jira, "add Apple Pay", "Apple Pay", route=CREATE, applied=True
        )
        clock.set(START + timedelta(minutes=6))
        made = [i.key for i in jira.issues.values() if i.summary == "Apple Pay"]
        await until(lambda: linked_once(db, made), "the item linked to the issue Jira made")

        # -- exactly once ---------------------------------------------------------------------
        applied = [c for c in jira.calls_to(RANK) if not c.dropped and c.status == 204]
        assert len([c for c in jira.calls_to(RANK) if c.dropped]) == 1
        assert len(applied) >= 1 and jira.backlog_keys()[:4] == [keys[3], *keys[:3]]
        assert len(made) == 1, "one issue, though the create was cut off"
        assert len(jira.calls_to(CREATE)) == 1, "looked before creating again"
        assert slack.problems == []
    finally:
        await db.dispose()
        code = await instance.stop()
    assert code == 0
    assert_logs_clean(instance, runs, tmp_path, jira.user.token)
