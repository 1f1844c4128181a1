"""The App Home tab: each of the user's teams with the unready items they own."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.readiness import is_ready
from bot.services import services
from handlers import blocks
from handlers.listener import listener


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)


@listener
async def home_opened(
    event: dict[str, Any],
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    if event.get("tab", "home") != "home":
        return
    svc = services(context)
    user = event["user"]
    summary = []
    async with svc.db.transaction() as store:
        for team in await store.teams_with_member(context.team_id, user):
            items = await store.all_items(team.id, include_closed=False)
            unready = [i for i in items if i.owner == user and not is_ready(i)]
            summary.append((team, len(items), unready))
    await client.views_publish(user_id=user, view=blocks.home_view(summary))
