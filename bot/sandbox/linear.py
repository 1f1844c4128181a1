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

from bot.emulator.linear import LinearEmulator, LinearIssue
from bot.runtime.secrets import Secret
from bot.sandbox.seed import PO
from bot.sandbox.trackers import BASKET, CARD, EPIC, PROVIDER, RECEIPT, TLS, DemoIssue, connect_demo
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


def _add(
    linear: LinearEmulator,
    item: DemoIssue,
    *,
    labels: tuple[str, ...] | None = None,
    **extra: Any,
) -> LinearIssue:
    """``item`` in the team (its criteria in the Markdown description), with ``extra``;
    ``labels``: instead of the item's (the Linear demo has no "web" label)."""
    text = join_body(item.text or "", item.criteria) if item.criteria else item.text
    return linear.add_issue(
        item.title,
        description=text,
        estimate=item.estimate,
        labels=list(item.labels if labels is None else labels),
        **extra,
    )


def seed_team(linear: LinearEmulator) -> None:
    """A small team, in its backlog order: the demo backlog as sub-issues of a parent issue,
    then two issues that are not in the backlog."""
    linear.add_label("Bug")
    linear.add_label("payments", team=TEAM)
    checkout = linear.add_issue(EPIC, state="Backlog")
    provider = _add(linear, PROVIDER, parent=checkout.identifier)
    _add(
        linear,
        CARD,
        labels=("payments",),
        blocked_by=[provider.identifier],
        parent=checkout.identifier,
        assignee=EMAIL,
    )
    _add(linear, RECEIPT, labels=("Bug",), priority=2)
    _add(linear, BASKET, labels=(), state="Backlog")
    _add(linear, TLS)
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
