"""Who an open poll waits for, as the team changes under it: voters who left the channel
(`leave_rounds`), lost the role the poll chose them by (`roles_changed`, after a change of
roles), and items a new poll takes over from an abandoned live one (`take_over`). Each change
reveals the open rounds everyone still waited for has voted in (not one past its deadline,
which the deadline's job reveals as the poll closed), and asks for the poll to be shown again
(`sync_at`: its board, and results never posted)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from bot.domain import poker
from bot.domain.teams import Roles
from bot.usecases.poker_board import sync_at
from storage.models import PokerPoll, PokerRound, Team
from storage.repositories import Store


async def leave_rounds(
    store: Store, poll: PokerPoll, gone: Collection[str], now: datetime
) -> list[PokerRound]:
    """The poll (locked) waits no more for `gone`, who left the channel: the open rounds
    every voter left has voted in are revealed, and returned."""
    poker.leave(poll, gone)
    return await _reveal_complete(store, poll, now)


async def _reveal_complete(store: Store, poll: PokerPoll, now: datetime) -> list[PokerRound]:
    """Reveals the poll's open rounds every voter it waits for has voted in, but those past
    their deadline, which its job reveals as the poll closed (`poker.complete`)."""
    revealed = []
    for round_ in poker.latest_rounds(await store.rounds(poll.id)).values():
        if round_.status != "voting" or await store.poker_round(round_.id, lock=True) is None:
            continue
        voted = await store.cards_of(round_.id)
        if poker.complete(round_, poll, voted, now) and await store.move_round(
            round_.id, ("voting",), "revealed", **poker.reveal_fields(poll, now, "all voted")
        ):
            revealed.append(round_)
    return revealed


async def roles_changed(store: Store, team: Team, now: datetime) -> None:
    """After a change of the team's roles (in its transaction): the open polls whose voters
    were chosen by role wait no more for those who lost it (`poker.no_longer_voters`), and are
    shown again. Someone who gained it joins an async poll with their first vote
    (`poker.may_join`); a live round keeps the voters it started with."""
    roles = Roles.of(team)
    for found in await store.open_polls(team.id):
        if not poker.no_longer_voters(found, roles):
            continue
        poll = await store.poll(found.id, lock=True)
        gone = poker.no_longer_voters(poll, roles) if poll is not None else []
        if poll is None or not gone:
            continue
        poker.drop(poll, gone)
        await _reveal_complete(store, poll, now)
        await sync_at(store, poll.id, [], now)


async def take_over(
    store: Store,
    polls: Sequence[tuple[PokerPoll, Mapping[int, PokerRound]]],
    numbers: Collection[int],
    now: datetime,
) -> None:
    """A new poll takes `numbers` over from the team's abandoned live polls (`polls`, each
    with its latest rounds): their rounds on them are withdrawn as TAKEN_OVER, and the polls
    shown again, so their cards and Accept buttons go and a click left on them is refused
    (`poker.closed`). A poll left with nothing to decide closes."""
    for poll, latest in polls:
        taken = poker.taken_from(poll, latest, numbers, now)
        moved = []
        for round_ in taken:
            if await store.move_round(
                round_.id,
                ("voting", "revealed"),
                poker.WITHDRAWN,
                reveal_reason=poker.TAKEN_OVER,
            ):
                moved.append(round_)
        if not moved:
            continue
        shown = [r.id for r in moved if r.revealed_at is not None]
        if poker.all_settled(poll, poker.latest_rounds(await store.rounds(poll.id))):
            await store.close_poll(poll.id, now)
            await store.cancel_prefix(f"poker:{poll.id}:")
        await sync_at(store, poll.id, shown, now)
