"""Puts the tracker sync into a running app: how each tracker's board is opened, and the due
work.

``install(services)`` is called once per app (bot/process/app.py): it registers the openers
(Jira, GitHub, Linear) with the use cases (which know trackers only through
bot.domain.trackers) and the handlers of the sync's due work on the services' job runner. What
each tracker's webhooks mean (signature, hints) is plain rules: bot.domain.tracker_webhooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import partial

from bot.runtime.services import Services
from bot.trackers.base import ApiToken
from bot.trackers.github import DEFAULT_ESTIMATE_FIELD, GitHub, GitHubApp, GitHubToken
from bot.trackers.hosts import HostPolicy
from bot.trackers.http import RetryPolicy
from bot.trackers.jira import JiraCloud
from bot.trackers.linear import LinearApiKey, LinearTeam
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_pull, tracker_push

# One try per call: waiting is the job rows' business (due again after Retry-After or a
# backoff, on the injectable clock), so no request holds a worker while it sleeps.
JOB_RETRY = RetryPolicy(attempts=1, timeout=20.0)


def open_jira(spec: tracker_uc.BoardSpec, *, now: Callable[[], datetime]) -> JiraCloud:
    """A Jira Cloud client for a connection (or a connect form): the site is checked against
    the host policy (TIMEBOX_TRACKER_HOSTS) before anything is sent. ``now``: the app's
    clock, which a rate limit's reset time is read on."""
    board, account = JiraCloud.restore(spec.board_id, spec.snapshot)
    return JiraCloud(
        spec.site,
        ApiToken(spec.email, spec.token),
        spec.board_id,
        policy=HostPolicy.from_env(),
        retry=JOB_RETRY,
        page_size=100,
        acceptance_field=spec.acceptance_field,
        jql=spec.jql or None,
        board_config=board,
        account=account,
        now=now,
    )


def open_github(spec: tracker_uc.BoardSpec, *, now: Callable[[], datetime]) -> GitHub:
    """A GitHub client: ``spec.email`` is the repository, ``board_id`` the project's number
    (0: the repository alone); the form's options (App id, estimate field) come in
    ``options`` at connection, and from the snapshot kept with the connection after. ``now``:
    the app's clock, which an App's JWT and its installation token's expiry are read on."""
    settings = {**spec.snapshot, **spec.options}
    app_id = settings.get("app_id")
    credential: GitHubToken | GitHubApp = (
        GitHubApp(str(app_id), spec.token, settings.get("installation_id"))
        if app_id
        else GitHubToken(spec.token)
    )
    return GitHub(
        spec.site,
        credential,
        str(settings.get("repo") or spec.email),
        spec.board_id or None,
        estimate_field=str(settings.get("estimate_field") or DEFAULT_ESTIMATE_FIELD),
        policy=HostPolicy.from_env(),
        retry=JOB_RETRY,
        snapshot=spec.snapshot,
        now=now,
    )


def open_linear(spec: tracker_uc.BoardSpec, *, now: Callable[[], datetime]) -> LinearTeam:
    """A Linear team: ``spec.site`` is the API address, ``spec.email`` the team's key, the
    token a personal API key; the snapshot spares the team and account look-ups. ``now``: the
    app's clock, which a rate limit's reset (and a cycle's dates) are read on."""
    team, account = LinearTeam.restore(spec.email, spec.snapshot)
    return LinearTeam(
        spec.site,
        LinearApiKey(spec.token),
        spec.email,
        policy=HostPolicy.from_env(),
        retry=JOB_RETRY,
        team=team,
        account=account,
        now=now,
    )


def install(services: Services) -> None:
    tracker_uc.register_opener("jira", partial(open_jira, now=services.clock.now))
    tracker_uc.register_opener("github", partial(open_github, now=services.clock.now))
    tracker_uc.register_opener("linear", partial(open_linear, now=services.clock.now))
    services.jobs.handle(tracker_uc.KIND_IMPORT, partial(tracker_pull.run_import, services))
    services.jobs.handle(tracker_uc.KIND_SYNC, partial(tracker_pull.run_sync, services))
    services.jobs.handle(tracker_uc.KIND_WRITE, partial(tracker_push.run_write, services))
