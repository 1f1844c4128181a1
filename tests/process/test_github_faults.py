"""kill -9 between the Slack answer and the GitHub write, then a restart: the write is done once.

A real `timebox run` process, connected to a GitHub project (the emulator) through the form,
answers a reorder and an item added in Slack, then is killed while GitHub holds its write: the
move never reaches GitHub (dropped), the create does (GitHub made the issue, in the project, and
the answer was lost). A new process takes over the same database once the dead one's leases
run out: the item is moved, and the new item is linked to the one issue GitHub made (no second
one). On SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.emulator import SlackEmulator
from bot.emulator.github import GitHubEmulator
from bot.runtime.secrets import generate_key
from storage.db import Database
from tests.app.test_backlog_slack import shown
from tests.fleet import Relaunches, SharedClock, command, instance_env, until
from tests.process.test_tracker_faults import linked_keys

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
PO = "U0PO"
CHANNEL = "CJIRA"  # linked_keys reads this channel's team
HELD = 60.0  # seconds GitHub would hold its answer: the kill comes long before
MOVE = "graphql.updateProjectV2ItemPosition"
CREATE = "graphql.createIssue"


@pytest.fixture
async def world(tmp_path):
    clock = SharedClock(tmp_path / "clock", START)
    slack = SlackEmulator(now=clock.now)
    slack.add_user(PO, "paula", tz="Europe/Berlin")
    slack.add_channel(CHANNEL, "github-team", members=[PO, "UBOT"])
    github = GitHubEmulator(now=clock.now)
    await slack.start()
    await github.start()
    yield slack, github, clock
    await github.stop()
    await slack.stop()


async def test_a_github_write_cut_off_by_a_kill_is_done_once_after_the_restart(
    world, empty_database_url, tmp_path
):
    slack, github, clock = world
    keys = [github.add_issue(f"Story {n}").key for n in range(1, 5)]
    env = instance_env(slack, empty_database_url, clock.path) | {
        "TIMEBOX_SECRET_KEY": generate_key(),
        "TIMEBOX_TRACKER_HOSTS": github.host_setting,
    }
    runs = Relaunches(env, tmp_path)
    db = Database(empty_database_url)
    instance = await runs.start()
    try:
        driver = instance.driver(slack)
        await command(driver, "/timebox", f"roles po <@{PO}|paula>", user=PO, channel=CHANNEL)
        await driver.command("/timebox", "connect github", user=PO, channel=CHANNEL)
        await until(lambda: slack.open_view(PO) is not None, "the connect form")
        view = slack.open_view(PO)
        assert view is not None
        await driver.submit(
            view,
            {
                "Repository": github.repository.full_name,
                "Project number": "1",
                "Token or App private key": github.token,
                "API address": github.url,
            },
            user=PO,
        )
        await until(
            lambda: any(
                "is connected to GitHub" in shown(e) for e in slack.ephemerals(CHANNEL, PO)
            ),
            "the connection's answer",
        )
        await until(lambda: _keys_are(db, keys), "the import")

        # -- 1. a reorder: answered in Slack, its move held by GitHub, the bot killed -------
        github.delay_next(HELD, route=MOVE, applied=False)
        await command(driver, "/backlog", "move 4 top", user=PO, channel=CHANNEL)
        assert "moved" in shown(slack.ephemerals(CHANNEL, PO)[-1]).lower()
        await until(lambda: any(c.held for c in github.calls_to(MOVE)), "the held move")
        await instance.kill()
        github.release_held()
        instance = await runs.start()
        clock.set(START + timedelta(minutes=3))  # past the dead process's lease
        await until(lambda: github.project_keys() == [keys[3], *keys[:3]], "the move on GitHub")

        # -- 2. an item added in Slack: GitHub makes the issue, its answer is lost ------------
        driver = instance.driver(slack)
        github.delay_next(HELD, route=CREATE, applied=True)
        await command(driver, "/backlog", "add Apple Pay", user=PO, channel=CHANNEL)
        assert "Apple Pay" in shown(slack.ephemerals(CHANNEL, PO)[-1])
        await until(lambda: any(c.held for c in github.calls_to(CREATE)), "the held create")
        await instance.kill()
        github.release_held()
        instance = await runs.start()
        clock.set(START + timedelta(minutes=6))
        made = [i.key for i in github.repository.issues.values() if i.title == "Apple Pay"]
        await until(lambda: _linked(db, made), "the item linked to the issue GitHub made")

        # -- exactly once ---------------------------------------------------------------------
        assert len([c for c in github.calls_to(MOVE) if c.dropped]) == 1
        assert github.project_keys()[:4] == [keys[3], *keys[:3]]
        assert len(made) == 1, "one issue, though the create was cut off"
        assert len(github.calls_to(CREATE)) == 1, "looked before creating again"
        assert slack.problems == []
    finally:
        await db.dispose()
        code = await instance.stop()
    assert code == 0
    logs = "".join((tmp_path / f"run-{n}.log").read_text() for n in range(1, runs.count + 1))
    assert github.token not in logs
    assert "Traceback" not in instance.output(), instance.tail()


async def _keys_are(db: Database, keys: list[str]) -> bool:
    try:
        return await linked_keys(db) == keys
    except Exception:
        return False


async def _linked(db: Database, made: list[str]) -> bool:
    return len(made) == 1 and made[0] in await linked_keys(db)
