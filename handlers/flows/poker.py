"""Planning poker's Slack side, shared by the command, the buttons, the form and the jobs.

Each step runs the domain (bot.domain.poker) in a transaction and then talks to Slack. The poll
message is redrawn through `Services.updates`, which coalesces a burst of votes into at most
one `chat.update` per poll a second and always ends on the current state. A revealed round's
result is posted once: the right to post it is claimed in the database first.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog, poker
from bot.domain.calendar import zone
from bot.domain.commands import PokerCommand
from bot.domain.decks import Deck
from bot.domain.errors import UserError
from bot.domain.teams import Roles
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from handlers import outbox
from handlers.blocks import poker as poker_blocks
from handlers.common import adopt_po_timezone, channel_members
from storage.models import Team
from storage.repositories import Store

log = logging.getLogger(__name__)


# -- the poll message --------------------------------------------------------------------------


def refresh(svc: Services, client: AsyncWebClient, poll_id: int) -> None:
    """Redraws the poll message soon (coalesced with other redraws of the same poll)."""
    svc.updates.request(("poker", poll_id), partial(_redraw, svc, client, poll_id))


async def _redraw(svc: Services, client: AsyncWebClient, poll_id: int) -> None:
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None or poll.message_ts is None:
            return
        payload = poker_blocks.board_message(await poker.board(store, poll))
    await client.chat_update(channel=team.channel_id, ts=poll.message_ts, **payload)


async def start(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    command: PokerCommand,
) -> int:
    """Starts a poll from `/poker` or the picker and posts it in the channel; its id."""
    now = svc.clock.now()
    if command.until is not None:  # "until fri 17:00" is the team's Friday
        await adopt_po_timezone(svc, client, context.team_id, channel)
    async with svc.db.transaction() as store:  # refuse mistakes before calling Slack
        team = await store.ensure_team(context.team_id, channel, now)
        for number in command.numbers:
            await backlog.get_item(store, team, number)
        roles = Roles.of(team)
        deadline = None
        if command.verb == "async":
            deadline = poker.resolve_deadline(now, zone(team), command.duration, command.until)
    named = list(command.voters)
    for group_id, _ in command.groups:
        named += (await client.usergroups_users_list(usergroup=group_id)).get("users") or []
    members = [] if named else await channel_members(client, channel)
    voters = poker.expected_voters(
        roles,
        members,
        with_roles=command.with_roles,
        named=named,
        exclude=[context.bot_user_id or ""],
    )
    note = poker.voters_note(
        command.with_roles,
        named=bool(command.voters),
        group=", ".join(handle for _, handle in command.groups),
    )
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        poll = await poker.start_poll(
            store,
            team,
            mode=command.verb,
            numbers=command.numbers,
            facilitator=user,
            voters=voters,
            note=note,
            now=now,
            deadline=deadline,
        )
        poll_id = poll.id
        payload = poker_blocks.board_message(await poker.board(store, poll))
    try:
        posted = await client.chat_postMessage(channel=channel, **payload)
    except Exception:
        async with svc.db.transaction() as store:  # nobody can see it: it never started
            await store.cancel_prefix(f"poker:{poll_id}:")
            await store.delete_poll(poll_id)
        raise
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        assert poll is not None
        poll.message_ts = posted["ts"]
    log.info("poker poll %s started in %s: %s items", poll_id, channel, len(command.numbers))
    return poll_id


# -- voting ------------------------------------------------------------------------------------


# A vote is on disk before its ack, as due work (kind poker.KIND_VOTE) that the listener then
# counts at once. Only a crash between the two leaves it pending: it is counted when it falls
# due, by whichever instance sweeps first.
VOTE_SETTLE = timedelta(seconds=30)


async def vote(
    svc: Services,
    client: AsyncWebClient,
    ack: Callable[[], Awaitable[None]],
    body: dict[str, Any],
    **cast: Any,
) -> None:
    """A vote from a card or the reason form: on disk, then acked, then counted (once)."""
    taken = await take_vote(svc, body, **cast)
    await ack()
    if taken is not None:
        await count_vote(svc, client, taken)


async def take_vote(
    svc: Services,
    body: dict[str, Any],
    *,
    workspace: str | None,
    channel: str,
    user: str,
    round_id: int,
    card: str,
    reason: str = "",
) -> dict[str, Any] | None:
    """Stores a click (or form) vote before the ack; None for a second delivery of it."""
    trigger = body.get("trigger_id") or uuid.uuid4().hex
    vote = {
        "key": f"vote:{trigger}",
        "workspace": workspace,
        "channel": channel,
        "user": user,
        "round_id": round_id,
        "card": card,
        "reason": reason,
    }
    due = svc.clock.now() + VOTE_SETTLE
    job = {"kind": poker.KIND_VOTE, "key": vote["key"], "due_at": due, "payload": vote}
    if not await svc.inbox.add(job):
        return None
    return vote


async def count_vote(svc: Services, client: AsyncWebClient, vote: dict[str, Any]) -> str:
    """Counts a taken vote, exactly once; confirms it to the voter alone, and redraws or
    reveals the poll. A refused vote (not a voter, round closed) is done too, and re-raised."""
    now = svc.clock.now()
    try:
        async with svc.db.transaction() as store:
            if not await store.finish_key(vote["key"], now, "counted"):
                return "counted already"
            team = await store.ensure_team(vote["workspace"], vote["channel"], now)
            cast = await poker.cast_vote(
                store, team, vote["round_id"], vote["user"], vote["card"], vote["reason"], now
            )
    except UserError as refusal:
        async with svc.db.transaction() as store:
            await store.finish_key(vote["key"], now, f"refused: {refusal}"[:500])
        raise
    reason = " ".join(vote["reason"].split())[: poker.REASON_MAX]
    confirmation = poker_blocks.voted_notice(cast.round, cast.card, cast.previous, reason)
    await client.chat_postEphemeral(channel=vote["channel"], user=vote["user"], **confirmation)
    refresh(svc, client, cast.poll.id)
    if cast.revealed:
        await publish(svc, client, [cast.round.id])
    return "counted"


async def on_vote(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A vote whose instance stopped between storing and counting it."""
    try:
        return await count_vote(svc, client, due.payload)
    except UserError as refusal:
        return f"refused: {refusal}"


async def open_reason(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    round_id: int,
    trigger_id: str,
) -> None:
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        round_ = await poker.check_voter(store, team, round_id, user)
        poll = await store.poll(round_.poll_id)
        assert poll is not None
        items = await store.items_by_number(team.id, [round_.item_number])
        title = items[0].title if items else ""
        view = poker_blocks.reason_modal(round_, title, Deck.from_data(poll.deck), channel)
    await client.views_open(trigger_id=trigger_id, view=view)


# -- revealing and deciding --------------------------------------------------------------------


async def publish(svc: Services, client: AsyncWebClient, round_ids: list[int]) -> None:
    """Posts each revealed round's result in the poll's thread, once: the right to post it is
    claimed in the same transaction that records the post, so a crash in between is settled
    by the outbox (handlers/outbox.py), which also keeps the result's ts."""
    for round_id in round_ids:
        async with svc.db.transaction() as store:
            if not await store.claim_result(round_id):
                continue
            result = await poker.result(store, round_id)
            team = await store.team_by_id(result.poll.team_id)
            assert team is not None
            post = await outbox.record(
                store,
                f"poker-result:{round_id}",
                team.workspace_id,
                svc.clock.now(),
                then=(RESULT_TS, round_id),
                channel=team.channel_id,
                thread_ts=result.poll.message_ts,
                **poker_blocks.result_message(result),
            )
        await outbox.send(svc, client, post)
        refresh(svc, client, result.poll.id)


async def _keep_result_ts(store: Store, round_id: int, ts: str | None) -> None:
    """A posted result's ts (later edits need it); None lets a later attempt post it."""
    await store.set_result(round_id, ts)


RESULT_TS = "poker_result_ts"
outbox.AFTER_POST[RESULT_TS] = _keep_result_ts


async def _redraw_result(svc: Services, client: AsyncWebClient, round_id: int) -> None:
    async with svc.db.transaction() as store:
        result = await poker.result(store, round_id)
        team = await store.team_by_id(result.poll.team_id)
        assert team is not None
    ts = result.round.result_ts
    if ts and ts != "posting":
        await client.chat_update(
            channel=team.channel_id, ts=ts, **poker_blocks.result_message(result)
        )


async def reveal(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    round_id: int,
) -> None:
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        round_ = await poker.reveal(store, team, round_id, user, now)
    await publish(svc, client, [round_.id])
    refresh(svc, client, round_.poll_id)


async def decide(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    round_id: int,
    card: str | None,
) -> None:
    """Accepts a value (or skips the item) and moves a live poll on to its next item."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        decision = await poker.decide(store, team, round_id, user, card, now)
    if card is not None:
        log.info("poker round %s: estimate accepted", round_id)
    await _redraw_result(svc, client, round_id)
    refresh(svc, client, decision.poll.id)


async def revote(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    round_id: int,
) -> None:
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        fresh = await poker.revote(store, team, round_id, user, now)
        poll = await store.poll(fresh.poll_id)
        assert poll is not None
        thread = poll.message_ts
    await _redraw_result(svc, client, round_id)
    refresh(svc, client, fresh.poll_id)
    await client.chat_postMessage(
        channel=channel, thread_ts=thread, **poker_blocks.revote_message(fresh)
    )


# -- scheduled work ----------------------------------------------------------------------------


async def on_deadline(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """An async poll's deadline: reveal what is still open, post results and a notice."""
    poll_id = int(due.payload["poll_id"])
    async with svc.db.transaction() as store:
        revealed = await poker.expire(store, poll_id, due.now)
        pending = [r.id for r in await poker.unposted(store, poll_id)]
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None:
            return "poll gone"
        if revealed:  # the notice goes with the reveal: both are kept, or neither
            ids = {r.id for r in revealed}
            rows = [
                r for r in (await poker.board(store, poll)).rows if r.round and r.round.id in ids
            ]
            await outbox.enqueue(
                store,
                f"{due.key}:closed",
                team.workspace_id,
                due.now,
                channel=team.channel_id,
                **poker_blocks.closed_message(poll, rows),
            )
    await publish(svc, client, pending)
    refresh(svc, client, poll_id)
    return f"revealed {len(revealed)} round(s), posted {len(pending)} result(s)"


async def on_nudge(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """Reminds, by direct message, only the expected voters who have not voted yet. The
    reminders are queued with the mark that they were sent: both are kept, or neither."""
    poll_id = int(due.payload["poll_id"])
    deadline = datetime.fromisoformat(due.payload["deadline"])
    name = due.key.rsplit(":", 1)[-1]
    if due.now >= deadline:
        return "too late: the poll has closed"
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
    if poll is None or team is None:
        return "poll gone"
    link = await _permalink(client, team, poll.message_ts)
    async with svc.db.transaction() as store:
        found = await poker.nudge(store, poll_id, deadline, name)
        if found is None:
            return "sent already, or the poll is over"
        _, owed = found
        for voter, numbers in owed.items():
            await outbox.enqueue(
                store,
                f"{due.key}:{voter}",
                team.workspace_id,
                due.now,
                channel=voter,
                **poker_blocks.nudge_message(team.channel_id, numbers, deadline, link),
            )
    return f"reminding {len(owed)} voter(s)" if owed else "nobody owes a vote"


async def _permalink(client: AsyncWebClient, team: Team, ts: str | None) -> str | None:
    if not ts:
        return None
    try:
        found: Any = await client.chat_getPermalink(channel=team.channel_id, message_ts=ts)
    except Exception:
        log.warning("no permalink for the poll message %s in %s", ts, team.channel_id)
        return None
    return found.get("permalink")
