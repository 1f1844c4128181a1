"""Steps that several Slack surfaces share."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UserError
from bot.runtime.services import Services
from bot.usecases import team as team_uc
from bot.usecases.team import InChannel, ZoneOf
from bot.usecases.unit import Actor
from handlers.reply import channel_of, user_of

log = logging.getLogger(__name__)


def actor(body: dict[str, Any], context: AsyncBoltContext) -> Actor:
    """Who acts and in which team (workspace + channel), and the request's identity."""
    request = body.get("trigger_id") or body.get("event_id")
    return Actor(
        workspace=context.team_id or "",
        channel=channel_of(body) or "",
        user=context.user_id or user_of(body) or "",
        request=request if isinstance(request, str) else None,
    )


async def open_form(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Opens a modal for the click or command in `body`, keeping its response_url to answer."""
    thread = (body.get("container") or {}).get("thread_ts")
    view = with_response_url(view, body.get("response_url"), thread)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


def with_response_url(
    view: dict[str, Any], url: str | None, thread_ts: str | None = None
) -> dict[str, Any]:
    """Modals keep the response_url they were opened with, to answer after submission, and
    the thread of the message they were opened from (a meeting card's): the answer goes there."""
    if not url and not thread_ts:
        return view
    meta = json.loads(view.get("private_metadata") or "{}")
    if url:
        meta["response_url"] = url
    if thread_ts:
        meta["thread_ts"] = thread_ts
    return {**view, "private_metadata": json.dumps(meta, separators=(",", ":"))}


async def adopt_po_timezone(
    svc: Services, client: AsyncWebClient, workspace: str, channel: str
) -> bool:
    """A team without a time zone takes its first Product Owner's, from their Slack profile
    (bot.usecases.team.adopt_po_timezone decides). True if it did."""
    return await team_uc.adopt_po_timezone(svc, workspace, channel, zone_of(client))


async def user_zone(client: AsyncWebClient, user: str) -> str | None:
    """The time zone of the person's Slack profile; None when it names none, or when Slack
    will not say (logged): the team then keeps no zone and takes it at the next chance,
    whatever the person was doing goes on."""
    try:
        profile = await client.users_info(user=user)
    except SlackApiError as error:
        log.warning("time zone of %s not read: %s", user, error.response.get("error"))
        return None
    return (profile.get("user") or {}).get("tz") or None


def zone_of(client: AsyncWebClient) -> ZoneOf:
    """People's Slack time zones, for a use case to ask (bot.usecases.team.ZoneOf)."""
    return partial(user_zone, client)


async def channel_members(client: AsyncWebClient, channel: str) -> list[str]:
    """Everyone in the channel, across conversations.members pages."""
    members: list[str] = []
    cursor = None
    while True:
        page = await client.conversations_members(channel=channel, limit=500, cursor=cursor)
        members += page.get("members") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return members


class GroupUnlisted(UserError):
    """A user group Slack will not list the members of (`no_such_subteam`: disabled since, or
    another organisation's in a shared channel): whoever named it is told so, privately, and
    to name its people instead (handlers/errors.py, `group_unlisted.md.j2`); nothing changes.
    `handle`: the group's handle without its @ (empty when the command did not give one)."""

    def __init__(self, handle: str) -> None:
        named = f"@{handle}" if handle else "that user group"
        super().__init__(f"Slack would not list the members of {named}: name its people instead.")
        self.handle = handle


async def group_members(client: AsyncWebClient, group: str, handle: str) -> list[str]:
    """The members of a user group (usergroups.users.list), for a command or form that named
    it (`handle`, with or without its @; empty when not known); GroupUnlisted, logged, when
    Slack will not list them."""
    try:
        found = await client.usergroups_users_list(usergroup=group)
    except SlackApiError as error:
        why = error.response.get("error")
        level = logging.INFO if why == "no_such_subteam" else logging.WARNING
        log.log(level, "members of the user group %s not listed: %s", group, why)
        raise GroupUnlisted(handle.removeprefix("@")) from error
    return list(found.get("users") or [])


async def known_members(client: AsyncWebClient, channel: str, meaning: str) -> list[str] | None:
    """The channel's members; None when Slack will not say, logged with what the caller
    does then (`meaning`)."""
    try:
        return await channel_members(client, channel)
    except SlackApiError as error:
        why = error.response.get("error")
        log.warning("cannot tell who is in %s (%s): %s", channel, why, meaning)
        return None


def presence(
    client: AsyncWebClient, body: dict[str, Any]
) -> Callable[[str, str], Awaitable[bool | None]]:
    """Whether a user is a member of a channel, by conversations.members; None when Slack will
    not list the channel (then nobody is taken for outside it). A direct message the request
    itself comes from has only its participants in it."""

    async def present(channel: str, user: str) -> bool | None:
        if channel.startswith("D") and channel == channel_of(body):
            return True
        members = await known_members(client, channel, "presence unknown")
        return None if members is None else user in members

    return present


def in_channel(client: AsyncWebClient, body: dict[str, Any]) -> InChannel:
    """Whether a user is a member of a channel (`presence`): any listener whose use case
    changes state passes it (bot/usecases/team.py, `member_work`), and people outside the
    channel are refused; a channel Slack will not show the bot counts as one the user is not
    in."""
    present = presence(client, body)

    async def member(channel: str, user: str) -> bool:
        return await present(channel, user) is True

    return member


async def permalink(client: AsyncWebClient, channel: str, ts: str | None) -> str | None:
    """A message's permalink; None (and a log line) when Slack will not give one."""
    if not ts:
        return None
    try:
        found: Any = await client.chat_getPermalink(channel=channel, message_ts=ts)
    except Exception:
        log.warning("no permalink for the message %s in %s", ts, channel)
        return None
    return found.get("permalink")
