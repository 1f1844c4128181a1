# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""The look that follows a Jira import whose pages found the board shifted asks Jira for the
board's issues no item links together, 100 keys a search, not one call per issue: on a board
with hundreds of sprint issues, epics and sub-tasks (none of them backlog rows, so none
linked) the issues the import missed are imported in a few calls, each issue once, and a key
Jira no longer knows by then is left out without failing the look."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from bot.emulator.jira import JiraEmulator
from bot.trackers.jira import JiraCloud
from tests.app.test_jira_client import jira_client
from tests.app.test_jira_import_shift import linked_keys, shifted_import
from tests.app.test_tracker_sync import connect, jira  # noqa: F401
from tests.app.trackers import RECONCILE, WORKSPACE, later, making_clients
from tests.conftest import CHANNEL


def off_the_backlog(jira: JiraEmulator, count: int) -> list[str]:
    """`count` open issues of the board that are no backlog rows, as a busy board has them:
    stories planned in the running sprint, epics, and sub-tasks (under the epics)."""
    sprint = jira.add_sprint("Sprint 12")
    made = []
    for n in range(count):
        if n % 3 == 0:
            made.append(jira.add_issue(f"Planned {n}").key)
            jira.edit(made[-1], sprint=sprint.id)
        elif n % 3 == 1:
            made.append(jira.add_issue(f"Epic {n}", issue_type="Epic").key)
        else:
            made.append(jira.add_issue(f"Sub-task {n}", issue_type="Subtask", parent=made[-1]).key)
    return made


def open_board_keys(jira: JiraEmulator) -> list[str]:
    """Every open issue of the board, whatever its type or sprint (what the look lists)."""
    return [
        k
        for k in jira.rank
        if jira.issues[k].project == jira.board.project and not jira.issues[k].done
    ]


def searches_by_key(jira: JiraEmulator) -> list[Any]:
    """The searches that read issues by key (``key in (...)``)."""
    return [c for c in jira.calls_to("search.jql") if "key in (" in str((c.body or {}).get("jql"))]


class _AfterBoardKeys(list[Any]):
    """The emulator's call log, running `change()` once, as the first search after the look's
    read of the board's keys (``ORDER BY Rank``) comes in: a person's change in Jira landing
    between the two reads."""

    def __init__(self, calls: list[Any], change: Callable[[], Any]) -> None:
        super().__init__(calls)
        self.change, self.done = change, False

    def append(self, call: Any) -> None:
        keys_read = any("ORDER BY Rank" in str((c.body or {}).get("jql")) for c in self)
        super().append(call)
        if not self.done and keys_read and call.route == "search.jql":
            self.done = True
            self.change()


async def test_the_look_after_a_shifted_import_reads_unlinked_issues_100_a_search(slack, jira):
    """A busy board: 250 backlog stories, and 247 open issues that are no backlog rows (in
    the running sprint, epics, sub-tasks). The import's pages find the board shifted, and 3
    stories were read by no page. The hourly look then asks Jira for the 250 board issues no
    item links: the team expects the 3 missed stories on the backlog, each issue once, and
    Jira asked in ceil(250/100) = 3 searches, not one call per issue over five minutes
    (before: 250 ``issue.get`` calls, 50 a minute)."""
    off_the_backlog(jira, 247)
    missed = await shifted_import(slack, jira)
    before = await linked_keys(slack)
    unlinked = [k for k in open_board_keys(jira) if k not in before]
    assert len(unlinked) == 250 and set(missed) <= set(unlinked)  # no page read them

    jira.reset_calls()
    await later(slack, RECONCILE)
    await later(slack, 61)  # a second round of asks, if the look had more than it asks at once

    linked = await linked_keys(slack)
    missing = [k for k in jira.backlog_keys() if k not in linked]
    assert missing == [], f"never imported: {missing}"
    assert [k for k, n in linked.items() if n > 1] == [], "an issue imported twice"
    assert set(linked) - set(before) == set(missed), "only the missed stories are imported"
    assert jira.calls_to("issue.get") == [], "asked for issues one by one"
    asked = searches_by_key(jira)
    assert 0 < len(asked) <= math.ceil(len(unlinked) / 100), [c.body["jql"][:60] for c in asked]


async def test_a_key_deleted_between_the_boards_keys_and_their_read_is_left_out(slack, jira):
    """As the look has just listed the board's open issues, someone deletes one of the epics
    it is about to read. Jira refuses a ``key in (...)`` search naming a key it does not know
    (400, each such key named): the look leaves that key out and reads the others again, one
    search more; it does not fail, and the missed stories reach the backlog, each once."""
    epics = [k for k in off_the_backlog(jira, 120) if jira.issues[k].issue_type == "Epic"]
    missed = await shifted_import(slack, jira)
    before = await linked_keys(slack)
    unlinked = [k for k in open_board_keys(jira) if k not in before]
    jira.reset_calls()
    jira.calls = _AfterBoardKeys(jira.calls, lambda: jira.delete(epics[5]))

    await later(slack, RECONCILE)
    await later(slack, 61)

    linked = await linked_keys(slack)
    assert epics[5] not in jira.issues
    assert [k for k in jira.backlog_keys() if k not in linked] == []
    assert [k for k, n in linked.items() if n > 1] == [], "an issue imported twice"
    assert set(linked) - set(before) == set(missed)
    assert jira.calls_to("issue.get") == [], "asked for issues one by one"
    asked = searches_by_key(jira)
    refused = [c for c in asked if c.status == 400]
    assert len(refused) == 1 and len(asked) <= math.ceil(len(unlinked) / 100) + 1
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        connection = await store.connection(team.id)
        assert connection is not None and connection.last_error is None


async def test_the_client_reads_keys_in_the_order_asked_an_old_key_finding_a_moved_issue(
    jira, clock, sleeps
):
    """The client's batch read itself: 231 keys come back in the order asked, read 100 keys
    a search; an issue moved to another project is found by its old key under its new one;
    the key of a deleted issue and one never made are left out, each refused search (Jira
    names the keys it does not know) asked again without them: 5 searches in all."""
    keys = jira.seed(230)
    moved = jira.move(keys[7], "OPS")
    jira.delete(keys[150])
    asked = [*reversed(keys), "TB-9999"]
    async with making_clients(jira, jira_client, clock, sleeps) as make:
        client: JiraCloud = make()
        found = await client.issues_by_key(asked)

    expected = [k for k in reversed(keys) if k not in (keys[7], keys[150])]
    assert [i.key for i in found] == [*expected, moved.key]
    assert found[-1].summary == "Backlog item 8"
    searches = jira.calls_to("search.jql")
    assert [c.status for c in searches] == [400, 200, 200, 400, 200]
    assert jira.calls_to("issue.get") == []


async def test_a_search_refused_for_another_reason_reads_its_keys_one_by_one(jira, clock, sleeps):
    """A ``key in (...)`` search Jira refuses without naming a key (a 400 of its own) still
    gives the issues: its keys are then asked for one by one, the way they were before."""
    keys = jira.seed(3)
    jira.fail_next(400, route="search.jql")
    async with making_clients(jira, jira_client, clock, sleeps) as make:
        found = await make().issues_by_key(keys)

    assert [i.key for i in found] == keys
    assert len(jira.calls_to("search.jql")) == 1 and len(jira.calls_to("issue.get")) == 3
