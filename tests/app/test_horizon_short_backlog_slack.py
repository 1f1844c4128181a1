"""A backlog shorter than the horizon's number of items: `/ready` does not say its horizon is
the top 10 items of a backlog of three without saying those three are all of it."""

from __future__ import annotations

from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_ready_slack import ready
from tests.conftest import DEV1, roles


async def test_a_short_backlog_is_said_to_be_the_whole_horizon(slack):
    await roles(slack)
    for title in ("Export invoices", "Dark mode", "Audit log"):
        await backlog(slack, f"add {title}", user=DEV1)
    report = shown(await ready(slack))
    assert "0 of the top 3 items are ready" in report, report
    assert "the horizon is the top 10 items (for now the whole backlog)." in report, report
