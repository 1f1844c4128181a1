"""The Linear tracker client against the local Linear emulator (a GraphQL server whose schema
is a subset of Linear's own), and the webhook verifier against the emulator's deliveries.

Nothing here waits for real time except the timeout tests (a client timeout of a fraction of a
second): retries and rate-limit waits go through an injected sleep that only records (or moves
the manual clock, where the emulator's budget must refill).
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver

from bot.domain import trackers
from bot.domain.tracker_webhooks import linear_hint, verified
from bot.emulator.linear import HOUR, MAX_COMPLEXITY, LinearEmulator, send_webhook, sign
from bot.runtime.clock import ManualClock
from bot.runtime.secrets import Secret
from bot.sandbox.linear import API_KEY, make_emulator, seed_team
from bot.trackers.hosts import HostPolicy, HostRefused
from bot.trackers.http import RetryPolicy
from bot.trackers.linear import (
    DEFAULT_API_URL,
    LinearApiKey,
    LinearOAuthToken,
    LinearTeam,
    allowed_estimates,
    rank_token,
)
from tests.app import trackers as shared
from tests.app.trackers import Sleeps, collect, emulator_fixture

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock's
NOT_FOUND = trackers.TrackerErrorKind.NOT_FOUND


linear = emulator_fixture("linear", LinearEmulator)


def linear_client(
    em: LinearEmulator, *, key: str | None = None, team: str = "ENG", **settings: Any
) -> LinearTeam:
    """A client of ``em``, its team ENG unless told, with the user's API key unless told."""
    return LinearTeam(em.api_url, LinearApiKey(Secret(key or em.user.api_key)), team, **settings)


@pytest.fixture
async def make_client(linear, sleeps, clock):
    async with shared.making_clients(linear, linear_client, clock, sleeps) as making:
        yield making


# -- the team --------------------------------------------------------------------------------


async def test_check_learns_the_team_once_and_a_snapshot_spares_asking_again(
    linear, make_client
) -> None:
    linear.seed(3)
    client = make_client()

    assert await client.check() == []

    snapshot = client.snapshot()
    assert snapshot["team_key"] == "ENG" and snapshot["estimation"] == "fibonacci"
    assert snapshot["account_email"] == "po@example.com"
    assert [s[2] for s in snapshot["states"]][:2] == ["backlog", "unstarted"]
    team, account = LinearTeam.restore("ENG", json.loads(json.dumps(snapshot)))
    linear.reset_calls()
    again = LinearTeam(
        linear.api_url,
        LinearApiKey(Secret(linear.user.api_key)),
        "ENG",
        policy=HostPolicy.allowing(linear.host_setting),
        team=team,
        account=account,
    )
    try:
        page = await again.backlog_page()
    finally:
        await again.aclose()
    assert len(page.issues) == 3
    assert [c.operation for c in linear.calls] == ["BacklogIssues"]


async def test_check_reports_a_bad_key_in_plain_words(linear, make_client, sleeps) -> None:
    problems = await make_client(key="lin_api_revoked").check()

    assert [p.code for p in problems] == ["bad_token"]
    assert problems[0].message == (
        "Linear did not accept the API key: check that it is current (Linear > Settings > "
        "Security & access > Personal API keys), then connect again."
    )
    assert "revoked" not in problems[0].message and sleeps.waits == []
    (viewer,) = linear.calls_to("Viewer")
    assert viewer.status == 400
    assert viewer.response["errors"][0]["extensions"]["code"] == "AUTHENTICATION_ERROR"


async def test_check_reports_a_team_the_account_cannot_see(linear, make_client) -> None:
    linear.add_team("OPS", "Operations")
    linear.hide_team("OPS")

    for key in ("OPS", "NOPE"):
        problems = await make_client(team=key).check()
        assert [p.code for p in problems] == ["no_board_access"]
        assert problems[0].message.startswith(f"po@example.com cannot open team {key}: check")


async def test_check_reports_a_team_without_cycles_or_estimates(linear, make_client) -> None:
    linear.add_team("OPS", "Operations", estimation="notUsed", cycles_enabled=False)

    problems = await make_client(team="OPS").check()

    assert [p.code for p in problems] == ["no_cycles", "no_estimation_field"]
    assert "turn them on" in problems[0].message and "choose a scale" in problems[1].message


async def test_check_reports_a_linear_that_does_not_answer(linear, make_client) -> None:
    linear.fail_next(503, route="Viewer", times=10)
    problems = await make_client().check()
    assert [p.code for p in problems] == ["unreachable"]
    assert "HTTP 503" in problems[0].message


# -- reading -------------------------------------------------------------------------------


async def test_a_backlog_comes_in_linears_order_page_by_page(linear, make_client) -> None:
    keys = linear.seed(120, estimate=lambda n: [1, 2, 3, 5, 8][n % 5])
    # The team dragged a few issues in Linear's backlog view.
    linear.edit(keys[99], sort_order=-5.0)
    linear.edit(keys[16], sort_order=-4.0)
    linear.edit(keys[0], sort_order=60_500.0)
    # Not backlog: done, started, in a cycle.
    linear.edit(keys[5], state="Done")
    linear.edit(keys[6], state="In Progress")
    cycle = linear.add_cycle(START, START + timedelta(days=14))
    linear.edit(keys[7], cycle=cycle.id)
    client = make_client()

    issues = await collect(trackers.iter_backlog(client))

    assert [i.key for i in issues] == linear.backlog_keys()
    assert [i.key for i in issues][:2] == [keys[99], keys[16]]
    assert len(issues) == 117 and not {keys[5], keys[6], keys[7]} & {i.key for i in issues}
    pages = linear.calls_to("BacklogIssues")
    assert [c.variables["after"] is None for c in pages] == [True, False, False]
    assert [len(c.response["data"]["issues"]["nodes"]) for c in pages] == [50, 50, 17]
    assert all(c.complexity < MAX_COMPLEXITY for c in pages)
    assert issues[2].summary == "Backlog item 2" and issues[2].estimate == 3.0


async def test_backlog_keys_come_250_to_a_call(linear, make_client) -> None:
    linear.seed(600)
    client = make_client()

    keys = await client.backlog_keys()

    assert keys == linear.open_keys() == linear.backlog_keys() and len(keys) == 600
    calls = linear.calls_to("BacklogKeys")
    assert [c.variables["first"] for c in calls] == [250, 250, 250]
    assert [len(c.response["data"]["issues"]["nodes"]) for c in calls] == [250, 250, 100]


async def test_backlog_keys_are_every_issue_not_done_those_in_cycles_too(
    linear, make_client, clock
) -> None:
    keys = linear.seed(8)
    active = linear.add_cycle(clock.now() - timedelta(days=2), clock.now() + timedelta(days=12))
    future = linear.add_cycle(clock.now() + timedelta(days=12), clock.now() + timedelta(days=26))
    linear.edit(keys[1], cycle=active.id, state="In Progress")  # being worked on this cycle
    linear.edit(keys[2], cycle=active.id, sort_order=-1.0)  # planned, dragged to the top
    linear.edit(keys[3], cycle=future.id)
    linear.edit(keys[4], state="Backlog")
    linear.edit(keys[5], state="Done")
    linear.edit(keys[6], cycle=active.id, state="Done")
    linear.edit(keys[7], state="Canceled")
    gone = linear.add_issue("Deleted").identifier
    linear.remove_issue(gone)  # in the trash: in no list any more
    client = make_client()

    found = await client.backlog_keys()

    assert found == [keys[2], keys[0], keys[1], keys[3], keys[4]]  # Linear's manual order
    assert found == linear.open_keys()
    assert keys[1] in found and keys[2] in found  # in the active cycle
    assert not {keys[5], keys[6], keys[7], gone} & set(found)  # completed, canceled, trashed
    assert linear.backlog_keys() == [keys[0], keys[4]]  # what backlog_page reads, by contrast
    (call,) = linear.calls_to("BacklogKeys")  # one call, identifiers only
    assert [set(n) for n in call.response["data"]["issues"]["nodes"]] == [{"identifier"}] * 5


async def test_every_field_of_an_issue_is_read(linear, make_client) -> None:
    linear.add_user("dev@example.com", "lin_api_dev", display_name="Dana Dev")
    parent = linear.add_issue("Checkout")
    blocker = linear.add_issue("Payment provider contract")
    other = linear.add_issue("Legal sign-off")
    issue = linear.add_issue(
        "Pay by card",
        description=(
            "As a shopper I want to **pay by card**.\n\n"
            "## Acceptance criteria\n\n- Visa works\n- [ ] 3-D Secure\n\nSee the design."
        ),
        estimate=5,
        state="In Progress",
        labels=["Bug", "payments"],
        blocked_by=[blocker.identifier, other.identifier],
        parent=parent.identifier,
        assignee="dev@example.com",
    )
    linear.block(issue.identifier, parent.identifier)  # it blocks, too: not a blocker of itself
    client = make_client()

    found = await client.issue(issue.identifier)

    shared.assert_read_as_filed(found, parent.identifier)
    assert found.key == issue.identifier == "ENG-4" and found.id == issue.id
    assert found.url == f"{linear.url}/timebox/issue/ENG-4"
    assert found.description == "As a shopper I want to **pay by card**.\n\nSee the design."
    assert found.issue_type == "Bug" and found.labels == ("Bug", "payments")
    assert found.blocked_by == (blocker.identifier, other.identifier)
    assert found.updated.timestamp() * 1000 == issue.updated  # ms precision, as Linear
    assert (await client.issue(blocker.identifier)).blocked_by == ()
    assert (await client.issue(parent.identifier)).blocked_by == (issue.identifier,)
    done = linear.add_issue("Old", state="Canceled")
    assert (await client.issue(done.identifier)).status_category is trackers.StatusCategory.DONE
    with pytest.raises(trackers.TrackerError) as missing:
        await client.issue("ENG-999")
    assert missing.value.kind is trackers.TrackerErrorKind.NOT_FOUND
    assert str(missing.value) == (
        "Issue ENG-999 was not found in Linear, or the Linear account cannot see it."
    )


async def test_incremental_fetch_costs_the_same_calls_on_a_team_of_3000_as_of_200(
    make_client, sleeps
) -> None:
    small, large = await shared.ten_changes_on_boards_of(
        (200, 3000), LinearEmulator, make_client, START, title_field="title", last_first=True
    )

    operations = [[c.operation for c in em.calls] for em in (small, large)]
    assert operations == [["ChangedIssues"], ["ChangedIssues"]]
    for em in (small, large):
        (search,) = em.calls_to("ChangedIssues")
        assert search.variables["since"] == "2026-03-02T09:10:00.000Z"
    assert sleeps.waits == []


async def test_an_issues_rank_is_its_sort_order_and_a_reorder_changes_it(
    linear, make_client, clock
) -> None:
    keys = linear.seed(4)  # sortOrder 1000.0, 2000.0, 3000.0, 4000.0
    client = make_client()
    first = await client.backlog_page()
    assert [i.rank for i in first.issues] == ["1000.0", "2000.0", "3000.0", "4000.0"]
    assert (await client.issue(keys[3])).rank == first.issues[3].rank  # same place, same token
    clock.advance(timedelta(minutes=5))
    since = clock.now()
    clock.advance(timedelta(seconds=30))

    linear.edit(keys[3], sort_order=500.0)  # dragged to the top in Linear
    await client.rank(keys[0], after=keys[2])  # and one moved by Timebox

    changes = (await client.changes_page(since)).issues
    assert [(i.key, i.rank) for i in changes] == [(keys[3], "500.0"), (keys[0], "3001.0")]
    assert {i.rank for i in changes}.isdisjoint(i.rank for i in first.issues)
    assert await client.backlog_keys() == [keys[3], keys[1], keys[2], keys[0]]
    assert rank_token(1000) == rank_token(1000.0) == "1000.0"  # an equal float, an equal rank
    assert rank_token(-0.5) == "-0.5" and rank_token(1 / 3) == repr(1 / 3)
    assert rank_token(None) == rank_token(True) == rank_token(float("nan")) == ""


async def test_changes_are_paged_with_cursors_and_give_a_watermark(
    linear, make_client, clock
) -> None:
    touched, pages = await shared.pages_of_changes(linear, make_client(), clock, 120)

    assert [len(p.issues) for p in pages] == [50, 50, 20]
    assert [i.key for p in pages for i in p.issues] == touched
    cursors = [c.variables["after"] for c in linear.calls_to("ChangedIssues")]
    assert cursors[0] is None and all(cursors[1:])


# -- writing -------------------------------------------------------------------------------


async def test_an_estimate_written_lands_on_the_issue(linear, make_client, clock) -> None:
    issue = linear.add_issue("Pay by card")
    client = make_client()

    await shared.estimates_8(linear, client, clock, issue.identifier)

    (edit,) = linear.calls_to("UpdateIssue")
    assert edit.variables == {"id": issue.identifier, "input": {"estimate": 8}}
    assert edit.response["data"]["issueUpdate"]["success"] is True

    await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=None))
    assert linear.estimate_of(issue.identifier) is None


async def test_an_estimate_off_the_teams_scale_is_refused_in_plain_words(
    linear, make_client
) -> None:
    issue = linear.add_issue("Pay by card")
    client = make_client()

    with pytest.raises(trackers.TrackerError) as off:
        await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=13))
    assert off.value.kind is trackers.TrackerErrorKind.INVALID and not off.value.retryable
    assert str(off.value) == (
        "Team Engineering estimates on Linear's Fibonacci scale (1, 2, 3, 5, 8), which has no "
        "13: estimate ENG-1 on that scale (or allow extended estimates in the team's settings)."
    )
    with pytest.raises(trackers.TrackerError):
        await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=0.5))
    assert linear.calls_to("UpdateIssue") == []

    linear.set_estimation("fibonacci", extended=True)
    await client.team(refresh=True)
    await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=13))
    assert linear.estimate_of(issue.identifier) == 13

    linear.set_estimation("tShirt")
    await client.team(refresh=True)
    with pytest.raises(trackers.TrackerError) as shirt:
        await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=4))
    assert "T-shirt scale (XS = 1, S = 2, M = 3, L = 5, XL = 8)" in str(shirt.value)

    linear.set_estimation("notUsed")
    await client.team(refresh=True)
    with pytest.raises(trackers.TrackerError) as unused:
        await client.update_issue(issue.identifier, trackers.IssueUpdate(estimate=3))
    assert unused.value.kind is trackers.TrackerErrorKind.CONFIG
    assert allowed_estimates("exponential", extended=True, allow_zero=True) == (
        0,
        1,
        2,
        4,
        8,
        16,
        32,
        64,
    )


async def test_title_and_criteria_are_written_and_the_description_kept(linear, make_client) -> None:
    issue = linear.add_issue("Pay", description="Shoppers pay.\n\n## Acceptance criteria\n- Old")
    client = make_client()

    await client.update_issue(
        issue.identifier,
        trackers.IssueUpdate(summary="Pay by card", acceptance_criteria=("Visa", "3DS")),
    )

    found = await client.issue(issue.identifier)
    assert found.summary == "Pay by card"
    assert found.description == "Shoppers pay."  # read back before the write, kept
    assert found.acceptance_criteria == ("Visa", "3DS")
    assert linear.issues[issue.identifier].description == (
        "Shoppers pay.\n\n## Acceptance criteria\n- Visa\n- 3DS"
    )
    assert [c.operation for c in linear.calls] == ["IssueDescription", "UpdateIssue", "Issue"]

    with pytest.raises(trackers.TrackerError) as refused:
        await client.update_issue(issue.identifier, trackers.IssueUpdate(summary=" "))
    assert refused.value.kind is trackers.TrackerErrorKind.INVALID
    assert (
        str(refused.value) == f"Linear refused to update {issue.identifier}: Title can't be empty."
    )


async def test_criteria_written_back_keep_the_text_after_their_list(linear, make_client) -> None:
    body = "Shoppers pay.\n\n**Acceptance criteria:**\n- Visa\n\nSee the design."
    issue = linear.add_issue("Pay", description=body)
    client = make_client()
    read = await client.issue(issue.identifier)
    assert read.acceptance_criteria == ("Visa",)
    assert read.description == "Shoppers pay.\n\nSee the design."

    await client.update_issue(
        issue.identifier, trackers.IssueUpdate(acceptance_criteria=("Visa", "3DS"))
    )

    assert linear.issues[issue.identifier].description == (
        "Shoppers pay.\n\n**Acceptance criteria:**\n- Visa\n- 3DS\n\nSee the design."
    ), "the list changes in its place"
    again = await client.issue(issue.identifier)
    assert again.description == read.description, "the paragraph after the list is kept"
    assert again.acceptance_criteria == ("Visa", "3DS")


async def test_rank_before_and_after_another_issue(linear, make_client) -> None:
    a, b, c, d = (linear.add_issue(s).identifier for s in "abcd")
    client = make_client()

    await client.rank(d, before=b)
    assert linear.backlog_keys() == [a, d, b, c]
    await client.rank(a, after=c)
    assert linear.backlog_keys() == [d, b, c, a]
    await client.rank(b, before=d)
    assert linear.backlog_keys() == [b, d, c, a]
    assert [i.key for i in await collect(trackers.iter_backlog(client))] == [b, d, c, a]
    assert linear.calls_to("UpdateIssue")[0].variables["input"] == {"sortOrder": 1500.0}

    with pytest.raises(ValueError):
        await client.rank(a, before=b, after=c)
    with pytest.raises(trackers.TrackerError) as unknown:
        await client.rank(a, before="ENG-404")
    assert unknown.value.kind is trackers.TrackerErrorKind.NOT_FOUND


async def test_create_an_issue_with_its_labels(linear, make_client) -> None:
    linear.add_issue("First")
    linear.add_label("Bug")
    payments = linear.add_label("payments", team="ENG")
    client = make_client()

    ref = await client.create_issue(
        trackers.NewIssue(
            "Pay by card",
            description="Shoppers pay by card.",
            issue_type="Bug",
            estimate=3,
            labels=("payments", "unknown-label"),
            acceptance_criteria=("Visa works",),
        )
    )

    assert ref.key == "ENG-2" and ref.url == f"{linear.url}/timebox/issue/ENG-2"
    made = linear.issues["ENG-2"]
    assert made.title == "Pay by card" and made.estimate == 3
    assert made.label_ids[0] == payments.id and len(made.label_ids) == 2
    assert linear.backlog_keys()[-1] == "ENG-2"
    found = await client.issue("ENG-2")
    assert found.description == "Shoppers pay by card."
    assert found.acceptance_criteria == ("Visa works",)
    assert found.issue_type == "Bug"
    (create,) = linear.calls_to("CreateIssue")
    assert create.variables["input"]["teamId"] == linear.team.id


async def test_a_failed_create_is_not_repeated(linear, make_client, sleeps) -> None:
    client = make_client()
    await client.team()
    linear.fail_next(500, route="CreateIssue")

    failed = await shared.create_refused(client, sleeps, trackers.TrackerErrorKind.UNAVAILABLE)

    assert str(failed) == (
        "Linear had a problem of its own (HTTP 500) when asked to create the issue 'Pay by "
        "card'; it may have done it anyway, so Timebox checks before trying again."
    )
    assert len(linear.calls_to("CreateIssue")) == 1


async def test_mark_done_moves_the_issue_to_the_first_completed_state(linear, make_client) -> None:
    issue = linear.add_issue("Pay by card", state="In Progress")
    client = make_client()

    await client.mark_done(issue.identifier)

    assert linear.state_of(issue.identifier).name == "Done"
    (update,) = linear.calls_to("UpdateIssue")
    assert update.variables["input"] == {"stateId": linear.state_named("Done").id}
    assert (await client.issue(issue.identifier)).status_category is trackers.StatusCategory.DONE

    await client.mark_done(issue.identifier)  # done already: nothing is written
    assert len(linear.calls_to("UpdateIssue")) == 1


# -- cycles ----------------------------------------------------------------------------------


async def test_a_cycle_is_created_with_its_dates_and_goal_filled_started_and_completed(
    linear, make_client, clock
) -> None:
    keys = linear.seed(60)
    client = make_client()
    start, end = clock.now() + timedelta(days=1), clock.now() + timedelta(days=15)

    sprint = await client.create_sprint(
        trackers.SprintSpec("Sprint 7", "Checkout works", start, end)
    )

    assert sprint.state is trackers.SprintState.FUTURE and sprint.goal == "Checkout works"
    assert (sprint.name, sprint.start, sprint.end) == ("Sprint 7", start, end)
    (created,) = linear.calls_to("CreateCycle")
    assert created.variables["input"] == {
        "teamId": linear.team.id,
        "name": "Sprint 7",
        "startsAt": "2026-03-03T09:00:00.000Z",
        "endsAt": "2026-03-17T09:00:00.000Z",
        "description": "Checkout works",
    }
    assert [s.id for s in await client.board_sprints()] == [sprint.id]

    await client.move_to_sprint(sprint.id, keys[:55])  # two requests: 50 aliased updates, 5
    moves = linear.calls_to("MoveIssues")
    assert [len(c.variables) - 1 for c in moves] == [50, 5]
    assert linear.cycle_keys(sprint.id) == keys[:55]
    assert linear.backlog_keys() == keys[55:]

    await client.move_to_backlog(keys[50:55])
    assert linear.backlog_keys() == keys[50:]

    clock.advance(timedelta(hours=2))
    active = await client.start_sprint(sprint.id, start=clock.now(), end=end)
    assert active.state is trackers.SprintState.ACTIVE and active.start == clock.now()
    await client.mark_done(keys[0])

    clock.advance(timedelta(days=13))
    closed = await client.close_sprint(sprint.id)
    assert closed.state is trackers.SprintState.CLOSED and closed.completed == clock.now()
    assert linear.backlog_keys() == keys[1:]  # the unfinished ones are back, in order
    assert linear.cycle_keys(sprint.id) == [keys[0]]
    assert await client.board_sprints() == []

    again = await client.close_sprint(sprint.id)  # a retry after a lost answer: nothing to do
    assert again.state is trackers.SprintState.CLOSED
    assert len(linear.calls_to("UpdateCycle")) == 2
    with pytest.raises(trackers.TrackerError) as closed_again:
        await client.start_sprint(sprint.id)
    assert str(closed_again.value) == "Linear did not start cycle Sprint 7: it is completed."


async def test_overlapping_cycles_are_refused_in_plain_words(linear, make_client, clock) -> None:
    client = make_client()
    await client.create_sprint(
        trackers.SprintSpec("One", start=clock.now(), end=clock.now() + timedelta(days=14))
    )

    with pytest.raises(trackers.TrackerError) as overlap:
        await client.create_sprint(
            trackers.SprintSpec(
                "Two", start=clock.now() + timedelta(days=7), end=clock.now() + timedelta(days=21)
            )
        )

    assert overlap.value.kind is trackers.TrackerErrorKind.INVALID
    assert "overlap Cycle 1" in str(overlap.value)


# -- rate limits, failures and retries -------------------------------------------------------


@pytest.mark.parametrize("status", [400, 429])
async def test_ratelimited_waits_for_the_reset_linear_gives(
    linear, make_client, sleeps, status
) -> None:
    linear.seed(3)
    client = make_client()
    await client.team()
    linear.rate_limit_next(route="BacklogIssues", reset_in=7, status=status)

    page = await client.backlog_page()

    assert len(page.issues) == 3
    assert sleeps.waits == [7.0]
    assert [c.status for c in linear.calls_to("BacklogIssues")] == [status, 200]
    refused = linear.calls_to("BacklogIssues")[0].response["errors"][0]
    assert refused["extensions"]["code"] == "RATELIMITED"


async def test_a_long_rate_limit_is_handed_back_for_the_due_work_to_retry(
    linear, make_client, sleeps
) -> None:
    client = make_client()
    await client.team()
    linear.rate_limit_next(route="BacklogIssues", reset_in=900)

    assert await shared.hands_back_a_long_limit(client, sleeps) == (
        "Linear is limiting how fast Timebox may call it and asks to wait 900 seconds before "
        "it will read the backlog of team ENG. Timebox will try again then."
    )


async def test_the_complexity_budget_is_respected_before_a_query_is_sent(clock) -> None:
    sleeps = Sleeps(clock)  # waiting moves the emulator's clock: the bucket refills
    async with LinearEmulator(now=clock.now, complexity_limit=3600 * 2) as em:
        em.seed(3)
        policy = HostPolicy.allowing(em.host_setting)
        key = LinearApiKey(Secret(em.user.api_key))
        jobs = LinearTeam(
            em.api_url, key, "ENG", policy=policy, retry=RetryPolicy(attempts=1), now=clock.now
        )
        waiting: LinearTeam | None = None
        try:
            await jobs.backlog_page()
            cost = jobs.budget.costs["BacklogIssues"]
            assert cost == em.calls_to("BacklogIssues")[0].complexity == 3765
            assert jobs.budget.complexity_remaining == 7200 - 72 - 3765
            sent = len(em.calls)

            # Too little is left for another page: a job hands the wait back, sending nothing.
            with pytest.raises(trackers.TrackerError) as limited:
                await jobs.backlog_page()
            assert limited.value.kind is trackers.TrackerErrorKind.RATE_LIMITED
            assert limited.value.retry_after == pytest.approx(3837 / 2, abs=1)
            assert len(em.calls) == sent

            # A client that may wait waits for the budget's reset, then reads.
            waiting = LinearTeam(
                em.api_url,
                key,
                "ENG",
                policy=policy,
                retry=RetryPolicy(max_retry_after=HOUR),
                sleep=sleeps,
                now=clock.now,
                team=await jobs.team(),
            )
            waiting.budget = jobs.budget  # what the last answer said is left
            page = await waiting.backlog_page()
            assert len(page.issues) == 3
            assert sleeps.waits == [pytest.approx(3837 / 2, abs=1)]
            assert [c.status for c in em.calls_to("BacklogIssues")] == [200, 200]
        finally:
            await jobs.aclose()
            if waiting is not None:
                await waiting.aclose()


async def test_a_share_of_failing_calls_is_ridden_out(linear, make_client, sleeps) -> None:
    await shared.rides_out_failing_calls(linear, make_client, sleeps, 260)


async def test_a_bad_key_is_an_auth_error_and_never_shown(linear, make_client, sleeps) -> None:
    await shared.refuses_a_credential(make_client(key="lin_api_wrong"), sleeps, "lin_api_wrong")


class _Resolves:
    """A DNS answer: every host is at ``address`` (as a rebinding attacker would answer)."""

    def __init__(self, address: str) -> None:
        self.address = address

    async def resolve(self, host: str, port: int = 0, family=socket.AF_INET):
        return [
            {
                "hostname": host,
                "host": self.address,
                "port": port,
                "family": family,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
        ]

    async def close(self) -> None:
        return None


AbstractResolver.register(_Resolves)


async def test_only_linears_api_and_listed_hosts_are_called(linear, sleeps) -> None:
    key = LinearApiKey(Secret("k"))
    assert LinearTeam(DEFAULT_API_URL, key, "ENG", policy=HostPolicy()).api == DEFAULT_API_URL
    assert LinearTeam("https://api.linear.app", key, "ENG", policy=HostPolicy()).api == (
        DEFAULT_API_URL
    )
    for refused in (
        linear.api_url,  # an emulator the operator has not listed
        "https://evil.example/graphql",
        "http://api.linear.app/graphql",
        "https://api.linear.app:8443/graphql",
        "https://user:pw@api.linear.app/graphql",
        "https://api.linear.app/graphql?x=1",
    ):
        with pytest.raises(HostRefused):
            LinearTeam(refused, key, "ENG", policy=HostPolicy())

    # Linear's own host, answered by DNS with a private address: refused at connection time.
    rebound = LinearTeam(
        DEFAULT_API_URL,
        key,
        "ENG",
        policy=HostPolicy(),
        resolver=_Resolves("10.0.0.5"),
        sleep=sleeps,
    )
    try:
        with pytest.raises(trackers.TrackerError) as inward:
            await rebound.account()
    finally:
        await rebound.aclose()
    assert inward.value.kind is trackers.TrackerErrorKind.REFUSED_HOST
    said = str(inward.value)
    assert "resolves to a private or local address" in said, said
    assert "10.0.0.5" not in said, "the operator's network is not described to the person"
    assert linear.calls == [] and sleeps.waits == []


async def test_an_oauth_token_is_sent_as_a_bearer_and_refreshed_once(linear, clock) -> None:
    linear.add_oauth_token("old-access", linear.user.email)
    linear.add_oauth_token("new-access", linear.user.email)
    refreshed = []

    async def refresh(token: LinearOAuthToken) -> LinearOAuthToken:
        refreshed.append(token)
        return LinearOAuthToken(Secret("new-access"), clock.now() + timedelta(hours=1))

    credential = LinearOAuthToken(
        Secret("old-access"),
        expires_at=clock.now() + timedelta(minutes=5),
        refresh=refresh,
        now=clock.now,
    )
    client = LinearTeam(
        linear.api_url,
        credential,
        "ENG",
        policy=HostPolicy.allowing(linear.host_setting),
        now=clock.now,
    )
    try:
        assert await client.check() == []
        clock.advance(timedelta(minutes=10))
        assert (await client.account(refresh=True)).email == "po@example.com"
    finally:
        await client.aclose()
    assert len(refreshed) == 1
    assert "old-access" not in repr(credential) and "new-access" not in repr(credential)
    assert [c.user for c in linear.calls] == ["po@example.com"] * 3


# -- webhooks ------------------------------------------------------------------------------


@asynccontextmanager
async def _receiving(
    path: str, secret: str, clock: ManualClock, answer: int = 200
) -> AsyncIterator[tuple[str, list[tuple[bool, dict]]]]:
    """A local web server taking webhook deliveries at ``path`` while open: its URL, and each
    delivery's body with whether its signature (``secret``) and timestamp made it genuine.
    It answers ``answer`` to a genuine one, 401 to any other."""
    received: list[tuple[bool, dict]] = []

    async def hook(request: web.Request) -> web.Response:
        body = await request.read()
        signature = request.headers.get("Linear-Signature")
        ok = verified("linear", secret, body, signature, clock.now())
        received.append((ok, json.loads(body)))
        return web.Response(status=answer if ok else 401)

    app = web.Application()
    app.router.add_post(path, hook)
    runner = web.AppRunner(app)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        yield f"http://127.0.0.1:{runner.addresses[0][1]}{path}", received
    finally:
        await runner.cleanup()


def _body(stamp: datetime, **extra) -> bytes:
    return json.dumps(
        {"action": "update", "type": "Issue", "webhookTimestamp": int(stamp.timestamp() * 1000)}
        | extra
    ).encode()


def test_a_webhook_is_genuine_only_with_the_signature_and_a_fresh_timestamp() -> None:
    secret, now = "whsec", START
    body = _body(now - timedelta(seconds=20))
    good = sign(secret, body)

    assert verified("linear", secret, body, good, now)
    assert verified("linear", secret, body, good.upper(), now)  # hex in either case
    assert not verified("linear", secret, body, sign("other", body), now)
    assert not verified("linear", secret, body + b" ", good, now)  # the body was changed
    assert not verified("linear", secret, body, None, now)
    assert not verified("linear", secret, body, "", now)
    assert not verified("linear", "", body, good, now)
    old = _body(now - timedelta(seconds=61))
    assert not verified("linear", secret, old, sign(secret, old), now)  # a replay
    ahead = _body(now + timedelta(seconds=61))
    assert not verified("linear", secret, ahead, sign(secret, ahead), now)
    edge = _body(now - timedelta(seconds=60))
    assert verified("linear", secret, edge, sign(secret, edge), now)
    for odd in (
        b"not json",
        b"[]",
        json.dumps({"webhookTimestamp": "soon"}).encode(),
        json.dumps({"webhookTimestamp": 1e300}).encode(),
        json.dumps({"webhookTimestamp": True}).encode(),
    ):
        assert not verified("linear", secret, odd, sign(secret, odd), now)
    missing = json.dumps({"action": "update"}).encode()
    assert not verified("linear", secret, missing, sign(secret, missing), now)


async def test_the_emulators_deliveries_pass_the_verifier(linear, clock) -> None:
    async with _receiving("/hooks/linear", "s3cret", clock) as (url, received):
        hookup = linear.add_webhook(url, "s3cret")
        issue = linear.add_issue("Pay")
        clock.advance(timedelta(seconds=5))
        linear.edit(issue.identifier, title="Pay by card", estimate=5)

        assert await linear.deliver_webhooks() == 2

        assert hookup.deliveries == [200, 200]
        (created_ok, created), (updated_ok, updated) = received
        assert created_ok and updated_ok
        assert (created["action"], created["type"]) == ("create", "Issue")
        assert updated["data"]["identifier"] == issue.identifier
        assert updated["data"]["title"] == "Pay by card" and updated["data"]["estimate"] == 5
        assert updated["updatedFrom"]["title"] == "Pay"
        assert updated["webhookId"] == hookup.id
        assert updated["webhookTimestamp"] == int(clock.now().timestamp() * 1000)

        # A forged or stale delivery sent by the helper is turned away.
        payload = {"action": "remove", "type": "Issue", "data": {"id": issue.id}}
        stamp = clock.now().timestamp() * 1000
        assert await send_webhook(url, "s3cret", payload, timestamp_ms=stamp, signature="00") == 401
        old = (clock.now() - timedelta(minutes=2)).timestamp() * 1000
        assert await send_webhook(url, "s3cret", payload, timestamp_ms=old) == 401
        assert await send_webhook(url, "s3cret", payload, timestamp_ms=stamp) == 200


async def test_linears_removals_and_reorders_reach_the_sync_through_the_webhook(
    linear, make_client, clock
) -> None:
    async with _receiving("/hooks/linear", "s3cret", clock) as (url, received):
        linear.add_webhook(url, "s3cret")
        keys = linear.seed(4)
        client = make_client()
        clock.advance(timedelta(minutes=1))
        since = clock.now()
        clock.advance(timedelta(seconds=1))
        linear.reorder_touches = False  # a drag that leaves updatedAt as it was
        linear.edit(keys[3], sort_order=1.0)
        linear.edit(keys[2], title="Pay by card")
        linear.remove_issue(keys[1])  # to the trash
        linear.remove_issue(keys[0], permanently=True)
        assert await linear.deliver_webhooks() == 4
        assert linear.webhooks[0].deliveries == [200] * 4

        # What the sync's webhook route reads hints from:
        assert [linear_hint(body) for ok, body in received if ok] == [
            {"keys": True},
            {},
            {"gone": [keys[1]]},
            {"gone": [keys[0]]},
        ]
        # Without the webhook the drag is not among the changes: the hint is what tells.
        assert [i.key for i in (await client.changes_page(since)).issues] == [keys[2]]
        assert await client.backlog_keys() == [keys[3], keys[2]]
        # The sync unlinks a "gone" key only on NOT_FOUND: a trashed issue is one, too.
        answers = []
        for key in (keys[0], keys[1]):
            with pytest.raises(trackers.TrackerError) as deleted:
                await client.issue(key)
            answers.append((deleted.value.kind, str(deleted.value)))
        assert answers == [
            (
                NOT_FOUND,
                f"Issue {keys[0]} was not found in Linear, or the Linear account cannot see it.",
            ),
            (NOT_FOUND, f"Issue {keys[1]} was deleted in Linear (it is in the team's trash)."),
        ]

        linear.reorder_touches = True  # as Linear's schema describes updatedAt
        clock.advance(timedelta(seconds=1))
        since = clock.now()
        linear.edit(keys[2], sort_order=0.5)
        assert [i.rank for i in (await client.changes_page(since)).issues] == ["0.5"]


async def test_an_admins_key_registers_timeboxs_webhook_with_timeboxs_secret(
    linear, make_client, clock
) -> None:
    other = linear.add_team("OPS", "Operations")
    async with _receiving("/hooks/linear/abc", "timebox-secret", clock, 204) as (url, received):
        hook_id = await make_client().create_webhook(url, "timebox-secret")

        (made,) = linear.webhooks
        assert made.id == hook_id and made.secret == "timebox-secret"
        assert (made.team_id, made.resource_types) == (linear.team.id, ("Issue",))
        linear.add_issue("Pay by card")
        linear.add_issue("Rotate the pager", team=other.key)  # another team's: not sent
        assert await linear.deliver_webhooks() == 1
        assert [ok for ok, _ in received] == [True] and made.deliveries == [204]

        linear.add_user("dev@example.com", "lin_api_dev")  # not a workspace admin
        with pytest.raises(trackers.TrackerError) as refused:
            await make_client(key="lin_api_dev").create_webhook(url, "timebox-secret")
        assert refused.value.kind is trackers.TrackerErrorKind.FORBIDDEN
        assert str(refused.value) == (
            "The Linear account is not allowed to add a webhook for team ENG (Only workspace "
            "admins can create webhooks.)."
        )
        assert len(linear.webhooks) == 1


# -- the emulator's own answers and the sandbox's team ----------------------------------------


async def test_the_emulator_answers_with_linears_shapes(linear) -> None:
    good = {"Authorization": linear.user.api_key}
    async with aiohttp.ClientSession() as http:
        query = {"query": "query Viewer { viewer { id email } }"}
        async with http.post(linear.api_url, json=query) as anonymous:
            assert anonymous.status == 400
            error = (await anonymous.json())["errors"][0]
            assert error["message"] == "Authentication required, not authenticated"
            assert error["extensions"]["code"] == "AUTHENTICATION_ERROR"
        async with http.post(linear.api_url, json=query, headers=good) as me:
            assert me.status == 200
            assert (await me.json())["data"]["viewer"]["email"] == "po@example.com"
            assert int(me.headers["X-Complexity"]) == 2
            assert me.headers["X-RateLimit-Requests-Remaining"] == "4999"
            assert int(me.headers["X-RateLimit-Requests-Reset"]) > START.timestamp() * 1000
        unknown = {"query": "query Q { viewer { storyPoints } }"}
        async with http.post(linear.api_url, json=unknown, headers=good) as invalid:
            assert invalid.status == 400
            error = (await invalid.json())["errors"][0]
            assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
            assert "storyPoints" in error["message"]
        missing = {"query": 'query I { issue(id: "ENG-9") { id } }'}
        async with http.post(linear.api_url, json=missing, headers=good) as answer:
            assert answer.status == 200
            body = await answer.json()
            assert body["data"] is None
            assert body["errors"][0]["message"] == "Entity not found: Issue"
            assert body["errors"][0]["path"] == ["issue"]
        heavy = {"query": "query H { issues(first: 250) { nodes { labels { nodes { name } } } } }"}
        async with http.post(linear.api_url, json=heavy, headers=good) as too_complex:
            assert too_complex.status == 400
            assert "too complex" in (await too_complex.json())["errors"][0]["message"]
        async with http.get(f"{linear.url}/graphql") as wrong_method:
            assert wrong_method.status == 404


async def test_the_sandbox_team_reads_as_a_product_owner_expects(clock) -> None:
    linear = make_emulator(clock.now)
    seed_team(linear)
    async with linear:
        client = LinearTeam(
            linear.api_url,
            LinearApiKey(Secret(API_KEY)),
            "DEMO",
            policy=HostPolicy.allowing(linear.host_setting),
            now=clock.now,
        )
        try:
            assert await client.check() == []
            issues = await collect(trackers.iter_backlog(client))
        finally:
            await client.aclose()
    assert [i.summary for i in issues] == [
        "Checkout that converts",
        "Set up the payment provider",
        "Pay by card",
        "Receipt shows the wrong VAT rate",
        "Save the basket between visits",
        "Upgrade the TLS library",
    ]
    card = issues[2]
    assert card.blocked_by == (issues[1].key,) and card.epic == issues[0].key
    assert len(card.acceptance_criteria) == 2 and card.estimate == 5.0
    assert issues[3].issue_type == "Bug"
