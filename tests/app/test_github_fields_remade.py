# ruff: noqa: F811  (the client fixtures are imported from test_github_client)
"""A project whose estimate or iteration field was made again after Timebox connected, against
the GitHub emulator. GitHub cannot change a field's type: a team that retypes its ``Estimate``
field (or starts its ``Sprint`` field afresh) deletes it and makes a new one of the same name,
with a new node id. The ids Timebox learnt at connection live on in the connection's snapshot
(every job's client starts from it, and trusts them for an hour: ``PROJECT_SETTINGS_AGE``), so
the client must not trust them blindly: the estimate is read from, and written to, the field of
that name (a write to the deleted field's id was refused as "not found" for ever, and every
estimate read back as none); the sprints are the iterations of the project's iteration field as
it is now. An hour on, the fields are read again anyway; within the hour, a value in a field
the snapshot lacks, a read of the sprints, or a write refused as not found has them read again
(once)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.trackers import collect

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock's
WHEN = pytest.mark.parametrize(
    "later", [timedelta(hours=1), timedelta(minutes=5)], ids=["an hour on", "within the hour"]
)


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


def config_reads(github: GitHubEmulator) -> int:
    """The ``PROJECT_QUERY`` calls GitHub answered (the project's fields and iterations)."""
    return len(github.calls_to("graphql.repositoryOwner"))


async def connected_snapshot(make_client) -> dict:
    first = make_client()
    assert await first.check() == []
    return first.snapshot()


@WHEN
async def test_an_estimate_field_made_again_is_read_and_written(github, make_client, clock, later):
    """The estimate field made again after connecting, a value given in it; a later job's
    client, from the snapshot, `later`. Proves the estimate is read from the new field (an
    hour on: the fields read again for their age; within the hour: the item's value in a field
    the snapshot lacks has them read again first), the project read once, and written there."""
    issue = github.add_issue("Pay by card", estimate=3)
    snapshot = await connected_snapshot(make_client)
    remade = remake(github, "NUMBER", "Estimate")
    github.item(issue.key).values[remade] = 5.0
    clock.advance(later)
    github.reset_calls()
    client = make_client(snapshot=snapshot)  # a later job's client

    assert (await client.issue(issue.key)).estimate == 5.0
    [listed] = await collect(trackers.iter_backlog(client))
    assert listed.estimate == 5.0

    await client.update_issue(issue.key, trackers.IssueUpdate(estimate=8))
    assert github.item(issue.key).values.get(remade) == 8.0
    assert config_reads(github) == 2, "the fields once, and the sprints with the backlog"
    assert client.snapshot()["estimate_field_id"] == remade, "the connection keeps the new id"


async def test_within_the_hour_an_estimate_refused_by_a_field_made_again_lands_in_it(
    github, make_client, clock
):
    """The estimate field made again after connecting, no value in it yet; within the hour a
    job's client, from the snapshot, first reads the issue, then writes its estimate. Proves
    the read costs no read of the fields (the new field holds nothing the old id misses), and
    the write, refused for the deleted field's id, has the project read again once and lands
    in the new field."""
    issue = github.add_issue("Pay by card", estimate=3)
    snapshot = await connected_snapshot(make_client)
    remade = remake(github, "NUMBER", "Estimate")
    clock.advance(timedelta(minutes=5))
    github.reset_calls()
    client = make_client(snapshot=snapshot)

    assert (await client.issue(issue.key)).estimate is None, "none in the new field either"
    assert config_reads(github) == 0

    await client.update_issue(issue.key, trackers.IssueUpdate(estimate=8))
    assert github.item(issue.key).values.get(remade) == 8.0
    assert config_reads(github) == 1, "read again once, for the refused write"
    writes = github.calls_to("graphql.updateProjectV2ItemFieldValue")
    assert len(writes) == 2, "refused for the deleted field's id, then made to the new one"
    later = make_client(snapshot={**snapshot, **client.snapshot()})
    await later.update_issue(issue.key, trackers.IssueUpdate(estimate=13))
    assert github.item(issue.key).values.get(remade) == 13.0
    assert config_reads(github) == 1, "the next job's client writes with the kept new id"


@WHEN
async def test_an_iteration_field_made_again_gives_its_iterations_as_sprints(
    github, make_client, clock, later
):
    """The iteration field made again after connecting, with a running iteration; a later
    job's client, from the snapshot, `later`. Proves the sprints are the new field's
    iterations (the read of the sprints takes the fields from its answer), an issue in one is
    not on the backlog, and an issue is moved into one."""
    snapshot = await connected_snapshot(make_client)
    remake(github, "ITERATION", "Sprint")
    running = github.add_iteration("Sprint 4: Checkout", START.date())
    planned = github.add_issue("Pay by card", iteration=running.id)
    waiting = github.add_issue("Refunds")
    clock.advance(later)
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


async def test_within_the_hour_a_move_into_a_sprint_of_a_field_made_again_lands(
    github, make_client, clock
):
    """The iteration field made again after connecting; within the hour a job's client, from
    the snapshot, moves an issue into the new field's iteration (its id known to the caller,
    as a sprint's link holds it) and reads nothing first. Proves the write, refused for the
    deleted field's id, has the project read again once and lands in the iteration."""
    snapshot = await connected_snapshot(make_client)
    remake(github, "ITERATION", "Sprint")
    running = github.add_iteration("Sprint 4: Checkout", START.date())
    waiting = github.add_issue("Refunds")
    clock.advance(timedelta(minutes=5))
    github.reset_calls()
    client = make_client(snapshot=snapshot)

    await client.move_to_sprint(running.id, [waiting.key])
    assert github.backlog_keys() == []
    assert config_reads(github) == 1, "read again once, for the refused write"
