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

import os
from pathlib import Path
from typing import Any

from bot.emulator.linear import LinearEmulator
from bot.runtime.secrets import SECRET_KEY_VARIABLE, Secret, generate_key
from bot.sandbox.seed import CHANNEL, PO, WORKSPACE
from bot.trackers.hosts import HOSTS_VARIABLE
from bot.trackers.markdown import join_body
from bot.trackers.wiring import install
from bot.usecases import tracker_connect as connect_uc
from bot.usecases.unit import Actor

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


def _key_file(db_path: Path) -> str:
    path = Path(f"{db_path}.secret-key")
    if not path.exists():
        path.write_text(generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def allow(linear: LinearEmulator) -> None:
    """Lets Timebox call the emulator (TIMEBOX_TRACKER_HOSTS), keeping the operator's hosts."""
    hosts = [h for h in os.environ.get(HOSTS_VARIABLE, "").split(",") if h.strip()]
    if linear.host_setting not in hosts:
        os.environ[HOSTS_VARIABLE] = ",".join([*hosts, linear.host_setting])


async def start_linear(sandbox: Any) -> LinearEmulator:
    """The emulator, seeded and started; #team-demo connected to it and its team imported."""
    linear = make_emulator(sandbox.clock.now)
    seed_team(linear)
    await linear.start()
    os.environ.setdefault(SECRET_KEY_VARIABLE, _key_file(sandbox.db_path))
    allow(linear)
    services = sandbox.stack.services
    install(services)
    actor = Actor(WORKSPACE, CHANNEL, PO.id)
    async with services.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, sandbox.clock.now())
        await store.set_role(team, "po", [PO.id])
        team_id = team.id
        old = await store.connection(team.id)
        if old is not None:
            await store.remove_connection(old)
    form = connect_uc.LinearForm(api_key=Secret(API_KEY), team=TEAM, api_url=linear.api_url)
    connected = await connect_uc.connect(services, actor, form, team_id)
    if not isinstance(connected, connect_uc.Connected):
        await linear.stop()
        raise RuntimeError(f"the sandbox could not connect its Linear team: {connected.problems}")
    linear.add_webhook(
        f"{sandbox.stack.url}{connected.webhook_path}", connected.webhook_secret.reveal()
    )
    linear.auto_webhooks = True
    await sandbox.run_due()
    return linear
