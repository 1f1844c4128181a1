# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""What the tracker texts say, through the real app and the trackers' emulators: an issue
found deleted in the tracker is said in the item's history at the team's time (as a conflict
is), as when Timebox noticed it; Jira's connect answer asks for the webhook's deleted event
too (the README's); the status of a Linear team whose webhook Timebox added itself shows no
secret that was never shown."""

from __future__ import annotations

import dataclasses

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_jira_reconcile import connected as jira_connected
from tests.app.test_tracker_connect import connect_linear, linear  # noqa: F401
from tests.app.test_tracker_slack import connected as connected_by_form
from tests.app.test_tracker_sync import history, jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, items, roles
from tests.conftest import CHANNEL, PO


async def test_an_issue_deleted_in_jira_is_said_at_the_teams_time_as_noticed(slack, jira):
    bug, *_ = seed_board(jira)
    await jira_connected(slack, jira, hooks=True)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        team.timezone = "Europe/Berlin"  # UTC+1 in March
    card = await item_by_key(slack, bug)
    jira.delete(bug)
    await jira.deliver_webhooks()
    await drain(slack)

    [gone] = [i for i in await items(slack, include_closed=True) if i.id == card.id]
    *_, (_, action, changes) = await history(slack, gone)
    assert action == "unlinked"
    assert changes["note"].startswith(
        f"{bug} was deleted in Jira (or the Jira account can no longer see it), noticed on "
        "2026-03-02 10:00 Europe/Berlin: unlinked and archived"
    ), changes["note"]
    assert "UTC" not in changes["note"]


async def test_the_jira_connect_answer_asks_for_the_deleted_event_too(slack, jira):
    seed_board(jira)
    await connected_by_form(slack, jira)
    answer = shown(last_ephemeral(slack, PO))
    assert "for issue created, updated and deleted:" in answer, answer


async def test_the_status_of_a_webhook_timebox_added_shows_no_secret_never_shown(
    slack, linear, monkeypatch
):
    public = dataclasses.replace(slack.services.settings, public_url="https://timebox.example")
    monkeypatch.setattr(slack.services, "settings", public)
    await roles(slack)
    assert "Timebox added its webhook in Linear" in await connect_linear(slack, linear)

    await slack.driver.command("/timebox", "connect status", user=PO, channel=CHANNEL)
    said = shown(last_ephemeral(slack, PO))

    assert "its secret was shown once" not in said, said
    assert "Timebox added it to Linear itself" in said, said
    assert "https://timebox.example/trackers/linear/" in said, "its address is still shown"
