"""Events: a CSV file shared in a team's channel is imported into its backlog."""

from __future__ import annotations

from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.backlog_csv import import_csv, looks_like_backlog
from bot.services import services
from handlers.listener import listener
from handlers.render import render

MAX_CSV_BYTES = 2_000_000


def register(app: AsyncApp) -> None:
    app.event("file_shared")(file_shared)


@listener
async def file_shared(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    info = (await client.files_info(file=event["file_id"]))["file"]
    channel = event.get("channel_id")
    is_csv = info.get("filetype") == "csv" or info.get("name", "").lower().endswith(".csv")
    if not channel or not is_csv or info.get("size", 0) > MAX_CSV_BYTES:
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


async def _download(url: str, token: str | None) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        response.raise_for_status()
        return (await response.read()).decode("utf-8-sig", errors="replace")
