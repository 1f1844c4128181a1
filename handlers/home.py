"""The App Home tab: for each of the user's channels, the sprint and its goal, their open
tasks, the unready items they own, the poker votes waiting for them and the next meetings."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.usecases import home as home_uc
from bot.usecases.home import TeamHome
from handlers.asked import Heard, heard
from handlers.blocks.home import POLLS, home_view
from handlers.common import in_channel, permalink

log = logging.getLogger(__name__)


def register(app: AsyncApp) -> None:
    app.event("app_home_opened")(home_opened)


@heard
async def home_opened(heard: Heard) -> None:
    event, client = heard.event, heard.client
    if event.get("tab", "home") != "home":
        return
    found = await home_uc.home(
        heard.svc, heard.context.team_id or "", event["user"], in_channel(client, heard.body)
    )
    homes = [await with_links(client, home) for home in found.teams]
    await client.views_publish(user_id=event["user"], view=home_view(homes, found.now))


async def with_links(client: AsyncWebClient, home: TeamHome) -> TeamHome:
    """Links to the poll messages of the votes shown (one permalink per poll)."""
    if not home.votes:
        return home
    links: dict[int, str | None] = {}
    for vote in home.votes[:POLLS]:  # the ones the tab shows
        if vote.poll.id not in links:
            links[vote.poll.id] = await permalink(
                client, home.team.channel_id, vote.poll.message_ts
            )
    votes = [replace(v, link=links.get(v.poll.id)) for v in home.votes]
    return replace(home, votes=votes)
