"""Planning poker's Slack side, shared by the command, the buttons, the form and the jobs.

Each step runs one use case (bot/usecases/poker.py; an async poll's deadline and reminders,
bot/usecases/poker_deadlines.py) and then talks to Slack. The poll message is redrawn through
`Services.updates`, which coalesces a burst of votes into at most one `chat.update` per poll a
second and always ends on the current state.

A new poll's board is recorded in the outbox with the poll and sent at once: a poll whose
board Slack does not have never started (bot/usecases/poker_board.py).

Every Slack call after a state change stands on its own, so one that fails never skips
another:
- a revealed round's result post is recorded in the outbox with the reveal (bot/runtime/outbox.py)
  and sent after the commit; a vote that reveals its round records it right after its ack
  (its transaction asked for a `poker_sync`, which posts it should the process stop first);
- a vote's confirmation that cannot reach its voter is dropped with one log line (the vote
  counts, and the board shows it), unless Slack says the voter is not in the channel and
  conversations.members agrees: then the vote, clicked after they left, is taken back and
  refused (`_disown`);
- a result that Slack refused, a result message or a board that could not be redrawn ask for
  the poll to be shown again (`poker_sync` jobs, with the job runner's retries): the board and
  result messages are drawn from the database, so a later drawing repairs an earlier one;
- a re-vote's announcement that Slack refused goes to the outbox, which retries it;
- a revealed round's reference stories (done items of its suggested size, with how long they
  took: bot/usecases/calibration.py) are recorded with its result and sent after it; one
  Slack refused goes to the outbox, and one that cannot be found is left out, never the
  result.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import poker
from bot.domain.commands import PokerCommand
from bot.domain.errors import UserError
from bot.domain.poker import Result
from bot.domain.poker_nudges import Reminder
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import calibration as calibration_uc
from bot.usecases import poker as poker_uc
from bot.usecases import poker_deadlines as deadlines_uc
from bot.usecases.team import InChannel
from bot.usecases.unit import Actor
from handlers import outbox as slack_outbox
from handlers.blocks import poker as poker_blocks
from handlers.common import (
    adopt_po_timezone,
    group_members,
    in_channel,
    known_members,
    permalink,
    zone_of,
)
from handlers.flows import meetings as meeting_flow
from handlers.render import render
from storage.models import Team

log = logging.getLogger(__name__)
KEPT = "named voters kept"  # when Slack will not list a channel, everyone named votes

VOTE_SETTLE = poker_uc.VOTE_SETTLE
NOT_STARTED = (
    "Slack did not take the poll's message, so the poll has not started: nobody could have "
    "voted. Try starting it again in a moment."
)


def _why(error: BaseException) -> str:
    """A failed Slack call in a few words: Slack's error code, or the exception's name."""
    if isinstance(error, SlackApiError):
        return str(error.response.get("error") or error.response.status_code)
    return type(error).__name__


# A revealed round's posts for its thread, built for the use cases that record them.
RESULT_BUILDERS = poker_uc.ResultBuilders(
    poker_blocks.result_message, poker_blocks.reference_message
)


# -- the Slack calls after a state change, each on its own ---------------------------------------


def refresh(svc: Services, client: AsyncWebClient, poll_id: int) -> None:
    """Redraws the poll message soon (coalesced with other redraws of the same poll)."""
    svc.updates.request(("poker", poll_id), partial(_redraw, svc, client, poll_id))


async def _redraw(svc: Services, client: AsyncWebClient, poll_id: int) -> None:
    shown = await poker_uc.board_of(svc, poll_id)
    if shown is None:
        return
    try:
        await _draw(client, shown)
    except Exception as error:
        log.warning("poll %s: board not redrawn (%s); shown again later", poll_id, _why(error))
        await poker_uc.sync_later(svc, poll_id)


async def _draw(client: AsyncWebClient, shown: poker_uc.Shown) -> None:
    payload = poker_blocks.board_message(shown.board)
    await client.chat_update(channel=shown.team.channel_id, ts=shown.poll.message_ts, **payload)


async def _send_result(
    svc: Services, client: AsyncWebClient, posts: poker_uc.ResultPosts, poll_id: int
) -> None:
    """Sends a recorded result post; one Slack refused is posted again by a `poker_sync`.
    Its reference stories follow it (see `_send_posts`)."""
    try:
        await _send_posts(svc, client, posts)
    except Exception as error:
        log.warning("poll %s: result not posted (%s); posted again later", poll_id, _why(error))
        await poker_uc.sync_later(svc, poll_id)


async def _send_posts(svc: Services, client: AsyncWebClient, posts: poker_uc.ResultPosts) -> None:
    """The result (raising if Slack refuses it), then its reference stories, which never
    fail it: refused, they go to the outbox to retry. While the result waits for a
    `poker_sync`, its stories wait with it (recorded, and sent after it by the sync)."""
    try:
        await slack_outbox.send(svc, client, posts.result)
    except Exception:
        if posts.reference is not None:  # recorded again with the result, and sent after it
            await calibration_uc.withdraw(svc, posts.reference.key)
        raise
    if posts.reference is None:
        return
    try:
        await slack_outbox.send(svc, client, posts.reference)
    except Exception as error:
        try:
            await _queue_again(svc, posts.reference, posts.workspace, error)
        except Exception:
            log.warning("%s dropped: it could not be queued", posts.reference.key, exc_info=True)


async def _edit_result(svc: Services, client: AsyncWebClient, team: Team, res: Result) -> None:
    """Redraws a result message after a decision (its controls go); a result still on its
    way to Slack is left to its post."""
    ts = res.message_ts
    if ts is None:
        return
    try:
        await client.chat_update(channel=team.channel_id, ts=ts, **poker_blocks.result_message(res))
    except Exception as error:
        poll_id = res.poll.id
        log.warning("poll %s: result not redrawn (%s); shown again later", poll_id, _why(error))
        await poker_uc.sync_later(svc, poll_id, [res.round.id])


async def _announce(svc: Services, client: AsyncWebClient, team: Team, post: outbox.Post) -> None:
    """Sends a recorded announcement; one Slack refused goes to the outbox, which retries."""
    try:
        await slack_outbox.send(svc, client, post)
    except Exception as error:
        await _queue_again(svc, post, team.workspace_id, error)


async def _queue_again(
    svc: Services, post: outbox.Post, workspace: str | None, error: Exception
) -> None:
    """A recorded post Slack refused, to the outbox, which retries it."""
    log.warning("%s not posted (%s); queued to post again", post.key, _why(error))
    args = {k: v for k, v in post.args.items() if k != "metadata"}
    await poker_uc.queue_post(svc, f"{post.key}:again", workspace, args)


# -- starting ------------------------------------------------------------------------------------


async def start(
    svc: Services,
    client: AsyncWebClient,
    context: AsyncBoltContext,
    *,
    channel: str,
    user: str,
    command: PokerCommand,
    request: str | None = None,
) -> int:
    """Starts a poll from `/poker` or the picker and posts it in the channel; its id. Its
    board is recorded in the outbox with it: one Slack refuses, or does not have after an
    answer lost (`slack_outbox.attempt` looks), withdraws the poll, and the person hears that
    it did not start. Keeping the board's ts is no part of that: a failure there (or a crash)
    leaves the board to the outbox's settling, and the poll open."""
    actor = Actor(context.team_id or "", channel, user, request)
    if command.until is not None:  # "until fri 17:00" is the team's Friday
        await adopt_po_timezone(svc, client, actor.workspace, channel)
    try:
        plan = await poker_uc.plan_poll(
            svc, actor, command.verb, command.numbers, command.duration, command.until
        )
        invited = await _invited(client, context, channel, command)
        member = in_channel(client, {"channel_id": channel})
        build = poker_blocks.board_message
        opened = await poker_uc.open_poll(svc, actor, plan, invited, member, build)
    except poker.AlreadyPolled as polled:  # sent to the open poll instead
        link = await permalink(client, channel, polled.message_ts)
        raise polled.with_link(link) from None
    try:
        posted = await slack_outbox.attempt(svc, client, opened.post)
    except Exception as error:  # withdrawn by its record's refusal (poker_board.posted)
        log.warning(
            "poker poll %s withdrawn: its board not posted (%s)", opened.poll_id, _why(error)
        )
        raise UserError(NOT_STARTED) from error  # withdrawn: it may start again
    await outbox.posted(svc, opened.post, posted["ts"])
    log.info("poker poll %s started in %s: %s items", opened.poll_id, channel, len(command.numbers))
    if opened.not_in_channel:
        await _tell_left_out(client, channel, posted["ts"], opened.not_in_channel)
    if plan.deadline is not None and plan.zone is not None:  # a day typed: is it one off?
        await _tell_day_off(svc, client, actor, plan.deadline)
    return opened.poll_id


async def _tell_day_off(
    svc: Services, client: AsyncWebClient, actor: Actor, deadline: datetime
) -> None:
    """Tells who started the poll, privately, that its deadline falls on a day the team does
    not work (the poll runs as asked); a note Slack refuses is one log line."""
    off = await deadlines_uc.day_off(svc, actor, deadline)
    if off is None:
        return
    text = render("poker_day_off.md.j2", off=off)
    try:
        await client.chat_postEphemeral(channel=actor.channel, user=actor.user, text=text)
    except Exception as error:
        log.warning("poll in %s: its day off not told (%s)", actor.channel, _why(error))


async def _tell_left_out(
    client: AsyncWebClient, channel: str, ts: str, outside: tuple[str, ...]
) -> None:
    """Says once, in the poll's thread, who was named but does not vote, not being in the
    channel; a note Slack refuses is one log line (the poll runs without it)."""
    try:
        await client.chat_postMessage(
            channel=channel, thread_ts=ts, **poker_blocks.not_in_channel_message(outside)
        )
    except Exception as error:
        log.warning("poll in %s: who was left out not told (%s)", channel, _why(error))


async def _invited(
    client: AsyncWebClient, context: AsyncBoltContext, channel: str, command: PokerCommand
) -> poker.Invited:
    """Whom the command asks to vote, as Slack lists them: the people it names, its user
    groups' members, and the channel's members (the use case chooses the voters among them).
    A group Slack will not list raises GroupUnlisted: the poll does not start, and who started
    it is told to name its people instead."""
    members_of_groups: list[str] = []
    for group_id, handle in command.groups:
        label = handle if handle.startswith("@") else ""  # not "a user group", when unlabelled
        members_of_groups += await group_members(client, group_id, label)
    return poker.Invited(
        named=command.voters,
        groups=[handle for _, handle in command.groups],
        group_members=members_of_groups,
        members=await known_members(client, channel, KEPT),
        with_roles=command.with_roles,
        exclude=[context.bot_user_id or ""],
    )


# -- voting ----------------------------------------------------------------------------------------


async def vote(
    svc: Services,
    client: AsyncWebClient,
    ack: Callable[..., Awaitable[None]],
    body: dict[str, Any],
    actor: Actor,
    *,
    round_id: int,
    card: str,
    reason: str = "",
    delivery: str | None = None,
) -> None:
    """A vote from a card or the reason form: counted before the ack (on disk, once, in a
    transaction shared with the votes clicked with it), then shown: the poll's redraw asked
    for as the ack leaves, the confirmation to the voter alone, then the result when it
    reveals the round. A refused vote
    is acked and the refusal raised (the listener answers it). `delivery`: the request's
    delivery key, recorded with the vote."""
    key = poker_uc.vote_key(body.get("trigger_id"))
    taken = poker_uc.Vote(key, actor.workspace, actor.channel, actor.user, round_id, card, reason)
    try:
        counted = await poker_uc.cast(svc, taken, delivery)
    except poker.NotAVoter as refused:
        await ack()
        if not refused.joinable:
            raise
        await _admit(svc, client, taken, refused)
        return
    except Exception:
        await ack()
        raise
    if counted is None:
        await ack()
        return
    # The poll's redraw is asked for as soon as the ack is on its way: the first vote of a
    # burst shows at once; the others fold into one redraw a second (Services.updates).
    await ack(on_sent=partial(refresh, svc, client, counted.cast.poll.id))
    await _show_vote(svc, client, taken, counted)
    _look_around(svc, client, taken.channel, counted.cast)


def _look_around(svc: Services, client: AsyncWebClient, channel: str, cast: poker.Cast) -> None:
    """After the ack of a vote that left its round open, live or async: asks Slack who is in
    the channel (once a second at most for a burst of votes on one poll), so the poll waits
    no more for voters who have left it (bot.usecases.poker.settle_present)."""
    if not cast.revealed:
        run = partial(_settle_present, svc, client, cast.poll.id, channel)
        svc.updates.request(("poker-present", cast.poll.id), run)


async def _settle_present(
    svc: Services, client: AsyncWebClient, poll_id: int, channel: str
) -> None:
    await _settle(svc, client, poll_id, await known_members(client, channel, KEPT))


async def _settle(
    svc: Services, client: AsyncWebClient, poll_id: int, members: list[str] | None
) -> None:
    posts = await poker_uc.settle_present(svc, poll_id, members, RESULT_BUILDERS)
    if posts is None:
        return
    for post in posts:
        await _send_result(svc, client, post, poll_id)
    refresh(svc, client, poll_id)


async def _admit(
    svc: Services, client: AsyncWebClient, taken: poker_uc.Vote, refused: poker.NotAVoter
) -> None:
    """After the ack of a vote from someone who is not among the poll's voters: counted if
    Slack now lists them in the channel and the poll may take them (a newcomer to an async
    poll of the channel's Developers); else the refusal is raised (the listener answers it)."""
    members = await known_members(client, taken.channel, KEPT)
    counted = await poker_uc.admit(svc, taken, members, RESULT_BUILDERS)
    if counted is None:
        raise refused
    refresh(svc, client, counted.cast.poll.id)
    await _show_vote(svc, client, taken, counted)
    if not counted.cast.revealed:  # who else left, as Slack has just said
        await _settle(svc, client, counted.cast.poll.id, members)


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
    """Stores a vote as due work, counted when due (`count_vote`); None for a second delivery
    of it. Clicks are counted at once (`vote`): this is how earlier versions kept them."""
    key = poker_uc.vote_key(body.get("trigger_id"))
    taken = poker_uc.Vote(key, workspace, channel, user, round_id, card, reason)
    return taken.payload() if await poker_uc.take_vote(svc, taken) else None


async def count_vote(svc: Services, client: AsyncWebClient, vote: dict[str, Any]) -> str:
    """Counts a vote stored as due work, exactly once, and shows it as `vote` does. A refused
    vote is re-raised."""
    taken = poker_uc.Vote.of(vote)
    counted = await poker_uc.count_vote(svc, taken, RESULT_BUILDERS)
    if counted is None:
        return "counted already"
    refresh(svc, client, counted.cast.poll.id)
    await _show_vote(svc, client, taken, counted)
    return "counted"


async def _show_vote(
    svc: Services, client: AsyncWebClient, taken: poker_uc.Vote, counted: poker_uc.Counted
) -> None:
    """A counted vote in Slack (its poll's redraw asked for already): the voter's private
    confirmation, then the result it revealed. A confirmation Slack refuses because the voter
    is not in the channel (`user_not_in_channel`: they left before clicking, which nothing
    asked before the ack), and conversations.members agrees, takes the vote back (`_disown`);
    any other failure is one log line."""
    cast = counted.cast
    confirmation = poker_blocks.voted_notice(
        cast.round, cast.card, cast.previous, cast.reason, revealed=cast.revealed
    )
    try:
        await client.chat_postEphemeral(channel=taken.channel, user=taken.user, **confirmation)
    except Exception as error:
        if _why(error) == "user_not_in_channel" and await _left(client, taken):
            await _disown(svc, client, taken, cast)
        log.warning("vote confirmation to %s dropped (%s)", taken.user, _why(error))
    post = await poker_uc.revealed_post(svc, counted, RESULT_BUILDERS)
    if post is not None:
        await _send_result(svc, client, post, cast.poll.id)


async def _left(client: AsyncWebClient, taken: poker_uc.Vote) -> bool:
    """Whether Slack, asked again, lists the channel without the voter (not when it will not
    say: then the vote stands)."""
    members = await known_members(client, taken.channel, "the vote stands")
    return members is not None and taken.user not in members


async def _disown(
    svc: Services, client: AsyncWebClient, taken: poker_uc.Vote, cast: poker.Cast
) -> None:
    """A vote clicked by a voter who has left the channel counts not: taken back, the poll
    waits for them no more (what that reveals is posted), and the refusal is raised (the
    listener answers it)."""
    posts = await poker_uc.disown(svc, taken, cast, RESULT_BUILDERS)
    if posts is None:
        log.warning("poll %s: a vote from outside the channel came too late", cast.poll.id)
        return
    for post in posts:
        await _send_result(svc, client, post, cast.poll.id)
    refresh(svc, client, cast.poll.id)
    raise poker.left_channel(cast.poll)


async def on_vote(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """A vote whose instance stopped between storing and counting it."""
    try:
        return await count_vote(svc, client, due.payload)
    except UserError as refusal:
        return f"refused: {refusal}"


# -- the facilitator -------------------------------------------------------------------------------


async def facilitate(
    svc: Services,
    client: AsyncWebClient,
    actor: Actor,
    member: InChannel,
    action: str,
    picked: dict[str, Any],
) -> None:
    """Reveal, accept, another value, re-vote, skip: what the facilitator's button says."""
    round_id = picked["r"]
    if action == "poker_reveal":
        await reveal(svc, client, actor, member, round_id)
    elif action == "poker_revote":
        await revote(svc, client, actor, member, round_id)
    else:
        card = None if action == "poker_skip" else str(picked["c"])
        await decide(svc, client, actor, member, round_id, card)


async def reveal(
    svc: Services, client: AsyncWebClient, actor: Actor, member: InChannel, round_id: int
) -> None:
    revealed = await poker_uc.reveal_round(svc, actor, member, round_id, RESULT_BUILDERS)
    if revealed.post is not None:
        await _send_result(svc, client, revealed.post, revealed.round.poll_id)
    refresh(svc, client, revealed.round.poll_id)


async def decide(
    svc: Services,
    client: AsyncWebClient,
    actor: Actor,
    member: InChannel,
    round_id: int,
    card: str | None,
) -> None:
    """Accepts a value (or skips the item) and moves a live poll on to its next item."""
    decided = await poker_uc.decide_round(svc, actor, member, round_id, card)
    if card is not None:
        log.info("poker round %s: estimate accepted", round_id)
    await _edit_result(svc, client, decided.team, decided.result)
    refresh(svc, client, decided.decision.poll.id)
    if card is not None:  # a refinement's deep-dive card of the item shows its estimate
        number = decided.decision.round.item_number
        await meeting_flow.redraw_deep_dives(svc, client, actor, [number])


async def revote(
    svc: Services, client: AsyncWebClient, actor: Actor, member: InChannel, round_id: int
) -> None:
    revoted = await poker_uc.revote_round(svc, actor, member, round_id, poker_blocks.revote_message)
    await _edit_result(svc, client, revoted.team, revoted.result)
    refresh(svc, client, revoted.round.poll_id)
    await _announce(svc, client, revoted.team, revoted.post)


# -- scheduled work --------------------------------------------------------------------------------


async def on_deadline(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """An async poll's deadline: reveal what is still open, post results and a notice (the
    notice goes with the reveal: both are kept, or neither)."""
    expired = await deadlines_uc.close_at_deadline(
        svc, due, RESULT_BUILDERS, poker_blocks.closed_message
    )
    if expired is None:
        return "poll gone"
    poll_id = expired.poll.id
    for post in expired.posts:
        await _send_result(svc, client, post, poll_id)
    refresh(svc, client, poll_id)
    revealed, posted = len(expired.revealed), len(expired.posts)
    return f"revealed {revealed} round(s), posted {posted} result(s)"


async def on_nudge(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """Reminds, by direct message, only the expected voters who have not voted yet. The
    reminders are queued with the mark that they were sent: both are kept, or neither."""
    deadline = datetime.fromisoformat(due.payload["deadline"])
    if due.now >= deadline:
        return "too late: the poll has closed"
    place = await deadlines_uc.place_of(svc, int(due.payload["poll_id"]))
    if place is None:
        return "poll gone"
    links = {}  # the polls a reminder may list: this one and those sharing a voter with it
    for poll, team in [(place.poll, place.team), *place.neighbours]:
        links[poll.id] = await permalink(client, team.channel_id, poll.message_ts)

    def reminder(said: Reminder) -> dict[str, Any]:
        return poker_blocks.nudge_message(said.waiting, links)

    members = await known_members(client, place.team.channel_id, KEPT)  # who left is not reminded
    zones = zone_of(client)  # each voter is reminded in their own day
    nudged = await deadlines_uc.remind_owed(svc, place, due, deadline, reminder, members, zones)
    if nudged is None:
        return "sent already, or the poll is over"
    if not nudged.owed:
        return "nobody owes a vote"
    told = len(nudged.reminders)
    return f"reminding {told} of {len(nudged.owed)} voter(s) (the others were reminded already)"


class NotShown(Exception):
    """Slack did not take all of a poll's drawing: the job runner tries again later."""


async def on_sync(svc: Services, client: AsyncWebClient, due: Due) -> str:
    """Shows a poll again after a Slack call failed: results never posted, the result
    messages named, and the board. Each call is tried; any failure retries the job."""
    poll_id = int(due.payload["poll_id"])
    rounds = [int(r) for r in due.payload.get("rounds") or []]
    shown = await poker_uc.sync(svc, poll_id, rounds, due.now, RESULT_BUILDERS)
    if shown is None:
        return "poll gone"
    channel = shown.team.channel_id
    calls: list[Callable[[], Awaitable[Any]]] = [
        partial(_send_posts, svc, client, posts) for posts in shown.posts
    ]
    for res in shown.results:
        if res.message_ts is not None:
            payload = poker_blocks.result_message(res)
            calls.append(partial(client.chat_update, channel=channel, ts=res.message_ts, **payload))
    calls.append(partial(_draw, client, shown))
    failed = []
    for call in calls:
        try:
            await call()
        except Exception as error:
            failed.append(_why(error))
    if failed:
        raise NotShown(f"poll {poll_id}: {len(failed)} call(s) failed: {', '.join(failed)}")
    return f"shown: {len(shown.posts)} result(s) posted, {len(shown.results)} redrawn, the board"
