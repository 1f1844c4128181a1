"""Puts the tracker sync into a running app: how a Jira board is opened, and the due work.

``install(services)`` is called once per app (bot/process/app.py): it registers the Jira
opener with the use cases (which know trackers only through bot.domain.trackers) and the
handlers of the sync's due work on the services' job runner.
"""

from __future__ import annotations

from functools import partial

from bot.runtime.services import Services
from bot.trackers.base import ApiToken
from bot.trackers.hosts import HostPolicy
from bot.trackers.jira import JiraCloud, RetryPolicy
from bot.usecases import tracker as tracker_uc

# One try per call: waiting is the job rows' business (due again after Retry-After or a
# backoff, on the injectable clock), so no request holds a worker while it sleeps.
JOB_RETRY = RetryPolicy(attempts=1, timeout=20.0)


def open_jira(spec: tracker_uc.BoardSpec) -> JiraCloud:
    """A Jira Cloud client for a connection (or a connect form): the site is checked against
    the host policy (TIMEBOX_TRACKER_HOSTS) before anything is sent."""
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
    )


def install(services: Services) -> None:
    tracker_uc.register_opener("jira", open_jira)
    services.jobs.handle(tracker_uc.KIND_IMPORT, partial(tracker_uc.run_import, services))
    services.jobs.handle(tracker_uc.KIND_SYNC, partial(tracker_uc.run_sync, services))
    services.jobs.handle(tracker_uc.KIND_WRITE, partial(tracker_uc.run_write, services))
