"""What `timebox sandbox --jira|--github|--linear` does alike once its tracker emulator runs:
lets the bot call the emulator, connects #team-demo to it through the same use case as the
connect form (as its Product Owner), registers the webhook and runs the import."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.runtime.secrets import SECRET_KEY_VARIABLE, generate_key
from bot.sandbox.seed import CHANNEL, PO, WORKSPACE
from bot.trackers.hosts import HOSTS_VARIABLE
from bot.trackers.wiring import install
from bot.usecases import tracker_connect as connect_uc
from bot.usecases.unit import Actor


@dataclass(frozen=True)
class DemoIssue:
    """An item of the demo backlog that every tracker's sandbox seeds, so the three demos
    show the same shop; each seed adds what only its tracker has (types, states, links)."""

    title: str
    text: str | None = None
    criteria: tuple[str, ...] = ()
    estimate: int | None = None
    labels: tuple[str, ...] = ()


EPIC = "Checkout that converts"
PROVIDER = DemoIssue("Set up the payment provider", estimate=3, labels=("payments",))
CARD = DemoIssue(
    "Pay by card",
    "Shoppers pay by card at checkout.",
    ("Visa and Mastercard are accepted", "3-D Secure runs when the bank asks for it"),
    estimate=5,
    labels=("payments", "web"),
)
RECEIPT = DemoIssue(
    "Receipt shows the wrong VAT rate", "Orders to Portugal show 21% instead of 23%."
)
BASKET = DemoIssue("Save the basket between visits", labels=("web",))
TLS = DemoIssue("Upgrade the TLS library", estimate=2)


def _key_file(db_path: Path) -> str:
    """The sandbox's own key for tokens at rest, kept beside its database."""
    path = Path(f"{db_path}.secret-key")
    if not path.exists():
        path.write_text(generate_key())
        path.chmod(0o600)
    return path.read_text().strip()


def allow(emulator: Any) -> None:
    """Lets Timebox call the emulator (TIMEBOX_TRACKER_HOSTS), keeping the operator's hosts."""
    hosts = [h for h in os.environ.get(HOSTS_VARIABLE, "").split(",") if h.strip()]
    if emulator.host_setting not in hosts:
        os.environ[HOSTS_VARIABLE] = ",".join([*hosts, emulator.host_setting])


async def connect_demo(sandbox: Any, emulator: Any, form: Any, what: str) -> None:
    """#team-demo connected to the started `emulator` by `form` (an earlier connection is
    replaced: the emulator's port changes at every start), its webhook added, the import run.
    `what` names the board in the error if the tracker refuses."""
    os.environ.setdefault(SECRET_KEY_VARIABLE, _key_file(sandbox.db_path))
    allow(emulator)
    services = sandbox.stack.services
    install(services)
    async with services.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, sandbox.clock.now())
        await store.set_role(team, "po", [PO.id])
        team_id = team.id
        old = await store.connection(team.id)
        if old is not None:
            await store.remove_connection(old)
    actor = Actor(WORKSPACE, CHANNEL, PO.id)
    connected = await connect_uc.connect(services, actor, form, team_id)
    if not isinstance(connected, connect_uc.Connected):
        await emulator.stop()
        raise RuntimeError(f"the sandbox could not connect its {what}: {connected.problems}")
    emulator.add_webhook(
        f"{sandbox.stack.url}{connected.webhook_path}", connected.webhook_secret.reveal()
    )
    emulator.auto_webhooks = True
    await sandbox.run_due()
