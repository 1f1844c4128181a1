"""Planning poker: what people do (start a round or a poll, vote, reveal, accept, re-vote,
skip, set the deck) and what showing the poll again takes; an async poll's deadline and
reminders are bot/usecases/poker_deadlines.py.

Every round or poll a request names is looked up inside the actor's team (workspace and
channel): a round of another channel's team, or of another workspace's channel with the same
id, is refused and nothing changes.

A vote is counted before its ack, in one transaction (`cast`): the ballot box, a group
commit that takes the votes on one round that come together (a burst of a hundred clicks
takes a few transactions, whatever its size), records each request's identity (a copy counts
once), writes the votes in one statement and reveals the round with its last expected vote.
Votes kept as due work of kind KIND_VOTE (`take_vote`, as earlier versions stored them before
counting) are still counted once when they fall due (`count_vote`).

What a state change must show in Slack is made durable in the change's own transaction: a
new poll's board is recorded in the outbox with the poll (bot/usecases/poker_board.py), and a
revealed round's result post is claimed and recorded there (bot.runtime.outbox.record, with
the message the flow's `ResultBuilders` build); both are sent after the commit. The one
exception is the vote that reveals a round: its transaction only asks for the poll to be
shown again soon, and the result is recorded right after the ack (`record_result`), so that
no ack waits for it. Any Slack call that fails afterwards asks for `sync_later`: a KIND_SYNC
job that shows the poll's state again (unposted results, the board, the result messages it
names), with retries.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from bot.domain import poker, poker_nudges
from bot.domain.backlog import require_estimate
from bot.domain.calendar import zone, zone_name
from bot.domain.calibration import Reference
from bot.domain.decks import Deck
from bot.domain.errors import UserError
from bot.domain.estimate_scales import EstimateScale
from bot.domain.poker import Board, Cast, Decision, Result
from bot.domain.poker_items import ScaleFit, next_item, scale_fit, shown_again, to_withdraw
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import calibration as calibration_uc
from bot.usecases import poker_board, tracker
from bot.usecases.poker_board import sync_at
from bot.usecases.poker_voters import leave_rounds, take_over
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, team_work
from storage.models import BacklogItem, EstimateRecord, PokerPoll, PokerRound, Team
from storage.repositories import Store

# A vote waits this long as due work before a sweep counts it: only after a crash between
# storing and counting it.
VOTE_SETTLE = timedelta(seconds=30)
# A poll shown again after a failed Slack call: soon, then with the job runner's backoff.
SYNC_AFTER = timedelta(seconds=10)
# A decision's poll is shown again this long after it, in case the process stopped before
# Slack had the new board (with the next item's cards): far longer than a redraw can take.
CHECK_AFTER = timedelta(minutes=10)
RESULT_TS = "poker_result_ts"  # outbox.AFTER_POST: keeps a posted result's ts

BuildResult = Callable[[Result], dict[str, Any]]
"""A revealed round's result message, as chat.postMessage arguments (for the poll's thread)."""
BuildReference = Callable[[Reference], dict[str, Any]]
"""A reveal's reference stories, as chat.postMessage arguments (for the poll's thread)."""
BuildRevote = Callable[[PokerRound], dict[str, Any]]
"""A re-vote's announcement of its new round, as chat.postMessage arguments (for the thread)."""


@dataclass(frozen=True)
class ResultBuilders:
    """What a revealed round posts in its poll's thread: its result, then its reference
    stories."""

    result: BuildResult
    reference: BuildReference


@dataclass(frozen=True)
class ResultPosts:
    """A revealed round's posts for its thread, recorded with the reveal: the result, then
    the reference stories of its suggested size (if there are any)."""

    result: outbox.Post
    reference: outbox.Post | None
    workspace: str | None


# -- rounds and polls in the database ----------------------------------------------------------


async def round_in_team(
    store: Store, team: Team, round_id: int, *, lock: bool = False
) -> tuple[PokerRound, PokerPoll]:
    """A round and its poll, if they are this team's; refused otherwise."""
    found = await store.poker_round_in_team(round_id, team.id, lock=lock)
    if found is None:
        gone = await store.poker_round(round_id) is None
        raise UserError(poker.GONE if gone else poker.ELSEWHERE)
    return found


async def _round(store: Store, round_id: int) -> tuple[PokerRound, PokerPoll]:
    """A round by id, for work that holds no request (jobs), or after `round_in_team`."""
    round_ = await store.poker_round(round_id)
    poll = await store.poll(round_.poll_id) if round_ is not None else None
    if round_ is None or poll is None:
        raise UserError(poker.GONE)
    return round_, poll


async def _check_not_polled(
    store: Store, team: Team, numbers: Sequence[int], now: datetime
) -> list[tuple[PokerPoll, dict[int, PokerRound]]]:
    """Refuses a poll on an item one of the team's open polls is estimating already; else
    those polls, each with its latest rounds (for `take_over`)."""
    polls = await store.open_polls(team.id)
    rounds = await store.rounds_in([p.id for p in polls])
    held = [(p, poker.latest_rounds(r for r in rounds if r.poll_id == p.id)) for p in polls]
    poker.check_not_polled(numbers, held, now)
    return held


async def _schedule(store: Store, poll: PokerPoll, start: datetime, deadline: datetime) -> None:
    for job in poker_nudges.deadline_jobs(poll.id, start, deadline):
        await store.schedule(job.kind, job.key, job.due_at, job.payload)


async def start_poll(
    store: Store, team: Team, request: poker.PollRequest, facilitator: str, now: datetime
) -> PokerPoll:
    """A live round (the first item of the queue) or an async poll (every item, one deadline)."""
    request = replace(request, numbers=poker.queue(request.numbers))
    scales = []
    for number in request.numbers:
        item = await store.get_item(team, number)
        poker.check_estimable(item)
        scales.append(await store.estimate_scale(item))
    held = await _check_not_polled(store, team, request.numbers, now)
    await take_over(store, held, request.numbers, now)  # from abandoned live rounds
    poll = poker.new_poll(team, request, facilitator, now, scales)
    await store.add_poll(poll)
    for number in poker.opening(poll):
        await store.add_round(poll.id, number, 1, now, poll.deadline)
    if poll.deadline is not None:
        await _schedule(store, poll, now, poll.deadline)
    return poll


async def cast_vote(
    store: Store, team: Team, round_id: int, voter: str, card: str, reason: str, now: datetime
) -> Cast:
    """Records or changes a vote; reveals the round when every expected voter has voted.

    The poll's row, then the round's, are locked for the transaction, so a vote and a reveal
    never cross: a vote either lands before the reveal (and is counted) or is refused after it.
    """
    round_, poll = await round_in_team(store, team, round_id, lock=True)
    counted = await _count(store, round_, poll, team, [poker.Pick(voter, card, reason)], now)
    [outcome] = counted.outcomes
    if isinstance(outcome, UserError):
        raise outcome
    return outcome


async def _count(
    store: Store,
    round_: PokerRound,
    poll: PokerPoll,
    team: Team | None,
    picks: Sequence[poker.Pick],
    now: datetime,
) -> poker.Count:
    """Counts picks in a locked round: writes the votes (one statement) and reveals the
    round once every expected voter has voted. `team` is loaded only to refuse a stranger.
    Picks on an item that has left the backlog are refused, and the poll shown again soon
    (its board still offers the item's cards)."""
    if team is None and any(p.voter not in poll.voters for p in picks):
        team = await store.team_by_id(poll.team_id)
    off = await _off_backlog(store, poll, round_.item_number)
    if off is not None:
        await sync_at(store, poll.id, [], now + SYNC_AFTER)
    so_far = await store.votes_of(round_.id)  # with their reasons: a vote taken back keeps it
    cards = {voter: card for voter, (card, _) in so_far.items()}
    reasons = {voter: reason for voter, (_, reason) in so_far.items()}
    counted = poker.count_picks(round_, poll, team, cards, picks, reasons, off, now)
    await store.upsert_votes(round_.id, counted.votes, now)
    if counted.revealed and not await store.move_round(
        round_.id, ("voting",), "revealed", **poker.reveal_fields(poll, now, "all voted")
    ):  # never while the round is locked; refused as a vote after the reveal would be
        raise poker.closed(round_)
    return counted


async def backlog_changed(
    store: Store, team_id: int, numbers: Collection[int], now: datetime
) -> None:
    """Items `numbers` left the backlog (archived, done) or came back to it (restored,
    reopened): the team's open polls holding them are shown again (`sync`, asked for in the
    caller's transaction, run once it commits), so their boards and results offer the items'
    cards and an Accept, or stop offering them, at once, not at the poll's next vote or
    reminder. A live poll's open round nobody voted in on an item that left is withdrawn and
    its queue moves on (`poker_items.to_withdraw`)."""
    polls = [p for p in await store.open_polls(team_id) if set(p.items) & set(numbers)]
    rounds = await store.rounds_in([p.id for p in polls])
    _, off = await items_off_backlog(store, team_id, numbers) if polls else ({}, {})
    for poll in polls:
        latest = poker.latest_rounds(r for r in rounds if r.poll_id == poll.id)
        shown = shown_again(poll, latest, numbers)
        if shown is None:
            continue
        voting = [r.id for r in latest.values() if r.status == "voting"]
        withdrawn = to_withdraw(poll, latest, off, await store.voters_in(voting))
        if withdrawn is not None and await store.move_round(
            withdrawn.id, ("voting",), poker.WITHDRAWN
        ):
            await _move_on(store, poll, now)
        await sync_at(store, poll.id, shown, now)


async def items_off_backlog(
    store: Store, team_id: int, numbers: Collection[int]
) -> tuple[dict[int, BacklogItem], dict[int, str]]:
    """The team's items `numbers` (those found), and why each of `numbers` that left the
    backlog is estimated no more (`poker.off_backlog`: a missing one is "gone")."""
    found = await store.items_by_number(team_id, sorted(set(numbers))) if numbers else ()
    items = {i.number: i for i in found}
    off = {n: why for n in numbers if (why := poker.off_backlog(items.get(n))) is not None}
    return items, off


async def _off_backlog(store: Store, poll: PokerPoll, number: int) -> str | None:
    """Why the poll's item `number` is estimated no more (`poker.off_backlog`), if it is not."""
    _, off = await items_off_backlog(store, poll.team_id, [number])
    return off.get(number)


async def reveal(store: Store, team: Team, round_id: int, user: str, now: datetime) -> PokerRound:
    """The facilitator reveals before everyone has voted."""
    round_, poll = await round_in_team(store, team, round_id, lock=True)
    poker.check_reveal(round_, poll, team, user)
    await store.move_round(
        round_.id, ("voting",), "revealed", **poker.reveal_fields(poll, now, "early", user)
    )
    return round_


async def revote(store: Store, team: Team, round_id: int, user: str, now: datetime) -> PokerRound:
    """A new round on the same item after a discussion; the old one is kept as it was."""
    round_, poll = await round_in_team(store, team, round_id, lock=True)
    off = await _off_backlog(store, poll, round_.item_number)
    poker.check_revote(round_, poll, team, user, off)
    if not await store.move_round(round_.id, ("revealed",), "revoted", decided_by=user):
        raise poker.closed(round_)
    deadline = poker.revote_deadline(poll, team, now)
    if deadline is not None:
        await _schedule(store, poll, now, deadline)
    return await store.add_round(poll.id, round_.item_number, round_.number + 1, now, deadline)


async def decide(
    store: Store, team: Team, round_id: int, user: str, card: str | None, now: datetime
) -> Decision:
    """Accepts a card as the item's estimate (or skips the item, with None).

    The estimate is an edit of the item, so its history and readiness see it; the rounds that
    led to it are kept as an estimate record.
    """
    round_, poll = await round_in_team(store, team, round_id, lock=True)
    card, points = poker.check_decision(round_, poll, team, user, card)
    if await store.latest_item_round(team.id, round_.item_number) not in (None, round_.id):
        raise poker.taken_over(round_.item_number)  # a newer round estimates the item
    if card is not None:  # an estimate the item can take (not done, on its issue's scale)
        item = await store.get_item(team, round_.item_number)
        require_estimate(await store.estimate_scale(item), item, points)
    status = "accepted" if card is not None else "skipped"
    if not await store.move_round(
        round_.id, ("revealed",), status, decided_by=user, decided_card=card
    ):
        raise poker.closed(round_)
    if card is not None and points is not None:
        await store.edit_item(team, round_.item_number, {"estimate": points}, user, now)
        item = await store.get_item(team, round_.item_number)
        await tracker.after_estimate(store, team, item, now)
        rounds = [r for r in await store.rounds(poll.id) if r.item_number == round_.item_number]
        ballots = await store.ballots([r.id for r in rounds])
        store.add_estimate(
            EstimateRecord(
                item_id=item.id,
                poll_id=poll.id,
                card=card,
                points=points,
                deck=poker.poll_deck(poll).name,
                accepted_by=user,
                accepted_at=now,
                rounds=poker.snapshot(rounds, ballots),
            )
        )
    next_round, closed = await _move_on(store, poll, now)
    return Decision(poll, round_, card, points, next_round, closed)


async def _move_on(store: Store, poll: PokerPoll, now: datetime) -> tuple[PokerRound | None, bool]:
    """A live poll's queue moves on once an item is settled: the items that left the backlog
    meanwhile are passed over (a round withdrawn at once, the board says why), and a round is
    opened on the next one; the poll closes once every item is settled. Returns the new
    round, and whether the poll closed."""
    latest = poker.latest_rounds(await store.rounds(poll.id))
    _, off = await items_off_backlog(
        store, poll.team_id, [n for n in poll.items if n not in latest]
    )
    passed, waiting = next_item(poll, latest, off)
    for number in passed:
        latest[number] = await store.add_round(poll.id, number, 1, now, None, poker.WITHDRAWN)
    next_round = None
    if waiting is not None:
        next_round = await store.add_round(poll.id, waiting, 1, now, None)
    closed = next_round is None and poker.all_settled(poll, latest)
    if closed:
        await store.close_poll(poll.id, now)
        await store.cancel_prefix(f"poker:{poll.id}:")
    return next_round, closed


async def depart(
    store: Store, poll: PokerPoll, members: Collection[str] | None, now: datetime
) -> list[PokerRound]:
    """Waits no more for the voters of `poll` (locked by the caller) who have left the channel
    (`members`, as Slack said just now): the open rounds every voter still in it has voted in
    are revealed, as their last vote would have, and returned."""
    gone = poker.departed(poll, members)
    return await leave_rounds(store, poll, gone, now) if gone else []


async def board(store: Store, poll: PokerPoll) -> Board:
    """The poll as the channel may see it (who voted; the votes of revealed rounds only)."""
    items = await store.items_by_number(poll.team_id, poll.items)
    latest = poker.latest_rounds(await store.rounds(poll.id))
    voting = [r.id for r in latest.values() if r.status == "voting"]
    done = [r.id for r in latest.values() if r.status != "voting"]
    return poker.build_board(
        poll, items, latest, await store.voters_in(voting), await store.ballots(done)
    )


async def result(store: Store, round_id: int, team: Team | None = None) -> Result:
    """A revealed round's result; `team` (the poll's, when the caller has it) gives the
    split threshold."""
    round_, poll = await _round(store, round_id)
    ballots = (await store.ballots([round_.id]))[round_.id]
    items = await store.items_by_number(poll.team_id, [round_.item_number])
    rounds = sum(1 for r in await store.rounds(poll.id) if r.item_number == round_.item_number)
    if team is None or team.id != poll.team_id:
        team = await store.team_by_id(poll.team_id)
    threshold = DefinitionOfReady.of(team).split_threshold if team is not None else None
    item = items[0] if items else None
    return poker.build_result(poll, round_, item, ballots, rounds, threshold)


async def show_result(
    store: Store, team: Team, round_id: int, now: datetime, build: ResultBuilders
) -> ResultPosts | None:
    """Claims the right to post a revealed round's result (once) and records the post."""
    if not await store.claim_result(round_id):
        return None
    return await _record_result(store, team, await result(store, round_id, team), now, build)


async def _record_result(
    store: Store, team: Team, res: Result, now: datetime, build: ResultBuilders
) -> ResultPosts:
    """Records a revealed round's result post in the outbox, then its reference stories
    (`calibration_uc.at_reveal`), in the caller's transaction: sent after the commit."""
    post = await outbox.record(
        store,
        f"poker-result:{res.round.id}",
        team.workspace_id,
        now,
        then=(RESULT_TS, res.round.id),
        channel=team.channel_id,
        thread_ts=res.poll.message_ts,
        **build.result(res),
    )

    async def reference(store: Store, ref: Reference) -> outbox.Post:
        return await outbox.record(
            store,
            f"poker-reference:{res.round.id}",
            team.workspace_id,
            now,
            channel=team.channel_id,
            thread_ts=res.poll.message_ts,
            **build.reference(ref),
        )

    stories = await calibration_uc.at_reveal(store, team, res.tally, reference)
    return ResultPosts(post, stories, team.workspace_id)


async def keep_result_ts(store: Store, round_id: int, ts: str | None) -> None:
    """A posted result's ts (later edits need it); None lets a later attempt post it."""
    await store.set_result(round_id, ts)


outbox.AFTER_POST[RESULT_TS] = keep_result_ts


# -- starting a round or a poll ----------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """A poll found possible before Slack is asked who votes: live or async, its items, and
    an async poll's deadline, with the team's time zone it was read in when typed as a time
    (`until fri 17:00`; None for a length)."""

    mode: str
    numbers: Sequence[int]
    deadline: datetime | None
    zone: str | None = None


async def plan_poll(
    svc: Services,
    actor: Actor,
    mode: str,
    numbers: Sequence[int],
    duration: timedelta | None = None,
    until: poker.Until | None = None,
) -> Plan:
    """Refuses mistakes (an unknown item, a deadline in the past) before calling Slack."""
    async with team_work(svc, actor) as work:
        for number in numbers:
            await work.store.get_item(work.team, number)
        deadline = None
        if mode == "async":
            deadline = poker.resolve_deadline(work.now, zone(work.team), duration, until)
        await _check_not_polled(work.store, work.team, numbers, work.now)
        read_in = zone_name(work.team) if deadline and until else None
        return Plan(mode, numbers, deadline, read_in)


@dataclass(frozen=True)
class Opened:
    poll_id: int
    post: outbox.Post
    """Its board, recorded in the outbox with it, to send at once (bot/usecases/poker_board.py:
    once Slack has it, its ts is kept on the poll; refused, the poll is withdrawn)."""
    not_in_channel: tuple[str, ...] = ()
    """People named (for the Developer role, in a user group, as voters) who are not in the
    channel: they do not vote, and the poll's thread says so once."""


async def open_poll(
    svc: Services,
    actor: Actor,
    plan: Plan,
    invited: poker.Invited,
    in_channel: InChannel,
    build: poker_board.BuildBoard,
) -> Opened:
    """A new poll, facilitated by the actor, with its board (drawn by `build`) recorded in the
    outbox to post in the channel; not by someone outside the team. Its voters are chosen from
    those `invited` (as Slack listed them) with the team's roles. (Its facilitator may reveal
    and decide later: they were in the team when they started it; a Scrum Master holds a role
    in it; votes are its expected voters'.) Only those in the channel vote."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        roles = Roles.of(work.team)
        found = poker.invited_present(roles, invited)
        voters, note = poker.choose_voters(roles, invited, found)
        asked = poker.roles_asked(invited)
        request = poker.PollRequest(
            plan.mode, plan.numbers, voters, note, plan.deadline, plan.zone, asked, found.outside
        )
        poll = await start_poll(work.store, work.team, request, actor.user, work.now)
        shown = await board(work.store, poll)
        post = await poker_board.record(work.store, work.team, poll, shown, build, work.now)
        return Opened(poll.id, post, found.outside)


# -- the pick list, the deck, history ------------------------------------------------------------


async def pick(svc: Services, actor: Actor, count: int = 5) -> Sequence[BacklogItem]:
    """The top items without an estimate, to start a round on."""
    async with team_work(svc, actor) as work:
        return await work.store.unestimated(work.team.id, count)


@dataclass(frozen=True)
class ChannelDeck:
    deck: Deck
    fit: ScaleFit | None = None
    """The cards of the deck the channel's tracker cannot hold, if any (`scale_fit`)."""


async def deck_of(svc: Services, actor: Actor) -> ChannelDeck:
    async with team_work(svc, actor) as work:
        deck = poker.team_deck(work.team)
        return ChannelDeck(deck, await _fit(work.store, work.team, deck))


@dataclass(frozen=True)
class DeckChanged:
    deck: Deck
    before: Deck
    """The deck as it was, for the answer to say what changed."""
    fit: ScaleFit | None = None  # as ChannelDeck's


async def _fit(store: Store, team: Team, deck: Deck) -> ScaleFit | None:
    """How `deck` fits the estimate scale of the channel's tracker, if it is connected."""
    connection = await store.connection(team.id)
    if connection is None:
        return None
    return scale_fit(deck, EstimateScale.of(connection.kind, connection.board or {}))


async def change_deck(
    svc: Services, actor: Actor, setting: str, words: Sequence[str], in_channel: InChannel
) -> DeckChanged:
    """`/poker deck ...` or `/poker tshirt ...`: the PO or a Scrum Master; new polls use it."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        doing = "change the poker deck" if setting == "deck" else "change the T-shirt sizes"
        await work.require(("po", "sm"), doing)
        change = poker.set_deck if setting == "deck" else poker.set_tshirt
        before = poker.team_deck(work.team)
        deck = change(work.team, words)
        return DeckChanged(deck, before, await _fit(work.store, work.team, deck))


@dataclass(frozen=True)
class History:
    item: BacklogItem
    records: Sequence[EstimateRecord]


async def history(svc: Services, actor: Actor, number: int) -> History:
    """An item's accepted estimates, with every round and vote."""
    async with team_work(svc, actor) as work:
        item = await work.store.get_item(work.team, number)
        return History(item, await work.store.estimates(item.id))


# -- voting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vote:
    """A click (or form) vote as it is stored before its ack: due work until counted."""

    key: str
    workspace: str | None
    channel: str
    user: str
    round_id: int
    card: str
    reason: str = ""

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Vote:
        return cls(**{name: payload[name] for name in cls.__dataclass_fields__ if name in payload})

    def payload(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


def vote_key(trigger: str | None) -> str:
    """A click's (or form's) vote is known by its request's trigger id: a copy of the request
    is the same vote. One without a trigger id is a vote of its own."""
    return f"vote:{trigger or uuid.uuid4().hex}"


async def take_vote(svc: Services, vote: Vote) -> bool:
    """Stores a vote as due work, counted when due (`count_vote`); False for a copy of one
    stored. Votes are counted as they are stored (`cast`); this is how versions before that
    kept them, and any left behind are still counted."""
    job = {
        "kind": poker.KIND_VOTE,
        "key": vote.key,
        "due_at": svc.clock.now() + VOTE_SETTLE,
        "payload": vote.payload(),
    }
    return await svc.inbox.add(job)


@dataclass(frozen=True)
class Counted:
    cast: Cast
    team: Team | None
    post: ResultPosts | None  # the revealed round's recorded posts (result and references), to send


async def count_vote(svc: Services, vote: Vote, build: ResultBuilders) -> Counted | None:
    """Counts a vote stored as due work, exactly once (None: it was counted already). The
    vote that reveals the round records its result post in the same transaction. A refused
    vote (not a voter, the round closed, another team's round) is done too, and the refusal
    raised."""
    actor = Actor(vote.workspace or "", vote.channel, vote.user)
    try:
        async with team_work(svc, actor) as work:
            if not await work.store.finish_key(vote.key, work.now, "counted"):
                return None
            cast = await cast_vote(
                work.store, work.team, vote.round_id, vote.user, vote.card, vote.reason, work.now
            )
            post = None
            if cast.revealed:
                post = await show_result(work.store, work.team, cast.round.id, work.now, build)
            return Counted(cast, work.team, post)
    except UserError as refusal:
        async with svc.db.transaction() as store:
            await store.finish_key(vote.key, svc.clock.now(), f"refused: {refusal}"[:500])
        raise


@dataclass(frozen=True)
class Ballot:
    """A vote handed to the ballot box, with what its transaction needs."""

    vote: Vote
    now: datetime
    delivery: str | None = None  # the request's delivery key, recorded with the vote


async def cast(svc: Services, vote: Vote, delivery: str | None = None) -> Counted | None:
    """A click's (or form's) vote, counted before its ack: on disk, counted once (None: a copy
    of a request counted already) and, when it is the last one expected, the round revealed,
    all in one transaction shared with the votes on the same round that come with it (a
    burst of a hundred clicks takes a few). A revealed round's result is recorded after the
    ack (`record_result`; its transaction is not one the acks wait for), and the poll shown
    again soon in case that never happens (a crash). A refused vote (not a voter, the round
    closed, another team's round, a card not in the deck) is raised, and nothing of it kept
    but its request's identity (a copy of it does nothing). `delivery`: the request's
    delivery key, recorded with it so that a redelivery is skipped (bot/process/app.py)."""
    box = svc.inbox.lane(_count_ballots, group=_round_of)
    return await box.add(Ballot(vote, svc.clock.now(), delivery))


def _round_of(ballot: Ballot) -> int:
    return ballot.vote.round_id


async def _count_ballots(
    store: Store, ballots: list[Ballot]
) -> list[Counted | BaseException | None]:
    """One transaction of the ballot box: ballots of one round, in arrival order, counted
    against the poll as stored now (its row locked, shared, before the round's: a voter who
    left meanwhile, ``depart``, is not waited for)."""
    keys = [{"key": b.vote.key, "at": b.now} for b in ballots]
    keys += [{"key": b.delivery, "at": b.now} for b in ballots if b.delivery]
    fresh = await store.first_deliveries(keys)
    outcomes: list[Counted | BaseException | None] = [None] * len(ballots)
    places: dict[tuple[str, str], list[int]] = {}
    for n, ballot in enumerate(ballots):
        if ballot.vote.key in fresh:  # of two copies in one batch, the first counts
            fresh.discard(ballot.vote.key)
            vote = ballot.vote
            places.setdefault((vote.workspace or "", vote.channel), []).append(n)
    for (workspace, channel), numbers in sorted(places.items()):
        round_id = ballots[numbers[0]].vote.round_id
        found = await store.poker_round_in_channel(round_id, workspace, channel, lock=True)
        if found is None:
            gone = await store.poker_round(round_id) is None
            for n in numbers:
                outcomes[n] = UserError(poker.GONE if gone else poker.ELSEWHERE)
            continue
        round_, poll = found
        picks = [
            poker.Pick(ballots[n].vote.user, ballots[n].vote.card, ballots[n].vote.reason)
            for n in numbers
        ]
        now = ballots[numbers[-1]].now
        counted = await _count(store, round_, poll, None, picks, now)
        if counted.revealed:  # its result is recorded after the acks (`record_result`)
            await sync_at(store, poll.id, [], now + SYNC_AFTER)
        for n, outcome in zip(numbers, counted.outcomes, strict=True):
            outcomes[n] = (
                outcome if isinstance(outcome, UserError) else Counted(outcome, None, None)
            )
    return outcomes


async def record_result(svc: Services, round_id: int, build: ResultBuilders) -> ResultPosts | None:
    """Claims and records the result post of a round a vote has just revealed, to send; None
    if it is recorded already. (The vote's transaction asked for the poll to be shown again
    soon: if this never runs, that posts the result.)"""
    async with svc.db.transaction() as store:
        round_, poll = await _round(store, round_id)
        team = await store.team_by_id(poll.team_id)
        return await show_result(store, team, round_.id, svc.clock.now(), build) if team else None


async def revealed_post(
    svc: Services, counted: Counted, build: ResultBuilders
) -> ResultPosts | None:
    """The result post of the round a counted vote revealed, to send: recorded with the count,
    or claimed and recorded now (`record_result`); None if the vote revealed nothing or the
    result is recorded already."""
    if not counted.cast.revealed:
        return None
    return counted.post or await record_result(svc, counted.cast.round.id, build)


async def admit(
    svc: Services, vote: Vote, members: Collection[str] | None, build: ResultBuilders
) -> Counted | None:
    """A vote refused before its ack (not a voter), asked again once Slack has said who is in
    the channel (`members`): counted, with the result post of the round it reveals, if they
    may join the poll now (`poker.may_join`); None if not."""
    actor = Actor(vote.workspace or "", vote.channel, vote.user)
    async with team_work(svc, actor) as work:
        # the poll's row before the round's, as `settle_present` and `reminders_due` lock them
        round_, poll = await round_in_team(work.store, work.team, vote.round_id, lock=True)
        if not poker.may_join(poll, Roles.of(work.team), vote.user, members):
            return None
        poker.join(poll, vote.user)
        pick = poker.Pick(vote.user, vote.card, vote.reason)
        counted = await _count(work.store, round_, poll, work.team, [pick], work.now)
        [outcome] = counted.outcomes
        if isinstance(outcome, UserError):
            raise outcome
        show = outcome.revealed
        post = (
            await show_result(work.store, work.team, round_.id, work.now, build) if show else None
        )
        return Counted(outcome, work.team, post)


async def settle_present(
    svc: Services, poll_id: int, members: Collection[str] | None, build: ResultBuilders
) -> list[ResultPosts] | None:
    """After a vote's ack: the open poll, live or async, waits no more for its voters who have
    left the channel (`members`, as Slack says now; `depart`): the result posts of the rounds
    that reveals, recorded, to send; None when nobody has left."""
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id, lock=True)
        if poll is None or poll.status != "open" or not poker.departed(poll, members):
            return None
        team, now = await store.team_by_id(poll.team_id), svc.clock.now()
        revealed = await depart(store, poll, members, now) if team is not None else []
        return [p for r in revealed if (p := await show_result(store, team, r.id, now, build))]


async def disown(
    svc: Services, vote: Vote, cast: Cast, build: ResultBuilders
) -> list[ResultPosts] | None:
    """A counted vote whose voter Slack has just found outside the channel (their confirmation
    could not reach them): clicked after they left, it counts not. Their card before it, given
    while a member, stays; a round the vote revealed is open again (unless its result is on
    its way already: then None, too late); the poll waits for them no more (`depart`). The
    result posts of the rounds that reveals, recorded, to send."""
    async with svc.db.transaction() as store:
        # the poll's row before the round's, as `_count_ballots` and `settle_present` lock them
        poll = await store.poll(cast.poll.id, lock=True)
        round_ = await store.poker_round(cast.round.id, lock=True)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or round_ is None or team is None:
            return []
        now = svc.clock.now()
        if cast.revealed and round_.result_ts is None:
            await store.move_round(
                round_.id,
                ("revealed",),
                "voting",
                revealed_at=None,
                reveal_reason=None,
                awaited=None,
            )
        if round_.status != "voting":
            return None
        if cast.earlier is None:
            await store.delete_vote(round_.id, vote.user)
        elif (cast.earlier, cast.earlier_reason) != (cast.card, cast.reason):
            # the vote given while a member, with its reason (not the one given after leaving)
            earlier = {vote.user: (cast.earlier, cast.earlier_reason)}
            await store.upsert_votes(round_.id, earlier, now)
        revealed = await leave_rounds(store, poll, [vote.user], now)
        return [p for r in revealed if (p := await show_result(store, team, r.id, now, build))]


@dataclass(frozen=True)
class ReasonForm:
    round: PokerRound
    title: str
    deck: Deck


async def reason_form(svc: Services, actor: Actor, round_id: int) -> ReasonForm:
    """Before opening the reason form: may this person vote in this round now (or may the
    poll take them: whether they are in the channel is asked on submission, `admit`)?"""
    async with team_work(svc, actor) as work:
        round_, poll = await round_in_team(work.store, work.team, round_id)
        number = round_.item_number
        items, off = await items_off_backlog(work.store, work.team.id, [number])
        try:
            poker.check_voter(round_, poll, work.team, actor.user, off.get(number))
        except poker.NotAVoter as refused:
            if not refused.joinable:
                raise
        title = items[number].title if number in items else ""
        return ReasonForm(round_, title, poker.poll_deck(poll))


# -- the facilitator ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Revealed:
    round: PokerRound
    team: Team
    post: ResultPosts | None  # the result and reference posts, recorded with the reveal, to send


async def reveal_round(
    svc: Services, actor: Actor, in_channel: InChannel, round_id: int, build: ResultBuilders
) -> Revealed:
    """The facilitator (the poll's starter or a Scrum Master) reveals before all have voted.
    A facilitator who has left the channel is refused, as anyone outside the team is."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        round_ = await reveal(work.store, work.team, round_id, actor.user, work.now)
        post = await show_result(work.store, work.team, round_.id, work.now, build)
        return Revealed(round_, work.team, post)


@dataclass(frozen=True)
class Decided:
    decision: Decision
    team: Team
    result: Result  # the round's result as it reads now, for its message


async def decide_round(
    svc: Services, actor: Actor, in_channel: InChannel, round_id: int, card: str | None
) -> Decided:
    """Accepts a card (the suggestion or another) or skips the item (None); a live poll
    moves on to its next item."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        decision = await decide(work.store, work.team, round_id, actor.user, card, work.now)
        await sync_at(work.store, decision.poll.id, [round_id], work.now + CHECK_AFTER)
        return Decided(decision, work.team, await result(work.store, round_id, work.team))


@dataclass(frozen=True)
class Revoted:
    round: PokerRound  # the new round
    team: Team
    result: Result  # the old round's result as it reads now, for its message
    post: outbox.Post  # the new round's announcement, recorded with it, to send


async def revote_round(
    svc: Services, actor: Actor, in_channel: InChannel, round_id: int, build: BuildRevote
) -> Revoted:
    """A new round on the same item, after the team has talked it over; its announcement in
    the poll's thread is recorded in the outbox with it."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        fresh = await revote(work.store, work.team, round_id, actor.user, work.now)
        await sync_at(work.store, fresh.poll_id, [round_id], work.now + CHECK_AFTER)
        old = await result(work.store, round_id, work.team)
        post = await outbox.record(
            work.store,
            f"poker-revote:{fresh.id}",
            work.team.workspace_id,
            work.now,
            channel=work.team.channel_id,
            thread_ts=old.poll.message_ts,
            **build(fresh),
        )
        return Revoted(fresh, work.team, old, post)


# -- showing the poll ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A poll as Slack should show it: its board, and the result messages to redraw."""

    poll: PokerPoll
    team: Team
    board: Board
    results: list[Result] = field(default_factory=list)
    posts: list[ResultPosts] = field(default_factory=list)  # results never posted, recorded now


async def board_of(svc: Services, poll_id: int) -> Shown | None:
    """The poll's board to redraw; None if the poll or its message is gone."""
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None or poll.message_ts is None:
            return None
        return Shown(poll, team, await board(store, poll))


async def sync_later(svc: Services, poll_id: int, rounds: Sequence[int] = ()) -> None:
    """Asks for the poll to be shown again soon (`sync`), after a Slack call failed: its
    board, results never posted, and the result messages of `rounds`."""
    async with svc.db.transaction() as store:
        await sync_at(store, poll_id, rounds, svc.clock.now() + SYNC_AFTER)


async def queue_post(svc: Services, name: str, workspace: str | None, args: dict[str, Any]) -> None:
    """Puts a post (`args`: chat.postMessage's arguments, under `name`) in the durable outbox
    in a transaction of its own: a post sent at once that Slack refused, for the outbox to
    deliver with its retries."""
    async with svc.db.transaction() as store:
        await outbox.enqueue(store, name, workspace, svc.clock.now(), **args)


async def sync(
    svc: Services, poll_id: int, rounds: Sequence[int], now: datetime, build: ResultBuilders
) -> Shown | None:
    """What a KIND_SYNC job shows: the board, the result messages of `rounds`, and every
    revealed round's result that never reached the thread (claimed and recorded now)."""
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None or poll.message_ts is None:
            return None
        posts = []
        for round_ in poker.unposted(await store.rounds(poll_id)):
            post = await show_result(store, team, round_.id, now, build)
            if post is not None:
                posts.append(post)
        results = []
        for round_id in rounds:
            found = await result(store, round_id, team)
            if found.round.poll_id == poll_id:
                results.append(found)
        return Shown(poll, team, await board(store, poll), results, posts)
