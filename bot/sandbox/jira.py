"""`timebox sandbox --jira`: a local Jira board, already connected to #team-demo.

The Jira emulator (bot/emulator/jira.py) starts on 127.0.0.1 with a small Scrum board (project
DEMO: an epic, stories with estimates and acceptance criteria, a bug, a "blocks" link), on the
sandbox's clock. The demo channel is connected to it through the same use case as
`/timebox connect` (as its Product Owner), the board is imported, and a webhook with its
secret is registered, so an edit in the emulator reaches `/backlog` at once. A newcomer sees
a connected channel without an Atlassian account.

The emulator's port changes at every start, so an earlier connection is replaced; the items
keep their numbers (they are matched by their keys). The key that encrypts the token at rest
(TIMEBOX_SECRET_KEY) is the operator's if set, else one kept next to the sandbox database.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.jira import JiraEmulator, JiraIssue
from bot.runtime.secrets import Secret
from bot.sandbox.seed import PO
from bot.sandbox.trackers import BASKET, CARD, EPIC, PROVIDER, RECEIPT, TLS, DemoIssue, connect_demo
from bot.trackers.adf import join_acceptance
from bot.usecases import tracker_connect as connect_uc

PROJECT = "DEMO"
EMAIL = "ines@timebox-sandbox.example"
TOKEN = "sandbox-api-token"


def _add(jira: JiraEmulator, item: DemoIssue, **extra: Any) -> JiraIssue:
    """``item`` on the board (its criteria in the description, as ADF), with ``extra``."""
    text = join_acceptance(item.text or "", item.criteria) if item.criteria else item.text
    return jira.add_issue(
        item.title, description=text, estimate=item.estimate, labels=item.labels, **extra
    )


def seed_board(jira: JiraEmulator) -> None:
    """A small board, in rank order: the demo backlog under an epic."""
    epic = jira.add_issue(EPIC, issue_type="Epic")
    provider = _add(jira, PROVIDER, parent=epic.key)
    _add(jira, CARD, blocked_by=[provider.key], parent=epic.key, assignee=EMAIL)
    _add(jira, RECEIPT, issue_type="Bug")
    _add(jira, BASKET)
    _add(jira, TLS, issue_type="Task")


async def start_jira(sandbox: Any) -> JiraEmulator:
    """The emulator, seeded and started; #team-demo connected to it and its board imported."""
    jira = JiraEmulator(
        email=EMAIL,
        token=TOKEN,
        display_name=PO.real_name,
        time_zone=PO.tz,
        project=PROJECT,
        now=sandbox.clock.now,
    )
    seed_board(jira)
    await jira.start()
    form = connect_uc.ConnectForm(site=jira.url, email=EMAIL, token=Secret(TOKEN), board="1")
    await connect_demo(sandbox, jira, form, "Jira board")
    return jira
