"""`timebox sandbox --linear`: a local Linear team, already connected to #team-demo.

The Linear emulator (bot/emulator/linear.py) starts on 127.0.0.1 with a small team (key DEMO,
Fibonacci estimates, two-week cycles: a parent issue with sub-issues, issues with estimates and
acceptance criteria, a Bug label, a "blocks" relation, one issue already in progress), on the
sandbox's clock. The demo channel is connected to it through the same use case as
`/timebox connect` (as its Product Owner), the team is imported, and a webhook with its secret
is registered, so an edit in the emulator reaches `/backlog` at once. A newcomer sees a
connected channel without a Linear account.

The emulator's port changes at every start, so an earlier connection is replaced; the items
keep their numbers (they are matched by their keys). The key that encrypts the API key at rest
(TIMEBOX_SECRET_KEY) is the operator's if set, else one kept next to the sandbox database.
"""

from __future__ import annotations

from typing import Any

from bot.emulator.linear import LinearEmulator
from bot.runtime.secrets import Secret
from bot.sandbox.seed import PO
from bot.sandbox.trackers import connect_demo
from bot.trackers.markdown import join_body
from bot.usecases import tracker_connect as connect_uc

TEAM = "DEMO"
EMAIL = "ines@timebox-sandbox.example"
API_KEY = "lin_api_sandbox"


def make_emulator(now: Any) -> LinearEmulator:
    """The sandbox's Linear: one workspace, team DEMO, the Product Owner's API key."""
    return LinearEmulator(
        email=EMAIL,
        api_key=API_KEY,
        display_name=PO.real_name,
        timezone=PO.tz,
        team_key=TEAM,
        team_name="Demo shop",
        organization="timebox-sandbox",
        estimation="fibonacci",
        now=now,
    )


def seed_team(linear: LinearEmulator) -> None:
    """A small team, in its backlog order (the last two are not in the backlog)."""
    linear.add_label("Bug")
    linear.add_label("payments", team=TEAM)
    checkout = linear.add_issue("Checkout that converts", state="Backlog")
    provider = linear.add_issue(
        "Set up the payment provider", estimate=3, labels=["payments"], parent=checkout.identifier
    )
    linear.add_issue(
        "Pay by card",
        description=join_body(
            "Shoppers pay by card at checkout.",
            ["Visa and Mastercard are accepted", "3-D Secure runs when the bank asks for it"],
        ),
        estimate=5,
        labels=["payments"],
        blocked_by=[provider.identifier],
        parent=checkout.identifier,
        assignee=EMAIL,
    )
    linear.add_issue(
        "Receipt shows the wrong VAT rate",
        labels=["Bug"],
        description="Orders to Portugal show 21% instead of 23%.",
        priority=2,
    )
    linear.add_issue("Save the basket between visits", state="Backlog")
    linear.add_issue("Upgrade the TLS library", estimate=2)
    linear.add_issue("Search shows sold-out products", state="In Progress", estimate=3)
    linear.add_issue("Newsletter sign-up", state="Done", estimate=1)


async def start_linear(sandbox: Any) -> LinearEmulator:
    """The emulator, seeded and started; #team-demo connected to it and its team imported."""
    linear = make_emulator(sandbox.clock.now)
    seed_team(linear)
    await linear.start()
    form = connect_uc.LinearForm(api_key=Secret(API_KEY), team=TEAM, api_url=linear.api_url)
    await connect_demo(sandbox, linear, form, "Linear team")
    return linear
