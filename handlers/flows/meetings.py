"""The Slack side of a running meeting, of any kind, shared by commands, buttons and timers.

Each step changes the database first (one use case, one transaction), then brings Slack up to
date: the agenda message is edited in place and the section's content goes to its thread.
What a step tells the meeting (a note, the minutes) is recorded in the durable outbox by its
use case and sent at once, before any other Slack call that may fail: one Slack refuses is
posted by the outbox later, and never keeps the next from being sent. The section a start, a
step or a timer opens is recorded with it too, as a job (bot/usecases/meetings.to_open) run
here at once: its cards are recorded with the job marked done, then sent. A Slack failure
before that (the bot's id, the channel's people), or a crash, leaves the job to the job
runner, which opens the section then (`on_opening`), with its retries. A failed edit of the
agenda card leaves the meeting right, and the card to due work that draws it again from the
meeting as it is then (bot/usecases/meeting_redraw.py, `on_redraw`): an ended meeting has no
next change to repair it. A meeting whose agenda card Slack refuses never starts: nobody could
see it (bot/usecases/meetings.card_posted). What a section opens is the meeting kind's to say
(bot/usecases/meetings.py asks it); this module only posts it, so it knows no kind in
particular.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agendas.kinds import People
from bot.domain.errors import UserError
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import meeting_redraw, meetings
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor
from handlers import outbox as slack_outbox
from handlers.asked import Asked
from handlers.blocks import meetings as meeting_blocks
from handlers.common import known_members
from storage.models import Meeting, Team

log = logging.getLogger(__name__)
NOT_STARTED = (
    "Slack did not take the meeting's agenda message, so the meeting has not started: "
    "nobody could have followed it. Try starting it again in a moment."
)
THREAD_PAGES = 5  # pages of 200 replies read to find a card in a meeting's thread


class NotStarted(UserError):
    """Slack refused the meeting's agenda card: the meeting was withdrawn, and may start again."""


# -- the channel's people ------------------------------------------------------------------------

_bot_users: dict[str, str] = {}


async def bot_user_id(client: AsyncWebClient) -> str:
    """The bot's own user id (asked once per token), so it never counts as a developer."""
    token = client.token or ""
    if token not in _bot_users:
        _bot_users[token] = (await client.auth_test())["user_id"]
    return _bot_users[token]


async def channel_people(client: AsyncWebClient, channel: str) -> People:
    """Who is in the channel, and the bot: the use cases tell the developers from them. A
    channel Slack will not list (one it does not know, a failure) has nobody in it that Slack
    vouches for: a form naming one is refused by its use case to all but role holders, and
    those named for a role are kept (`known` False), so a Slack failure strands no plan."""
    bot = await bot_user_id(client)
    members = await known_members(client, channel, "named roles kept")
    return People((), bot, known=False) if members is None else People(tuple(members), bot)


# -- starting and running ------------------------------------------------------------------------


async def start(
    svc: Services,
    client: AsyncWebClient,
    actor: Actor,
    kind: str,
    minutes: int | None,
    in_channel: InChannel,
) -> None:
    """Starts a meeting, posts its agenda message and opens its first section. A card Slack
    refuses, or does not have after an answer lost (`slack_outbox.attempt` looks), withdraws
    the meeting (its record's refusal does: `meetings.card_posted`), and the person hears
    that it did not start. Keeping the card's ts is no part of that: a failure there leaves
    the card to the outbox's settling, and the meeting running."""
    render = meeting_blocks.agenda_message
    started = await meetings.start(svc, actor, kind, minutes, in_channel, render)
    if started.forgotten is not None:  # the meeting left open overnight, ended first
        await announce(svc, client, started.forgotten)
    try:
        response = await slack_outbox.attempt(svc, client, started.card)
    except Exception as error:
        log.warning("meeting %s withdrawn: its agenda not posted (%s)", started.meeting.id, error)
        raise NotStarted(NOT_STARTED) from error
    await outbox.posted(svc, started.card, response.get("ts"))
    await open_section(svc, client, started.opening)


async def stepped(asked: Asked, done: meetings.Step) -> None:
    """A person's step (a command, a button): a step that came too late (someone moved on
    already) is told to them privately, never to the meeting's thread; the agenda message is
    brought up to date all the same."""
    if done.note is not None and done.note.private:
        await asked.answer(meeting_blocks.note(done.note))
    await announce(asked.svc, asked.client, done)


async def alarm_answered(asked: Asked, done: meetings.Step) -> None:
    """A time-up whose +5 was taken is redrawn without that button, saying who took the time,
    from what Slack holds of it; a late click (told privately) leaves it. A redraw Slack
    refuses leaves the button, which then acts once all the same (`meetings.step`)."""
    container = asked.body.get("container") or {}
    shown = asked.body.get("message") or {}
    if done.note is None or done.note.what != "extended" or not container.get("message_ts"):
        return
    blocks = meeting_blocks.alarm_answered(shown.get("blocks") or [], done.note, asked.actor.user)
    try:
        text = shown.get("text") or ""
        channel, ts = done.team.channel_id, container["message_ts"]
        await asked.client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
    except Exception as error:
        log.warning("time-up %s kept its +5 (%s)", container["message_ts"], error)


async def announce(svc: Services, client: AsyncWebClient, done: meetings.Step) -> None:
    """Brings Slack in line with a step: the agenda message, what the step tells (its note,
    or an ended meeting's minutes and notice: no Slack failure holds them), then the new
    section's cards, or an ended meeting's cards closed."""
    meeting, team = done.meeting, done.team
    await refresh(svc, client, team, meeting, svc.clock.now())
    await slack_outbox.send_all(svc, client, done.posts)
    if done.opening is not None:
        await open_section(svc, client, done.opening)
    if done.ended:
        await close_cards(client, team, meeting)


async def refresh(
    svc: Services, client: AsyncWebClient, team: Team, meeting: Meeting, now: datetime
) -> None:
    """The meeting's agenda card redrawn as the meeting is at `now`. One Slack does not take
    (after the client's retries) is drawn again by due work, from the meeting as it is then
    (`meeting_redraw.redraw_later`, run by `on_redraw`): not left to a next change, which an
    ended meeting never has. Never raises: what the step tells the meeting is sent after it
    all the same."""
    if meeting.message_ts is None:
        return
    try:
        await _draw(client, team, meeting, now)
    except Exception as error:
        log.warning("meeting %s: agenda card not redrawn (%s): drawn again", meeting.id, error)
        try:
            await meeting_redraw.redraw_later(svc, meeting.id, team.workspace_id)
        except Exception:
            log.exception("meeting %s: its agenda card's redraw could not be asked", meeting.id)


async def on_redraw(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """An agenda card Slack refused, drawn again from the meeting as it is now (ended: the
    ended card, without buttons). A failure is raised, for the job runner to try again."""
    found = await meeting_redraw.to_redraw(svc, int(due.payload["meeting"]))
    if found is None:
        return "no longer applies"
    team, meeting = found
    await _draw(client, team, meeting, due.now)
    return f"redrawn: {meeting.status}, section {meeting.section}"


async def _draw(client: AsyncWebClient, team: Team, meeting: Meeting, now: datetime) -> None:
    await client.chat_update(
        channel=team.channel_id,
        ts=meeting.message_ts,
        **meeting_blocks.agenda_message(meeting, now),
    )


async def open_section(svc: Services, client: AsyncWebClient, job: str) -> None:
    """Opens the new section at once (its job, `job`, recorded with the step): a Slack
    failure on the way (the bot's id, the channel's people) makes the job due now, for the
    job runner to open it, with its retries; the step itself stands."""
    try:
        await opened(svc, client, job)
    except Exception as error:
        log.warning("%s: not opened (%s): the job runner opens it", job, error)
        await meetings.open_soon(svc, job)


async def on_opening(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A section's opening the Slack side did not finish at once (a failure, a crash): the
    job runner's to run, and to retry if it fails."""
    return await opened(svc, client, due.key, claimed=True)


async def opened(svc: Services, client: AsyncWebClient, job: str, *, claimed: bool = False) -> str:
    """Posts what the new section works on, as the meeting's kind says (recorded in the
    outbox with the job done: a card Slack refuses comes later; a deep dive's ts is kept once
    it is posted). A section no longer current, or opened already, posts nothing."""
    found = await meetings.to_be_opened(svc, job)
    if found is None:
        return "no longer applies"
    team, meeting = found
    people = None
    if meetings.needs_people(meeting.kind):
        people = await channel_people(client, team.channel_id)
    render = meeting_blocks.opened_cards
    opening = await meetings.opening(svc, job, people, render, claimed=claimed)
    if opening is None:
        return "no longer applies"
    await slack_outbox.send_all(svc, client, opening.posts)
    return f"opened: {len(opening.posts)} cards"


async def close_cards(client: AsyncWebClient, team: Team, meeting: Meeting) -> None:
    """An ended meeting's cards in its thread (triage, deep dive, time-up, wrap-up...) lose
    their buttons: redrawn from what Slack holds, without them. A card Slack does not take
    keeps them, with a line in the log."""
    if meeting.message_ts is None:
        return
    try:
        bot, cursor = await bot_user_id(client), None
    except Exception as error:
        log.warning("meeting %s: its cards keep their buttons (%s)", meeting.id, error)
        return
    while True:
        try:
            page = await client.conversations_replies(
                channel=team.channel_id, ts=meeting.message_ts, cursor=cursor, limit=200
            )
        except Exception as error:
            log.warning("meeting %s: its cards keep their buttons (%s)", meeting.id, error)
            return
        for card in page.get("messages") or []:
            if card.get("ts") != meeting.message_ts and card.get("user") == bot:
                await _close_card(client, team.channel_id, card)
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return


async def _close_card(client: AsyncWebClient, channel: str, card: dict[str, Any]) -> None:
    closed = meeting_blocks.closed_card(card.get("blocks") or [])
    if closed is None:
        return
    try:
        text = card.get("text") or ""
        await client.chat_update(channel=channel, ts=card["ts"], text=text, blocks=closed)
    except Exception as error:
        log.warning("a meeting card %s kept its buttons (%s)", card["ts"], error)


async def redraw_deep_dives(
    svc: Services, client: AsyncWebClient, actor: Actor, numbers: Sequence[int]
) -> None:
    """After items changed (a form saved, an estimate accepted): the running session's
    deep-dive cards of these items, redrawn as the items are now (ready, or what they lack)."""
    for card in await meetings.deep_dives_of(svc, actor, numbers):
        payload = meeting_blocks.deep_dive_card(
            card.meeting, card.item, card.team.channel_id, card.dor, card.position, card.total
        )
        try:
            await client.chat_update(channel=card.team.channel_id, ts=card.ts, **payload)
        except Exception as error:  # the card stays as it was; the item is saved
            log.warning("deep-dive card of #%s not redrawn (%s)", card.item.number, error)


async def session_picked(asked: Asked, done: meetings.Opening) -> None:
    """The wrap-up card redrawn with the next session's date saved, for everyone to see."""
    container = asked.body.get("container") or {}
    [payload] = meeting_blocks.opened(done.meeting, done.team, done.contents)
    channel = done.team.channel_id
    await asked.client.chat_update(channel=channel, ts=container["message_ts"], **payload)


async def triage_picked(asked: Asked, picked: meetings.NextTriage | None) -> None:
    """The triage card redrawn with the type or priority chosen, for everyone in the channel
    (a failed redraw leaves it as it was: the choice stands)."""
    container = asked.body.get("container") or {}
    if picked is None or picked.card.item is None or not container.get("message_ts"):
        return
    card = picked.card
    payload = meeting_blocks.triage_card(picked.meeting, card.item, card.position, card.total)
    try:
        channel = picked.team.channel_id
        await asked.client.chat_update(channel=channel, ts=container["message_ts"], **payload)
    except Exception as error:  # refused, or no answer: the choice stands all the same
        log.warning("triage card of #%s not redrawn (%s)", card.item.number, error)


async def triaged(asked: Asked, done: meetings.Triaged) -> None:
    """The triage card shows its decision (a failed edit leaves it as it was: the decision
    stands); the next new item's card follows, recorded with the decision."""
    container = asked.body.get("container") or {}
    try:
        await asked.client.chat_update(
            channel=done.team.channel_id,
            ts=container["message_ts"],
            **meeting_blocks.triage_done(done.item, done.placement, asked.actor.user),
        )
    except SlackApiError as error:
        log.warning("triage card of #%s not redrawn (%s)", done.item.number, error)
    await slack_outbox.send_all(asked.svc, asked.client, done.posts)


async def estimating(asked: Asked, meeting_id: int, number: int, poll: int) -> None:
    """A deep dive's poker round started: its note in the meeting's thread, recorded in the
    outbox (one Slack refuses comes later; the round runs all the same)."""
    done = await meetings.estimating(asked.svc, asked.actor, meeting_id, number, poll)
    await slack_outbox.send_all(asked.svc, asked.client, done.posts)


# -- the section timers --------------------------------------------------------------------------


async def on_timer(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A section's warning or time-up, or the end of a meeting nobody ended. Its posts go to
    the durable outbox with the meeting's mark, in one transaction; an auto-advance moves on
    as a step does. A meeting the timer ended has its cards closed here."""
    fired = await meetings.timer_fired(
        svc, due, meeting_blocks.timer_message, meeting_blocks.ended_posts
    )
    if fired.step is not None:
        await announce(svc, client, fired.step)
    elif fired.meeting is not None and fired.team is not None:
        await refresh(svc, client, fired.team, fired.meeting, due.now)
        if fired.meeting.status == "ended":
            await close_cards(client, fired.team, fired.meeting)
    return fired.outcome


async def thread(client: AsyncWebClient, team: Team, meeting: Meeting) -> list[dict[str, Any]]:
    """The meeting's thread as Slack holds it, page by page (what could be read of it), with
    the metadata of our posts (their outbox keys)."""
    messages: list[dict[str, Any]] = []
    cursor = None
    for _ in range(THREAD_PAGES):
        try:
            page = await client.conversations_replies(
                channel=team.channel_id,
                ts=meeting.message_ts or "",
                limit=200,
                cursor=cursor,
                include_all_metadata=True,
            )
        except SlackApiError as error:
            log.warning("could not read the meeting thread: %s", error.response.get("error"))
            break
        messages += page.get("messages") or []
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return messages
