"""Planning poker's domain: decks, statistics, consensus, deadlines, voters, concurrent votes."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import poker, poker_nudges
from bot.domain.backlog import ItemFields
from bot.domain.commands import parse_poker
from bot.domain.decks import DEFAULT_TSHIRT, Ballot, Deck, parse_deck, parse_tshirt, tally
from bot.domain.errors import NotAllowed, UserError
from bot.domain.teams import Roles
from bot.runtime.coalesce import Coalescer
from bot.runtime.config import Settings
from bot.runtime.inflight import Inflight
from bot.runtime.services import Services
from bot.usecases import poker as rounds
from bot.usecases import poker_deadlines as deadlines
from storage.models import PokerPoll, PokerRound

FIB = Deck.named("fibonacci")


def votes(*cards: str) -> list[Ballot]:
    return [Ballot(f"U{i}", card) for i, card in enumerate(cards)]


# -- statistics and consensus ------------------------------------------------------------------


def test_one_card_is_a_consensus():
    t = tally(FIB, votes("5", "5", "5"))
    assert (t.suggestion, t.adjacent, t.steps) == ("5", False, 0)
    assert (t.median, t.modes, t.average) == (5.0, ("5",), 5.0)


def test_two_neighbouring_cards_suggest_the_higher_one():
    t = tally(FIB, votes("5", "8", "5", "5"))
    assert (t.suggestion, t.adjacent) == ("8", True)
    assert t.median == 5.0 and t.modes == ("5",) and t.average == 5.8
    assert t.distribution == (("5", ("U0", "U2", "U3")), ("8", ("U1",)))


def test_a_wide_spread_names_the_lowest_and_highest_voters():
    t = tally(FIB, votes("2", "13", "5", "13"))
    assert t.suggestion is None and not t.consensus
    assert (t.low, t.high, t.steps) == ("2", "13", 4)
    assert t.lowest == ("U0",) and t.highest == ("U1", "U3")
    assert t.median == 9.0 and t.modes == ("13",) and t.average == 8.2


def test_unsure_needs_discussion_and_coffee_asks_for_a_break():
    t = tally(FIB, votes("5", "5", "?", "coffee"))
    assert t.suggestion is None, "a `?` means the item needs discussion first"
    assert t.unsure == ("U2",) and t.breaks == ("U3",)
    assert t.estimates == 2 and t.median == 5.0, "neither card is an estimate"
    only_breaks = tally(FIB, votes("coffee"))
    assert only_breaks.median is None and only_breaks.suggestion is None


def test_half_a_point_and_no_votes():
    t = tally(FIB, votes("1/2", "1"))
    assert (t.suggestion, t.median, t.average) == ("1", 0.75, 0.8)
    empty = tally(FIB, [])
    assert empty.ballots == () and empty.median is None and empty.distribution == ()


def test_tshirt_sizes_count_in_points_from_the_table():
    deck = Deck.named("tshirt", {**DEFAULT_TSHIRT, "M": 4})
    t = tally(deck, votes("M", "L", "M"))
    assert (t.suggestion, t.adjacent) == ("L", True)
    assert t.median == 4.0 and t.average == 4.3
    assert deck.describe("M") == "M (4 pts)" and deck.points("?") is None
    assert deck.pointed == ("XS", "S", "M", "L", "XL")


# -- decks --------------------------------------------------------------------------------------


def test_named_decks_and_custom_ones():
    assert parse_deck("modified").cards[-4:] == ("20", "40", "100", "?")
    assert parse_deck("T-Shirt").name == "tshirt"
    custom = parse_deck("0.5, 1 2,4 8 ☕ ?")
    assert custom.cards == ("1/2", "1", "2", "4", "8", "?", "coffee")
    assert Deck.from_data(custom.to_data()) == custom
    assert Deck.from_data({}) == FIB


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "Name a deck"),
        ("poker", "is not a deck I know"),
        ("1,banana", "`banana` is not a card"),
        ("1,2,2", "Each card once"),
        ("8,4,2", "from small to large"),
        ("5,?", "at least two number cards"),
        ("1,S,M", "For T-shirt sizes"),
        ("1,2,2000", "between 0 and 1000"),
        (",".join(str(n) for n in range(31)), "30 cards at most"),
    ],
)
def test_bad_decks_are_refused_with_the_reason(text, problem):
    with pytest.raises(UserError, match=problem):
        parse_deck(text)


def test_a_card_must_be_in_the_deck():
    assert FIB.card("½") == "1/2" and FIB.card("☕") == "coffee"
    with pytest.raises(UserError, match="is not a card of this deck"):
        FIB.card("4")


def test_the_tshirt_table_changes_in_part_and_must_grow():
    assert parse_tshirt(["m=4", "L=6"], DEFAULT_TSHIRT) == {
        "XS": 1,
        "S": 2,
        "M": 4,
        "L": 6,
        "XL": 8,
    }
    with pytest.raises(UserError, match="Sizes must grow: L=2 is less than M=3"):
        parse_tshirt(["L=2"], DEFAULT_TSHIRT)
    with pytest.raises(UserError, match="like `M=3`"):
        parse_tshirt(["XXL=13"], DEFAULT_TSHIRT)


# -- the command -------------------------------------------------------------------------------


def test_the_poker_grammar():
    assert parse_poker("").verb == "pick"
    live = parse_poker("3 #5 and 8 with po sm voters <@U1|ann> <!subteam^S9|@devs>")
    assert live.verb == "live" and live.numbers == (3, 5, 8)
    assert live.with_roles == ("po", "sm") and live.voters == ("U1",)
    assert live.groups == (("S9", "@devs"),)
    timed = parse_poker("async 3 for 1d12h")
    assert timed.verb == "async" and timed.duration == timedelta(days=1, hours=12)
    until = parse_poker("async 3 until fri 5pm").until
    assert until == poker.Until(at=time(17, 0), weekday=4)
    assert parse_poker("async 3 until 2026-03-06 12:00").until == poker.Until(
        at=time(12, 0), day=date(2026, 3, 6)
    )
    assert parse_poker("deck 1,2,4,8,?").words == ("1", "2", "4", "8", "?")
    assert parse_poker("history #4").numbers == (4,)


# -- deadlines and voters ----------------------------------------------------------------------

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Berlin
BERLIN = ZoneInfo("Europe/Berlin")


def test_deadlines_default_to_a_day_and_until_is_local():
    assert poker.resolve_deadline(MONDAY, BERLIN) == MONDAY + timedelta(hours=24)
    friday = poker.resolve_deadline(MONDAY, BERLIN, until=poker.Until(time(17, 0), weekday=4))
    assert friday == datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    today = poker.resolve_deadline(MONDAY, BERLIN, until=poker.Until(time(17, 0)))
    assert today == datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    passed = poker.resolve_deadline(MONDAY, BERLIN, until=poker.Until(time(9, 0)))
    assert passed == datetime(2026, 3, 3, 8, 0, tzinfo=UTC), "09:00 has passed: tomorrow"
    monday = poker.resolve_deadline(MONDAY, BERLIN, until=poker.Until(time(9, 0), weekday=0))
    assert monday == datetime(2026, 3, 9, 8, 0, tzinfo=UTC), "next Monday"
    with pytest.raises(UserError, match="at least 10 minutes"):
        poker.resolve_deadline(MONDAY, BERLIN, timedelta(minutes=5))
    with pytest.raises(UserError, match="14 days at most"):
        poker.resolve_deadline(MONDAY, BERLIN, timedelta(days=20))


def test_nudges_come_at_half_time_and_an_hour_before():
    day = poker_nudges.nudge_times(MONDAY, MONDAY + timedelta(hours=24))
    assert day == [("half", MONDAY + timedelta(hours=12)), ("last", MONDAY + timedelta(hours=23))]
    short = poker_nudges.nudge_times(MONDAY, MONDAY + timedelta(minutes=20))
    minutes = [when - MONDAY for _, when in short]
    assert minutes == [timedelta(minutes=10), timedelta(minutes=15)], "a quarter before the end"


def voters(roles: Roles, members: list[str], **chosen: list[str]) -> list[str]:
    """Who votes (``voters_present``'s counted people)."""
    return list(poker.voters_present(roles, members, **chosen).counted)


def test_developers_vote_and_the_po_and_sm_watch_unless_asked():
    roles = Roles(po=("P",), sm=("S",))
    members = ["P", "S", "D1", "D2", "BOT"]
    assert voters(roles, members, exclude=["BOT"]) == ["D1", "D2"]
    assert voters(roles, members, with_roles=["po"], exclude=["BOT"]) == ["D1", "D2", "P"]
    assert voters(roles, members, named=["D2", "S", "D2"]) == ["D2", "S"]
    named = Roles(po=("P",), dev=("D9", "D2"))
    assert voters(named, members) == ["D2"], "named Developers in the channel"
    assert poker.voters_note(["po", "sm"]) == (
        "the channel's Developers and the Product Owner and the Scrum Master"
    )


# -- votes in the database ---------------------------------------------------------------------


async def _poll(db, clock, voters, mode="live"):
    async with db.transaction() as store:
        team = await store.ensure_team("T0TEAM", "C0TEAM", clock.now())
        await store.set_role(team, "sm", ["SM"])
        await store.add_item(team, ItemFields(title="Export"), "SM", clock.now())
        deadline = clock.now() + timedelta(hours=2) if mode == "async" else None
        request = poker.PollRequest(mode, [1], voters, "the channel's Developers", deadline)
        poll = await rounds.start_poll(store, team, request, "FAC", clock.now())
        [round_] = await store.rounds(poll.id)
        return team.id, round_.id


async def test_a_burst_of_votes_counts_each_voter_once_and_reveals_once(db, clock):
    """On both backends (the `db` fixture runs it on PostgreSQL too when configured)."""
    voters = [f"U{n:03d}" for n in range(60)]
    _, round_id = await _poll(db, clock, voters)

    async def cast(voter: str, card: str) -> bool:
        async with db.transaction() as store:
            team = await store.ensure_team("T0TEAM", "C0TEAM", clock.now())
            return (
                await rounds.cast_vote(store, team, round_id, voter, card, "", clock.now())
            ).revealed

    first = await asyncio.gather(*(cast(v, "3") for v in voters[:-1]))
    again = await asyncio.gather(*(cast(v, "5") for v in voters[:30]))  # changed minds
    last = await cast(voters[-1], "8")
    assert not any(first) and not any(again) and last, "revealed by the last vote only"
    async with db.transaction() as store:
        ballots = (await store.ballots([round_id]))[round_id]
        assert len(ballots) == 60 and len({b.voter for b in ballots}) == 60
        assert sorted(b.card for b in ballots).count("5") == 30
        team = await store.ensure_team("T0TEAM", "C0TEAM", clock.now())
        with pytest.raises(UserError, match="is closed: the votes are revealed"):
            await rounds.cast_vote(store, team, round_id, voters[0], "3", "", clock.now())


def _services(db, clock) -> Services:
    settings = Settings(None, None, None, db.url, "http://127.0.0.1:1/api/", 0, "INFO")
    return Services(settings=settings, db=db, clock=clock)


async def test_votes_clicked_together_are_counted_once_each_in_one_transaction(db, clock):
    """Issue 15, point 2: the ballot box counts a vote before its ack, in a transaction shared
    with the votes on the same round that come with it; a copy of a request counts once, a
    voter may change their mind in the same transaction, a refusal refuses that vote only,
    and the last expected vote reveals the round (its result is recorded after the ack)."""
    svc = _services(db, clock)
    _, round_id = await _poll(db, clock, ["U1", "U2", "U3"])

    def vote(key: str, user: str, card: str) -> rounds.Vote:
        return rounds.Vote(key, "T0TEAM", "C0TEAM", user, round_id, card)

    box = svc.inbox.lane(rounds._count_ballots)
    first, copy, u2, changed, stranger, joker = await asyncio.gather(
        rounds.cast(svc, vote("vote:a", "U1", "3"), "trigger:a"),
        rounds.cast(svc, vote("vote:a", "U1", "3"), "trigger:a"),  # the same request again
        rounds.cast(svc, vote("vote:b", "U2", "5")),
        rounds.cast(svc, vote("vote:c", "U2", "8")),  # U2 changes their mind
        rounds.cast(svc, vote("vote:d", "U9", "8")),  # not a voter
        rounds.cast(svc, vote("vote:e", "U3", "7")),  # not a card of the deck
        return_exceptions=True,
    )
    assert box.commits == 1, "one transaction for all six"
    assert copy is None and first.cast.card == "3" and first.cast.previous is None
    assert u2.cast.previous is None and changed.cast.previous == "5"
    assert isinstance(stranger, NotAllowed) and isinstance(joker, UserError)
    assert not any(c.cast.revealed for c in (first, u2, changed))

    last = await rounds.cast(svc, vote("vote:f", "U3", "5"))
    assert last.cast.revealed and last.post is None, "the result: recorded after the ack"
    with pytest.raises(UserError, match="is closed: the votes are revealed"):
        await rounds.cast(svc, vote("vote:g", "U1", "13"))
    async with db.transaction() as store:
        cards = {b.voter: b.card for b in (await store.ballots([round_id]))[round_id]}
        assert cards == {"U1": "3", "U2": "8", "U3": "5"}
        keys = await store.first_deliveries([{"key": "trigger:a", "at": clock.now()}])
        assert keys == set(), "the request's delivery key is recorded with its vote"
        [sync] = await store.pending(poker.KIND_SYNC)
        assert sync.due_at == clock.now() + rounds.SYNC_AFTER, "shown again if never posted"
    posts = await rounds.record_result(svc, round_id, _BUILT)
    assert posts is not None and posts.result.args["text"] == f"posted {round_id}"
    assert await rounds.record_result(svc, round_id, _BUILT) is None, "once"


_BUILT = rounds.ResultBuilders(
    result=lambda result: {"text": f"posted {result.round.id}"},
    reference=lambda ref: {"text": "reference stories"},
)


def test_picks_are_counted_in_order_and_the_last_expected_one_reveals():
    poll = PokerPoll(id=1, team_id=1, voters=["A", "B"], deck={}, facilitator="F")
    poll.voters_note = "the channel's Developers"
    round_ = PokerRound(id=1, poll_id=1, item_number=4, number=1, status="voting")
    picks = [
        poker.Pick("A", "5", "  too   big  "),
        poker.Pick("A", "8"),
        poker.Pick("B", "8"),
        poker.Pick("B", "3"),
    ]
    count = poker.count_picks(round_, poll, None, {"A": "3"}, picks)
    changed, again, revealing, late = count.outcomes
    assert changed.previous == "3" and changed.reason == "too big" and not changed.revealed
    assert again.previous == "5" and revealing.revealed and count.revealed
    assert isinstance(late, UserError) and "the votes are revealed" in str(late)
    assert count.votes == {"A": ("8", ""), "B": ("8", "")}
    assert round_.status == "voting", "nothing written: the caller writes and reveals"


async def test_who_may_do_what(db, clock):
    _, round_id = await _poll(db, clock, ["D1", "D2"])
    async with db.transaction() as store:
        team = await store.ensure_team("T0TEAM", "C0TEAM", clock.now())
        with pytest.raises(NotAllowed, match="Your vote was not counted"):
            await rounds.cast_vote(store, team, round_id, "SM", "3", "", clock.now())
        with pytest.raises(NotAllowed, match="Only the facilitator"):
            await rounds.reveal(store, team, round_id, "D1", clock.now())
        with pytest.raises(UserError, match="Reveal the votes first"):
            await rounds.decide(store, team, round_id, "FAC", "3", clock.now())
        await rounds.reveal(store, team, round_id, "SM", clock.now())  # a Scrum Master may
        with pytest.raises(NotAllowed):
            await rounds.decide(store, team, round_id, "D2", "3", clock.now())
        with pytest.raises(UserError, match="not estimates"):
            await rounds.decide(store, team, round_id, "FAC", "?", clock.now())
        decision = await rounds.decide(store, team, round_id, "FAC", "13", clock.now())
        assert decision.closed and decision.points == 13.0
        item = await store.item(team.id, 1)
        assert item.estimate == 13.0
        [record] = await store.estimates(item.id)
        assert record.accepted_by == "FAC" and record.rounds[0]["votes"] == []


async def test_an_async_revote_gets_a_fresh_deadline_and_old_jobs_stand_down(db, clock):
    _, round_id = await _poll(db, clock, ["D1", "D2"], mode="async")
    later = clock.now() + timedelta(hours=3)
    async with db.transaction() as store:
        assert [r.id for r in await deadlines.expire(store, 1, later)] == [round_id]
        assert await deadlines.expire(store, 1, later) == [], "a second run reveals nothing"
        team = await store.ensure_team("T0TEAM", "C0TEAM", clock.now())
        fresh = await rounds.revote(store, team, round_id, "FAC", later)
        assert fresh.number == 2 and fresh.deadline == later + timedelta(hours=2)
        keys = {job.key for job in await store.pending(poker.KIND_DEADLINE)}
        assert poker_nudges.job_key(1, fresh.deadline, "deadline") in keys
        due = clock.now() + timedelta(hours=2)
        found = await deadlines.reminders_due(store, team.workspace_id, 1, due, "half", later)
        assert found is not None and found.owed == {}, (
            "the old deadline has no open rounds left: nobody to remind"
        )


# -- coalesced redraws -------------------------------------------------------------------------


async def test_a_burst_of_redraws_becomes_one_now_and_one_at_the_end():
    inflight = Inflight()
    coalescer = Coalescer(inflight, interval=3600)  # far longer than any test may wait
    state = {"value": 0}
    drawn: list[int] = []

    async def redraw() -> None:
        drawn.append(state["value"])

    for value in range(1, 101):
        state["value"] = value
        coalescer.request("poll", redraw)
        await asyncio.sleep(0)
    assert drawn == [1], "the first request draws at once; the rest wait for the interval"
    await inflight.drain(timeout=5)  # nothing else runs: the pause ends early
    assert drawn == [1, 100], "one more draw, showing the final state"
    assert coalescer.runs == 2 and inflight.busy == 0


async def test_a_failing_redraw_is_logged_and_the_next_one_still_runs(caplog):
    inflight = Inflight()
    coalescer = Coalescer(inflight, interval=3600)
    calls = []

    async def broken() -> None:
        calls.append("broken")
        raise RuntimeError("slack is down")

    async def fine() -> None:
        calls.append("fine")

    coalescer.request("poll", broken)
    await asyncio.sleep(0)
    coalescer.request("poll", fine)
    await inflight.drain(timeout=5)
    assert calls == ["broken", "fine"]
    assert any("coalesced update" in r.getMessage() for r in caplog.records)
