# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A dependency the tracker's "is blocked by" link gave, on an issue that is gone from the
board, through the real app, the Slack emulator and the Jira emulator. Jira drops a deleted
issue's links without touching the issues they blocked, so the sync never hears of it from
them: before, such a dependency stayed "not resolved" for good (the form refusing to remove
or tick it, as the tracker owns it), the item unready forever. Now, when the sync learns an
issue is gone (deleted, or moved off the board: it unlinks and archives its item), the
dependencies naming it on the team's other items are dropped, each item's history saying
why; the hourly look at the board drops those left from before. A tracker-owned dependency
names its blocker by the issue's key: an item restored here after its issue was deleted is a
new issue there, which no link names, so nothing waits for the old key."""

from __future__ import annotations

from bot.domain import readiness
from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.trackers.adf import join_acceptance
from storage.models import BacklogItem
from tests.app.test_backlog_slack import backlog
from tests.app.test_tracker_push_merge import saved_in_timebox
from tests.app.test_tracker_slack import connected
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, items, later

SYNC = 6 * 60  # seconds on: the regular sync has run
RECONCILE = 61 * 60  # seconds on: the hourly look at the board has asked for the gone issue
STATED = "By doing card payments we expect more completed checkouts."


def blocked_story(jira: JiraEmulator) -> tuple[str, str, str]:
    """A story ready but for its two blockers (provider, fraud checks), all on the board:
    (story, provider, fraud checks) keys."""
    provider = jira.add_issue("Set up the payment provider", estimate=3)
    fraud = jira.add_issue("Fraud checks", estimate=2)
    story = jira.add_issue(
        "Pay by card",
        description=join_acceptance(STATED, ["Visa and Mastercard"]),
        estimate=5,
        blocked_by=[provider.key, fraud.key],
    )
    jira.rank = [story.key, provider.key, fraud.key]
    return story.key, provider.key, fraud.key


def gaps_of(item: BacklogItem) -> list[str]:
    return readiness.gaps(item)


async def connected_blocked(slack: LocalStack, jira: JiraEmulator) -> tuple[str, str, str]:
    keys = blocked_story(jira)
    await connected(slack, jira)
    await drain(slack)
    story = await item_by_key(slack, keys[0])
    assert [d["tracker"] for d in story.dependencies] == sorted(keys[1:])
    return keys


async def test_a_blocker_deleted_in_jira_is_no_dependency_after_the_hourly_look(slack, jira):
    story_key, provider, fraud = await connected_blocked(slack, jira)
    jira.edit(provider, status="Done")  # one blocker resolved, the other deleted
    await later(slack, SYNC)
    assert gaps_of(await item_by_key(slack, story_key)) == [f"depends on {fraud}, not resolved"]

    jira.delete(fraud)
    await later(slack, SYNC)
    await later(slack, RECONCILE)

    story = await item_by_key(slack, story_key)
    assert story.dependencies == [{"text": provider, "resolved": True, "tracker": provider}]
    assert gaps_of(story) == [], "nothing left to block it"
    lines = await history(slack, story)
    [(who, _, changes)] = [
        line for line in lines if (line[2] or {}).get("note", "").startswith(fraud)
    ]
    assert who == "jira"
    assert changes["note"] == (
        f"{fraud} was deleted in Jira (or the Jira account can no longer see it), so its link "
        "no longer blocks: the dependency on it is dropped"
    )
    assert changes["dependencies"][1] == story.dependencies
    readiness_lines = [action for _, action, _ in lines if action.endswith("ready")]
    assert readiness_lines == ["became ready"], "said once, as any edit says it"


async def test_a_blocker_moved_off_the_board_blocks_no_more(slack, jira):
    """Moved to another project, the issue is not gone, but off the board the sync cannot
    follow it to done: the dependency on it is dropped, and an edit of the blocked issue
    in Jira later (its link still there) does not make it block again."""
    story_key, provider, fraud = await connected_blocked(slack, jira)
    moved = jira.move(fraud, "OTHER")
    await later(slack, RECONCILE)

    story = await item_by_key(slack, story_key)
    assert [d["tracker"] for d in story.dependencies] == [provider]
    [note] = [c["note"] for _, _, c in await history(slack, story) if c and "note" in c]
    assert note.startswith(f"{fraud} left the board in Jira (moved to another project: ")
    assert moved.key in note

    jira.edit(story_key, summary="Pay by card, Visa first", blocked_by=[provider, moved.key])
    await later(slack, SYNC)
    story = await item_by_key(slack, story_key)
    assert story.title == "Pay by card, Visa first"
    assert [g for g in gaps_of(story) if moved.key in g or fraud in g] == []


async def test_a_dependency_left_from_before_is_dropped_by_the_hourly_look(slack, jira):
    """The issue was unlinked before Timebox dropped such dependencies (the item as the QA's
    sandbox had it): the next hourly look at the board drops it."""
    story_key, provider, fraud = await connected_blocked(slack, jira)
    jira.delete(fraud)
    await later(slack, RECONCILE)
    stale = {"text": fraud, "resolved": False, "tracker": fraud}
    left = await item_by_key(slack, story_key)
    async with slack.db.transaction() as store:
        story = await store.item_by_id(left.team_id, left.id)
        story.dependencies = [*story.dependencies, stale]

    await later(slack, RECONCILE)

    story = await item_by_key(slack, story_key)
    assert stale not in story.dependencies
    assert gaps_of(story) == [f"depends on {provider}, not resolved"]


async def test_a_restored_blocker_leaves_nothing_waiting_for_its_old_key(slack, jira):
    """Item #1's issue deleted, #2 blocked by it: #2 waits for nothing once the deletion is
    known, and restoring #1 (created in Jira again under a new key) brings no wait on the
    old key back: Jira has no link to the new issue, and Jira owns the links."""
    story_key, provider, fraud = await connected_blocked(slack, jira)
    number = (await item_by_key(slack, provider)).number
    jira.delete(provider)
    await later(slack, RECONCILE)
    await backlog(slack, f"restore {number}")
    await drain(slack)
    await later(slack, RECONCILE)

    [restored] = [i for i in await items(slack) if i.number == number]
    assert restored.tracker_link.key not in (None, provider), "a new issue in Jira"
    story = await item_by_key(slack, story_key)
    assert [d["tracker"] for d in story.dependencies] == [fraud]
    assert all(provider not in g for g in gaps_of(story))


async def test_a_write_that_merges_the_moved_blockers_link_first_does_not_block_again(slack, jira):
    """The blocked issue's link to the moved issue is read first by a Timebox write (its merge
    before the write), not by a sync: the merge counts the moved blocker as blocking nothing,
    as the sync does, rather than adding it back as an open dependency."""
    story_key, provider, fraud = await connected_blocked(slack, jira)
    moved = jira.move(fraud, "OTHER")
    await later(slack, RECONCILE)
    jira.edit(story_key, blocked_by=[provider, moved.key])  # no sync reads it before the write
    number = (await item_by_key(slack, story_key)).number

    await saved_in_timebox(slack, number, "Pay by card, Visa first")
    await drain(slack)

    story = await item_by_key(slack, story_key)
    assert jira.issues[story_key].summary == "Pay by card, Visa first", "the write landed"
    assert [g for g in gaps_of(story) if moved.key in g or fraud in g] == [], story.dependencies
