# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""The tracker's sprint of the running sprint closed there by someone (a Jira sprint or a Linear
cycle completed, a GitHub iteration removed) while Timebox's sprint runs, through the real app,
the Slack emulator and each tracker's emulator: the sync notices it and tells the channel once
what it means and what to do; a sprint write the tracker refuses meanwhile (an issue added to
the closed sprint) ends as refused on its items in the tracker's words instead of being tried
again every hour, and the status is not "in step" while it is refused."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.tracker_sync import tracker_name
from bot.emulator.stack import LocalStack
from handlers.blocks.connect import item_link
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_planning_slack import channel_posts
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import SYNC, board, in_step  # noqa: F401
from tests.app.test_tracker_sprint_scope import committed
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later
from tests.conftest import CHANNEL, DEV1, PO


def close_there(em: Any, remote_id: str) -> None:
    """A person closes the tracker's sprint `remote_id` in the tracker: completes the Jira
    sprint or the Linear cycle, removes the GitHub project's iteration."""
    if hasattr(em, "complete_sprint"):
        em.complete_sprint(int(remote_id))
    elif hasattr(em, "cycles"):
        em.cycles[remote_id].completed = em.epoch() * 1000
    else:
        field = next(f for f in em.project.fields if f.data_type == "ITERATION")
        field.iterations = [i for i in field.iterations if i.id != remote_id]


CLOSED_WORDS = {
    "jira": "Sprint 1 was completed in Jira, but",
    "github": "Sprint 1's iteration was ended in GitHub (or removed)",
    "linear": "Sprint 1's cycle was completed in Linear",
}


def told(slack: LocalStack, kind: str) -> list[str]:
    """The channel's posts saying the tracker's sprint was closed there."""
    return [shown(m) for m in channel_posts(slack) if CLOSED_WORDS[kind] in shown(m)]


async def status(slack: LocalStack) -> str:
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    return shown(last_ephemeral(slack, DEV1))


async def test_a_sprint_closed_in_the_tracker_is_told_once_and_its_scope_no_longer_written(
    slack, board
):
    tracker, em = board
    kind = type(em).__name__.removesuffix("Emulator").lower()
    keys, _, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)
    assert told(slack, kind) == [] and await in_step(slack)

    close_there(em, remote)
    await later(slack, SYNC)
    await later(slack, SYNC)

    [said] = told(slack, kind)
    assert "still runs here" in said and "`/sprint close`" in said, said
    assert "stops writing its scope" in said and f"<@{PO}>" in said, said
    added = (await item_by_key(slack, keys[1])).number
    await slack.driver.command("/sprint", f"add {added} urgent", user=PO, channel=CHANNEL)
    await drain(slack)
    await later(slack, 3600)
    link = (await item_by_key(slack, keys[1])).tracker_link
    assert link.pending == 0 and link.error is None, "nothing refused: nothing was sent"
    assert await in_step(slack)
    assert len(told(slack, kind)) == 1, "told once"
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        assert (await store.sprint(team.id, "active")) is not None, "still running here"


async def test_a_write_refused_by_a_closed_sprint_is_not_retried_and_says_why(slack, board):
    """The QA finding: the sprint closed there, then `/sprint add` before a sync saw it. The
    refused write ends (no hourly retry), its item says the tracker refused it and why, the
    status is behind; the next sync tells the channel, and the refusal is over."""
    tracker, em = board
    kind = type(em).__name__.removesuffix("Emulator").lower()
    keys, _, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)

    close_there(em, remote)
    added = (await item_by_key(slack, keys[1])).number
    await slack.driver.command("/sprint", f"add {added} urgent", user=PO, channel=CHANNEL)
    await slack.services.jobs.run_due()  # the sprint write, before any sync

    link = (await item_by_key(slack, keys[1])).tracker_link
    assert link.pending == 0 and link.error, "refused, recorded on the item"
    assert "refused" in link.error, link.error
    async with slack.db.transaction() as store:
        assert await store.pending_jobs(f"tracker_write:{link.connection_id}.") == []
    shown_status = await status(slack)
    assert "in step" not in shown_status and "retried or refused by it" in shown_status
    said = item_link(await item_by_key(slack, keys[1]))
    assert f"{tracker_name(kind)} refused it, and Timebox does not try again" in said, said

    await later(slack, SYNC)
    assert len(told(slack, kind)) == 1
    await later(slack, SYNC)
    link = (await item_by_key(slack, keys[1])).tracker_link
    assert link.pending == 0 and link.error is None, "the closed sprint is not written to"
    assert await in_step(slack)


async def test_a_sprint_closed_in_the_tracker_after_its_planned_end_is_no_news(slack, board):
    """A Linear cycle completes at its end, a GitHub iteration ends: closed there once the
    sprint's last day is over, while it still runs here until the team closes it, is not
    told; the sprint's later writes move nothing there, and nothing is refused."""
    tracker, em = board
    kind = type(em).__name__.removesuffix("Emulator").lower()
    keys, _, remote = await committed(slack, tracker, em)
    await later(slack, SYNC)

    slack.clock.advance(timedelta(days=14))  # the day after the sprint's last day
    close_there(em, remote)
    await later(slack, SYNC)
    added = (await item_by_key(slack, keys[1])).number
    await slack.driver.command("/sprint", f"add {added} late find", user=PO, channel=CHANNEL)
    await drain(slack)
    await later(slack, SYNC)

    assert told(slack, kind) == []
    link = (await item_by_key(slack, keys[1])).tracker_link
    assert link.pending == 0 and link.error is None
    assert await in_step(slack)
