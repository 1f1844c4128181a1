"""Planning poker: polls, rounds and votes, who votes, who decides, and async deadlines.

A poll is a queue of backlog items estimated in one channel message. A live poll votes on one
item at a time; an async poll opens every item at once until a deadline, for teams across
time zones. Everything lives in the database (a restart loses no vote, and any button of any
poll works without memory of it), and a round's votes are never handed out before its reveal:
`board()` gives who voted, only `result()` gives what they voted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import backlog
from bot.domain.decks import Ballot, Deck, Tally, parse_deck, parse_tshirt, tally
from bot.domain.errors import NotAllowed, UserError
from bot.domain.teams import Roles
from storage.models import BacklogItem, EstimateRecord, PokerPoll, PokerRound, Team
from storage.repositories import Store

KIND_DEADLINE = "poker_deadline"
KIND_NUDGE = "poker_nudge"
KIND_VOTE = "poker_vote"  # a vote stored before its ack, counted once
DEFAULT_POLL = timedelta(hours=24)
MIN_POLL = timedelta(minutes=10)
MAX_POLL = timedelta(days=14)
LAST_CALL = timedelta(hours=1)
MAX_ITEMS = 10
REASON_MAX = 500
SETTLED = ("accepted", "skipped")


# -- settings ---------------------------------------------------------------------------------


def team_deck(team: Team) -> Deck:
    return Deck.from_data(team.poker)


def set_deck(team: Team, words: Sequence[str]) -> Deck:
    """Sets the channel's deck from `/poker deck ...`; running polls keep theirs."""
    deck = parse_deck(" ".join(words), team_deck(team).tshirt)
    team.poker = deck.to_data()
    return deck


def set_tshirt(team: Team, words: Sequence[str]) -> Deck:
    current = team_deck(team)
    table = parse_tshirt(words, current.tshirt)
    deck = Deck(current.name, current.cards, table)
    team.poker = deck.to_data()
    return deck


# -- deadlines --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Until:
    """`until fri 17:00`, `until 17:00`, `until tomorrow 9:00`, `until 2026-03-06 12:00`."""

    at: time | None = None
    weekday: int | None = None  # 0 = Monday
    day: date | None = None
    tomorrow: bool = False


def resolve_deadline(
    now: datetime, zone: ZoneInfo, duration: timedelta | None = None, until: Until | None = None
) -> datetime:
    """The UTC deadline of an async poll; `until` is read in the team's time zone."""
    if until is None:
        deadline = now + (duration or DEFAULT_POLL)
    else:
        local = now.astimezone(zone)
        at = until.at or time(17, 0)
        if until.day is not None:
            # Far-off days are refused here: a year-9999 date would overflow in UTC below.
            if until.day < local.date():
                raise UserError("That time has passed: give one in the future.")
            if until.day > local.date() + MAX_POLL + timedelta(days=1):
                raise UserError("A poll can run 14 days at most.")
            day = until.day
        elif until.weekday is not None:
            day = local.date() + timedelta(days=(until.weekday - local.weekday()) % 7)
        else:
            day = local.date() + timedelta(days=1 if until.tomorrow else 0)
        deadline = datetime.combine(day, at, tzinfo=zone)
        if deadline <= local and until.day is None:
            deadline = datetime.combine(
                day + timedelta(days=7 if until.weekday is not None else 1), at, tzinfo=zone
            )
        deadline = deadline.astimezone(UTC)
    if deadline <= now:
        raise UserError("That time has passed: give one in the future.")
    if deadline - now < MIN_POLL:
        raise UserError("Give the team at least 10 minutes to vote.")
    if deadline - now > MAX_POLL:
        raise UserError("A poll can run 14 days at most.")
    return deadline.replace(microsecond=0)


def nudge_times(start: datetime, deadline: datetime) -> list[tuple[str, datetime]]:
    """Reminders of an async poll: at half time, and an hour before the deadline."""
    span = deadline - start
    half = start + span / 2
    last = deadline - min(LAST_CALL, span / 4)
    times = [("half", half)]
    if last > half:
        times.append(("last", last))
    return times


def job_key(poll_id: int, deadline: datetime, name: str) -> str:
    return f"poker:{poll_id}:{deadline:%Y%m%dT%H%M%S}:{name}"


async def _schedule(store: Store, poll: PokerPoll, start: datetime, deadline: datetime) -> None:
    payload = {"poll_id": poll.id, "deadline": deadline.isoformat()}
    await store.schedule(
        KIND_DEADLINE, job_key(poll.id, deadline, "deadline"), deadline, dict(payload)
    )
    for name, when in nudge_times(start, deadline):
        await store.schedule(KIND_NUDGE, job_key(poll.id, deadline, name), when, dict(payload))


# -- who votes, who decides -------------------------------------------------------------------


def expected_voters(
    roles: Roles,
    members: Iterable[str],
    *,
    with_roles: Sequence[str] = (),
    named: Sequence[str] = (),
    exclude: Iterable[str] = (),
) -> list[str]:
    """The voters of a poll: named people, or the channel's Developers; the PO and Scrum
    Masters watch unless asked in (`with po`, `with sm`)."""
    base = list(named) if named else roles.developers(members)
    if "po" in with_roles:
        base += roles.po
    if "sm" in with_roles:
        base += roles.sm
    left_out = set(exclude)
    return [user for user in dict.fromkeys(base) if user not in left_out]


def voters_note(with_roles: Sequence[str] = (), named: bool = False, group: str = "") -> str:
    """How the voters were chosen, in words for the poll and for a refused click."""
    if group:
        who = f"the members of {group}"
    elif named:
        who = "the people the facilitator named"
    else:
        who = "the channel's Developers"
    extra = [
        title
        for role, title in (("po", "Product Owner"), ("sm", "Scrum Master"))
        if role in with_roles
    ]
    return who + "".join(f" and the {title}" for title in extra)


def facilitators(poll: PokerPoll, roles: Roles) -> tuple[str, ...]:
    return tuple(dict.fromkeys((poll.facilitator, *roles.sm)))


def require_facilitator(poll: PokerPoll, team: Team, user: str, action: str) -> None:
    """The starter of a poll or a Scrum Master runs it: reveals, re-votes and accepts."""
    holders = facilitators(poll, Roles.of(team))
    if user not in holders:
        raise NotAllowed(
            f"Only the facilitator of this poll (who started it) or a Scrum Master can {action}.",
            holders,
        )


def not_a_voter(poll: PokerPoll, team: Team, user: str) -> NotAllowed:
    message = f"Your vote was not counted: the voters of this poll are {poll.voters_note}."
    roles = Roles.of(team)
    if not poll.voters_note.startswith("the people") and roles.has(user, "po", "sm"):
        message += (
            " The Product Owner and Scrum Master watch unless the poll is started "
            "`with po` or `with sm`."
        )
    return NotAllowed(message, (poll.facilitator,))


# -- starting ---------------------------------------------------------------------------------


async def start_poll(
    store: Store,
    team: Team,
    *,
    mode: str,
    numbers: Sequence[int],
    facilitator: str,
    voters: Sequence[str],
    note: str,
    now: datetime,
    deadline: datetime | None = None,
) -> PokerPoll:
    """A live round (the first item of the queue) or an async poll (every item, one deadline)."""
    numbers = list(dict.fromkeys(numbers))
    if not numbers:
        raise UserError("Say which items to estimate, e.g. `/poker 12 14`.")
    if len(numbers) > MAX_ITEMS:
        raise UserError(f"Estimate {MAX_ITEMS} items at most in one poll.")
    for number in numbers:
        item = await backlog.get_item(store, team, number)
        status = backlog.status_of(item)
        if status in ("done", "archived"):
            raise UserError(f"#{number} is {status}: only items on the backlog get estimated.")
    if not voters:
        raise UserError(
            "Nobody would vote: this channel has no Developers besides the Product Owner and "
            "Scrum Master. Name the voters (`/poker 12 voters @a @b`) or add them "
            "(`/poker 12 with po`)."
        )
    if mode == "async" and deadline is None:
        deadline = now + DEFAULT_POLL
    poll = PokerPoll(
        team_id=team.id,
        mode=mode,
        status="open",
        facilitator=facilitator,
        items=numbers,
        deck=team_deck(team).to_data(),
        voters=list(voters),
        voters_note=note,
        deadline=deadline,
        duration_s=int((deadline - now).total_seconds()) if deadline else None,
        nudges=[],
        created_at=now,
    )
    await store.add_poll(poll)
    for number in numbers if mode == "async" else numbers[:1]:
        await store.add_round(poll.id, number, 1, now, deadline)
    if deadline is not None:
        await _schedule(store, poll, now, deadline)
    return poll


# -- voting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    poll: PokerPoll
    round: PokerRound
    card: str
    previous: str | None  # the voter's card before, if they changed it
    revealed: bool  # this vote was the last one expected: the round is revealed


async def _round(
    store: Store, round_id: int, *, lock: bool = False
) -> tuple[PokerRound, PokerPoll]:
    round_ = await store.poker_round(round_id, lock=lock)
    poll = await store.poll(round_.poll_id) if round_ is not None else None
    if round_ is None or poll is None:
        raise UserError("That poll is gone: start a new one with `/poker <n>`.")
    return round_, poll


def _closed(round_: PokerRound) -> UserError:
    state = {"revealed": "the votes are revealed", "revoted": "a new round has started"}.get(
        round_.status, "the estimate is settled"
    )
    return UserError(f"Voting on #{round_.item_number} (round {round_.number}) is closed: {state}.")


async def check_voter(store: Store, team: Team, round_id: int, voter: str) -> PokerRound:
    """Before opening the reason form: may this person vote in this round now?"""
    round_, poll = await _round(store, round_id)
    if round_.status != "voting":
        raise _closed(round_)
    if voter not in poll.voters:
        raise not_a_voter(poll, team, voter)
    return round_


async def cast_vote(
    store: Store, team: Team, round_id: int, voter: str, card: str, reason: str, now: datetime
) -> Cast:
    """Records or changes a vote; reveals the round when every expected voter has voted.

    The round's row is locked for the transaction, so a vote and a reveal never cross: a
    vote either lands before the reveal (and is counted) or is refused after it.
    """
    round_, poll = await _round(store, round_id, lock=True)
    if round_.status != "voting":
        raise _closed(round_)
    if voter not in poll.voters:
        raise not_a_voter(poll, team, voter)
    card = Deck.from_data(poll.deck).card(card)
    reason = " ".join(reason.split())[:REASON_MAX]
    before = await store.vote_of(round_.id, voter)
    previous = before.card if before is not None and before.card != card else None
    await store.upsert_vote(round_.id, voter, card, reason, now)
    revealed = False
    if await store.vote_count(round_.id) >= len(poll.voters):
        revealed = await store.move_round(
            round_.id, ("voting",), "revealed", revealed_at=now, reveal_reason="all voted"
        )
    return Cast(poll, round_, card, previous, revealed)


async def reveal(store: Store, team: Team, round_id: int, user: str, now: datetime) -> PokerRound:
    """The facilitator reveals before everyone has voted."""
    round_, poll = await _round(store, round_id, lock=True)
    require_facilitator(poll, team, user, "reveal the votes")
    if round_.status != "voting":
        raise _closed(round_)
    await store.move_round(
        round_.id, ("voting",), "revealed", revealed_at=now, revealed_by=user, reveal_reason="early"
    )
    return round_


async def revote(store: Store, team: Team, round_id: int, user: str, now: datetime) -> PokerRound:
    """A new round on the same item after a discussion; the old one is kept as it was."""
    round_, poll = await _round(store, round_id, lock=True)
    require_facilitator(poll, team, user, "start a re-vote")
    if round_.status == "voting":
        raise UserError(f"Round {round_.number} of #{round_.item_number} is still open.")
    if not await store.move_round(round_.id, ("revealed",), "revoted", decided_by=user):
        raise _closed(round_)
    deadline = None
    if poll.mode == "async":
        # The re-vote gets as long as the first round had.
        deadline = (now + timedelta(seconds=poll.duration_s or 0)).replace(microsecond=0)
        await _schedule(store, poll, now, deadline)
    return await store.add_round(poll.id, round_.item_number, round_.number + 1, now, deadline)


@dataclass(frozen=True)
class Decision:
    poll: PokerPoll
    round: PokerRound
    card: str | None  # None: skipped
    points: float | None
    next_round: PokerRound | None  # live polls: the next item's round
    closed: bool  # every item of the poll is settled


async def decide(
    store: Store, team: Team, round_id: int, user: str, card: str | None, now: datetime
) -> Decision:
    """Accepts a card as the item's estimate (or skips the item, with None).

    The estimate goes through `backlog.edit_item`, so the item's history and readiness see
    it; the rounds that led to it are kept as an estimate record.
    """
    round_, poll = await _round(store, round_id, lock=True)
    require_facilitator(poll, team, user, "accept an estimate")
    if round_.status == "voting":
        raise UserError("Reveal the votes first.")
    if round_.status != "revealed":
        raise _closed(round_)
    deck = Deck.from_data(poll.deck)
    points = None
    if card is not None:
        card = deck.card(card)
        points = deck.points(card)
        if points is None:
            raise UserError("`?` and the break card are not estimates: pick a number card.")
    status = "accepted" if card is not None else "skipped"
    if not await store.move_round(
        round_.id, ("revealed",), status, decided_by=user, decided_card=card
    ):
        raise _closed(round_)
    if card is not None and points is not None:
        await backlog.edit_item(store, team, round_.item_number, {"estimate": points}, user, now)
        item = await backlog.get_item(store, team, round_.item_number)
        store.add_estimate(
            EstimateRecord(
                item_id=item.id,
                poll_id=poll.id,
                card=card,
                points=points,
                deck=deck.name,
                accepted_by=user,
                accepted_at=now,
                rounds=await _snapshot(store, poll.id, round_.item_number),
            )
        )
    next_round = None
    rounds = await store.rounds(poll.id)
    latest = {r.item_number: r for r in rounds}
    if poll.mode == "live":
        waiting = [n for n in poll.items if n not in latest]
        if waiting:
            next_round = await store.add_round(poll.id, waiting[0], 1, now, None)
    closed = next_round is None and all(
        n in latest and latest[n].status in SETTLED for n in poll.items
    )
    if closed:
        await store.close_poll(poll.id, now)
        await store.cancel_prefix(f"poker:{poll.id}:")
    return Decision(poll, round_, card, points, next_round, closed)


async def _snapshot(store: Store, poll_id: int, number: int) -> list[dict[str, object]]:
    rounds = [r for r in await store.rounds(poll_id) if r.item_number == number]
    ballots = await store.ballots([r.id for r in rounds])
    return [
        {
            "number": r.number,
            "revealed_by": r.revealed_by,
            "reveal_reason": r.reveal_reason,
            "votes": [
                {"voter": v.voter, "card": v.card, "reason": v.reason} for v in ballots[r.id]
            ],
        }
        for r in rounds
    ]


# -- deadlines and nudges ---------------------------------------------------------------------


async def expire(store: Store, poll_id: int, now: datetime) -> list[PokerRound]:
    """Reveals every round of an async poll whose deadline has passed (once: a second run
    finds nothing left to reveal)."""
    poll = await store.poll(poll_id)
    if poll is None:
        return []
    revealed = []
    for round_ in await store.rounds(poll_id):
        due = round_.status == "voting" and round_.deadline is not None and round_.deadline <= now
        if due and await store.move_round(
            round_.id, ("voting",), "revealed", revealed_at=now, reveal_reason="deadline"
        ):
            revealed.append(round_)
    return revealed


async def unposted(store: Store, poll_id: int) -> list[PokerRound]:
    """Revealed rounds whose result never reached the thread (say, Slack failed)."""
    return [r for r in await store.rounds(poll_id) if r.revealed_at and r.result_ts is None]


async def nudge(
    store: Store, poll_id: int, deadline: datetime, name: str
) -> tuple[PokerPoll, dict[str, list[int]]] | None:
    """Who still owes a vote (voter: item numbers) for this deadline, once per reminder.

    Returns None when the reminder went out already (a job that ran twice) or the poll is
    over; an empty dict when everyone has voted.
    """
    poll = await store.poll(poll_id, lock=True)
    key = job_key(poll_id, deadline, name)
    if poll is None or poll.status != "open" or key in poll.nudges:
        return None
    open_rounds = [
        r
        for r in await store.rounds(poll_id)
        if r.status == "voting" and r.deadline is not None and r.deadline == deadline
    ]
    voted = await store.voters_in([r.id for r in open_rounds])
    owed: dict[str, list[int]] = {}
    for round_ in open_rounds:
        for voter in poll.voters:
            if voter not in voted[round_.id]:
                owed.setdefault(voter, []).append(round_.item_number)
    poll.nudges = [*poll.nudges, key]
    return poll, owed


# -- what the poll shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One item of a poll as the channel may see it: who voted, never what, until reveal."""

    number: int
    title: str
    round: PokerRound | None
    voted: tuple[str, ...]
    waiting: tuple[str, ...]
    tally: Tally | None  # only once revealed


@dataclass(frozen=True)
class Board:
    poll: PokerPoll
    deck: Deck
    rows: tuple[Row, ...]

    @property
    def current(self) -> Row | None:
        """A live poll's item under discussion: the first one not settled."""
        return next(
            (r for r in self.rows if r.round is not None and r.round.status not in SETTLED), None
        )


async def board(store: Store, poll: PokerPoll) -> Board:
    deck = Deck.from_data(poll.deck)
    items = {i.number: i for i in await store.items_by_number(poll.team_id, poll.items)}
    latest = {r.item_number: r for r in await store.rounds(poll.id)}
    voting = [r.id for r in latest.values() if r.status == "voting"]
    done = [r.id for r in latest.values() if r.status != "voting"]
    voted = await store.voters_in(voting)
    ballots = await store.ballots(done)
    rows = []
    for number in poll.items:
        round_ = latest.get(number)
        names: tuple[str, ...] = ()
        result = None
        if round_ is not None and round_.status == "voting":
            names = tuple(v for v in voted[round_.id] if v in poll.voters)
        elif round_ is not None:
            result = tally(deck, [Ballot(v.voter, v.card, v.reason) for v in ballots[round_.id]])
        rows.append(
            Row(
                number=number,
                title=_title(items.get(number), number),
                round=round_,
                voted=names,
                waiting=tuple(v for v in poll.voters if v not in names),
                tally=result,
            )
        )
    return Board(poll, deck, tuple(rows))


def _title(item: BacklogItem | None, number: int) -> str:
    return item.title if item is not None else f"item #{number}"


@dataclass(frozen=True)
class Result:
    """A revealed round: its tally, and whether and how it was settled."""

    poll: PokerPoll
    round: PokerRound
    title: str
    tally: Tally
    rounds: int  # how many rounds this item has had in the poll


async def result(store: Store, round_id: int) -> Result:
    round_, poll = await _round(store, round_id)
    if round_.revealed_at is None:
        raise UserError("The votes of this round are not revealed yet.")
    deck = Deck.from_data(poll.deck)
    ballots = (await store.ballots([round_.id]))[round_.id]
    items = await store.items_by_number(poll.team_id, [round_.item_number])
    return Result(
        poll=poll,
        round=round_,
        title=_title(items[0] if items else None, round_.item_number),
        tally=tally(deck, [Ballot(v.voter, v.card, v.reason) for v in ballots]),
        rounds=sum(1 for r in await store.rounds(poll.id) if r.item_number == round_.item_number),
    )


async def history(
    store: Store, team: Team, number: int
) -> tuple[BacklogItem, Sequence[EstimateRecord]]:
    item = await backlog.get_item(store, team, number)
    return item, await store.estimates(item.id)
