"""A GitHub App's installation token is asked for once an hour per installation, not once a
job: every client of the installation (each sync, each write opens its own) uses the one
token until five minutes before GitHub's ``expires_at``, or until GitHub stops accepting it
(401: asked for again, once). Only a holder of the App's private key gets it, and it is never
logged."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from bot.emulator.stack import LocalStack
from bot.runtime.secrets import Secret
from bot.trackers.github import GitHubApp
from tests.app.test_github_client import github, make_client  # noqa: F401  (fixtures)
from tests.app.test_github_client import seed as seed_client
from tests.app.test_github_sync import seed, submit
from tests.app.trackers import backlog_text, connected_as_po, drain, later, started_beside
from tests.conftest import CHANNEL, DEV1

SYNC = 301  # seconds on: the regular sync has run


def tokens_issued(em: GitHubEmulator) -> int:
    """Calls to ``POST /app/installations/{id}/access_tokens`` GitHub answered."""
    return len([c for c in em.calls_to("apps.token") if c.status == 201])


async def test_every_client_of_an_installation_shares_its_token_until_near_expiry(
    github: GitHubEmulator,  # noqa: F811
    make_client,  # noqa: F811
    clock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    seed_client(github)
    app = github.add_app()
    first = GitHubApp(app.id, Secret(app.private_key_pem))
    assert await make_client(credential=first).check() == []
    installation = first.installation_id

    for _ in range(5):  # five job runs, each its own client and credential
        clock.advance(timedelta(minutes=10))
        credential = GitHubApp(app.id, Secret(app.private_key_pem), installation)
        await make_client(credential=credential).backlog_page()
    assert tokens_issued(github) == 1, "one token for the hour, not one per run"

    clock.advance(timedelta(minutes=6))  # 56 minutes: within 5 minutes of expires_at
    credential = GitHubApp(app.id, Secret(app.private_key_pem), installation)
    await make_client(credential=credential).backlog_page()
    assert tokens_issued(github) == 2, "renewed before it expires"

    assert all(c.user.startswith("installation:") for c in github.calls_to("graphql.node"))
    issued = [t for t, who in github.tokens.items() if who.startswith("installation:")]
    assert issued and not any(t in caplog.text for t in issued), "never logged"
    assert not any(t in repr(credential) for t in issued)


async def test_a_token_github_stops_accepting_is_asked_for_again_once(
    github: GitHubEmulator,  # noqa: F811
    make_client,  # noqa: F811
) -> None:
    seed_client(github)
    app = github.add_app()
    credential = GitHubApp(app.id, Secret(app.private_key_pem))
    client = make_client(credential=credential)
    assert await client.check() == []
    assert github.revoke_installation_tokens() == 1

    page = await make_client(credential=credential).backlog_page()
    assert page.issues, "the call went through with a new token"
    assert tokens_issued(github) == 2
    refused = next(i for i, c in enumerate(github.calls) if c.status == 401)
    again = [(c.route, c.status) for c in github.calls[refused : refused + 3]]
    assert again == [(github.calls[refused].route, 401), ("apps.token", 201), (again[0][0], 200)]

    github.fail_next(401, route="graphql.repositoryOwner", times=2)
    with pytest.raises(trackers.TrackerError) as caught:
        await make_client(credential=credential).backlog_page()
    assert caught.value.kind is trackers.TrackerErrorKind.AUTH
    assert tokens_issued(github) == 3, "asked for once more, then the refusal is said"


async def test_a_cached_token_goes_only_to_a_holder_of_the_apps_key(
    github: GitHubEmulator,  # noqa: F811
    make_client,  # noqa: F811
) -> None:
    """The same App id and installation with another key (another tenant typing the App's
    number) gets no token: GitHub refuses its JWT."""
    seed_client(github)
    app = github.add_app()
    owner = GitHubApp(app.id, Secret(app.private_key_pem))
    assert await make_client(credential=owner).check() == []
    stranger_key = github.add_app("99").private_key_pem
    stranger = GitHubApp(app.id, Secret(stranger_key), owner.installation_id)
    [problem] = await make_client(credential=stranger).check()
    assert problem.code == "bad_token" and f"GitHub App {app.id}" in problem.message
    assert tokens_issued(github) == 1


async def test_job_runs_of_an_app_connection_ask_for_one_token_an_hour(
    slack: LocalStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Measured through the real app: the connection, its import, a write and ten regular
    syncs (50 minutes) ask GitHub for one installation token (before: one per client, 14);
    the hour's end, one more."""
    em: GitHubEmulator = await started_beside(slack, "github", monkeypatch)
    story = seed(em)[2]
    app = em.add_app()
    await connected_as_po(
        slack,
        "github",
        lambda: submit(
            slack,
            em,
            **{"Token or App private key": app.private_key_pem, "GitHub App id": app.id},
        ),
        "GitHub project *Shop roadmap*",
    )
    await slack.driver.command("/backlog", "add Apple Pay", user=DEV1, channel=CHANNEL)
    runs = await drain(slack)  # the new item's write
    for n in range(10):
        em.edit(story, title=f"Pay by card ({n})")
        runs += await later(slack, SYNC)
    assert "Pay by card (9)" in await backlog_text(slack)
    assert "Apple Pay" in [i.title for i in em.repository.issues.values()]
    assert runs >= 11
    assert tokens_issued(em) == 1, f"{tokens_issued(em)} tokens for {runs} job runs"

    await later(slack, SYNC)  # 55 minutes and more since the token: renewed
    assert tokens_issued(em) == 2
