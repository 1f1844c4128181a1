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

from bot.emulator.jira import JiraEmulator
from bot.runtime.secrets import Secret
from bot.sandbox.seed import PO
from bot.sandbox.trackers import connect_demo
from bot.trackers.adf import join_acceptance
from bot.usecases import tracker_connect as connect_uc

PROJECT = "DEMO"
EMAIL = "ines@timebox-sandbox.example"


def seed_board(jira: JiraEmulator) -> None:
    """A small board, in rank order."""
    epic = jira.add_issue("Checkout that converts", issue_type="Epic")
    provider = jira.add_issue(
        "Set up the payment provider", estimate=3, labels=["payments"], parent=epic.key
    )
    jira.add_issue(
        "Pay by card",
        description=join_acceptance(
            "Shoppers pay by card at checkout.",
            ["Visa and Mastercard are accepted", "3-D Secure runs when the bank asks for it"],
        ),
        estimate=5,
        labels=["payments", "web"],
        blocked_by=[provider.key],
        parent=epic.key,
        assignee=EMAIL,
    )
    jira.add_issue(
        "Receipt shows the wrong VAT rate",
        issue_type="Bug",
        description="Orders to Portugal show 21% instead of 23%.",
    )
    jira.add_issue("Save the basket between visits", labels=["web"])
    jira.add_issue("Upgrade the TLS library", issue_type="Task", estimate=2)


async def start_jira(sandbox: Any) -> JiraEmulator:
    """The emulator, seeded and started; #team-demo connected to it and its board imported."""
    jira = JiraEmulator(
        email=EMAIL,
        token="sandbox-api-token",
        display_name=PO.real_name,
        time_zone=PO.tz,
        project=PROJECT,
        now=sandbox.clock.now,
    )
    seed_board(jira)
    await jira.start()
    form = connect_uc.ConnectForm(
        site=jira.url, email=EMAIL, token=Secret("sandbox-api-token"), board="1"
    )
    await connect_demo(sandbox, jira, form, "Jira board")
    return jira
