"""The Slack side of the team's calendar across several calls: starting a ceremony from its
reminder (Start now) or by itself (auto start), and the reminder job."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.ceremonies import MAX_LEAD, Occurrence
from bot.domain.errors import UserError
from bot.runtime.scheduling import MAX_ATTEMPTS, Due
from bot.runtime.services import Services
from bot.usecases import calendar as calendar_uc
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor, Replayed
from handlers.asked import Asked
from handlers.blocks import calendar as calendar_blocks
from handlers.common import known_members
from handlers.flows import meetings as meeting_flow

log = logging.getLogger(__name__)


async def start_now(asked: Asked, ceremony_id: int, day: date) -> None:
    """A reminder's Start now: the occurrence it names (on its day only), in the clicking
    person's team, started as `/refine start` or `/planning start` starts it; the reminder
    then says who did."""
    to_start = await calendar_uc.start_now(asked.svc, asked.actor, ceremony_id, day)
    where = asked.actor, to_start.kind, to_start.minutes
    try:
        await meeting_flow.start(asked.svc, asked.client, *where, asked.in_channel)
    except UserError:  # begun already (another way), its reminder says who facilitates
        assert to_start.occurrence is not None
        began = await calendar_uc.begun(asked.svc, asked.actor, to_start.occurrence)
        if began is not None:
            await _redraw_clicked(asked, began)
        raise
    await _redraw_clicked(asked, asked.actor.user)


async def _redraw_clicked(asked: Asked, user: str) -> None:
    """The clicked reminder without its Start now: it says who started its meeting."""
    message = asked.body.get("message") or {}
    container = asked.body.get("container") or {}
    if message.get("blocks") and container.get("message_ts"):
        payload = calendar_blocks.started(message["blocks"], user)
        channel = asked.actor.channel
        await asked.client.chat_update(channel=channel, ts=container["message_ts"], **payload)


async def on_reminder(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A ceremony's reminder, put in the durable outbox with the next one's planning."""
    return await calendar_uc.remind(svc, due, calendar_blocks.reminder)


class CardRefused(Exception):
    """An automatic start's agenda card Slack refused: the job fails, for the runner to try
    again (with its backoff) while it has tries left."""


async def on_start(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """`auto start`: the meeting begins at its time, facilitated by whoever scheduled it. An
    agenda card Slack refuses (the meeting withdrawn) is tried again by the job's next try;
    after the last one, a log line says it did not start."""
    start = await calendar_uc.start_due(svc, due)
    if start.actor is None:
        return start.outcome
    try:
        where = start.actor, start.kind, start.minutes
        await meeting_flow.start(svc, client, *where, _member_of(client))
    except Replayed:
        return "started already"
    except meeting_flow.NotStarted as refused:
        if due.attempts < MAX_ATTEMPTS:
            raise CardRefused(f"try {due.attempts}: Slack refused its agenda card") from refused
        log.warning(
            "ceremony %s did not start: Slack refused its agenda card %s times",
            due.key,
            due.attempts,
        )
        return f"not started: Slack refused its agenda card {due.attempts} times"
    except UserError as refused:  # a meeting is running, say
        log.info("ceremony %s not started: %s", due.key, refused.message)
        if start.occurrence is not None:  # begun another way: its reminder says who started it
            began = await calendar_uc.begun(svc, start.actor, start.occurrence)
            if began is not None:
                await _reminder_started(client, start.actor, start.occurrence, began)
        return f"not started: {refused.message}"[:500]
    if start.occurrence is not None:
        who = start.actor.user
        await _reminder_started(client, start.actor, start.occurrence, who, by_itself=True)
    return start.outcome


async def _reminder_started(
    client: AsyncWebClient,
    actor: Actor,
    occurrence: Occurrence,
    user: str,
    *,
    by_itself: bool = False,
) -> None:
    """The reminder of an occurrence whose meeting has begun, redrawn without its Start now
    (which would start it again): it says who started it (`by_itself`: who facilitates). Found
    in the channel by its button's block; one Slack will not show or edit keeps its button,
    whose click then hears the meeting runs."""
    since = occurrence.starts - timedelta(minutes=MAX_LEAD + 1)
    block_id = calendar_blocks.reminder_block_id(occurrence)
    try:
        page = await client.conversations_history(
            channel=actor.channel, oldest=f"{since.timestamp():.6f}", limit=200
        )
        for message in page.get("messages") or []:
            if any(b.get("block_id") == block_id for b in message.get("blocks") or []):
                payload = calendar_blocks.started(message["blocks"], user, by_itself=by_itself)
                await client.chat_update(channel=actor.channel, ts=message["ts"], **payload)
    except Exception as error:  # the meeting runs all the same
        log.warning("the reminder of %s keeps its Start now: %s", occurrence.ref, error)


def _member_of(client: AsyncWebClient) -> InChannel:
    """Whether someone is in a channel, as Slack says (asked only if they hold no role)."""

    async def member(channel: str, user: str) -> bool:
        return user in (await known_members(client, channel, "not taken for in it") or ())

    return member
