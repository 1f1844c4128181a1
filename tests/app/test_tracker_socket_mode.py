# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""In Socket Mode Timebox serves no web address, so no webhook reaches it: through the real
app in Socket Mode and the Slack and Jira emulators, the connect answer, a renewal's answer and
`/timebox connect status` give no webhook address nor secret to set up, and say instead that
changes made in the tracker arrive with the sync every 5 minutes (deletions and the
order, hourly), even when the operator has set TIMEBOX_PUBLIC_URL (for the calendar feed)."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest

from bot.emulator.stack import LocalStack
from bot.runtime.clock import ManualClock
from storage.db import Database
from tests.app.test_socket_mode import start
from tests.app.test_tracker_backlog_scope import status_text
from tests.app.test_tracker_slack import submit
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import drain, roles

ARRIVE = (
    "Timebox runs in Socket Mode, which brings it no webhooks: changes made in Jira arrive "
    "with its sync every 5 minutes (deletions, and the order, every hour)"
)


@pytest.fixture(params=[None, "https://timebox.example"])
async def slack(
    db: Database, clock: ManualClock, request: pytest.FixtureRequest, monkeypatch
) -> AsyncIterator[LocalStack]:
    """The real app in Socket Mode, with TIMEBOX_PUBLIC_URL unset, then set."""
    stack = await start(db, clock)
    settings = dataclasses.replace(stack.services.settings, public_url=request.param)
    monkeypatch.setattr(stack.services, "settings", settings)
    try:
        yield stack
    finally:
        await stack.stop()
    assert stack.emulator.problems == []


async def test_no_webhook_is_offered_and_the_sync_is_said_instead(slack, jira):
    assert slack.services.settings.socket_mode
    seed_board(jira)
    await roles(slack)

    answer = await submit(slack, jira)
    await drain(slack)
    status = await status_text(slack)
    renewed = await submit(slack, jira)

    for said in (answer, status, renewed):
        assert ARRIVE in said, said
        assert "/trackers/jira/" not in said and "TIMEBOX_PUBLIC_URL" not in said, said
        assert "webhook (" not in said and "Secret:" not in said, said
    assert "This channel is connected to Jira board *TB board*" in answer, answer
    assert "Status: importing" in status or "Status: in step" in status, status
    assert "signs in to Jira with the new API token" in renewed, renewed
