# ruff: noqa: F811  (the client fixtures are imported from test_github_client)
"""A project whose estimate or iteration field was made again after Timebox connected, against
the GitHub emulator. GitHub cannot change a field's type: a team that retypes its ``Estimate``
field (or starts its ``Sprint`` field afresh) deletes it and makes a new one of the same name,
with a new node id. The ids Timebox learnt at connection live on in the connection's snapshot
(every job's client starts from it), so the client must not trust them blindly: the estimate is
read from, and written to, the field of that name (a write to the deleted field's id was refused
as "not found" for ever, and every estimate read back as none); the sprints are the iterations
of the project's iteration field as it is now."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.trackers import collect

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock's


def remake(github: GitHubEmulator, data_type: str, name: str) -> str:
    """A person deletes the project's field of ``data_type`` and adds one named ``name`` of
    the same type: the new field's id."""
    project = github.project
    assert project is not None
    old = next(f for f in project.fields if f.data_type == data_type)
    project.fields.remove(old)
    for item in project.items:
        item.values.pop(old.id, None)
    return github.add_field(project, name, data_type).id


async def connected_snapshot(make_client) -> dict:
    first = make_client()
    assert await first.check() == []
    return first.snapshot()


async def test_an_estimate_field_made_again_is_read_and_written(github, make_client):
    issue = github.add_issue("Pay by card", estimate=3)
    snapshot = await connected_snapshot(make_client)
    remade = remake(github, "NUMBER", "Estimate")
    github.item(issue.key).values[remade] = 5.0
    client = make_client(snapshot=snapshot)  # a later job's client

    assert (await client.issue(issue.key)).estimate == 5.0
    [listed] = await collect(trackers.iter_backlog(client))
    assert listed.estimate == 5.0

    await client.update_issue(issue.key, trackers.IssueUpdate(estimate=8))
    assert github.item(issue.key).values.get(remade) == 8.0


async def test_an_iteration_field_made_again_gives_its_iterations_as_sprints(github, make_client):
    snapshot = await connected_snapshot(make_client)
    remake(github, "ITERATION", "Sprint")
    running = github.add_iteration("Sprint 4: Checkout", START.date())
    planned = github.add_issue("Pay by card", iteration=running.id)
    waiting = github.add_issue("Refunds")
    client = make_client(snapshot=snapshot)

    sprints = await client.board_sprints()
    assert [(s.id, s.name, s.state) for s in sprints] == [
        (running.id, "Sprint 4", trackers.SprintState.ACTIVE)
    ]
    backlog = [i.key for i in await collect(trackers.iter_backlog(client))]
    assert backlog == [waiting.key], "the issue in the running iteration is in its sprint"
    assert (await client.issue(planned.key)).sprint_id == running.id

    await client.move_to_sprint(running.id, [waiting.key])
    assert github.backlog_keys() == []
