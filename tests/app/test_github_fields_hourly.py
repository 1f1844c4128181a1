# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A GitHub project's fields (its node id, the estimate and iteration fields' ids: one
``PROJECT_QUERY``, ``graphql.repositoryOwner`` in the emulator) are kept with the connection's
snapshot and trusted for an hour (``PROJECT_SETTINGS_AGE``), as Jira's board settings and
Linear's team settings are: every sync (each five minutes) builds its client from the snapshot,
and re-reading them in each would cost a call a sync for settings that hardly ever change. Once
an hour old they are read again, and the sync engine keeps the new ``read_at`` with them
(``newly_learnt``), so the next hour's syncs trust them again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import tracker_sync as rules
from bot.emulator.github import GitHubEmulator
from bot.trackers.http import format_time
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.test_github_sync import connected, seed
from tests.app.trackers import SYNC, kept_board, later, started_beside

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the client tests' clock
FIVE_MINUTES = timedelta(minutes=5)


def config_reads(github: GitHubEmulator) -> int:
    """The ``PROJECT_QUERY`` calls GitHub answered (the project's fields, with the iteration
    field's iterations)."""
    return len(github.calls_to("graphql.repositoryOwner"))


async def syncs(
    make_client, clock, kept: dict, count: int, *, sprints: bool = False, edit=None
) -> dict:
    """``count`` regular syncs, five minutes apart, each with a client of its own built from
    the connection's snapshot ``kept`` and reading the project's changes (after ``edit(n)``,
    a person's edit on GitHub, if given; and with ``sprints``, the project's sprints, as a
    sync does while a sprint runs: ``still_open``); what each learnt is kept after it
    (``newly_learnt``, as ``tracker_pull._sync`` does). The snapshot kept at the end."""
    for n in range(count):
        clock.advance(FIVE_MINUTES)
        if edit is not None:
            edit(n)
        client = make_client(snapshot=kept)
        page = await client.changes_page(clock.now() - FIVE_MINUTES)
        if edit is not None:
            assert [i.estimate for i in page.issues] == [n + 1], "read in full, by the kept ids"
        if sprints:
            await client.board_sprints()
        kept = {**kept, **rules.newly_learnt(kept, client.snapshot())}
    return kept


async def test_a_dozen_syncs_within_the_hour_read_the_fields_once(github, make_client, clock):
    """Connected at 9:00, then a sync every five minutes until 10:00, each from the snapshot
    kept before it, each after someone changed an issue's estimate on GitHub. Proves the
    eleven syncs within the hour read the project's fields from the snapshot (no call; the
    changed issue's estimate read by the kept field id), the one at 10:00 (an hour on) reads
    them again, once, and its ``read_at`` is kept; the next hour's eleven syncs trust that
    and read nothing."""
    issue = github.add_issue("Pay by card", estimate=3)
    first = make_client()
    assert await first.check() == []
    kept = first.snapshot()
    assert kept["read_at"] == format_time(START), "the check read them"
    github.reset_calls()

    def estimate(n: int) -> None:
        github.edit(issue.key, estimate=n + 1)

    kept = await syncs(make_client, clock, kept, 11, edit=estimate)
    assert config_reads(github) == 0, "within the hour the snapshot's fields are trusted"
    kept = await syncs(make_client, clock, kept, 1, edit=estimate)
    assert config_reads(github) == 1, "a dozen syncs, one read of the fields, not a dozen"
    assert kept["read_at"] == format_time(START + timedelta(hours=1)), "the new read is kept"

    kept = await syncs(make_client, clock, kept, 11, edit=estimate)
    assert config_reads(github) == 1, "trusted again for the next hour"


async def test_while_a_sprint_runs_the_sprints_read_costs_no_read_of_the_fields(
    github, make_client, clock
):
    """A sprint runs: each sync reads the project's sprints too (``still_open``: one
    ``PROJECT_QUERY``, whose answer holds the fields). Proves a dozen syncs make 13 calls, not
    24: one each for the sprints, and the one re-read of the fields an hour on; the sprints'
    answers, agreeing with the fields kept, leave them (and their ``read_at``) as they are,
    so the connection's snapshot is not rewritten by every sync."""
    github.add_iteration("Sprint 1", START.date())
    first = make_client()
    assert await first.check() == []
    kept = first.snapshot()
    github.reset_calls()

    kept = await syncs(make_client, clock, kept, 11, sprints=True)
    assert config_reads(github) == 11, "one a sync, for the sprints"
    assert kept["read_at"] == format_time(START), "the sprints' answers agreed: kept as it was"
    kept = await syncs(make_client, clock, kept, 1, sprints=True)
    assert config_reads(github) == 13, "and the fields read again, an hour on"
    assert kept["read_at"] == format_time(START + timedelta(hours=1))


async def test_a_snapshot_kept_before_read_at_is_read_again_once(github, make_client, clock):
    """A connection made before ``read_at`` was kept: its snapshot's fields are of no known
    age. Proves the first sync reads them again and keeps its ``read_at``, and the syncs after
    trust it."""
    first = make_client()
    assert await first.check() == []
    kept = {k: v for k, v in first.snapshot().items() if k != "read_at"}
    github.reset_calls()

    kept = await syncs(make_client, clock, kept, 6)
    assert config_reads(github) == 1
    assert kept["read_at"] == format_time(START + FIVE_MINUTES)


# -- through the app -------------------------------------------------------------------


async def test_the_apps_syncs_read_the_fields_once_an_hour(slack, monkeypatch):
    """The channel connected through the app at 9:00; then the regular syncs, every five
    minutes. Proves the syncs within the hour never read the project's fields (the
    connection's snapshot holds them); the hourly look at the board, an hour on, reads them
    again, once, and the connection keeps that read's time, so the syncs after it (and the
    next hour's) read nothing more."""
    github = await started_beside(slack, "github", monkeypatch)  # beside the app's Slack
    seed(github)
    await connected(slack, github)
    connected_at = slack.clock.now()
    assert (await kept_board(slack))["read_at"] == format_time(connected_at)
    github.reset_calls()

    for _ in range(11):
        await later(slack, SYNC)
    assert config_reads(github) == 0, "within the hour the connection's fields are trusted"
    hour_on = connected_at + timedelta(hours=1)
    await later(slack, (hour_on - slack.clock.now()).total_seconds())  # the hourly look
    assert config_reads(github) == 1, "read again an hour on"
    assert (await kept_board(slack))["read_at"] == format_time(hour_on), "its time is kept"

    for _ in range(11):
        await later(slack, SYNC)
    assert config_reads(github) == 1, "the syncs after the look trust what it kept"
