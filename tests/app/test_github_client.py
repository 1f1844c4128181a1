"""The GitHub tracker client against the local GitHub emulator: a Projects (v2) project and a
plain repository, read in order and page by page, written back (estimate, order, iteration,
close), GitHub's rate limits and failures, a GitHub App's installation token, and the host
policy. Waits go through an injected sleep that only records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator, root_fields
from bot.runtime.secrets import Secret
from bot.trackers.github import GitHub, GitHubApp, GitHubToken
from bot.trackers.hosts import HostPolicy
from bot.trackers.http import RetryPolicy
from tests.app.trackers import client_settings, closing, collect, emulator_fixture

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock's


github = emulator_fixture("github", GitHubEmulator)


@pytest.fixture
async def make_client(github, sleeps, clock):
    def make(
        emulator: GitHubEmulator | None = None,
        *,
        credential=None,
        project: int | None = 1,
        api: str | None = None,
        **settings,
    ) -> GitHub:
        """A client of ``emulator`` (the test's GitHub), its project 1 unless told, with its
        token unless told; ``settings``: ``client_settings``'s."""
        em = emulator or github
        return GitHub(
            api or em.url,
            credential or GitHubToken(Secret(em.token)),
            em.repository.full_name,
            project,
            **client_settings(em.host_setting, clock, sleeps, **settings),
        )

    async with closing(make) as making:
        yield making


def seed(github: GitHubEmulator) -> list[str]:
    """Three open issues in the project's order (one blocked, one in the sprint), one closed."""
    provider = github.add_issue("Set up the payment provider", estimate=3, labels=["payments"])
    story = github.add_issue(
        "Pay by card",
        body=(
            f"Card payments at checkout.\n\nBlocked by #{provider.number}\n\n"
            "## Acceptance criteria\n- Visa and Mastercard\n- 3-D Secure"
        ),
        estimate=5,
        labels=["payments", "web"],
        assignee=github.login,
        status="In Progress",
    )
    bug = github.add_issue("Receipt shows the wrong VAT", labels=["bug"])
    github.add_issue("Old idea", state="closed")
    github.move(bug.key, 0)
    return [bug.key, provider.key, story.key]


# -- reading -------------------------------------------------------------------------------


async def test_the_client_is_a_tracker_and_the_check_makes_the_estimate_field(github, make_client):
    project = github.project
    project.fields = [f for f in project.fields if f.data_type != "NUMBER"]
    client = make_client(estimate_field="Story points")
    assert isinstance(client, trackers.Tracker)
    assert await client.check() == []
    made = project.field_named("Story points")
    assert made is not None and made.data_type == "NUMBER", "created, as the team named it"
    snapshot = client.snapshot()
    assert snapshot["estimate_field_id"] == made.id and snapshot["project_id"] == project.id
    assert len(github.calls_to("graphql.createProjectV2Field")) == 1


async def test_the_backlog_comes_in_the_projects_order_with_its_fields(github, make_client):
    bug, provider, story = seed(github)
    sprint = github.add_iteration("Sprint 1", START.date())
    in_sprint = github.add_issue("Already planned", iteration=sprint.id)
    client = make_client()
    assert await client.check() == []
    issues = await collect(trackers.iter_backlog(client))
    assert [i.key for i in issues] == [bug, provider, story], "closed and in-sprint left out"
    assert in_sprint.key not in [i.key for i in issues]
    pay = issues[2]
    assert pay.summary == "Pay by card" and pay.estimate == 5.0
    assert pay.description.startswith("Card payments at checkout.")
    assert pay.acceptance_criteria == ("Visa and Mastercard", "3-D Secure")
    assert pay.blocked_by == (provider,)
    assert pay.labels == ("payments", "web") and pay.issue_type == "Story"
    assert (
        pay.status_category is trackers.StatusCategory.IN_PROGRESS and pay.status == "In Progress"
    )
    assert pay.assignee is not None and pay.assignee.id == github.login
    assert pay.url == f"{github.url}/{story.replace('#', '/issues/')}"
    assert issues[0].issue_type == "Bug"
    planned = [bug, provider, story, in_sprint.key]
    assert await client.backlog_keys() == planned, "an issue in a sprint is still on the board"


async def test_a_250_item_project_is_read_page_by_page(github, make_client):
    keys = [github.add_issue(f"Story {n}", estimate=n % 8).key for n in range(250)]
    client = make_client()
    issues = await collect(trackers.iter_backlog(client))
    assert [i.key for i in issues] == keys
    assert len(github.calls_to("graphql.node")) == 3, "100 items a call"


async def test_changes_since_read_in_full_only_what_changed(github, make_client, clock):
    keys = [github.add_issue(f"Story {n}").key for n in range(150)]
    client = make_client()
    await client.check()
    clock.advance(timedelta(minutes=10))
    since = clock.now()
    github.edit(keys[3], title="Story 3, sharper")
    github.edit(keys[120], estimate=8)
    github.reset_calls()
    changed = await collect(trackers.iter_changes(client, since))
    assert {i.key for i in changed} == {keys[3], keys[120]}
    assert next(i for i in changed if i.key == keys[120]).estimate == 8.0
    assert len(github.calls_to("graphql.nodes")) == 2, "one full read per page with changes"
    page = await client.changes_page(since)
    assert page.watermark is None and page.cursor is not None, "no watermark before the end"


async def test_a_plain_repository_reads_issues_and_label_estimates(make_client, clock):
    async with GitHubEmulator(project_number=None, now=clock.now) as plain:
        first = plain.add_issue("First", estimate=3)
        second = plain.add_issue("Second", labels=["spike"])
        client = make_client(plain, project=None)
        assert await client.check() == []
        issues = await collect(trackers.iter_backlog(client))
        assert [(i.key, i.estimate, i.issue_type) for i in issues] == [
            (first.key, 3.0, "Story"),
            (second.key, None, "Spike"),
        ]
        assert "estimate: 3" not in issues[0].labels
        await client.update_issue(second.key, trackers.IssueUpdate(estimate=5))
        assert plain.estimate_of(second.key) == 5.0 and "spike" in plain.issue(second.key).labels
        clock.advance(timedelta(minutes=1))
        since = clock.now()
        plain.edit(first.key, title="First, renamed")
        changed = await collect(trackers.iter_changes(client, since))
        assert [i.summary for i in changed] == ["First, renamed"]
        await client.rank(second.key, before=first.key)  # the order is Timebox's own here
        made = await client.create_issue(trackers.NewIssue("Third", estimate=2, issue_type="Bug"))
        assert plain.estimate_of(made.key) == 2.0 and "bug" in plain.issue(made.key).labels


async def test_a_sprint_in_a_plain_repository_is_a_milestone(make_client, clock):
    async with GitHubEmulator(project_number=None, now=clock.now) as plain:
        first, second = (plain.add_issue(title).key for title in ("First", "Second"))
        client = make_client(plain, project=None)
        sprint = await client.create_sprint(
            trackers.SprintSpec("Sprint 1", "Pay by card", START, START + timedelta(days=14))
        )
        await client.move_to_sprint(sprint.id, [first, second])
        assert plain.backlog_keys() == [], "both in the sprint's milestone"
        await client.move_to_backlog([second])
        assert plain.backlog_keys() == [second]
        milestones = [c.body["milestone"] for c in plain.calls_to("issues.update")]
        assert milestones == [int(sprint.id), int(sprint.id), None]


# -- writing -------------------------------------------------------------------------------


async def test_an_estimate_lands_in_the_projects_number_field(github, make_client):
    bug, *_ = seed(github)
    client = make_client()
    await client.update_issue(bug, trackers.IssueUpdate(estimate=8))
    assert github.estimate_of(bug) == 8.0
    await client.update_issue(bug, trackers.IssueUpdate(estimate=None))
    assert github.estimate_of(bug) is None
    assert len(github.calls_to("graphql.updateProjectV2ItemFieldValue")) == 1
    assert len(github.calls_to("graphql.clearProjectV2ItemFieldValue")) == 1


async def test_title_and_criteria_are_written_into_the_body(github, make_client):
    _, _, story = seed(github)
    client = make_client()
    await client.update_issue(
        story,
        trackers.IssueUpdate(summary="Pay by card or wallet", acceptance_criteria=("Apple Pay",)),
    )
    issue = github.issue(story)
    assert issue.title == "Pay by card or wallet"
    assert issue.body.startswith("Card payments at checkout.")
    assert issue.body.endswith("## Acceptance criteria\n- Apple Pay")
    assert (await client.issue(story)).acceptance_criteria == ("Apple Pay",)
    await client.update_issue(story, trackers.IssueUpdate(summary=trackers.KEEP))


async def test_criteria_written_back_keep_the_text_after_their_list(github, make_client):
    body = "Card payments.\n\n## Acceptance criteria\n- Visa\n\nSee the design."
    key = github.add_issue("Pay by card", body=body).key
    client = make_client()
    read = await client.issue(key)
    assert read.acceptance_criteria == ("Visa",)
    assert read.description == "Card payments.\n\nSee the design."

    await client.update_issue(key, trackers.IssueUpdate(acceptance_criteria=("Visa", "Mastercard")))

    assert github.issue(key).body == (
        "Card payments.\n\n## Acceptance criteria\n- Visa\n- Mastercard\n\nSee the design."
    ), "the list changes in its place"
    again = await client.issue(key)
    assert again.description == read.description, "the paragraph after the list is kept"
    assert again.acceptance_criteria == ("Visa", "Mastercard")


async def test_a_reorder_moves_the_item_in_the_project(github, make_client):
    bug, provider, story = seed(github)
    client = make_client()
    await client.rank(story, before=bug)
    assert github.project_keys()[:3] == [story, bug, provider]
    await client.rank(story, after=provider)
    assert github.project_keys()[:3] == [bug, provider, story]


async def test_a_new_issue_is_made_in_the_project_at_once(github, make_client):
    seed(github)
    client = make_client()
    made = await client.create_issue(
        trackers.NewIssue("Apple Pay", estimate=3, acceptance_criteria=("Works on iOS",))
    )
    assert made.key in github.project_keys(), "in the project with the same call"
    assert github.estimate_of(made.key) == 3.0
    issue = await client.issue(made.key)
    assert issue.summary == "Apple Pay" and issue.acceptance_criteria == ("Works on iOS",)
    [call] = github.calls_to("graphql.createIssue")
    assert call.body["variables"]["input"]["projectV2Ids"] == [github.project.id]


async def test_mark_done_closes_the_issue_once(github, make_client):
    bug, *_ = seed(github)
    client = make_client()
    await client.mark_done(bug)
    await client.mark_done(bug)
    assert github.issue(bug).state == "closed" and github.issue(bug).state_reason == "completed"
    assert len(github.calls_to("issues.update")) == 1


async def test_a_sprint_is_an_iteration_with_its_goal_in_the_title(github, make_client, clock):
    bug, provider, story = seed(github)
    client = make_client()
    sprint = await client.create_sprint(
        trackers.SprintSpec("Sprint 1", "Pay by card", START, START + timedelta(days=14))
    )
    assert sprint.name == "Sprint 1" and sprint.goal == "Pay by card"
    assert sprint.state is trackers.SprintState.ACTIVE
    [iteration] = github._iteration_field().iterations
    assert iteration.title == "Sprint 1: Pay by card" and iteration.duration == 14
    assert [s.name for s in await client.board_sprints()] == ["Sprint 1"]
    await client.move_to_sprint(sprint.id, [bug, story])
    assert github.backlog_keys() == [provider]
    await client.move_to_backlog([story])
    assert github.backlog_keys() == [provider, story]
    clock.advance(timedelta(days=3))
    closed = await client.close_sprint(sprint.id)
    assert closed.state is trackers.SprintState.CLOSED
    assert await client.board_sprints() == []
    assert github._iteration_field().iterations[0].id == sprint.id, "the same iteration"


# -- rate limits and failures --------------------------------------------------------------


async def test_the_secondary_limit_waits_as_told(github, make_client, sleeps):
    seed(github)
    github.fail_next(403, limit="secondary", retry_after=7, route="graphql.node")
    github.fail_next(429, retry_after=3, route="graphql.node")
    issues = await collect(trackers.iter_backlog(make_client()))
    assert len(issues) == 3 and sleeps.waits == [7.0, 3.0]


async def test_a_secondary_limit_without_a_header_waits_longer_each_time_in_a_row(
    github, make_client, sleeps
):
    """GitHub: without ``retry-after``, wait at least a minute; a request that keeps hitting
    the secondary limit waits exponentially longer, then the wait is handed back (RATE_LIMITED,
    its job runs again later) rather than asking again every minute."""
    seed(github)
    github.fail_next(403, limit="secondary", retry_after=0, route="graphql.node", times=3)
    assert len(await collect(trackers.iter_backlog(make_client()))) == 3
    assert sleeps.waits == [60.0, 120.0, 240.0]

    sleeps.waits.clear()
    github.fail_next(403, limit="secondary", retry_after=0, route="graphql.node", times=4)
    with pytest.raises(trackers.TrackerError) as caught:
        await make_client().backlog_page()
    assert caught.value.kind is trackers.TrackerErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 480.0 and sleeps.waits == [60.0, 120.0, 240.0]


async def test_the_primary_limit_waits_until_the_reset(github, make_client, sleeps):
    seed(github)
    github.fail_next(403, limit="primary", retry_after=42, route="issues.get")
    github.fail_next(200, limit="primary", retry_after=30, route="graphql.repository")
    client = make_client()
    assert (await client.issue(seed_key := github.project_keys()[0])).key == seed_key
    assert sleeps.waits == [42.0, 30.0]


async def test_a_long_wait_is_handed_back_to_the_caller(github, make_client, sleeps):
    seed(github)
    github.fail_next(403, limit="primary", retry_after=3600, route="graphql.node")
    with pytest.raises(trackers.TrackerError) as caught:
        await make_client().backlog_page()
    assert caught.value.kind is trackers.TrackerErrorKind.RATE_LIMITED
    assert caught.value.retry_after == 3600 and "asks to wait 3600 seconds" in str(caught.value)
    assert sleeps.waits == []


async def test_5xx_is_retried_with_backoff_and_then_said_plainly(github, make_client, sleeps):
    seed(github)
    github.fail_next(502, route="graphql.node", times=2)
    assert len(await collect(trackers.iter_backlog(make_client()))) == 3
    assert sleeps.waits == [1.0, 2.0]
    github.fail_next(503, route="graphql.node", times=5)
    with pytest.raises(trackers.TrackerError) as caught:
        await make_client(retry=RetryPolicy(attempts=3, timeout=5)).backlog_page()
    assert caught.value.kind is trackers.TrackerErrorKind.UNAVAILABLE and caught.value.retryable
    assert "GitHub had a problem of its own (HTTP 503)" in str(caught.value)


async def test_a_create_cut_off_by_a_5xx_may_have_happened(github, make_client):
    seed(github)
    github.fail_next(502, route="graphql.createIssue")
    with pytest.raises(trackers.TrackerError) as caught:
        await make_client().create_issue(trackers.NewIssue("Apple Pay"))
    assert caught.value.maybe_applied and len(github.calls_to("graphql.createIssue")) == 1


async def test_a_timeout_is_retried_then_said(github, make_client, sleeps):
    seed(github)
    github.delay_next(2.0, route="graphql.repository", times=3)
    client = make_client(retry=RetryPolicy(attempts=2, timeout=0.2))
    [problem] = await client.check()
    assert problem.code == "unreachable" and "did not answer within 0.2 seconds" in problem.message
    assert len(github.calls_to("graphql.repository")) == 2 and sleeps.waits == [1.0]


async def test_a_wrong_token_or_a_hidden_project_is_said_plainly(github, make_client):
    [problem] = await make_client(credential=GitHubToken(Secret("nope"))).check()
    assert problem.code == "bad_token" and "did not accept the token" in problem.message
    [problem] = await make_client(project=9).check()
    assert problem.code == "no_project_access" and "project 9 of acme" in problem.message


# -- credentials and hosts -----------------------------------------------------------------


async def test_a_github_app_installation_token_is_used_and_renewed(github, make_client, clock):
    seed(github)
    app = github.add_app()
    credential = GitHubApp(app.id, Secret(app.private_key_pem))
    client = make_client(credential=credential)
    assert await client.check() == []
    assert len(github.calls_to("apps.token")) == 1 and credential.installation_id is not None
    assert all(c.user.startswith("installation:") for c in github.calls_to("graphql.repository"))
    clock.advance(timedelta(minutes=58))
    await client.backlog_page()
    assert len(github.calls_to("apps.token")) == 2, "renewed before it expires"
    assert client.snapshot()["installation_id"] == credential.installation_id
    wrong = GitHubApp(app.id, Secret(github.add_app("99").private_key_pem))
    [problem] = await make_client(credential=wrong).check()
    assert problem.code == "bad_token" and f"GitHub App {app.id}" in problem.message


async def test_an_enterprise_server_address_is_served_under_api_v3(github, make_client):
    seed(github)
    client = make_client(api=f"{github.url}/api/v3")
    assert client.graphql == f"{github.url}/api/graphql"
    assert await client.check() == []
    assert len(await collect(trackers.iter_backlog(client))) == 3


def test_hosts_outside_github_are_refused_before_any_call():
    with pytest.raises(trackers.TrackerError) as caught:
        GitHub(
            "http://169.254.169.254",
            GitHubToken(Secret("t")),
            "acme/shop",
            policy=HostPolicy.from_env({}),
        )
    assert caught.value.kind is trackers.TrackerErrorKind.REFUSED_HOST
    assert "is not a GitHub site" in str(caught.value) or "https://" in str(caught.value)
    client = GitHub("https://api.github.com", GitHubToken(Secret("t")), "acme/shop")
    assert client.graphql == "https://api.github.com/graphql"
    with pytest.raises(trackers.TrackerError, match="GitHub Enterprise Server"):
        GitHub("https://ghe.corp.example/api/v3", GitHubToken(Secret("t")), "acme/shop")


def test_the_emulator_reads_root_fields_of_a_document():
    assert root_fields("query Q($a: ID!) { node(id: $a) { id } } fragment F on X { y }") == ["node"]
    assert root_fields("mutation { x: createIssue(input: $i) { issue { id } } }") == ["createIssue"]
    assert date(2026, 3, 2) == START.date()
