# ruff: noqa: F811  (the client fixtures are imported from their tests' modules)
"""Each client reads the sprint an issue is planned in from its tracker's documented fields,
as each emulator gives them: Jira's Sprint custom field (found by its schema type in
``GET /rest/api/3/field``, kept with the board's snapshot), a GitHub project item's iteration
(current or to come) or a plain repository's open milestone, a Linear issue's cycle. And a
Linear issue with sub-issues reads as an epic (the app's run: test_tracker_planned.py)."""

from __future__ import annotations

import base64
from datetime import timedelta

import aiohttp

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from bot.emulator.jira import JiraEmulator
from bot.emulator.linear import LinearEmulator
from bot.runtime.clock import ManualClock
from bot.trackers.jira import JiraCloud
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.test_jira_client import jira, jira_client  # noqa: F401
from tests.app.test_linear_client import linear, linear_client  # noqa: F401
from tests.app.trackers import Sleeps, client_settings, collect, emulator_fixture

plain = emulator_fixture("plain", lambda **options: GitHubEmulator(project_number=None, **options))


async def test_jira_reads_the_sprint_field_it_found_by_its_type(
    jira: JiraEmulator, clock: ManualClock, sleeps: Sleeps
) -> None:
    active, future = jira.add_sprint("Sprint 7"), jira.add_sprint("Sprint 8", state="future")
    closed = jira.add_sprint("Sprint 6", state="closed")
    now, later, free, was = (jira.add_issue(t).key for t in ("Now", "Later", "Free", "Was"))
    jira.edit(now, sprint=active.id)
    jira.edit(later, sprint=future.id)
    jira.issues[was].closed_sprints.append(closed.id)
    client = jira_client(jira, **client_settings(jira.host_setting, clock, sleeps))
    try:
        assert await client.check() == []
        snapshot = client.snapshot()
        assert snapshot["sprint_field"] == "customfield_10020"
        changes = await collect(trackers.iter_changes(client, clock.now() - timedelta(hours=1)))
    finally:
        await client.aclose()

    sprints = {i.key: i.sprint for i in changes}
    assert sprints == {now: "Sprint 7", later: "Sprint 8", free: None, was: None}
    ids = {i.key: i.sprint_id for i in changes}
    assert ids == {now: str(active.id), later: str(future.id), free: None, was: None}
    (search,) = jira.calls_to("search.jql")
    assert "customfield_10020" in search.body["fields"]

    # A snapshot kept before the field was read: the client reads it once, then knows it.
    del snapshot["sprint_field"]
    board, account = JiraCloud.restore(jira.board.id, snapshot)
    jira.reset_calls()
    settings = client_settings(jira.host_setting, clock, sleeps)
    old = jira_client(jira, board_config=board, account=account, **settings)
    try:
        assert (await old.issue(now)).sprint == "Sprint 7"
        assert (await old.issue(free)).sprint is None
    finally:
        await old.aclose()
    assert [c.route for c in jira.calls] == ["fields", "issue.get", "issue.get"]


async def test_the_jira_emulator_lists_the_sprint_field_as_jira_does(jira: JiraEmulator) -> None:
    sprint = jira.add_sprint("Sprint 7")
    key = jira.add_issue("Now").key
    jira.edit(key, sprint=sprint.id)
    basic = base64.b64encode(f"{jira.user.email}:{jira.user.token}".encode()).decode()
    async with aiohttp.ClientSession(headers={"Authorization": f"Basic {basic}"}) as http:
        async with http.get(f"{jira.url}/rest/api/3/field") as listed:
            fields = await listed.json()
        async with http.get(
            f"{jira.url}/rest/api/3/issue/{key}", params={"fields": "customfield_10020"}
        ) as read:
            issue = await read.json()
    sprint_field = next(f for f in fields if f["id"] == "customfield_10020")
    assert sprint_field["schema"] == {
        "type": "array",
        "items": "json",
        "custom": "com.pyxis.greenhopper.jira:gh-sprint",
        "customId": 10020,
    }
    (value,) = issue["fields"]["customfield_10020"]
    assert value["id"] == sprint.id and value["name"] == "Sprint 7"
    assert value["state"] == "active" and value["boardId"] == jira.board.id


async def test_a_github_project_item_is_planned_while_its_iteration_is_not_over(
    github: GitHubEmulator, make_client, clock: ManualClock
) -> None:
    today = github.today()
    current = github.add_iteration("Sprint 7: Pay", today - timedelta(days=3))
    over = github.add_iteration("Sprint 6", today - timedelta(days=20))
    now = github.add_issue("Now", iteration=current.id).key
    was = github.add_issue("Was", iteration=over.id).key
    free = github.add_issue("Free").key
    client = make_client()

    changes = await collect(trackers.iter_changes(client, clock.now() - timedelta(hours=1)))

    assert {i.key: i.sprint for i in changes} == {now: "Sprint 7: Pay", was: None, free: None}
    assert {i.key: i.sprint_id for i in changes} == {now: current.id, was: None, free: None}
    assert (await client.issue(now)).sprint == "Sprint 7: Pay"
    assert (await client.issue(free)).sprint is None


async def test_a_plain_repositorys_issue_is_planned_in_its_open_milestone(
    plain: GitHubEmulator, make_client, clock: ManualClock
) -> None:
    planned, free = (plain.add_issue(t).key for t in ("Planned", "Free"))
    client = make_client(plain, project=None)
    sprint = await client.create_sprint(trackers.SprintSpec("Sprint 7"))
    await client.move_to_sprint(sprint.id, [planned])

    assert (await client.issue(planned)).sprint == "Sprint 7"
    assert (await client.issue(planned)).sprint_id == sprint.id, "the milestone's number"
    assert [i.key for i in await collect(trackers.iter_backlog(client))] == [free]
    await client.close_sprint(sprint.id)
    assert (await client.issue(planned)).sprint is None, "a closed milestone plans nothing"


async def test_a_linear_issue_is_planned_in_its_cycle_and_a_parent_is_an_epic(
    linear: LinearEmulator, clock: ManualClock, sleeps: Sleeps
) -> None:
    cycle = linear.add_cycle(clock.now() - timedelta(days=2), clock.now() + timedelta(days=12))
    planned = linear.add_issue("Planned", cycle=cycle.id).identifier
    parent = linear.add_issue("Checkout").identifier
    child = linear.add_issue("Pay by card", parent=parent).identifier
    client = linear_client(linear, **client_settings(linear.host_setting, clock, sleeps))
    try:
        changes = {
            i.key: i
            for i in await collect(trackers.iter_changes(client, clock.now() - timedelta(hours=1)))
        }
        backlog = [i.key for i in await collect(trackers.iter_backlog(client))]
    finally:
        await client.aclose()

    assert changes[planned].sprint == f"Cycle {cycle.number}"
    assert changes[planned].sprint_id == cycle.id
    assert changes[child].sprint is None and changes[child].epic == parent
    assert changes[parent].issue_type == "Epic" and changes[child].issue_type == "Issue"
    assert backlog == [parent, child], "Linear's backlog view; the rules leave the parent out"
    assert linear.backlog_keys() == [child]
