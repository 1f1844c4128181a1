# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""What a connection's messages say, in plain and exact words: a failure on the first try is
not "1 times in a row", and `/timebox disconnect` counts the items left on the backlog apart
from the done, archived and planned ones."""

from __future__ import annotations

from bot.trackers.http import RetryPolicy
from tests.app import trackers as shared
from tests.app.test_backlog_slack import backlog, last_ephemeral, shown
from tests.app.test_tracker_clients import Running, running  # noqa: F401
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.conftest import CHANNEL, DEV1, PO


async def test_a_failure_on_the_only_try_is_not_counted_in_a_row(running: Running) -> None:
    client = running.make_client(retry=RetryPolicy(attempts=1, timeout=5))

    down = await shared.gives_up_on_5xx(
        running.em, client, running.tracker.account_route, attempts=1
    )

    assert str(down) == (
        f"{running.tracker.name} had a problem of its own (HTTP 502) when asked to confirm "
        "which account this is. Timebox will try again later."
    )


async def test_disconnecting_counts_the_items_on_the_backlog_apart(slack, jira):
    seed_board(jira)
    await connected(slack, jira)
    await backlog(slack, "done 1", user=DEV1)
    assert "archived" in shown(await backlog(slack, "remove 2"))

    await slack.driver.command("/timebox", "disconnect", user=PO, channel=CHANNEL)

    answer = shown(last_ephemeral(slack, PO))
    assert (
        "Its 2 items on the backlog stay there, unlinked, as do 2 more that are done, archived "
        "or in a sprint; connecting again matches them by their keys."
    ) in answer, answer
