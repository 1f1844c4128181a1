"""Events: files shared in a team's channel (a CSV joins the backlog, a YAML file is an agenda:
handlers/flows/files.py), and the app's removal from a workspace."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncApp

from bot.usecases.unit import Actor
from handlers.asked import Heard, heard
from handlers.flows import files as files_flow

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("file_shared")(file_shared)
    app.event("app_uninstalled")(_removed(app, "app_uninstalled"))
    app.event("tokens_revoked")(_removed(app, "tokens_revoked"))


def _removed(app: AsyncApp, kind: str) -> Any:
    """A workspace removed the app (or revoked its tokens): the stored installation goes, so
    nothing acts with dead tokens and a reinstall starts afresh; due work for that workspace
    then ends quietly (handlers/jobs.py). The teams' backlogs and records stay, for a
    reinstall. With one bot token (no installations) there is nothing to forget: it is logged.
    """
    uninstalled = kind == "app_uninstalled"
    forget = None
    if app.installation_store is not None:
        forget = (
            app.default_app_uninstalled_event_listener()
            if uninstalled
            else app.default_tokens_revoked_event_listener()
        )

    @heard
    async def removed(heard: Heard) -> None:
        event, context = heard.event, heard.context
        if not uninstalled and not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens: Timebox has none
        log.warning("workspace %s: %s", context.team_id, kind.replace("_", " "))
        if forget is None:
            return
        if uninstalled:
            await forget(context=context)
        else:
            await forget(event=event, context=context)

    return removed


@heard
async def file_shared(heard: Heard) -> None:
    """A CSV shared in a team's channel joins its backlog; an agenda's YAML becomes its agenda
    (other YAML is left alone); in a direct message, which has no team, neither."""
    event, context = heard.event, heard.context
    sharer = Actor(
        workspace=context.team_id or "",
        channel=event.get("channel_id") or "",
        user=event.get("user_id") or "",
        request=heard.body.get("event_id"),
    )
    if sharer.channel and sharer.user != context.bot_user_id:  # not the bot's own export
        await files_flow.file_shared(heard.svc, heard.client, sharer, event["file_id"])
