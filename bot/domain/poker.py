"""Planning poker's rules: polls, rounds and votes, who votes, who decides, async deadlines.

A poll is a queue of backlog items estimated in one channel message. A live poll votes on one
item at a time; an async poll opens every item at once until a deadline, for teams across
time zones. Everything lives in the database (bot/usecases/poker.py reads and writes it), so a
restart loses no vote and any button of any poll works without memory of it. A round's votes
are never handed out before its reveal: a `Board` carries who voted, only a `Result` what.

Nothing here reads or writes the database: these are the decisions, over rows given as data.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import backlog
from bot.domain.calendar import (
    is_working_day,
    working_days_between,
    zone,
)
from bot.domain.decks import Ballot, Deck, Tally, parse_deck, parse_tshirt, tally
from bot.domain.errors import NotAllowed, UserError
from bot.domain.estimate_scales import EstimateScale
from bot.domain.poker_items import (
    TAKEN_OVER,
    WITHDRAWN,
    deck_for,
    item_closed,
    off_backlog,
    off_words,
    poll_deck,
    taken_over,
)
from bot.domain.teams import Present, Roles, present
from bot.domain.text_limits import within
from storage.models import BacklogItem, PokerPoll, PokerRound, PokerVote, Team

KIND_DEADLINE = "poker_deadline"
KIND_NUDGE = "poker_nudge"
KIND_VOTE = "poker_vote"  # a vote stored before its ack, counted once
KIND_SYNC = "poker_sync"  # shows a poll's state again after Slack failed to take it
DEFAULT_POLL = timedelta(hours=24)
MIN_POLL = timedelta(minutes=10)
MAX_POLL = timedelta(days=14)
LAST_CALL = timedelta(hours=1)
PLAN_AFTER = timedelta(minutes=1)  # no reminder comes in a poll's first minute
LIVE_ABANDONED = timedelta(hours=12)  # a live poll untouched this long holds its items no more
MAX_ITEMS = 10
REASON_MAX = 500
SETTLED = ("accepted", "skipped", WITHDRAWN)
GONE = "That poll is gone: start a new one with `/poker <n>`."
ELSEWHERE = "That poker round belongs to another channel's team: nothing was changed."


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


def revote_deadline(poll: PokerPoll, team: Team, now: datetime) -> datetime | None:
    """An async re-vote of a poll that ran for days gets as many of the team's working days
    as the first round had, and closes at the first deadline's time of day, on a working day:
    the first round's length in hours would land it at night or over a weekend. One of a poll
    of a few hours gets as many hours again. A live one has no deadline."""
    if poll.mode != "async":
        return None
    if (poll.duration_s or 0) < timedelta(days=1).total_seconds():
        return (now + timedelta(seconds=poll.duration_s or 0)).replace(microsecond=0)
    tz = zone(team)
    started = poll.created_at.astimezone(tz)
    first = (poll.deadline or poll.created_at + timedelta(seconds=poll.duration_s or 0)).astimezone(
        tz
    )
    days = working_days_between(team, started.date(), first.date())
    day = now.astimezone(tz).date()
    for _ in range(MAX_POLL.days):
        if days <= 0 and is_working_day(team, day):
            deadline = datetime.combine(day, first.time(), tzinfo=tz).astimezone(UTC)
            if deadline - now >= MIN_POLL:
                return min(deadline, now + MAX_POLL).replace(microsecond=0)
        day += timedelta(days=1)
        days -= is_working_day(team, day)
    return (now + timedelta(seconds=poll.duration_s or 0)).replace(microsecond=0)  # no work days


# -- who votes, who decides -------------------------------------------------------------------


MEMBERS_UNKNOWN = (
    "Slack did not say who is in this channel, so I cannot tell who its Developers are. Try "
    "again in a moment, or name the voters (`/poker 12 voters @a @b`)."
)


def voters_present(
    roles: Roles,
    members: Collection[str] | None,
    with_roles: Sequence[str] = (),
    named: Sequence[str] = (),
    exclude: Iterable[str] = (),
) -> Present:
    """Whom a poll asks to vote, told apart by whether they are in the channel (`members`;
    None: Slack could not say, and everyone named votes)."""
    if not named and members is None and not roles.is_named("dev"):
        raise UserError(MEMBERS_UNKNOWN)
    base = list(named) if named else roles.developer_pool(members)
    if "po" in with_roles:
        base += roles.po
    if "sm" in with_roles:
        base += roles.sm
    left_out = set(exclude)
    return present([user for user in base if user not in left_out], members)


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


@dataclass(frozen=True)
class Invited:
    """Whom a poll's request asks to vote, as it named them and Slack listed them: people
    named, user groups named (their handles, and their members), the channel's members (None:
    Slack could not say); the roles asked in (`with po`, `with sm`); who never votes (the bot)."""

    named: Sequence[str] = ()
    groups: Sequence[str] = ()
    group_members: Sequence[str] = ()
    members: Sequence[str] | None = None
    with_roles: Sequence[str] = ()
    exclude: Sequence[str] = ()


def choose_voters(
    roles: Roles, invited: Invited, found: Present | None = None
) -> tuple[list[str], str]:
    """A poll's voters (`voters_present`, or `found` when the caller has it from
    `invited_present` already) and how they were chosen, in words (`voters_note`)."""
    voters = list((found or invited_present(roles, invited)).counted)
    note = voters_note(
        invited.with_roles, named=bool(invited.named), group=", ".join(invited.groups)
    )
    return voters, note


def roles_asked(invited: Invited) -> list[str] | None:
    """The roles a poll's voters are chosen by, kept on the poll (`PokerPoll.roles_asked`)
    for who may join it later (`may_join`): the channel's Developers, with the PO or the
    Scrum Master when asked; None for voters the facilitator named (people or user groups)."""
    if invited.named or invited.groups:
        return None
    return [role for role in ("po", "sm") if role in invited.with_roles]


def invited_present(roles: Roles, invited: Invited) -> Present:
    """Those `invited` who vote, and those named who do not, not being in the channel."""
    named = [*invited.named, *invited.group_members]
    return voters_present(roles, invited.members, invited.with_roles, named, invited.exclude)


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


class NotAVoter(NotAllowed):
    """A vote refused from someone who is not among the poll's voters. When the poll could
    take them (`joinable`: an open async poll whose rule they meet), whether they have joined
    the channel since it started (`may_join`) is asked of Slack after the ack, never before."""

    def __init__(self, message: str, holders: tuple[str, ...] = (), joinable: bool = False):
        super().__init__(message, holders)
        self.joinable = joinable


def not_a_voter(poll: PokerPoll, team: Team, user: str) -> NotAVoter:
    """A vote refused: who votes in this poll, and whom to ask to be let in (never the
    person refused: a facilitator who is not a voter is told how to start a poll they vote in)."""
    message = f"Your vote was not counted: the voters of this poll are {poll.voters_note}."
    roles = Roles.of(team)
    joinable = _open_to(poll) and _eligible(poll, roles, user)
    if not poll.voters_note.startswith("the people") and roles.has(user, "po", "sm"):
        message += (
            " The Product Owner and Scrum Master watch unless the poll is started "
            "`with po` or `with sm`."
        )
    if user == poll.facilitator:
        message += (
            " You facilitate it without a vote of your own: to vote as well, name yourself "
            "among the voters when you start a poll (`voters @you ...`)."
        )
        return NotAVoter(message, joinable=joinable)
    return NotAVoter(message, (poll.facilitator,), joinable)


# -- starting ---------------------------------------------------------------------------------


def queue(numbers: Sequence[int]) -> list[int]:
    """The items of a new poll, each once, in the order given."""
    unique = list(dict.fromkeys(numbers))
    if not unique:
        raise UserError("Say which items to estimate, e.g. `/poker 12 14`.")
    if len(unique) > MAX_ITEMS:
        raise UserError(f"Estimate {MAX_ITEMS} items at most in one poll.")
    return unique


class AlreadyPolled(UserError):
    """An item an open poll estimates already: a second poll would split its votes, so the
    new one is refused and the person is sent to the open one (`with_link`)."""

    def __init__(self, number: int, poll: PokerPoll) -> None:
        live = poll.mode == "live"
        kind = "planning poker round" if live else "estimation poll"
        hours = int(LIVE_ABANDONED.total_seconds() // 3600)
        left = f" A round left untouched for {hours} hours holds it no more." if live else ""
        restart = (
            "its facilitator or a Scrum Master clicks Reveal there (with votes or none), then "
            "Skip on the result"
            if live
            else "its facilitator or a Scrum Master clicks Skip on its result once it is revealed"
        )
        super().__init__(
            f"#{number} is being estimated already in an open {kind}: vote there rather than "
            f"start a second one, which would split the votes. To start over, {restart}.{left}"
        )
        self.number = number
        self.poll_id = poll.id
        self.message_ts = poll.message_ts

    def with_link(self, link: str | None) -> UserError:
        """The same refusal, with the open poll's address to follow."""
        return UserError(f"{self.message} Open it: {link}") if link else self


def abandoned(poll: PokerPoll, latest: Mapping[int, PokerRound], now: datetime) -> bool:
    """A live poll nobody has moved on for LIVE_ABANDONED was left behind."""
    if poll.mode != "live":
        return False
    started = max((r.started_at for r in latest.values()), default=poll.created_at)
    return now - started > LIVE_ABANDONED


def still_open(poll: PokerPoll, latest: Mapping[int, PokerRound], now: datetime) -> list[int]:
    """The items of an open poll that are not settled yet (queued ones included). An
    abandoned live poll (`abandoned`) holds none."""
    if poll.status != "open" or abandoned(poll, latest, now):
        return []
    return [n for n in poll.items if n not in latest or latest[n].status not in SETTLED]


def taken_from(
    poll: PokerPoll, latest: Mapping[int, PokerRound], numbers: Collection[int], now: datetime
) -> list[PokerRound]:
    """The rounds of an abandoned live poll (`abandoned`) on items a new poll takes over
    (`numbers`), open or revealed: withdrawn as TAKEN_OVER, so no click on the old round
    counts a vote or accepts an estimate beside the new poll's."""
    if poll.status != "open" or not abandoned(poll, latest, now):
        return []
    return [r for n, r in latest.items() if n in numbers and r.status in ("voting", "revealed")]


def is_taken_over(round_: PokerRound) -> bool:
    return round_.status == WITHDRAWN and round_.reveal_reason == TAKEN_OVER


def check_not_polled(
    numbers: Sequence[int],
    polls: Iterable[tuple[PokerPoll, Mapping[int, PokerRound]]],
    now: datetime,
) -> None:
    """Refuses a new poll on an item an open poll of the team is estimating (AlreadyPolled)."""
    wanted = set(numbers)
    for poll, latest in polls:
        clash = [n for n in still_open(poll, latest, now) if n in wanted]
        if clash:
            raise AlreadyPolled(clash[0], poll)


def check_estimable(item: BacklogItem) -> None:
    status = backlog.status_of(item)
    if status in ("done", "archived"):
        raise UserError(f"#{item.number} is {status}: only items on the backlog get estimated.")


@dataclass(frozen=True)
class PollRequest:
    """A poll asked for: live (one item at a time) or async (every item, one deadline), who
    votes and how the poll names them (`note`). Who facilitates is who asks."""

    mode: str
    numbers: Sequence[int]
    voters: Sequence[str]
    note: str
    deadline: datetime | None = None
    deadline_zone: str | None = None  # the team's zone a typed deadline was read in
    roles_asked: Sequence[str] | None = None  # `roles_asked`: None takes no newcomer
    outside: Sequence[str] = ()
    """People named (as voters, in a user group, for the Developer role) who are not in the
    channel, so they do not vote (`Present.outside`): when nobody else would, the refusal
    names them."""


NOBODY_VOTES = (
    "Nobody would vote: this channel has no Developers besides the Product Owner and "
    "Scrum Master. Name the voters (`/poker 12 voters @a @b`) or add them "
    "(`/poker 12 with po`)."
)


class VotersOutside(UserError):
    """A poll refused because everyone who would vote in it is outside the channel: the
    people named (as voters, in a user group, for the Developer role) are not its members,
    so they could not see the poll. `outside`: they (ids), whom the answer names
    (handlers/errors.py, `poker_voters_outside.md.j2`)."""

    def __init__(self, outside: Sequence[str]) -> None:
        self.outside = tuple(outside)
        super().__init__(
            "Nobody would vote: the people named are not members of this channel, so they "
            "cannot see its polls. Invite them to the channel, or name others."
        )


def new_poll(
    team: Team,
    request: PollRequest,
    facilitator: str,
    now: datetime,
    scales: Iterable[EstimateScale | None] = (),
) -> PokerPoll:
    """The poll asked for, not yet stored; its numbers come checked by `queue` and
    `check_estimable`, `scales` are its items' issues' (`deck_for`). Refused when nobody
    would vote: naming who was left out for not being in the channel (VotersOutside), if
    anyone was."""
    if not request.voters:
        raise VotersOutside(request.outside) if request.outside else UserError(NOBODY_VOTES)
    deadline = request.deadline
    if request.mode == "async" and deadline is None:
        deadline = now + DEFAULT_POLL
    return PokerPoll(
        team_id=team.id,
        mode=request.mode,
        status="open",
        facilitator=facilitator,
        items=list(request.numbers),
        deck=deck_for(team_deck(team), scales),
        voters=list(request.voters),
        voters_note=request.note,
        roles_asked=None if request.roles_asked is None else list(request.roles_asked),
        deadline=deadline,
        # to the second: a deadline is kept in whole seconds, the start is not (86399 for a
        # day would make its re-vote a short poll's, `revote_deadline`)
        duration_s=round((deadline - now).total_seconds()) if deadline else None,
        deadline_zone=request.deadline_zone,
        nudges=[],
        created_at=now,
    )


def opening(poll: PokerPoll) -> list[int]:
    """The items whose first round opens with the poll: all of an async poll's, else one."""
    return list(poll.items) if poll.mode == "async" else list(poll.items[:1])


# -- voting -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    poll: PokerPoll
    round: PokerRound
    card: str
    previous: str | None  # the voter's card before, if they changed it
    revealed: bool  # this vote was the last one expected: the round is revealed
    reason: str = ""
    earlier: str | None = None  # the voter's card before this vote, changed or not
    earlier_reason: str = ""  # the reason given with `earlier`: a vote taken back gives both back


def closed(round_: PokerRound, status: str | None = None) -> UserError:
    """Why a round takes no more votes (`status`: the round's, if not yet written to it)."""
    if is_taken_over(round_):
        return taken_over(round_.item_number)
    state = {"revealed": "the votes are revealed", "revoted": "a new round has started"}.get(
        status or round_.status, "the estimate is settled"
    )
    return UserError(f"Voting on #{round_.item_number} (round {round_.number}) is closed: {state}.")


def past_deadline(round_: PokerRound, now: datetime | None) -> bool:
    """Whether an open round's deadline has passed at `now`: it takes no more votes, even
    before the deadline's job (late: the bot was down) reveals it (`due_rounds`)."""
    return (
        now is not None
        and round_.status == "voting"
        and round_.deadline is not None
        and round_.deadline <= now
    )


def deadline_passed(round_: PokerRound) -> UserError:
    return UserError(
        f"Voting on #{round_.item_number} (round {round_.number}) is closed: its deadline "
        "has passed, and the votes cast before it are revealed in the thread."
    )


def check_voter(
    round_: PokerRound, poll: PokerPoll, team: Team, voter: str, off: str | None = None
) -> None:
    """May this person vote in this round now (`off`: why its item left the backlog)?"""
    if off is not None:
        raise item_closed(round_.item_number, off)
    if round_.status != "voting":
        raise closed(round_)
    if voter not in poll.voters:
        raise not_a_voter(poll, team, voter)


def clean_reason(reason: str) -> str:
    """A vote's reason, spaces run together; one over REASON_MAX is refused, not cut (the
    vote's form holds no more)."""
    return within(" ".join(reason.split()), REASON_MAX, "A vote's reason")


Pick = Ballot
"""A card someone picked in a round (with the reason they gave), not yet counted: the same
voter, card and reason a tally counts."""


@dataclass(frozen=True)
class Count:
    """Picks counted in a round: each one's Cast or refusal, the votes to write (voter:
    card and reason), and whether the round is revealed now."""

    outcomes: tuple[Cast | UserError, ...]
    votes: dict[str, tuple[str, str]]
    revealed: bool


def count_picks(
    round_: PokerRound,
    poll: PokerPoll,
    team: Team | None,
    cards: Mapping[str, str],
    picks: Sequence[Pick],
    reasons: Mapping[str, str] | None = None,
    off: str | None = None,
    now: datetime | None = None,
) -> Count:
    """Counts picks in order over the round's votes so far (`cards`: voter -> card; `reasons`:
    voter -> the reason given with it, which each Cast keeps as its earlier vote's). A voter
    may change their card until the reveal; the pick that completes the expected votes
    reveals the round, and any pick after it is refused, as is one from someone who is not a
    voter (`team` gives the refusal its words; needed only then), of a card not in the deck or
    with a reason over REASON_MAX, and every pick on an item that left the backlog (`off`,
    `off_backlog`), and every pick at or after the round's deadline (`now`: the poll has
    closed, though its deadline's job may not have revealed it yet). Nothing here is written:
    the caller writes `votes` and reveals."""
    deck = poll_deck(poll)
    voters = set(poll.voters)
    cards, given = dict(cards), dict(reasons or {})
    voted = len(cards.keys() & voters)
    status = round_.status
    outcomes: list[Cast | UserError] = []
    votes: dict[str, tuple[str, str]] = {}
    for pick in picks:
        try:
            if off is not None:
                raise item_closed(round_.item_number, off)
            if status != "voting":
                raise closed(round_, status)
            if past_deadline(round_, now):
                raise deadline_passed(round_)
            if pick.voter not in voters:
                assert team is not None, "a refusal of a stranger needs the team"
                raise not_a_voter(poll, team, pick.voter)
            card = deck.card(pick.card)
            reason = clean_reason(pick.reason)
        except UserError as refusal:
            outcomes.append(refusal)
            continue
        before, before_reason = cards.get(pick.voter), given.get(pick.voter, "")
        voted += before is None
        cards[pick.voter], given[pick.voter] = card, reason
        votes[pick.voter] = (card, reason)
        revealed = voted >= len(voters)
        if revealed:
            status = "revealed"
        previous = before if before is not None and before != card else None
        outcomes.append(Cast(poll, round_, card, previous, revealed, reason, before, before_reason))
    return Count(tuple(outcomes), votes, status == "revealed")


def reveal_fields(
    poll: PokerPoll, now: datetime, reason: str, by: str | None = None
) -> dict[str, Any]:
    """What a reveal writes on its round: when, why, by whom, and whom it waited for (the
    poll's voters now: `Result.not_voted` names those without a vote, whoever joins the poll
    after)."""
    fields: dict[str, Any] = {
        "revealed_at": now,
        "reveal_reason": reason,
        "awaited": list(poll.voters),
    }
    if by is not None:
        fields["revealed_by"] = by
    return fields


def waited_for(round_: PokerRound, poll: PokerPoll) -> Sequence[str]:
    """Whom a revealed round waited for: as kept at its reveal (`reveal_fields`). A round
    revealed before that was kept waited, if everyone voted, for nobody who did not; else for
    the poll's voters as they are now."""
    if round_.awaited is not None:
        return round_.awaited
    return () if round_.reveal_reason == "all voted" else poll.voters


def check_reveal(round_: PokerRound, poll: PokerPoll, team: Team, user: str) -> None:
    """The facilitator reveals before everyone has voted."""
    require_facilitator(poll, team, user, "reveal the votes")
    if round_.status != "voting":
        raise closed(round_)


def check_revote(
    round_: PokerRound, poll: PokerPoll, team: Team, user: str, off: str | None = None
) -> None:
    """A new round on a revealed one's item, not on one that left the backlog (`off`)."""
    require_facilitator(poll, team, user, "start a re-vote")
    if off is not None:
        raise UserError(f"{off_words(round_.item_number, off)}: it gets no new round.")
    if round_.status == "voting":
        raise UserError(f"Round {round_.number} of #{round_.item_number} is still open.")


def check_decision(
    round_: PokerRound, poll: PokerPoll, team: Team, user: str, card: str | None
) -> tuple[str | None, float | None]:
    """The card to accept (None: skip the item) and its points, or why not."""
    if is_taken_over(round_):
        raise closed(round_)
    require_facilitator(poll, team, user, "accept an estimate")
    if round_.status == "voting":
        raise UserError("Reveal the votes first.")
    if round_.status != "revealed":
        raise closed(round_)
    if card is None:
        return None, None
    deck = poll_deck(poll)
    card = deck.card(card)
    points = deck.points(card)
    if points is None:
        raise UserError("`?` and the break card are not estimates: pick a number card.")
    return card, points


@dataclass(frozen=True)
class Decision:
    poll: PokerPoll
    round: PokerRound
    card: str | None  # None: skipped
    points: float | None
    next_round: PokerRound | None  # live polls: the next item's round
    closed: bool  # every item of the poll is settled


def latest_rounds(rounds: Iterable[PokerRound]) -> dict[int, PokerRound]:
    """Each item's latest round (`rounds` ordered by item and round number)."""
    return {r.item_number: r for r in rounds}


def all_settled(poll: PokerPoll, latest: Mapping[int, PokerRound]) -> bool:
    return all(n in latest and latest[n].status in SETTLED for n in poll.items)


def snapshot(
    rounds: Iterable[PokerRound], ballots: Mapping[int, Sequence[PokerVote]]
) -> list[dict[str, object]]:
    """An item's rounds with their votes, as an estimate record keeps them."""
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


def due_rounds(rounds: Iterable[PokerRound], now: datetime) -> list[PokerRound]:
    """Rounds still open whose deadline has passed."""
    return [
        r for r in rounds if r.status == "voting" and r.deadline is not None and r.deadline <= now
    ]


def unposted(rounds: Iterable[PokerRound]) -> list[PokerRound]:
    """Revealed rounds whose result never reached the thread (say, Slack failed)."""
    return [r for r in rounds if r.revealed_at and r.result_ts is None]


POSTING = "posting"  # a round's result_ts while its result is on its way (claim_result)


def posted_ts(round_: PokerRound) -> str | None:
    """The ts of a round's result message in the thread, to edit it; None if the result was
    never posted or is still on its way (claimed: its ts reads `POSTING`)."""
    ts = round_.result_ts
    return ts if ts and ts != POSTING else None


def owed_votes(
    poll: PokerPoll, open_rounds: Sequence[PokerRound], voted: Mapping[int, Sequence[str]]
) -> dict[str, list[int]]:
    """Who still owes a vote: voter -> item numbers."""
    owed: dict[str, list[int]] = {}
    for round_ in open_rounds:
        for voter in poll.voters:
            if voter not in voted[round_.id]:
                owed.setdefault(voter, []).append(round_.item_number)
    return owed


# -- who is still in the channel ----------------------------------------------------------------


def departed(poll: PokerPoll, members: Collection[str] | None) -> list[str]:
    """The poll's voters who are no longer in the channel (`members`, as Slack said just now;
    None: Slack would not say, and nobody is taken for gone)."""
    if members is None:
        return []
    inside = set(members)
    return [v for v in poll.voters if v not in inside]


def leave(poll: PokerPoll, gone: Collection[str]) -> None:
    """The poll waits no more for `gone` (voters who left the channel): their votes so far
    stay, and the poll keeps them as voters who left (`left_voters`), which lets them back in
    should they return."""
    poll.voters = [v for v in poll.voters if v not in gone]
    poll.left_voters = list(dict.fromkeys([*(poll.left_voters or ()), *gone]))


def no_longer_voters(poll: PokerPoll, roles: Roles) -> list[str]:
    """The voters of a poll chosen by role (`roles_asked`) who hold none of its roles after a
    change of the team's roles (`roles`): someone no longer a Developer votes no more."""
    if poll.roles_asked is None or poll.status != "open":
        return []
    return [v for v in poll.voters if not role_voter(poll, roles, v)]


def drop(poll: PokerPoll, gone: Collection[str]) -> None:
    """The poll waits no more for `gone`, who lost the role it chose them by: unlike those who
    left the channel (`leave`), they are not let back in unless they get the role again."""
    poll.voters = [v for v in poll.voters if v not in gone]
    poll.left_voters = [v for v in poll.left_voters or () if v not in gone]


def all_voted(poll: PokerPoll, voted: Collection[str]) -> bool:
    """Every voter the poll waits for has voted, and someone has: a round nobody in the
    channel voted in waits for its deadline (or its facilitator)."""
    done = set(voted) & set(poll.voters)
    return bool(done) and len(done) >= len(poll.voters)


def complete(round_: PokerRound, poll: PokerPoll, voted: Collection[str], now: datetime) -> bool:
    """Whether an open round is revealed as "everyone voted" once the poll waits for fewer
    voters (`leave`, `drop`): all it waits for have voted (`all_voted`), and its deadline has
    not passed. Past it, the round is its deadline's to reveal, as the poll closed, even while
    that job is late (the bot was down): when the deadline came, the poll still waited for
    whoever it has only now found gone."""
    return not past_deadline(round_, now) and all_voted(poll, voted)


def left_channel(poll: PokerPoll) -> NotAVoter:
    """A vote refused, clicked by a voter who is no longer in the channel: a vote counts only
    while its voter is a member (one given before leaving stays)."""
    return NotAVoter(
        "Your vote was not counted: you are no longer in this channel, and the voters of "
        f"this poll are {poll.voters_note} in it.",
        (poll.facilitator,),
    )


def _open_to(poll: PokerPoll) -> bool:
    """Whether a poll may take voters it did not start with: an open async one (a live round
    runs in a meeting, with its voters)."""
    return poll.mode == "async" and poll.status == "open"


def _eligible(poll: PokerPoll, roles: Roles, user: str) -> bool:
    """Whether `user` meets the poll's rule, wherever they are: a voter until they left the
    channel, or one of the roles its voters are chosen by (the Developers: those named, else
    anyone but the PO and Scrum Masters; with the PO or SM, if asked). Voters the facilitator
    named take nobody else."""
    return user in (poll.left_voters or ()) or role_voter(poll, roles, user)


def role_voter(poll: PokerPoll, roles: Roles, user: str) -> bool:
    """Whether `user` holds a role the poll's voters are chosen by (`roles_asked`); False for
    a poll whose voters the facilitator named."""
    asked = poll.roles_asked
    if asked is None:
        return False
    if any(roles.has(user, role) for role in asked):
        return True
    return user in roles.developer_pool([user])  # a Developer, named or by default


def may_join(poll: PokerPoll, roles: Roles, user: str, members: Collection[str] | None) -> bool:
    """Whether someone not among an open async poll's voters may vote in it now: they are in
    the channel (`members`, as Slack said after their click) and meet its rule (`_eligible`)."""
    if not _open_to(poll) or members is None or user not in members:
        return False
    return _eligible(poll, roles, user)


def join(poll: PokerPoll, user: str) -> None:
    """`user` (`may_join`) is one of the poll's voters from now on."""
    poll.voters = [*poll.voters, user]
    poll.left_voters = [v for v in poll.left_voters or () if v != user]


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
    off: str | None = None  # why its open (or withdrawn) round's item left the backlog


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


def build_board(
    poll: PokerPoll,
    items: Iterable[BacklogItem],
    latest: Mapping[int, PokerRound],
    voted: Mapping[int, Sequence[str]],
    ballots: Mapping[int, Sequence[PokerVote]],
) -> Board:
    """The poll as shown: `voted` names the voters of open rounds, `ballots` holds the votes
    of revealed ones only (a WITHDRAWN round's are never shown). An open round whose item left
    the backlog (`off_backlog`) waits for nobody."""
    deck = poll_deck(poll)
    found = {i.number: i for i in items}
    voters = set(poll.voters)
    rows = []
    for number in poll.items:
        round_ = latest.get(number)
        names: tuple[str, ...] = ()
        result, off = None, None
        if round_ is not None and round_.status in ("voting", "revealed", WITHDRAWN):
            off = off_backlog(found.get(number))
            if off is None and round_.status == WITHDRAWN:
                off = TAKEN_OVER if is_taken_over(round_) else "left"
        if round_ is not None and round_.status == "voting":
            names = tuple(v for v in voted[round_.id] if v in voters)
        elif round_ is not None and round_.status != WITHDRAWN:
            result = tally(deck, [Ballot(v.voter, v.card, v.reason) for v in ballots[round_.id]])
        done = set(names)
        item = found.get(number)
        rows.append(
            Row(
                number=number,
                title=item.title if item is not None else f"item #{number}",
                round=round_,
                voted=names,
                waiting=() if off else tuple(v for v in poll.voters if v not in done),
                tally=result,
                off=off,
            )
        )
    return Board(poll, deck, tuple(rows))


@dataclass(frozen=True)
class Result:
    """A revealed round: its tally, and whether and how it was settled."""

    poll: PokerPoll
    round: PokerRound
    title: str
    tally: Tally
    rounds: int  # how many rounds this item has had in the poll
    split_threshold: float | None = None  # the team's: a bigger estimate is split
    off: str | None = None  # why its item left the backlog (`off_backlog`): nothing to accept

    @property
    def message_ts(self) -> str | None:
        """Its message in the thread, to redraw; None while it is not there (`posted_ts`)."""
        return posted_ts(self.round)

    @property
    def median_card(self) -> str | None:
        """The median as a card of the deck (`card_at_or_above`); None without estimates."""
        median = self.tally.median
        return None if median is None else card_at_or_above(self.tally.deck, median)

    @property
    def not_voted(self) -> tuple[str, ...]:
        """The voters the round waited for when it was revealed (`waited_for`: who was there
        when a live round started, who was asked or had joined an async poll, not who joins it
        later) without a card in this round; `?` and the break card are votes. Voters who left
        the channel are waited for no more."""
        voted = {b.voter for b in self.tally.ballots}
        return tuple(v for v in waited_for(self.round, self.poll) if v not in voted)

    @property
    def too_big(self) -> tuple[str, ...]:
        """The offered cards (or, without any, the median's card) above the split threshold."""
        limit, t, median = self.split_threshold, self.tally, self.median_card
        if limit is None:
            return ()
        if t.choices:
            return tuple(c for c in t.choices if (t.deck.points(c) or 0) > limit)
        if median is not None and (t.deck.points(median) or 0) > limit:
            return (median,)
        return ()


def card_at_or_above(deck: Deck, value: float) -> str:
    """The card of `deck` a statistic between two cards (a median of 9 between 8 and 13)
    stands for: the lowest estimate card worth at least `value`, the deck's highest past them
    all. Rounding up, never to the nearer card below: an item that seems bigger than a card
    is estimated with the next one, the safer estimate (as between two neighbouring cards)."""
    pointed = sorted(deck.pointed, key=lambda c: deck.points(c) or 0.0)
    return next((c for c in pointed if (deck.points(c) or 0.0) >= value), pointed[-1])


def build_result(
    poll: PokerPoll,
    round_: PokerRound,
    item: BacklogItem | None,
    ballots: Sequence[PokerVote],
    rounds: int,
    split_threshold: float | None = None,
) -> Result:
    if round_.revealed_at is None:
        raise UserError("The votes of this round are not revealed yet.")
    deck = poll_deck(poll)
    return Result(
        poll=poll,
        round=round_,
        title=item.title if item is not None else f"item #{round_.item_number}",
        tally=tally(deck, [Ballot(v.voter, v.card, v.reason) for v in ballots]),
        rounds=rounds,
        split_threshold=split_threshold,
        off=off_backlog(item),
    )
