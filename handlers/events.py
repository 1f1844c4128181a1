"""Events: files shared in a team's channel (a CSV joins the backlog, a YAML file is an agenda),
and the app's removal from a workspace."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
import yaml
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas.agenda import KINDS
from agendas.agenda import parse as parse_agenda
from bot.domain import teams
from bot.domain.backlog_csv import import_csv, looks_like_backlog
from bot.domain.errors import UserError
from bot.runtime.services import services
from handlers.listener import listener
from handlers.render import render

log = logging.getLogger(__name__)
MAX_CSV_BYTES = 2_000_000


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

    @listener
    async def removed(
        event: dict[str, Any],
        body: dict[str, Any],
        client: AsyncWebClient,
        context: AsyncBoltContext,
    ) -> None:
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


@listener
async def file_shared(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    info = (await client.files_info(file=event["file_id"]))["file"]
    channel = event.get("channel_id")
    name = info.get("name", "").lower()
    if not channel or info.get("size", 0) > MAX_CSV_BYTES:
        return
    if name.endswith((".yml", ".yaml")):
        await _agenda_file(event, info, client, context)
        return
    if info.get("filetype") != "csv" and not name.endswith(".csv"):
        return
    text = await _download(info["url_private_download"], client.token)
    if not looks_like_backlog(text):
        return  # someone's spreadsheet, not a backlog: leave it alone
    svc = services(context)
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        report = await import_csv(store, team, text, event.get("user_id") or "", now)
    share = (info.get("shares") or {}).get("public", {}) | (info.get("shares") or {}).get(
        "private", {}
    )
    thread = (share.get(channel) or [{}])[0].get("ts")
    await client.chat_postMessage(
        channel=channel,
        thread_ts=thread,
        text=render("import_report.md.j2", report=report, source=info.get("name")),
    )


async def _agenda_file(
    event: dict[str, Any], info: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A YAML agenda shared in the channel replaces the team's agenda of its kind, if valid."""
    text = await _download(info["url_private_download"], client.token)
    try:
        kind = (yaml.safe_load(text) or {}).get("kind", "refinement")
    except Exception:  # PyYAML raises more than YAMLError on broken files
        kind = "refinement"  # parse_agenda below says what is wrong with the file
    if kind not in KINDS:
        kind = "refinement"
    channel, user = event["channel_id"], event.get("user_id") or ""
    svc = services(context)
    try:
        agenda = parse_agenda(text, kind)
        async with svc.db.transaction() as store:
            team = await store.ensure_team(context.team_id, channel, svc.clock.now())
            await teams.require_role(store, team, user, ("po", "sm"), "change agendas")
            team.agendas = {**team.agendas, kind: agenda.to_data()}
        answer = render("agenda_saved.md.j2", agenda=agenda, source=info.get("name"))
    except UserError as error:
        answer = render("agenda_refused.md.j2", problem=error.message, source=info.get("name"))
    share = (info.get("shares") or {}).get("public", {}) | (info.get("shares") or {}).get(
        "private", {}
    )
    thread = (share.get(channel) or [{}])[0].get("ts")
    await client.chat_postMessage(channel=channel, thread_ts=thread, text=answer)


async def _download(url: str, token: str | None) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        response.raise_for_status()
        return (await response.read()).decode("utf-8-sig", errors="replace")
