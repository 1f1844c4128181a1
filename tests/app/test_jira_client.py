"""The Jira Cloud tracker client against the local Jira emulator.

Nothing here waits for real time except the timeout tests (a client timeout of a fraction of a
second): retries and Retry-After waits go through an injected sleep that only records.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.domain import trackers
from bot.emulator.jira import STORY_POINTS, JiraEmulator
from bot.runtime.clock import ManualClock
from bot.runtime.secrets import Secret
from bot.trackers.base import ApiToken, OAuth2Token
from bot.trackers.hosts import HostPolicy
from bot.trackers.http import RetryPolicy
from bot.trackers.jira import JiraCloud, jql_time
from tests.app import trackers as shared
from tests.app.trackers import collect, emulator_fixture

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday; Berlin is UTC+1, as the clock


jira = emulator_fixture("jira", JiraEmulator)


def jira_client(
    em: JiraEmulator, *, token: str | None = None, board: int | None = None, **settings: Any
) -> JiraCloud:
    """A client of ``em``, its board 1 unless told, with the user's token unless told."""
    board_id = board if board is not None else em.board.id
    return JiraCloud(
        em.url, ApiToken(em.user.email, Secret(token or em.user.token)), board_id, **settings
    )


@pytest.fixture
async def make_client(jira, sleeps, clock):
    async with shared.making_clients(jira, jira_client, clock, sleeps) as making:
        yield making


# -- reading -------------------------------------------------------------------------------


async def test_a_250_issue_backlog_comes_in_rank_order_page_by_page(jira, make_client) -> None:
    keys = jira.seed(250, estimate=lambda n: float(n % 8))
    # The Product Owner has ranked a few issues differently in Jira.
    for key in ("TB-200", "TB-17", "TB-250"):
        jira.rank.remove(key)
    jira.rank[0:0] = ["TB-200", "TB-17"]
    jira.rank.insert(120, "TB-250")
    client = make_client()

    issues = await collect(trackers.iter_backlog(client))

    assert [i.key for i in issues] == jira.backlog_keys() == jira.rank
    assert len(issues) == 250 and {i.key for i in issues} == set(keys)
    pages = jira.calls_to("board.backlog")
    assert [c.query["startAt"] for c in pages] == ["0", "99", "198"]
    assert issues[0].key == "TB-200" and issues[0].estimate == 0.0  # 200 % 8
    assert issues[2].url == f"{jira.url}/browse/TB-1"
    assert issues[2].summary == "Backlog item 1" and issues[2].estimate == 1.0


async def test_the_backlog_leaves_out_done_issues_sprint_issues_and_epics(
    jira, make_client
) -> None:
    epic = jira.add_issue("Checkout", issue_type="Epic")
    todo = jira.add_issue("Pay by card", parent=epic.key)
    jira.add_issue("Old", status="Done")
    planned = jira.add_issue("Planned")
    client = make_client()
    sprint = await client.create_sprint(trackers.SprintSpec("Sprint 1"))
    await client.move_to_sprint(sprint.id, [planned.key])

    issues = await collect(trackers.iter_backlog(client))

    assert [i.key for i in issues] == [todo.key]
    assert issues[0].epic == epic.key


async def test_every_field_of_an_issue_is_read(jira, make_client) -> None:
    jira.add_user("dev@example.com", "t", display_name="Dana Dev")
    epic = jira.add_issue("Checkout", issue_type="Epic")
    blocker = jira.add_issue("Payment provider contract")
    description = {
        "type": "doc",
        "version": 1,
        "content": [
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "As a shopper I want to "},
                    {"type": "text", "text": "pay by card", "marks": [{"type": "strong"}]},
                    {"type": "hardBreak"},
                    {"type": "text", "text": "so that I can buy now."},
                ],
            },
            {
                "type": "heading",
                "attrs": {"level": 3},
                "content": [{"type": "text", "text": "Acceptance criteria"}],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [{"type": "text", "text": "Visa works"}],
                            }
                        ],
                    },
                    {
                        "type": "listItem",
                        "content": [
                            {
                                "type": "paragraph",
                                "content": [{"type": "text", "text": "3-D Secure"}],
                            }
                        ],
                    },
                ],
            },
        ],
    }
    issue = jira.add_issue(
        "Pay by card",
        issue_type="Bug",
        description=description,
        estimate=5,
        status="In Progress",
        labels=["payments", "q2"],
        blocked_by=[blocker.key],
        parent=epic.key,
        assignee="dev@example.com",
    )
    client = make_client()

    found = {i.key: i for i in await collect(trackers.iter_backlog(client))}[issue.key]

    shared.assert_read_as_filed(found, epic.key)
    assert found.description == "As a shopper I want to pay by card\nso that I can buy now."
    assert found.issue_type == "Bug"
    assert found.labels == ("payments", "q2")
    assert found.blocked_by == (blocker.key,)
    assert found.updated.timestamp() * 1000 == issue.updated  # ms precision, as Jira
    assert found.id == str(issue.id)
    # The blocker knows it blocks, but is not blocked itself.
    again = await client.issue(blocker.key)
    assert again.blocked_by == ()


async def test_incremental_fetch_costs_the_same_calls_on_a_board_of_5000_as_of_250(
    make_client, sleeps
) -> None:
    small, large = await shared.ten_changes_on_boards_of(
        (250, 5000), JiraEmulator, make_client, START, title_field="summary"
    )

    assert [c.route for c in small.calls] == [c.route for c in large.calls] == ["search.jql"]
    for em in (small, large):
        (search,) = em.calls_to("search.jql")
        # Berlin is UTC+1: 09:10 UTC is 10:10 in the account's time zone.
        assert search.body["jql"] == (
            f'filter = {em.board.filter_id} AND updated >= "2026/03/02 10:10" '
            "ORDER BY updated ASC, key ASC"
        )
    assert sleeps.waits == []


async def test_changes_are_paged_with_next_page_tokens(jira, make_client, clock) -> None:
    _, pages = await shared.pages_of_changes(jira, make_client(), clock, 250)

    assert [len(p.issues) for p in pages] == [100, 100, 50]
    seen = [i.key for p in pages for i in p.issues]
    assert len(seen) == len(set(seen)) == 250
    tokens = [c.body.get("nextPageToken") for c in jira.calls_to("search.jql")]
    assert tokens[0] is None and all(tokens[1:])


async def test_changes_before_since_in_the_same_minute_are_left_out(
    jira, make_client, clock
) -> None:
    early, late = jira.add_issue("Early"), jira.add_issue("Late")
    clock.advance(timedelta(seconds=10))
    jira.touch(early.key)
    clock.advance(timedelta(seconds=20))
    since = clock.now()
    jira.touch(late.key)

    changes = await collect(trackers.iter_changes(make_client(), since))

    assert [i.key for i in changes] == [late.key]


def test_jql_times_are_written_in_the_accounts_time_zone() -> None:
    since = datetime(2026, 7, 1, 12, 34, 56, tzinfo=UTC)
    assert jql_time(since, "Europe/Berlin") == "2026/07/01 14:34"
    assert jql_time(since, "America/New_York") == "2026/07/01 08:34"
    assert jql_time(since, "Not/AZone") == "2026/07/01 12:34"
    # 01:30 on 1 November 2026 happens twice in New York: step back an hour to miss nothing.
    ambiguous = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # 01:30 EST, the second one
    assert jql_time(ambiguous, "America/New_York") == "2026/11/01 00:30"


# -- writing -------------------------------------------------------------------------------


async def test_an_estimate_written_lands_in_the_issue(jira, make_client, clock) -> None:
    issue = jira.add_issue("Pay by card")
    client = make_client()

    await shared.estimates_8(jira, client, clock, issue.key)

    (edit,) = jira.calls_to("issue.edit")
    assert edit.body == {"fields": {STORY_POINTS: 8}} and edit.status == 204

    await client.update_issue(issue.key, trackers.IssueUpdate(estimate=None))
    assert jira.estimate_of(issue.key) is None


async def test_summary_and_description_are_written_and_criteria_kept(jira, make_client) -> None:
    issue = jira.add_issue("Pay")
    client = make_client()
    await client.update_issue(
        issue.key, trackers.IssueUpdate(description="Old text", acceptance_criteria=("Visa works",))
    )

    await client.update_issue(
        issue.key,
        trackers.IssueUpdate(summary="Pay by card", description="Shoppers pay by card.\n\n- fast"),
    )

    found = await client.issue(issue.key)
    assert found.summary == "Pay by card"
    assert found.description == "Shoppers pay by card.\n\n- fast"
    assert found.acceptance_criteria == ("Visa works",)  # read back before the write
    assert jira.issues[issue.key].description["content"][0] == {
        "type": "paragraph",
        "content": [{"type": "text", "text": "Shoppers pay by card."}],
    }
    assert (
        trackers.IssueUpdate().empty and trackers.IssueUpdate(summary="x").estimate is trackers.KEEP
    )


async def test_criteria_go_to_their_own_field_when_the_board_has_one(jira, make_client) -> None:
    jira.add_field("customfield_10050", "Acceptance criteria")
    issue = jira.add_issue("Pay")
    client = make_client(acceptance_field="customfield_10050")

    await client.update_issue(issue.key, trackers.IssueUpdate(acceptance_criteria=("A", "B")))

    assert "description" not in jira.calls_to("issue.edit")[0].body["fields"]
    found = await client.issue(issue.key)
    assert found.acceptance_criteria == ("A", "B") and found.description == ""


async def test_a_refused_write_says_why_in_plain_words(jira, make_client) -> None:
    issue = jira.add_issue("Pay")
    client = make_client()
    with pytest.raises(trackers.TrackerError) as refused:
        await client.update_issue(issue.key, trackers.IssueUpdate(summary=""))
    assert refused.value.kind is trackers.TrackerErrorKind.INVALID
    assert str(refused.value) == (
        f"Jira refused to update {issue.key}: summary: You must specify a summary of the issue."
    )
    with pytest.raises(trackers.TrackerError) as missing:
        await client.update_issue("TB-999", trackers.IssueUpdate(summary="x"))
    assert missing.value.kind is trackers.TrackerErrorKind.NOT_FOUND
    assert str(missing.value) == (
        "Issue TB-999 was not found in Jira, or the Jira account cannot see it."
    )


async def test_rank_before_and_after_another_issue(jira, make_client) -> None:
    a, b, c, d = (jira.add_issue(s).key for s in "abcd")
    client = make_client()

    await client.rank(d, before=b)
    assert jira.rank == [a, d, b, c]
    await client.rank(a, after=c)
    assert jira.rank == [d, b, c, a]
    assert [i.key for i in await collect(trackers.iter_backlog(client))] == [d, b, c, a]
    (first, second) = jira.calls_to("issue.rank")
    assert first.body == {"issues": [d], "rankBeforeIssue": b, "rankCustomFieldId": 10019}
    assert second.body["rankAfterIssue"] == c and first.status == 204

    with pytest.raises(trackers.TrackerError) as unknown:
        await client.rank("TB-404", before=a)
    assert unknown.value.kind is trackers.TrackerErrorKind.INVALID and unknown.value.status == 207
    assert "TB-404" in str(unknown.value)
    with pytest.raises(ValueError):
        await client.rank(a, before=b, after=c)


async def test_a_rank_carries_a_new_rank_value_and_shows_as_a_change(
    jira, make_client, clock
) -> None:
    """Ranking gives the issue a new Rank value and bumps `updated` (Jira logs "Ranked
    higher"): the incremental fetch sees the reordered issue, with its rank token changed."""
    a, _, c = (jira.add_issue(s).key for s in "abc")
    client = make_client()
    before = {i.key: i.rank for i in await collect(trackers.iter_backlog(client))}
    assert all(before.values()) and len(set(before.values())) == 3
    since = clock.now() + timedelta(minutes=1)
    clock.advance(timedelta(minutes=2))

    await client.rank(c, before=a)

    (moved,) = await collect(trackers.iter_changes(client, since))
    assert moved.key == c and moved.rank not in ("", before[c])
    assert "customfield_10019" in jira.calls_to("search.jql")[-1].body["fields"]


async def test_the_boards_keys_in_order_are_one_call_for_5000_issues(make_client) -> None:
    """Keys only: Jira pages up to 5,000 of them (documented), so the order of a 5,000-issue
    board is one call and of 5,001 two. Issues in an open sprint are on the board too; done
    ones are not."""
    clock = ManualClock(START)
    async with JiraEmulator(now=clock.now) as em:
        keys = em.seed(5000)
        em.rank.insert(0, em.rank.pop())  # the last issue dragged to the top
        client = make_client(em)
        sprint = await client.create_sprint(trackers.SprintSpec("Sprint 1"))
        await client.move_to_sprint(sprint.id, [keys[1]])
        em.edit(keys[2], status="Done")
        em.reset_calls()

        order = await client.backlog_keys()

        assert order == [k for k in em.rank if k != keys[2]] and keys[1] in order
        (search,) = em.calls_to("search.jql")
        assert search.body["fields"] == ["key"] and search.body["maxResults"] == 5000
        assert search.body["jql"] == (
            f"filter = {em.board.filter_id} AND statusCategory != Done ORDER BY Rank ASC"
        )
        em.seed(2)
        em.reset_calls()
        assert len(await client.backlog_keys()) == 5001
        assert [bool(c.body.get("nextPageToken")) for c in em.calls] == [False, True]
        await client.aclose()


async def test_mark_done_takes_the_first_done_transition_once(jira, make_client) -> None:
    issue = jira.add_issue("Pay by card", status="In Progress")
    client = make_client()

    await client.mark_done(issue.key)

    assert jira.issues[issue.key].status == "Done"
    assert [c.route for c in jira.calls] == ["issue.get", "issue.transitions", "issue.transition"]
    (moved,) = jira.calls_to("issue.transition")
    assert moved.body == {"transition": {"id": "31"}} and moved.status == 204
    jira.reset_calls()
    await client.mark_done(issue.key)  # done already: one look, no move
    assert [c.route for c in jira.calls] == ["issue.get"]


async def test_mark_done_without_a_way_to_done_says_so_plainly(jira, make_client) -> None:
    issue = jira.add_issue("Pay by card")
    jira.workflow = {"To Do": ["In Progress"]}
    client = make_client()
    with pytest.raises(trackers.TrackerError) as stuck:
        await client.mark_done(issue.key)
    assert stuck.value.kind is trackers.TrackerErrorKind.CONFIG and not stuck.value.retryable
    assert str(stuck.value) == (
        f"Jira's workflow has no step from 'To Do' to a Done status for {issue.key}: move it "
        "to Done in Jira (or ask an admin to allow the step)."
    )
    jira.workflow, jira.done_needs = None, {"resolution"}
    with pytest.raises(trackers.TrackerError) as screen:
        await client.mark_done(issue.key)
    assert str(screen.value) == (
        f"Jira refused to move {issue.key} to Done: resolution: Resolution is required."
    )
    assert jira.issues[issue.key].status == "To Do"


async def test_create_an_issue(jira, make_client) -> None:
    jira.add_issue("First")
    client = make_client()

    ref = await client.create_issue(
        trackers.NewIssue(
            "Pay by card",
            description="Shoppers pay by card.",
            estimate=3,
            labels=("payments",),
            acceptance_criteria=("Visa works",),
        )
    )

    assert ref.key == "TB-2" and ref.url == f"{jira.url}/browse/TB-2"
    issue = jira.issues["TB-2"]
    assert issue.summary == "Pay by card" and issue.labels == ["payments"]
    assert issue.fields[STORY_POINTS] == 3
    assert jira.backlog_keys()[-1] == "TB-2"
    found = await client.issue("TB-2")
    assert found.description == "Shoppers pay by card."
    assert found.acceptance_criteria == ("Visa works",)
    (create,) = jira.calls_to("issue.create")
    assert create.body["fields"]["project"] == {"key": "TB"}
    assert create.body["fields"]["issuetype"] == {"name": "Story"}


async def test_a_sprint_is_created_filled_started_emptied_and_closed(
    jira, make_client, clock
) -> None:
    keys = jira.seed(60)
    client = make_client()
    start, end = clock.now(), clock.now() + timedelta(days=14)

    sprint = await client.create_sprint(
        trackers.SprintSpec("Sprint 7", "Checkout works", start, end)
    )
    assert sprint.state is trackers.SprintState.FUTURE and sprint.goal == "Checkout works"
    assert (sprint.start, sprint.end) == (start, end)
    created = jira.calls_to("sprint.create")[0].body
    assert created == {
        "name": "Sprint 7",
        "originBoardId": 1,
        "goal": "Checkout works",
        "startDate": "2026-03-02T09:00:00.000Z",
        "endDate": "2026-03-16T09:00:00.000Z",
    }

    await client.move_to_sprint(sprint.id, keys[:55])  # two calls: at most 50 at once
    assert [len(c.body["issues"]) for c in jira.calls_to("sprint.issues")] == [50, 5]
    assert jira.sprint_keys(int(sprint.id)) == keys[:55]
    assert jira.backlog_keys() == keys[55:]

    await client.move_to_backlog(keys[50:55])
    assert jira.backlog_keys() == keys[50:]

    active = await client.start_sprint(sprint.id)
    assert active.state is trackers.SprintState.ACTIVE
    jira.edit(keys[0], status="Done")

    closed = await client.close_sprint(sprint.id)
    assert closed.state is trackers.SprintState.CLOSED and closed.completed == clock.now()
    assert jira.backlog_keys() == keys[1:]  # the unfinished ones are back, in rank order
    assert jira.issues[keys[0]].sprint == int(sprint.id)

    with pytest.raises(trackers.TrackerError) as closed_again:
        await client.start_sprint(sprint.id)  # Jira ignores it: a closed sprint stays closed
    assert closed_again.value.kind is trackers.TrackerErrorKind.INVALID
    assert str(closed_again.value) == f"Jira did not start sprint {sprint.id}: it is closed."


async def test_starting_a_sprint_whose_answer_was_lost_is_not_an_error(
    jira, make_client, clock
) -> None:
    client = make_client()
    sprint = await client.create_sprint(
        trackers.SprintSpec("S", start=clock.now(), end=clock.now() + timedelta(days=7))
    )
    await client.start_sprint(sprint.id)  # the first try went through; then Timebox retries

    again = await client.start_sprint(sprint.id)

    assert again.state is trackers.SprintState.ACTIVE
    assert [c.status for c in jira.calls_to("sprint.update")] == [200, 400]


# -- failures and retries ------------------------------------------------------------------


async def test_429_waits_as_long_as_retry_after_says(jira, make_client, sleeps) -> None:
    jira.seed(3)
    client = make_client()
    await client.board()
    jira.fail_next(429, route="board.backlog", retry_after=7)

    page = await client.backlog_page()

    assert len(page.issues) == 3
    assert sleeps.waits == [7.0]
    assert [c.status for c in jira.calls_to("board.backlog")] == [429, 200]


async def test_429_asking_for_too_long_a_wait_is_handed_back(jira, make_client, sleeps) -> None:
    client = make_client()
    await client.board()
    jira.fail_next(429, route="board.backlog", retry_after=900)

    assert await shared.hands_back_a_long_limit(client, sleeps) == (
        "Jira is limiting how fast Timebox may call it and asks to wait 900 seconds before it "
        "will read the backlog of board 1. Timebox will try again then."
    )


async def test_backoff_is_jittered_below_the_cap(jira, make_client, sleeps) -> None:
    values = iter([0.0, 0.5, 0.999])
    client = make_client(random=lambda: next(values))
    jira.fail_next(500, route="myself", times=3)
    await client.account()
    assert sleeps.waits == [0.5, 1.5, pytest.approx(3.998)]


async def test_a_single_timeout_is_retried_and_succeeds(jira, make_client, sleeps) -> None:
    jira.seed(2)
    client = make_client(retry=RetryPolicy(timeout=0.2))
    jira.delay_next(30, route="board.configuration")

    page = await client.backlog_page()

    assert len(page.issues) == 2 and sleeps.waits == [1.0]
    assert len(jira.calls_to("board.configuration")) == 2


async def test_a_failed_create_is_not_repeated(jira, make_client, sleeps) -> None:
    client = make_client()
    await client.board()
    jira.fail_next(500, route="issue.create")

    await shared.create_refused(client, sleeps, trackers.TrackerErrorKind.UNAVAILABLE)

    assert len(jira.calls_to("issue.create")) == 1


async def test_a_create_rate_limited_is_retried(jira, make_client, sleeps) -> None:
    client = make_client()
    await client.board()
    jira.fail_next(429, route="issue.create", retry_after=2)

    ref = await client.create_issue(trackers.NewIssue("Pay by card"))

    assert ref.key == "TB-1" and sleeps.waits == [2.0] and len(jira.issues) == 1


async def test_a_share_of_failing_calls_is_ridden_out(jira, make_client, sleeps) -> None:
    await shared.rides_out_failing_calls(jira, make_client, sleeps, 450)


async def test_a_bad_token_is_an_auth_error_in_plain_words(jira, make_client, sleeps) -> None:
    refused = await shared.refuses_a_credential(make_client(token="wrong"), sleeps, "wrong")

    assert refused.status == 401
    assert str(refused) == (
        "Jira did not accept the API token for po@example.com: check the email address and that "
        "the token is current (id.atlassian.com > Security > API tokens), then connect again."
    )


# -- check() ---------------------------------------------------------------------------------


async def test_check_finds_nothing_wrong_with_a_good_connection(jira, make_client) -> None:
    assert await make_client().check() == []


async def test_check_reports_a_bad_token(jira, make_client) -> None:
    problems = await make_client(token="revoked").check()

    assert [p.code for p in problems] == ["bad_token"]
    assert "did not accept the API token for po@example.com" in problems[0].message


@pytest.mark.parametrize("status", [404, 403])
async def test_check_reports_a_board_the_account_cannot_see(jira, make_client, status) -> None:
    jira.hide_board(1, status=status)

    problems = await make_client().check()

    assert [p.code for p in problems] == ["no_board_access"]
    assert problems[0].message.startswith("po@example.com cannot open board 1: check the board")


async def test_check_reports_an_unknown_board(jira, make_client) -> None:
    problems = await make_client(board=77).check()
    assert [p.code for p in problems] == ["no_board_access"]


async def test_check_reports_a_board_without_an_estimation_field(jira, make_client) -> None:
    jira.set_estimation(1, None)

    problems = await make_client().check()

    assert [p.code for p in problems] == ["no_estimation_field"]
    assert problems[0].message == (
        "Board 'TB board' does not estimate with a field, so estimates cannot be synced: in Jira "
        "open the board's settings > Estimation and choose Story points."
    )
    with pytest.raises(trackers.TrackerError) as config:
        await make_client().update_issue(jira.add_issue("x").key, trackers.IssueUpdate(estimate=3))
    assert config.value.kind is trackers.TrackerErrorKind.CONFIG


async def test_check_reports_a_kanban_board(jira, make_client) -> None:
    jira.add_board(2, "Flow", "TB", type="kanban")
    assert [p.code for p in await make_client(board=2).check()] == [
        "not_scrum",
        "no_estimation_field",
    ]


async def test_check_reports_a_jira_that_does_not_answer(jira, make_client) -> None:
    jira.fail_next(503, route="myself", times=10)
    problems = await make_client().check()
    assert [p.code for p in problems] == ["unreachable"]
    assert "HTTP 503" in problems[0].message


# -- OAuth 2.0 (3LO) -------------------------------------------------------------------------


async def test_an_oauth_token_reaches_the_api_through_the_gateway(jira, make_client, clock) -> None:
    jira.add_oauth_token("old-access", jira.user.email)
    jira.add_oauth_token("new-access", jira.user.email)
    refreshed = []

    async def refresh(token: OAuth2Token) -> OAuth2Token:
        refreshed.append(token)
        return OAuth2Token(Secret("new-access"), token.cloud_id)

    credential = OAuth2Token(
        Secret("old-access"),
        "cloud-1",
        expires_at=clock.now() + timedelta(minutes=5),
        refresh=refresh,
        now=clock.now,
        gateway=jira.url,
    )
    client = JiraCloud(
        "https://acme.atlassian.net",
        credential,
        1,
        policy=HostPolicy(),
        now=clock.now,
    )
    try:
        assert client.api == f"{jira.url}/ex/jira/cloud-1"
        assert await client.check() == []
        clock.advance(timedelta(minutes=10))
        assert (await client.account(refresh=True)).user.email == "po@example.com"
        await client.board(refresh=True)
    finally:
        await client.aclose()
    assert len(refreshed) == 1
    assert all(c.path.startswith("/ex/jira/cloud-1/rest/") for c in jira.calls)
    assert "old-access" not in repr(credential)


# -- the emulator's own answers --------------------------------------------------------------


async def test_the_emulator_answers_with_jiras_shapes(jira) -> None:
    import base64

    import aiohttp

    basic = base64.b64encode(f"{jira.user.email}:{jira.user.token}".encode()).decode()
    good = {"Authorization": f"Basic {basic}"}
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{jira.url}/rest/api/3/myself") as anonymous:
            assert anonymous.status == 401
            assert await anonymous.text() == "Client must be authenticated to access this resource."
        async with http.get(
            f"{jira.url}/rest/agile/1.0/board/9/configuration", headers=good
        ) as missing:
            assert missing.status == 404
            assert await missing.json() == {
                "errorMessages": ["Board does not exist or you do not have permission to see it."],
                "errors": {},
            }
        for body, message in (
            ({"jql": "ORDER BY updated"}, "Unbounded JQL queries are not allowed here"),
            ({"jql": "project = TB", "startAt": 0}, "Invalid request payload"),
            ({"jql": "project = TB OR key = TB-1"}, "OR is not supported"),
            ({"jql": "sprint = 1"}, "Field 'sprint' does not exist"),
            ({"jql": "project = NOPE"}, "The value 'NOPE' does not exist for the field"),
            ({"jql": 'updated >= "yesterday"'}, "Date value 'yesterday' for field 'updated'"),
            ({"jql": "project = TB", "nextPageToken": "x"}, "next page token is invalid"),
        ):
            async with http.post(
                f"{jira.url}/rest/api/3/search/jql", json=body, headers=good
            ) as refused:
                assert refused.status == 400, body
                assert message in (await refused.json())["errorMessages"][0]
        only = jira.add_issue("Only ids")
        async with http.post(
            f"{jira.url}/rest/api/3/search/jql", json={"jql": "project = TB"}, headers=good
        ) as ids:
            assert await ids.json() == {"issues": [{"id": str(only.id)}], "isLast": True}
    assert [c.route for c in jira.calls][:3] == ["myself", "board.configuration", "search.jql"]
