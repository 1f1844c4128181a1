"""`timebox sandbox --github`: a local GitHub project, already connected to #team-demo.

The GitHub emulator (bot/emulator/github.py) starts on 127.0.0.1 with a repository (demo/shop)
and a Projects (v2) project over it (an Estimate number field, an Iteration field, a Status
field), holding a few issues in order: estimates, acceptance criteria in the body, a bug, a
"blocked by" reference. The demo channel is connected to the project through the same use case
as `/timebox connect github` (as its Product Owner), the project is imported, and the webhooks
its answer asks for are registered with its secret: the repository's for Issues, and the
organisation's for Projects v2 items (GitHub sends those to organisation webhooks only), so an
edit or a drag in the emulator reaches `/backlog` at once. A newcomer sees a connected channel
without a GitHub account.

The emulator's port changes at every start, so an earlier connection is replaced; the items
keep their numbers (they are matched by their keys). The key that encrypts the token at rest
is the operator's TIMEBOX_SECRET_KEY if set, else one kept next to the sandbox database.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.github import GhIssue, GitHubEmulator
from bot.runtime.secrets import Secret
from bot.sandbox.seed import PO
from bot.sandbox.trackers import BASKET, CARD, PROVIDER, RECEIPT, TLS, DemoIssue, connect_demo
from bot.trackers.markdown import join_body
from bot.usecases import tracker_connect as connect_uc

OWNER, REPO = "demo", "shop"
TOKEN = "sandbox-github-token"


def _add(
    github: GitHubEmulator,
    item: DemoIssue,
    *,
    blocked_by: GhIssue | None = None,
    labels: tuple[str, ...] = (),
    **extra: Any,
) -> GhIssue:
    """``item`` in the project (criteria and "Blocked by #N" in the Markdown body), with
    ``labels`` and ``extra``."""
    text = item.text or ""
    if blocked_by is not None:
        text = f"{text}\n\nBlocked by #{blocked_by.number}"
    return github.add_issue(
        item.title,
        body=join_body(text, item.criteria),
        estimate=item.estimate,
        labels=[*item.labels, *labels],
        **extra,
    )


def seed_project(github: GitHubEmulator) -> None:
    """A small project, in its order: the demo backlog (no epic)."""
    provider = _add(github, PROVIDER, status="Todo")
    _add(github, CARD, blocked_by=provider, assignee=github.login, status="In Progress")
    _add(github, RECEIPT, labels=("bug",))
    _add(github, BASKET)
    _add(github, TLS, labels=("tech debt",))


async def start_github(sandbox: Any) -> GitHubEmulator:
    """The emulator, seeded and started; #team-demo connected to its project, imported."""
    github = GitHubEmulator(
        login="ines",
        token=TOKEN,
        name=PO.real_name,
        owner=OWNER,
        repo=REPO,
        project_title="Demo shop",
        now=sandbox.clock.now,
    )
    seed_project(github)
    await github.start()
    form = connect_uc.GitHubForm(
        repo=f"{OWNER}/{REPO}", token=Secret(TOKEN), project="1", api_url=github.url
    )
    await connect_demo(sandbox, github, form, "GitHub project")
    repository_hook = github.webhooks[-1]  # the one connect_demo added: the repository's
    github.add_webhook(
        repository_hook.url, repository_hook.secret, ("projects_v2_item",), organization=True
    )
    return github
