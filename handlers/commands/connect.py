"""`/timebox connect [jira|github|linear]`, `/timebox connect status`, `/timebox disconnect`: a
channel's link to a tracker. Small functions of `/timebox`'s dispatch table
(handlers/commands/timebox.py): each calls one use case (bot/usecases/tracker_connect.py) and
returns what to answer privately."""

from __future__ import annotations

from typing import Any

from bot.domain.commands import TimeboxCommand
from bot.usecases import tracker_connect as connect_uc
from handlers.asked import Asked, Verb
from handlers.blocks import connect as blocks


async def _connect(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any] | None:
    """The choice of tracker, or a tracker's private form (the PO or the Scrum Master);
    `connect status` shows the link."""
    if parsed.value == "status":
        return blocks.status_message(await connect_uc.connection_status(asked.svc, asked.actor))
    kind = parsed.value or None
    opened = await connect_uc.connect_form(asked.svc, asked.actor, asked.in_channel, kind)
    if opened.kind is None:
        return blocks.choice_message(connect_uc.available_kinds(), opened.connection)
    await asked.open_form(blocks.connect_modal(asked.actor.channel, opened.team_id, opened.kind))
    return None


async def _disconnect(asked: Asked, parsed: TimeboxCommand) -> dict[str, Any]:
    gone = await connect_uc.disconnect(asked.svc, asked.actor, asked.in_channel)
    return blocks.disconnected_message(gone)


VERBS: dict[str, Verb[TimeboxCommand]] = {
    "connect": _connect,
    "disconnect": _disconnect,
}
