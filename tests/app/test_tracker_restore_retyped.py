# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""`/backlog restore` of an item whose Jira issue was turned into an epic or a sub-task (the
sync unlinked and archived it), through the real app, the Slack emulator and the Jira emulator:
the issue is still there, so the restore is refused privately, naming the issue, what it
became and how to bring the item back, and nothing changes (no new story created in Jira
beside the epic); the issue turned back into a story, the next sync links the item to it again,
back on the backlog. A GitHub issue labelled epic alike."""

from __future__ import annotations

import pytest

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_github_sync import connected as github_connected
from tests.app.test_github_sync import github, seed  # noqa: F401
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import jira, seed_board  # noqa: F401
from tests.app.trackers import SYNC, WORKSPACE, backlog_text, drain, item_by_key, items, later
from tests.conftest import CHANNEL

BECAME = {"Epic": "became an epic in Jira", "Subtask": "became a sub-task in Jira"}
UNDO = {"Epic": "type back to Story", "Subtask": "convert {key} back into a story"}


async def pending_writes(slack: LocalStack) -> list[str]:
    """The keys of the tracker writes queued and not done yet."""
    async with slack.db.transaction() as store:
        await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        return [job.key for job in await store.pending_jobs("tracker_write:")]


@pytest.mark.parametrize("kind", ["Epic", "Subtask"])
async def test_restoring_an_item_whose_issue_became_an_epic_or_subtask_is_refused(
    slack, jira, kind
):
    """Before the fix the restore took the retyped issue for a deleted one and created a new
    story in Jira beside the epic (a duplicate). Now it is refused privately, naming the issue,
    what it became and what to do; the item stays archived and unlinked, no write is queued
    and Jira is asked to create nothing. Turned back into a story in Jira, the next sync links
    the item to its issue again, back on the backlog, still without a create."""
    _, story, *_ = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    linked = len(await items(slack))
    jira.edit(story, issue_type=kind)
    await later(slack, SYNC)
    card = await item_by_key(slack, story)
    assert card.archived_at is not None and card.tracker_link.connection_id is None
    number = card.number
    jira.reset_calls()

    answer = shown(await backlog(slack, f"restore {number}"))

    assert story in answer and BECAME[kind] in answer, answer
    assert UNDO[kind].format(key=story) in answer and "the next sync" in answer, answer
    assert "will be created" not in answer and "back on the backlog, at the bottom" not in answer
    assert await pending_writes(slack) == [], "no create queued"
    await drain(slack)
    assert jira.calls_to("issue.create") == [], "no duplicate story in Jira"
    card = await item_by_key(slack, story)
    assert card.number == number and card.archived_at is not None, "it stays archived"
    assert card.tracker_link.connection_id is None and card.tracker_link.key == story

    jira.edit(story, issue_type="Story")
    await later(slack, SYNC)

    card = await item_by_key(slack, story)
    assert card.number == number and card.archived_at is None, "back on the backlog"
    assert card.tracker_link.connection_id is not None, "linked to its issue again"
    assert f"#{number}" in await backlog_text(slack)
    assert len(await items(slack)) == linked, "one item for the issue, as before"
    assert jira.calls_to("issue.create") == []


async def test_a_github_issue_labelled_epic_is_not_created_again_by_a_restore(slack, github):
    """The same on a GitHub project, where an issue is an epic by its label: the restore is
    refused, saying to take the label off (before the fix: a new issue created beside it);
    taken off, the next sync links the item to the issue again."""
    *_, task = seed(github)
    await github_connected(slack, github)
    await drain(slack)
    github.edit(task, labels=["epic"])
    await later(slack, SYNC)
    card = await item_by_key(slack, task)
    assert card.archived_at is not None and card.tracker_link.connection_id is None
    github.reset_calls()

    answer = shown(await backlog(slack, f"restore {card.number}"))

    assert f"{task} became an epic in GitHub" in answer, answer
    assert f"take the epic label off {task} in GitHub" in answer, answer
    assert await pending_writes(slack) == []
    await drain(slack)
    assert github.calls_to("graphql.createIssue") == []
    assert (await item_by_key(slack, task)).archived_at is not None

    github.edit(task, labels=[])
    await later(slack, SYNC)

    card = await item_by_key(slack, task)
    assert card.archived_at is None and card.tracker_link.connection_id is not None
    assert github.calls_to("graphql.createIssue") == []
