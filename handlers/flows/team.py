"""Team steps that listeners share: asking Slack whether someone is in a channel (for the use
cases' outsider check), and telling a user they became the Product Owner.

Any listener whose use case changes state passes `in_channel(client, body)` to it (see
bot/usecases/team.py, `member_work`): people outside the channel are then refused.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.services import Services
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor
from handlers.blocks import kit
from handlers.common import adopt_po_timezone, channel_members
from handlers.reply import channel_of, reply

log = logging.getLogger(__name__)


def in_channel(client: AsyncWebClient, body: dict[str, Any]) -> InChannel:
    """Whether a user is a member of a channel, by conversations.members. A direct message
    the request itself comes from has only its participants in it; a channel Slack will not
    show the bot counts as one the user is not in."""

    async def member(channel: str, user: str) -> bool:
        if channel.startswith("D") and channel == channel_of(body):
            return True
        try:
            return user in await channel_members(client, channel)
        except SlackApiError as error:
            log.info("cannot tell who is in %s: %s", channel, error.response.get("error"))
            return False

    return member


@dataclass(frozen=True)
class Asked:
    """One request, as the small functions of a command's dispatch table take it."""

    svc: Services
    client: AsyncWebClient
    body: dict[str, Any]
    actor: Actor

    @property
    def in_channel(self) -> InChannel:
        return in_channel(self.client, self.body)

    async def answer(self, payload: dict[str, Any]) -> None:
        await reply(self.client, self.body, payload)


async def tell_new_po(asked: Asked, notices: Sequence[str]) -> bool:
    """After a use case: tells the actor what its notices say (that they became the channel's
    Product Owner), and the team takes their time zone if it has none. True if it took it."""
    if not notices:
        return False
    for notice in notices:
        await asked.answer(kit.notice(notice, ":crown:"))
    actor = asked.actor
    return await adopt_po_timezone(asked.svc, asked.client, actor.workspace, actor.channel)
