"""kill -9 between the Slack answer and the Jira write, then a restart: the write is done once.

A real `timebox run` process, connected to the Jira emulator, answers a reorder and an item
added in Slack, then is killed while Jira holds its write: the rank call never reaches Jira
(dropped), the create does (Jira made the issue, the answer was lost). A new process takes
over the same database once the dead one's leases run out: the issue is ranked, and the item
is linked to the one issue Jira made (no second one). On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator import SlackEmulator
from bot.emulator.jira import JiraEmulator
from bot.runtime.secrets import generate_key
from storage.db import Database
from tests.app.test_backlog_slack import shown
from tests.fleet import Relaunches, SharedClock, command, instance_env, until

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PO = "U0PO"
CHANNEL = "CJIRA"
HELD = 60.0  # seconds Jira would hold its answer: the kill comes long before


@pytest.fixture
async def world(tmp_path):
    clock = SharedClock(tmp_path / "clock", START)
    slack = SlackEmulator(now=clock.now)
    slack.add_user(PO, "paula", tz="Europe/Berlin")
    slack.add_channel(CHANNEL, "jira-team", members=[PO, "UBOT"])
    jira = JiraEmulator(now=clock.now)
    await slack.start()
    await jira.start()
    yield slack, jira, clock
    await jira.stop()
    await slack.stop()


async def linked_keys(db: Database) -> list[str | None]:
    """The channel's backlog as keys of the issues its items are linked to (None: not yet)."""
    async with db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        if team is None:
            return []
        items = await store.all_items(team.id, include_closed=False)
        return [i.tracker_link.key if i.tracker_link else None for i in items]


async def test_a_write_cut_off_by_a_kill_is_done_once_after_the_restart(
    world, empty_database_url, tmp_path
):
    slack, jira, clock = world
    keys = [jira.add_issue(f"Story {n}").key for n in range(1, 5)]
    env = instance_env(slack, empty_database_url, clock.path) | {
        "TIMEBOX_SECRET_KEY": generate_key(),
        "TIMEBOX_TRACKER_HOSTS": jira.host_setting,
    }
    runs = Relaunches(env, tmp_path)
    start = runs.start

    db = Database(empty_database_url)
    instance = await start()
    try:
        driver = instance.driver(slack)
        await command(driver, "/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
        await driver.command("/timebox", "connect jira", user=PO, channel=CHANNEL)
        await until(lambda: slack.open_view(PO) is not None, "the connect form")
        view = slack.open_view(PO)
        assert view is not None
        await driver.submit(
            view,
            {
                "Jira site": jira.url,
                "Account email": jira.user.email,
                "API token": jira.user.token,
                "Board number": "1",
            },
            user=PO,
        )
        await until(
            lambda: any("is connected to Jira" in shown(e) for e in slack.ephemerals(CHANNEL, PO)),
            "the connection's answer",
        )
        answer = next(shown(e) for e in slack.ephemerals(CHANNEL, PO) if "connected" in shown(e))
        assert jira.user.token not in answer
        await until(lambda: _keys_are(db, keys), "the import")

        # -- 1. a reorder: answered in Slack, its rank call held by Jira, the bot killed ----
        jira.delay_next(HELD, route="issue.rank", applied=False)
        await command(driver, "/backlog", "move 4 top", user=PO, channel=CHANNEL)
        assert "moved" in shown(slack.ephemerals(CHANNEL, PO)[-1]).lower()
        await until(lambda: any(c.held for c in jira.calls_to("issue.rank")), "the held rank")
        await instance.kill()
        jira.release_held()
        instance = await start()
        clock.set(START + timedelta(minutes=3))  # past the dead process's lease
        await until(lambda: jira.backlog_keys() == [keys[3], *keys[:3]], "the rank in Jira")

        # -- 2. an item added in Slack: Jira makes the issue, its answer is lost --------------
        driver = instance.driver(slack)
        jira.delay_next(HELD, route="issue.create", applied=True)
        await command(driver, "/backlog", "add Apple Pay", user=PO, channel=CHANNEL)
        assert "Apple Pay" in shown(slack.ephemerals(CHANNEL, PO)[-1])
        await until(lambda: any(c.held for c in jira.calls_to("issue.create")), "the held create")
        await instance.kill()
        jira.release_held()
        instance = await start()
        clock.set(START + timedelta(minutes=6))
        made = [i.key for i in jira.issues.values() if i.summary == "Apple Pay"]
        await until(lambda: _linked(db, made), "the item linked to the issue Jira made")

        # -- exactly once ---------------------------------------------------------------------
        applied = [c for c in jira.calls_to("issue.rank") if not c.dropped and c.status == 204]
        assert len([c for c in jira.calls_to("issue.rank") if c.dropped]) == 1
        assert len(applied) >= 1 and jira.backlog_keys()[:4] == [keys[3], *keys[:3]]
        assert len(made) == 1, "one issue, though the create was cut off"
        assert len(jira.calls_to("issue.create")) == 1, "looked before creating again"
        assert slack.problems == []
    finally:
        await db.dispose()
        code = await instance.stop()
    assert code == 0
    logs = "".join((tmp_path / f"run-{n}.log").read_text() for n in range(1, runs.count + 1))
    assert jira.user.token not in logs
    assert "Traceback" not in instance.output(), instance.tail()


async def _keys_are(db: Database, keys: list[str]) -> bool:
    try:
        return await linked_keys(db) == keys
    except Exception:
        return False


async def _linked(db: Database, made: list[str]) -> bool:
    return len(made) == 1 and made[0] in await linked_keys(db)
