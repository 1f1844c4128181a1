# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A sprint's write to the tracker (its commitment, a scope change, its close) waiting to be
retried, alike for Jira, a GitHub project and Linear, through the real app and each tracker's
emulator: `/timebox connect status` counts it as behind and names the sprint, and each of its
items says it is not yet in the tracker, until the write lands."""

from __future__ import annotations

from bot.emulator.faults import Fault
from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira, running_sprint  # noqa: F401
from tests.app.trackers import WORKSPACE, item_by_key, last_ephemeral, later
from tests.conftest import CHANNEL, DEV1

SPRINT_MOVE = {"jira": "sprint.issues", "github": "graphql", "linear": "MoveIssues"}
NAMES = {"jira": "Jira", "github": "GitHub", "linear": "Linear"}


async def status_text(slack: LocalStack) -> str:
    await slack.driver.command("/timebox", "connect status", user=DEV1, channel=CHANNEL)
    return shown(last_ephemeral(slack, DEV1))


async def test_a_sprint_write_waiting_for_a_retry_is_counted_and_shown(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        link = (await store.links_by_keys(team.id, [key]))[key]
        (await store.item_by_id(team.id, link.item_id)).estimate = 3.0
    em.faults.add(Fault(SPRINT_MOVE[kind], 429, retry_after=900, remaining=1))

    await running_sprint(slack, [key])

    status = await status_text(slack)
    assert "in step" not in status, status
    assert "1 change not yet in" in status and "Sprint 1" in status, status
    if kind == "linear":
        cycle = next(iter(em.cycles))
        assert cycle not in status, "the cycle by its name, not its id"
    number = (await item_by_key(slack, key)).number
    card = shown(await backlog(slack, f"show {number}"))
    assert f"not yet in {NAMES[kind]}: retrying ({NAMES[kind]} asked to wait)" in card, card

    await later(slack, 901)

    assert "in step" in await status_text(slack)
    card = shown(await backlog(slack, f"show {number}"))
    assert "not yet in" not in card, card
    assert (await item_by_key(slack, key)).tracker_link.pending == 0
