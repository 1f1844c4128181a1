"""A team that plans its next sprint without closing the last one: the commitment is refused
while the earlier sprint still runs, saying how to close it, so two sprints never run at once
(before, both ran: the older one's items could be neither done nor removed, and its points
never reached the velocity)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.emulator.stack import LocalStack
from storage.models import Sprint
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.conftest import SM


async def statuses(slack: LocalStack) -> dict[int, str]:
    """Each sprint's status, by number."""
    async with slack.db.transaction() as store:
        rows = (await store.session.scalars(select(Sprint))).all()
        return {s.number: s.status for s in rows}


async def test_the_next_sprint_is_not_committed_while_the_last_one_runs(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    slack.clock.advance(timedelta(days=16))  # its end is behind; nobody closed it

    await commit_sprint(slack, 2)

    said = shown(last_ephemeral(slack, SM))
    assert "Sprint 1 ended Fri 13 Mar but is not closed yet" in said, said
    assert "`/sprint close`" in said, said
    assert await statuses(slack) == {1: "active", 2: "planning"}, "one sprint runs"

    closed = await close_sprint(slack, "yes")
    assert "Sprint 2's planning is under way" in closed, "not: `/planning start` plans it"
    await cmd(slack, "/planning", "commit team")
    assert await statuses(slack) == {1: "closed", 2: "active"}
