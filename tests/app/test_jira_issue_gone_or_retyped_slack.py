# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A linked Jira issue that stops being a backlog row: turned into an epic or a sub-task, its
item leaves the backlog at the next sync; deleted, a write to it unlinks the item as the
hourly look would and says so, rather than "Jira refused"."""

from __future__ import annotations

import pytest

from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import connect, history, jira, seed_board  # noqa: F401
from tests.app.trackers import (
    RECONCILE,
    SYNC,
    backlog_text,
    drain,
    estimate_by_poker,
    item_by_key,
    later,
)
from tests.conftest import CHANNEL


@pytest.mark.parametrize("kind", ["Epic", "Subtask"])
async def test_a_story_turned_into_an_epic_or_subtask_in_jira_leaves_the_backlog(slack, jira, kind):
    """A PO turns a story into an Epic (or a sub-task) in Jira: it is no backlog row any more
    (the board's backlog and Timebox's own import leave those out). At the next sync its item
    leaves `/backlog` as an issue gone off the board does: unlinked and archived, its history
    saying why (it became an epic, a sub-task, in Jira) and how it comes back (made a backlog
    row again there, not restored here), not kept as a *Story* to be estimated, planned into
    a sprint and counted as points."""
    _, story, *_ = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    jira.edit(story, issue_type=kind)
    await later(slack, SYNC)
    await later(slack, RECONCILE)

    card = await item_by_key(slack, story)
    lines = await history(slack, card)
    assert card.archived_at is not None, (card.type, lines, await backlog_text(slack))
    became = {"Epic": "became an epic in Jira", "Subtask": "became a sub-task in Jira"}[kind]
    notes = [changes.get("note", "") for _, action, changes in lines if action == "unlinked"]
    assert any(became in note for note in notes), lines
    # The issue is still there: the line says how the item comes back, never to restore it
    # (a restore would create the same work again beside the epic, and is refused).
    back = f"made a backlog row again in Jira, {story} brings #{card.number} back"
    assert any(back in note for note in notes), notes
    assert not any("/backlog restore" in note for note in notes), notes


async def test_a_poker_estimate_for_an_issue_deleted_in_jira_says_it_was_deleted(slack, jira):
    """Someone deletes an issue in Jira (no webhook set up); the team estimates its item by
    poker minutes later. Writing the 8 points, Timebox finds the issue gone (404): that is no
    refusal of the 8 points ("Jira refused Timebox's change of TB-3") but the issue deleted.
    The channel hears that it was deleted in Jira, and the item is unlinked as the hourly
    look at the board unlinks a deleted issue (archived, its history saying so), not kept
    linked to the deleted issue with a warning that Timebox will not try again."""
    _, story, *_ = seed_board(jira)
    await connected(slack, jira)
    await drain(slack)
    await later(slack, SYNC)
    jira.delete(story)
    told = len(slack.emulator.messages(CHANNEL))

    await estimate_by_poker(slack, story, "8")
    await later(slack, 30)

    said = [m.text for m in slack.emulator.messages(CHANNEL)[told:] if story in m.text]
    assert said and all("refused" not in text for text in said), said
    assert any("deleted" in text for text in said), said
    card = await item_by_key(slack, story)
    lines = await history(slack, card)
    assert card.archived_at is not None, lines
    assert any(
        action == "unlinked" and f"{story} was deleted in Jira" in changes.get("note", "")
        for _, action, changes in lines
    ), lines
