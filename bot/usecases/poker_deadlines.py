"""An async poll's deadline and its reminders, the due work its start schedules
(bot.domain.poker_nudges.deadline_jobs): at the deadline every round still open is revealed, with
the channel's notice and the results recorded in the same transaction; before it, each voter
who owes a vote gets one direct message listing every poll that waits for them, at half of
the poll's working time and in the hour before its deadline, each in their own day
(bot.domain.poker_nudges.voter_nudge): a reminder's job runs again for each later voter. Voters who
have left the channel are waited for no more (bot.usecases.poker.depart).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain import poker, poker_nudges
from bot.domain.poker import Row
from bot.domain.poker_nudges import Reminder
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases.poker import (
    ResultBuilders,
    ResultPosts,
    board,
    depart,
    items_off_backlog,
    show_result,
    sync_at,
)
from bot.usecases.team import ZoneOf
from bot.usecases.unit import Actor, team_work
from storage.models import PokerPoll, PokerRound, Team
from storage.repositories import Store

BuildClosed = Callable[[PokerPoll, Sequence[Row], Sequence[Row]], dict[str, Any]]
"""The channel's notice that an async poll's deadline closed the votes of the first rows, the
second still open (a re-vote, with a later deadline), as chat.postMessage arguments."""
BuildReminder = Callable[[Reminder], dict[str, Any]]
"""One voter's reminder of all that waits for their vote, as chat.postMessage arguments."""


async def day_off(svc: Services, actor: Actor, deadline: datetime) -> poker_nudges.DayOff | None:
    """The team's day off a new poll's typed deadline falls on (`poker_nudges.deadline_day_off`), to
    say so to who started it; None on a working day."""
    async with team_work(svc, actor) as work:
        return poker_nudges.deadline_day_off(work.team, deadline)


# -- in the caller's transaction ------------------------------------------------------------------


async def expire(store: Store, poll_id: int, now: datetime) -> list[PokerRound]:
    """Reveals every round of an async poll whose deadline has passed (once: a second run
    finds nothing left to reveal); one whose item has left the backlog is closed unrevealed
    (WITHDRAWN: there is nothing to accept), and a poll left with nothing to decide closes."""
    poll = await store.poll(poll_id)
    if poll is None:
        return []
    due = poker.due_rounds(await store.rounds(poll_id), now)
    kept = await _on_backlog(store, [(poll, due)])
    closed = []
    for round_ in due:
        status, values = "revealed", poker.reveal_fields(poll, now, "deadline")
        if round_ not in kept:
            status, values = poker.WITHDRAWN, {}
        if await store.move_round(round_.id, ("voting",), status, **values):
            closed.append(round_)
    if closed and poker.all_settled(poll, poker.latest_rounds(await store.rounds(poll_id))):
        await store.close_poll(poll_id, now)  # its reminders, all past, find it closed
    return closed


async def _on_backlog(
    store: Store, rounds: Sequence[tuple[PokerPoll, Sequence[PokerRound]]]
) -> list[PokerRound]:
    """The rounds (of each poll) whose item is still on the backlog (`items_off_backlog`)."""
    kept = []
    for poll, some in rounds:
        _, off = await items_off_backlog(store, poll.team_id, {r.item_number for r in some})
        kept += [r for r in some if r.item_number not in off]
    return kept


@dataclass(frozen=True)
class Nudged:
    """One run of a reminder of a poll: who owes it a vote (voter: item numbers), the direct
    messages it sends now (one per voter, listing every poll that waits for their vote), and
    when it runs again for the voters whose moment is still to come (None: it is done)."""

    owed: dict[str, list[int]]
    reminders: list[Reminder]
    next: datetime | None = None


async def reminders_due(
    store: Store,
    workspace: str,
    poll_id: int,
    deadline: datetime,
    name: str,
    now: datetime,
    members: Collection[str] | None = None,
    zones: Mapping[str, ZoneInfo | None] | None = None,
) -> Nudged | None:
    """Who still owes a vote for this deadline, once per reminder, and what to tell them now.

    Each owed voter is told once, at their own moment (`poker_nudges.voter_nudge`: half of the
    poll's working time, or the hour before the deadline, moved into their day in their Slack
    time zone from `zones`, the team's when unknown): a run tells those whose moment has
    come and says when to run again for the others (`Nudged.next`); the reminder is done
    when nobody is left to tell.

    The workspace's open async polls are locked (in id order) for the transaction, so two
    polls' reminders falling due together send each voter one message, not one per poll.
    Voters no longer in the channel (`members`) are waited for no more (`depart`). Returns
    None when the reminder went out already (a job that ran twice) or the poll is over.
    """
    polls = await store.open_async_polls(workspace, lock=True)
    found = next(((p, t) for p, t in polls if p.id == poll_id), None)
    key = poker_nudges.job_key(poll_id, deadline, name)
    if found is None or key in found[0].nudges:
        return None
    poll, team = found
    if await depart(store, poll, members, now):  # their results are posted by a sync
        await sync_at(store, poll.id, [], now)
    open_rounds = [
        r
        for r in await store.rounds_in([p.id for p, _ in polls])
        if r.status == "voting" and r.deadline is not None
    ]
    # an item off the backlog waits for no vote (`poker_items.off_backlog`)
    voting = await _on_backlog(
        store, [(p, [r for r in open_rounds if r.poll_id == p.id]) for p, _ in polls]
    )
    voted = await store.voters_in([r.id for r in voting])
    mine = [r for r in voting if r.poll_id == poll_id and r.deadline == deadline]
    owed = poker.owed_votes(poll, mine, voted)
    start = min((r.started_at for r in mine), default=poll.created_at)
    plan = poker_nudges.plan_nudge(poll, team, key, owed, zones or {}, start, deadline, now)
    since = poker_nudges.reminder_window(poll, start, deadline, name, team)
    now_owed = {voter: owed[voter] for voter in plan.now}
    sent = poker_nudges.reminders(poll, now_owed, polls, voting, voted, since)
    done = [poker_nudges.told_mark(key, voter) for voter in (*plan.now, *plan.skipped)]
    marks = [*done, *(poker_nudges.reminded_mark(r.voter, now) for r in sent)]
    if plan.now:
        marks.append(poker_nudges.ran_mark(key, now))
    poll.nudges = [*poll.nudges, *([] if plan.next else [key]), *marks]
    return Nudged(owed, sent, plan.next)


# -- the jobs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expired:
    poll: PokerPoll
    team: Team
    revealed: list[PokerRound]
    posts: list[ResultPosts] = field(default_factory=list)  # result posts recorded, to send


async def close_at_deadline(
    svc: Services, due: Due, build: ResultBuilders, closed: BuildClosed
) -> Expired | None:
    """An async poll's deadline (the job `due`): reveals what is still open, with the
    channel's notice (queued under the job's key) and every unposted result recorded in the
    same transaction. None if the poll is gone."""
    poll_id, now = int(due.payload["poll_id"]), due.now
    async with svc.db.transaction() as store:
        revealed = await expire(store, poll_id, now)
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None:
            return None
        if revealed:
            ids = {r.id for r in revealed}
            shown = (await board(store, poll)).rows
            rows = [r for r in shown if r.round and r.round.id in ids]
            # an item voted on again closes later: the notice says so, not that the poll closed
            still = [r for r in shown if r.round and r.round.status == "voting"]
            await outbox.enqueue(
                store,
                f"{due.key}:closed",
                team.workspace_id,
                now,
                channel=team.channel_id,
                **closed(poll, rows, still),
            )
        posts = []
        for round_ in poker.unposted(await store.rounds(poll_id)):
            post = await show_result(store, team, round_.id, now, build)
            if post is not None:
                posts.append(post)
        return Expired(poll, team, revealed, posts)


@dataclass(frozen=True)
class Place:
    poll: PokerPoll
    team: Team
    neighbours: list[tuple[PokerPoll, Team]] = field(default_factory=list)
    """The workspace's other open async polls with a voter in common: a reminder may list
    them too."""


async def place_of(svc: Services, poll_id: int) -> Place | None:
    """Where a poll is: its team (workspace and channel) and message; None if it is gone."""
    async with svc.db.transaction() as store:
        poll = await store.poll(poll_id)
        team = await store.team_by_id(poll.team_id) if poll is not None else None
        if poll is None or team is None:
            return None
        voters = set(poll.voters)
        others = [
            (other, where)
            for other, where in await store.open_async_polls(team.workspace_id)
            if other.id != poll.id and voters & set(other.voters)
        ]
        return Place(poll, team, others)


async def remind_owed(
    svc: Services,
    place: Place,
    due: Due,
    deadline: datetime,
    build: BuildReminder,
    members: Collection[str] | None = None,
    zone_of: ZoneOf | None = None,
) -> Nudged | None:
    """Queues one reminder for each voter who owes a vote and whose moment has come (listing
    every poll that waits for them), a direct message under the job's key and the voter's
    id, with the mark that this reminder (the job `due`, for `deadline`) reached them: both
    are kept, or neither. The job moves itself to the next voter's moment, in the same
    transaction. Their moments are in their Slack time zones (`zone_of`, asked before the
    transaction; None: the team's). Voters no longer among the channel's `members` are not
    reminded, nor waited for. None if it went out before or the poll is over."""
    name, now = due.key.rsplit(":", 1)[-1], due.now
    zones = await _zones(place.poll.voters, zone_of)
    async with svc.db.transaction() as store:
        workspace = place.team.workspace_id
        found = await reminders_due(
            store, workspace, place.poll.id, deadline, name, now, members, zones
        )
        if found is None:
            return None
        for reminder in found.reminders:
            voter = reminder.voter
            await outbox.enqueue(
                store, f"{due.key}:{voter}", workspace, now, channel=voter, **build(reminder)
            )
        if found.next is not None:
            await store.schedule(due.kind, due.key, found.next, dict(due.payload))
        return found


async def _zones(voters: Sequence[str], zone_of: ZoneOf | None) -> dict[str, ZoneInfo | None]:
    """The voters' time zones, as their Slack profiles name them (None: unknown)."""
    zones: dict[str, ZoneInfo | None] = {}
    for voter in voters if zone_of is not None else ():
        name = await zone_of(voter)
        try:
            zones[voter] = ZoneInfo(name) if name else None
        except (ValueError, ZoneInfoNotFoundError):
            zones[voter] = None
    return zones
