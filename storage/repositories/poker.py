"""Queries for planning poker (mixed into `Store`).

Votes are written with one upsert per (round, voter): a burst of clicks, retried deliveries
and changed minds all end as exactly one row each. A round's status only moves through
conditional updates (`... WHERE status IN (...)`), so of two people revealing or accepting at
the same moment exactly one wins, whatever the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain.poker import POSTING
from storage.models import (
    BacklogItem,
    EstimateRecord,
    PokerPoll,
    PokerRound,
    PokerVote,
    ScheduledJob,
    Team,
)
from storage.repositories.base import Repository


class PokerQueries(Repository):
    # -- polls -------------------------------------------------------------------------------

    async def add_poll(self, poll: PokerPoll) -> PokerPoll:
        self.session.add(poll)
        await self.session.flush()
        return poll

    async def poll(self, poll_id: int, *, lock: bool = False) -> PokerPoll | None:
        query = select(PokerPoll).where(PokerPoll.id == poll_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def close_poll(self, poll_id: int, now: datetime) -> bool:
        result = await self.session.execute(
            update(PokerPoll)
            .where(PokerPoll.id == poll_id, PokerPoll.status == "open")
            .values(status="closed", closed_at=now)
        )
        return bool(result.rowcount)

    async def open_polls(self, team_id: int) -> Sequence[PokerPoll]:
        """The team's polls still open, oldest first."""
        result = await self.session.scalars(
            select(PokerPoll)
            .where(PokerPoll.team_id == team_id, PokerPoll.status == "open")
            .order_by(PokerPoll.id)
        )
        return result.all()

    async def open_async_polls(
        self, workspace_id: str, *, lock: bool = False
    ) -> list[tuple[PokerPoll, Team]]:
        """The workspace's open async polls with their teams, by id; `lock` holds their rows
        until commit, always taken in id order (so two reminders never wait on each other)."""
        query = (
            select(PokerPoll, Team)
            .join(Team, Team.id == PokerPoll.team_id)
            .where(
                Team.workspace_id == workspace_id,
                PokerPoll.status == "open",
                PokerPoll.mode == "async",
            )
            .order_by(PokerPoll.id)
        )
        if lock:
            query = query.with_for_update(of=PokerPoll)
        found = await self.session.execute(query.execution_options(populate_existing=True))
        return [(poll, team) for poll, team in found.all()]

    async def delete_poll(self, poll_id: int) -> None:
        poll = await self.session.get(PokerPoll, poll_id)
        if poll is not None:
            await self.session.delete(poll)
            await self.session.flush()

    # -- rounds ------------------------------------------------------------------------------

    async def add_round(
        self,
        poll_id: int,
        item_number: int,
        number: int,
        now: datetime,
        deadline: datetime | None,
        status: str = "voting",
    ) -> PokerRound:
        """A new round; `status` other than voting: one closed as it opens (withdrawn)."""
        round_ = PokerRound(
            poll_id=poll_id,
            item_number=item_number,
            number=number,
            status=status,
            started_at=now,
            deadline=deadline,
        )
        self.session.add(round_)
        await self.session.flush()
        return round_

    async def poker_round(self, round_id: int, *, lock: bool = False) -> PokerRound | None:
        """A round; `lock` holds its row until commit (PostgreSQL: FOR UPDATE; SQLite's
        transactions hold the write lock from their start anyway)."""
        query = select(PokerRound).where(PokerRound.id == round_id)
        if lock:
            query = query.with_for_update()
        return await self.session.scalar(query.execution_options(populate_existing=True))

    async def poker_round_in_team(
        self, round_id: int, team_id: int, *, lock: bool = False
    ) -> tuple[PokerRound, PokerPoll] | None:
        """A round with its poll, if the poll is this team's: a button's round id is only
        ever looked up inside the team (workspace and channel) the click comes from. `lock`
        holds the poll's row, then the round's, until commit (``_round_locked``)."""
        query = (
            select(PokerRound, PokerPoll)
            .join(PokerPoll, PokerPoll.id == PokerRound.poll_id)
            .where(PokerRound.id == round_id, PokerPoll.team_id == team_id)
        )
        if lock:
            query = query.with_for_update(of=PokerPoll)
        found = (
            await self.session.execute(query.execution_options(populate_existing=True))
        ).first()
        return await self._round_locked(found[0], found[1], lock) if found is not None else None

    async def poker_round_in_channel(
        self, round_id: int, workspace_id: str, channel_id: str, *, lock: bool = False
    ) -> tuple[PokerRound, PokerPoll] | None:
        """`poker_round_in_team` by the team's workspace and channel (the team row is neither
        loaded nor locked). `lock`: a vote's, the poll's row shared (FOR SHARE: votes of its
        other rounds go on, what changes the poll waits, and the poll read is the one stored
        now), then the round's, until commit (``_round_locked``)."""
        query = _ROUND_IN_CHANNEL_LOCKED if lock else _ROUND_IN_CHANNEL
        where = {"round_id": round_id, "workspace": workspace_id, "channel": channel_id}
        found = (await self.session.execute(query, where)).first()
        return await self._round_locked(found[0], found[1], lock) if found is not None else None

    async def _round_locked(
        self, round_: PokerRound, poll: PokerPoll, lock: bool
    ) -> tuple[PokerRound, PokerPoll]:
        """The round of a poll just locked (`lock`) with its row locked too, read again: the
        poll's row before the round's, the order every transaction locking both takes
        (`settle_present` changes the poll, then its rounds), lest two deadlock on PostgreSQL;
        and a vote that waited counts against the poll as it is now, not as it was before."""
        if not lock:
            return round_, poll
        return await self.poker_round(round_.id, lock=True) or round_, poll

    async def rounds(self, poll_id: int) -> Sequence[PokerRound]:
        result = await self.session.scalars(
            select(PokerRound)
            .where(PokerRound.poll_id == poll_id)
            .order_by(PokerRound.item_number, PokerRound.number)
            .execution_options(populate_existing=True)
        )
        return result.all()

    async def rounds_in(self, poll_ids: Sequence[int]) -> Sequence[PokerRound]:
        """The rounds of several polls, by poll, item and round number."""
        if not poll_ids:
            return []
        result = await self.session.scalars(
            select(PokerRound)
            .where(PokerRound.poll_id.in_(poll_ids))
            .order_by(PokerRound.poll_id, PokerRound.item_number, PokerRound.number)
            .execution_options(populate_existing=True)
        )
        return result.all()

    async def latest_item_round(self, team_id: int, item_number: int) -> int | None:
        """The id of the newest round of any of the team's polls on an item, if it has one."""
        return await self.session.scalar(
            select(func.max(PokerRound.id))
            .join(PokerPoll, PokerPoll.id == PokerRound.poll_id)
            .where(PokerPoll.team_id == team_id, PokerRound.item_number == item_number)
        )

    async def move_round(
        self, round_id: int, before: Sequence[str], after: str, **values: Any
    ) -> bool:
        """Moves a round from one of the `before` statuses to `after`; False if it was not."""
        result = await self.session.execute(
            update(PokerRound)
            .where(PokerRound.id == round_id, PokerRound.status.in_(before))
            .values(status=after, **values)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)

    async def claim_result(self, round_id: int) -> bool:
        """The right to post a revealed round's result, taken once."""
        result = await self.session.execute(
            update(PokerRound)
            .where(PokerRound.id == round_id, PokerRound.result_ts.is_(None))
            .values(result_ts=POSTING)
            .execution_options(synchronize_session="fetch")
        )
        return bool(result.rowcount)

    async def set_result(self, round_id: int, ts: str | None) -> None:
        await self.session.execute(
            update(PokerRound)
            .where(PokerRound.id == round_id)
            .values(result_ts=ts)
            .execution_options(synchronize_session="fetch")
        )

    async def waiting_sync(self, kind: str, prefix: str) -> ScheduledJob | None:
        """A poll's pending, unclaimed sync job (under `prefix`), if there is one."""
        return await self.session.scalar(
            select(ScheduledJob)
            .where(
                ScheduledJob.kind == kind,
                ScheduledJob.key.startswith(prefix, autoescape=True),
                ScheduledJob.done_at.is_(None),
                ScheduledJob.claimed_by.is_(None),
            )
            .order_by(ScheduledJob.due_at)
            .limit(1)
        )

    # -- votes -------------------------------------------------------------------------------

    async def upsert_votes(
        self, round_id: int, votes: dict[str, tuple[str, str]], now: datetime
    ) -> None:
        """One row per round and voter (voter: card and reason), in one statement: a first
        vote inserts, a later one replaces it."""
        if not votes:
            return
        rows = [
            {"round_id": round_id, "voter": voter, "card": card, "reason": reason, "at": now}
            for voter, (card, reason) in votes.items()
        ]
        await self.session.execute(_UPSERT_VOTE[self.session.bind.dialect.name], rows)

    async def delete_vote(self, round_id: int, voter: str) -> None:
        await self.session.execute(
            delete(PokerVote).where(PokerVote.round_id == round_id, PokerVote.voter == voter)
        )

    async def cards_of(self, round_id: int) -> dict[str, str]:
        """A round's votes so far, voter: card (to count a vote; never to show before the
        reveal)."""
        found = await self.session.execute(_CARDS, {"round_id": round_id})
        return {voter: card for voter, card in found.all()}

    async def votes_of(self, round_id: int) -> dict[str, tuple[str, str]]:
        """A round's votes so far, voter: card and reason (to count a vote, which keeps the
        vote it replaces should it be taken back; never to show before the reveal)."""
        found = await self.session.execute(_VOTES_SO_FAR, {"round_id": round_id})
        return {voter: (card, reason) for voter, card, reason in found.all()}

    async def voters_in(self, round_ids: Sequence[int]) -> dict[int, list[str]]:
        """Who has voted in each round: names only, never the cards (what a poll may show)."""
        found: dict[int, list[str]] = {round_id: [] for round_id in round_ids}
        if not round_ids:
            return found
        result = await self.session.execute(
            select(PokerVote.round_id, PokerVote.voter)
            .where(PokerVote.round_id.in_(round_ids))
            .order_by(PokerVote.voted_at, PokerVote.id)
        )
        for round_id, voter in result.all():
            found[round_id].append(voter)
        return found

    async def ballots(self, round_ids: Sequence[int]) -> dict[int, list[PokerVote]]:
        """The votes with their cards and reasons: for revealed rounds only."""
        found: dict[int, list[PokerVote]] = {round_id: [] for round_id in round_ids}
        if not round_ids:
            return found
        result = await self.session.scalars(
            select(PokerVote)
            .where(PokerVote.round_id.in_(round_ids))
            .order_by(PokerVote.voted_at, PokerVote.id)
        )
        for vote in result.all():
            found[vote.round_id].append(vote)
        return found

    # -- estimates ---------------------------------------------------------------------------

    def add_estimate(self, record: EstimateRecord) -> None:
        self.session.add(record)

    async def estimates(self, item_id: int) -> Sequence[EstimateRecord]:
        result = await self.session.scalars(
            select(EstimateRecord)
            .where(EstimateRecord.item_id == item_id)
            .order_by(EstimateRecord.accepted_at.desc(), EstimateRecord.id.desc())
        )
        return result.all()

    async def unestimated(self, team_id: int, limit: int) -> Sequence[BacklogItem]:
        """The top items of the backlog that have no estimate yet."""
        result = await self.session.scalars(
            select(BacklogItem)
            .where(
                BacklogItem.team_id == team_id,
                BacklogItem.archived_at.is_(None),
                BacklogItem.status != "done",
                BacklogItem.estimate.is_(None),
            )
            .order_by(BacklogItem.rank, BacklogItem.number)
            .limit(limit)
        )
        return result.all()


# -- a vote's statements, built once (a burst runs them a hundred times a second) -------------

_VOTES: Table = PokerVote.__table__  # type: ignore[assignment]
_ROUND_IN_CHANNEL = (
    select(PokerRound, PokerPoll)
    .join(PokerPoll, PokerPoll.id == PokerRound.poll_id)
    .join(Team, Team.id == PokerPoll.team_id)
    .where(
        PokerRound.id == bindparam("round_id"),
        Team.workspace_id == bindparam("workspace"),
        Team.channel_id == bindparam("channel"),
    )
    .execution_options(populate_existing=True)
)
_ROUND_IN_CHANNEL_LOCKED = _ROUND_IN_CHANNEL.with_for_update(of=PokerPoll, read=True)
_CARDS = select(_VOTES.c.voter, _VOTES.c.card).where(_VOTES.c.round_id == bindparam("round_id"))
_VOTES_SO_FAR = select(_VOTES.c.voter, _VOTES.c.card, _VOTES.c.reason).where(
    _VOTES.c.round_id == bindparam("round_id")
)


def _upsert_vote(insert: Any) -> Any:
    """One vote's row, inserted or replacing the voter's card in the round."""
    statement = insert(_VOTES).values(
        round_id=bindparam("round_id"),
        voter=bindparam("voter"),
        card=bindparam("card"),
        reason=bindparam("reason"),
        voted_at=bindparam("at"),
    )
    return statement.on_conflict_do_update(
        index_elements=[_VOTES.c.round_id, _VOTES.c.voter],
        set_={
            "card": statement.excluded.card,
            "reason": statement.excluded.reason,
            "voted_at": statement.excluded.voted_at,
        },
    )


_UPSERT_VOTE = {
    "sqlite": _upsert_vote(sqlite.insert),
    "postgresql": _upsert_vote(postgresql.insert),
}
