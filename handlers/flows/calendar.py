"""The Slack side of the team's calendar across several calls: starting a ceremony from its
reminder (Start now) or by itself (auto start), the reminder job, and the reminder's redraw
once its meeting began or was held (due work recorded with the start or the click: made at
once here, else by the job runner, with its retries)."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from typing import Any

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

PAGES = 5  # of the channel's history looked through for a reminder to redraw


async def start_now(asked: Asked, ceremony_id: int, day: date) -> None:
    """A reminder's Start now: the occurrence it names (on its day only), in the clicking
    person's team, started as `/refine start` or `/planning start` starts it; the reminder
    then says who did. Held already that day, nothing starts: the person hears so, privately,
    and the reminder says who held it."""
    svc, client = asked.svc, asked.client
    to_start = await calendar_uc.start_now(svc, asked.actor, ceremony_id, day)
    if to_start.redraw is not None:  # held already, or running: recorded with the click
        await redraw_at_once(svc, client, to_start.redraw)
    if to_start.held is not None:
        await asked.answer(calendar_blocks.held_already(to_start.held))
        return
    where = asked.actor, to_start.kind, to_start.minutes
    await meeting_flow.start(svc, client, *where, asked.in_channel)
    await _redraw_begun(svc, client, asked.actor, to_start.occurrence)


async def _redraw_begun(
    svc: Services, client: AsyncWebClient, actor: Actor, occurrence: Occurrence | None
) -> None:
    """The redraw its start recorded, made at once (its job is the job runner's otherwise)."""
    key = await calendar_uc.begun(svc, actor, occurrence) if occurrence is not None else None
    if key is not None:
        await redraw_at_once(svc, client, key)


async def redraw_at_once(svc: Services, client: AsyncWebClient, key: str) -> None:
    """A reminder's redraw (its job, `key`) made now; a failure leaves it to the job runner,
    due now, with its retries."""
    try:
        outcome = await redraw(svc, client, key)
    except Exception as error:
        log.warning("%s: not redrawn (%s): the job runner redraws it", key, error)
        await calendar_uc.redraw_soon(svc, key)
        return
    await calendar_uc.redrawn(svc, key, outcome)


async def on_redraw(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A reminder's redraw not made at once (a failure, a crash, a command's start): the job
    runner's, retried if Slack refuses it."""
    return await redraw(svc, client, due.key)


async def redraw(svc: Services, client: AsyncWebClient, key: str) -> str:
    """The reminder of the redraw job `key`'s occurrence without its Start now (which would
    start it again): it says who started its meeting, or held it. Found in the channel by its
    button's block; a failure is raised, for the job to be tried again."""
    shown = await calendar_uc.to_redraw(svc, key)
    if shown is None:
        return "no longer applies"
    since = shown.occurrence.starts - timedelta(minutes=MAX_LEAD + 1)
    block_id = calendar_blocks.reminder_block_id(shown.occurrence)
    found = await _reminder_ts(client, shown.channel, block_id, since)
    if found is None:
        return "no reminder in the channel"
    ts, blocks = found
    payload = calendar_blocks.started(
        blocks, shown.user, by_itself=shown.by_itself, held=shown.held
    )
    await client.chat_update(channel=shown.channel, ts=ts, **payload)
    return f"redrawn {ts}"


async def _reminder_ts(
    client: AsyncWebClient, channel: str, block_id: str, since: datetime
) -> tuple[str, list[dict[str, Any]]] | None:
    """The ts and blocks of the channel's message holding the block `block_id` (a reminder's
    Start now) among its messages since `since`; None if it is not there."""
    cursor = None
    for _ in range(PAGES):
        page = await client.conversations_history(
            channel=channel, oldest=f"{since.timestamp():.6f}", limit=200, cursor=cursor
        )
        for message in page.get("messages") or []:
            if any(b.get("block_id") == block_id for b in message.get("blocks") or []):
                return str(message["ts"]), list(message["blocks"])
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


async def on_reminder(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A ceremony's reminder, put in the durable outbox with the next one's planning."""
    return await calendar_uc.remind(svc, due, calendar_blocks.reminder)


class CardRefused(Exception):
    """An automatic start's agenda card Slack refused: the job fails, for the runner to try
    again (with its backoff) while it has tries left."""


async def on_start(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """`auto start`: the meeting begins at its time, facilitated by whoever scheduled it. An
    agenda card Slack refuses (the meeting withdrawn) is tried again by the job's next try;
    after the last one, a log line says it did not start. Begun (by itself or another way),
    its reminder is redrawn, as its start recorded."""
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
        await _redraw_begun(svc, client, start.actor, start.occurrence)
        return f"not started: {refused.message}"[:500]
    await _redraw_begun(svc, client, start.actor, start.occurrence)
    return start.outcome


def _member_of(client: AsyncWebClient) -> InChannel:
    """Whether someone is in a channel, as Slack says (asked only if they hold no role)."""

    async def member(channel: str, user: str) -> bool:
        return user in (await known_members(client, channel, "not taken for in it") or ())

    return member
