# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""The hourly look at a Jira board asks for the linked issues gone from the board together,
100 keys a search, not one call each: 30 issues deleted and 20 moved to another project are
50 asked for, one search refused for the 30 keys Jira no longer knows (it names each) and
one that reads the 20 under their new keys (before: 50 ``issue.get`` calls). Each item is
unlinked and archived all the same, a deleted issue said deleted and a moved one said moved
under its new key, matched to its old key by the issue's id (a link from before ids were
kept: the keys not matched are asked for alone). A single key is still asked for alone (one
call either way)."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.stack import LocalStack
from tests.app.test_jira_adopt_batched import searches_by_key
from tests.app.test_jira_reconcile import connected
from tests.app.test_tracker_sync import history, jira  # noqa: F401
from tests.app.trackers import RECONCILE, WORKSPACE, items, later
from tests.conftest import CHANNEL


async def unlinked_note(slack: LocalStack, key: str) -> str:
    """The note of the history line that unlinked the item once linked to `key`."""
    for item in await items(slack, include_closed=True):
        if item.tracker_link is not None and item.tracker_link.key == key:
            assert item.archived_at is not None and item.tracker_link.connection_id is None
            *_, (who, action, changes) = await history(slack, item)
            assert (who, action, changes["key"]) == ("jira", "unlinked", key)
            return str(changes["note"])
    raise AssertionError(f"no item linked to {key}")


async def test_fifty_issues_gone_from_the_board_are_asked_for_in_two_searches(slack, jira):
    """60 stories imported; then 30 are deleted in Jira and 20 moved to project OPS. The
    team expects the 50 items unlinked and archived at the next hourly look, each history
    saying deleted or moved (with the new key), and Jira asked in two searches, not 50
    calls."""
    keys = jira.seed(60)
    await connected(slack, jira)
    deleted, moved = keys[:30], keys[30:50]
    for key in deleted:
        jira.delete(key)
    new_keys = {key: jira.move(key, "OPS").key for key in moved}
    slack.clock.advance(timedelta(minutes=10))
    jira.reset_calls()

    await later(slack, RECONCILE)

    for key in deleted:
        assert f"{key} was deleted in Jira" in await unlinked_note(slack, key)
    for key in moved:
        note = await unlinked_note(slack, key)
        assert f"(moved to another project: it is {new_keys[key]} now)" in note, note
    assert len(await items(slack)) == 10
    assert jira.calls_to("issue.get") == [], "asked for one by one"
    asked = searches_by_key(jira)
    assert [c.status for c in asked] == [400, 200], [c.body["jql"][:40] for c in asked]


async def test_moved_issues_whose_links_keep_no_id_are_asked_for_alone(slack, jira):
    """Links made before Timebox kept the issue's id: a search gives a moved issue under its
    new key, which no key asked names and no id matches. Of the 3 issues gone (1 deleted, 2
    moved), the 3 keys not matched are then asked for alone, as before: moved and deleted are
    told apart all the same, one search more."""
    keys = jira.seed(8)
    await connected(slack, jira)
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        for link in (await store.links_by_keys(team.id, keys)).values():
            link.issue_id = ""
    jira.delete(keys[0])
    new_keys = {key: jira.move(key, "OPS").key for key in keys[1:3]}
    slack.clock.advance(timedelta(minutes=10))
    jira.reset_calls()

    await later(slack, RECONCILE)

    assert f"{keys[0]} was deleted in Jira" in await unlinked_note(slack, keys[0])
    for key, new in new_keys.items():
        assert f"(moved to another project: it is {new} now)" in await unlinked_note(slack, key)
    assert [c.status for c in searches_by_key(jira)] == [400, 200]
    assert sorted(c.status for c in jira.calls_to("issue.get")) == [200, 200, 404]


async def test_one_issue_gone_is_asked_for_alone(slack, jira):
    """One deleted issue: one ``issue.get`` (404), as before; no search."""
    keys = jira.seed(5)
    await connected(slack, jira)
    jira.delete(keys[2])
    jira.reset_calls()

    await later(slack, RECONCILE)

    assert f"{keys[2]} was deleted in Jira" in await unlinked_note(slack, keys[2])
    assert [c.status for c in jira.calls_to("issue.get")] == [404]
    assert searches_by_key(jira) == []
