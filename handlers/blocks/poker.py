"""Block Kit for planning poker: the poll message, cards, results and estimate history.

The poll message is built from a `bot.domain.poker.Board`, which carries who has voted but never
what: nothing built here before a reveal can show a vote.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    HeaderBlock,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.calibration import FEW, Calibration, Reference, Spread
from bot.domain.commands import POKER_USAGE
from bot.domain.decks import NEIGHBOURS_RULE, Deck, Tally, card_label
from bot.domain.poker import REASON_MAX, Board, Result, Row
from bot.domain.poker_items import ScaleFit, left_out, off_words
from bot.domain.poker_nudges import Waiting
from bot.domain.readiness import points, points_unit
from bot.usecases.poker import ChannelDeck, DeckChanged
from handlers.blocks.kit import button, context, message, notice, section
from handlers.render import escape, fit, render
from storage.models import BacklogItem, EstimateRecord, PokerPoll, PokerRound

ACTIONS_MAX = 25  # elements in one actions block
SECTION_TEXT = 2900  # a section holds 3000 characters; room for what `fit` adds
REASON_BLOCKS = 10
OPTIONS_MAX = 100  # options in one select
MAX_LISTED = 20  # polls listed one by one in a reminder
CALIBRATION_BLOCKS = 10  # sections of estimate lines in `/poker calibrate`


def value(round_id: int, card: str | None = None) -> str:
    """A button's value: the round (and card), so a click needs nothing but the database."""
    data: dict[str, Any] = {"r": round_id}
    if card is not None:
        data["c"] = card
    return json.dumps(data, separators=(",", ":"))


def summary(t: Tally | None) -> str:
    """A revealed round in a few words (its votes are public by then)."""
    if t is None or not t.ballots:
        return "nobody voted"
    if t.consensus and t.suggestion is not None:
        return f"consensus on {t.deck.describe(t.suggestion)}"
    if t.lone and t.suggestion is not None:
        return f"a single estimate of {t.deck.describe(t.suggestion)}"
    if len(t.choices) == 2:
        low, high = (t.deck.describe(c) for c in t.choices)
        return f"suggested {low} or {high}"
    if t.low is not None and t.high is not None and t.steps:
        return f"no consensus, {card_label(t.low)} to {card_label(t.high)}"
    return "needs discussion"


def _helpers(deck: Deck) -> dict[str, Any]:
    return {
        "label": card_label,
        "describe": deck.describe,
        "summary": summary,
        "off_words": off_words,
    }


# -- the poll message --------------------------------------------------------------------------


def board_message(board: Board) -> dict[str, Any]:
    poll, deck = board.poll, board.deck
    helpers = _helpers(deck)
    live = poll.mode == "live"
    blocks: list[Block] = [
        HeaderBlock(text="Planning poker" if live else "Estimation poll"),
        context(
            render("poker_intro.md.j2", poll=poll, deck=deck, **_deadline(board), **_left(board))
        ),
    ]
    current = board.current
    rows = ([current] if current else []) if live else list(board.rows)
    for row in rows:
        blocks += _row(board, row, helpers)
    if live:
        blocks.append(
            context(
                render("poker_queue.md.j2", rows=board.rows, current=current, poll=poll, **helpers)
            )
        )
    numbers = ", ".join(f"#{n}" for n in poll.items)
    return message(blocks, f"{'Planning poker' if live else 'Estimation poll'}: {numbers}")


def closes(board: Board) -> list[tuple[datetime, str]]:
    """When the poll's open votes close, soonest first, each deadline with the items it
    closes (`#2, #3`); empty when no vote is open. Its items close at different times once
    one is voted on again before the others' deadline: the latest alone would let the others
    look open until then."""
    return [(when, ", ".join(f"#{r.number}" for r in rows)) for when, rows in _open(board.rows)]


def _open(rows: Sequence[Row]) -> list[tuple[datetime, list[Row]]]:
    """The rows whose vote is open, by the deadline that closes it, soonest first."""
    by_deadline: dict[datetime, list[Row]] = {}
    for row in rows:
        round_ = row.round
        if round_ is not None and round_.status == "voting" and round_.deadline:
            by_deadline.setdefault(round_.deadline, []).append(row)
    return [(when, by_deadline[when]) for when in sorted(by_deadline)]


def _deadline(board: Board) -> dict[str, Any]:
    """When the poll's open votes close (`closes`: the items of each deadline are named when
    there are several) and, while one of them is the deadline typed as a time (`until fri
    17:00`), that time as it was read in the team's time zone (`read`)."""
    closing, poll = closes(board), board.poll
    typed = poll.deadline if any(when == poll.deadline for when, _ in closing) else None
    read = typed.astimezone(ZoneInfo(poll.deadline_zone)) if typed and poll.deadline_zone else None
    return {"closing": closing, "read": read, "zone": poll.deadline_zone}


def _left(board: Board) -> dict[str, Any]:
    """The cards of the team's deck the poll's items cannot take (`poker.left_out`), as the
    poll says them at its start."""
    left = left_out(board.poll)
    cards = ", ".join(card_label(c) for c in left.cards) if left else ""
    return {"left": left, "left_cards": cards}


def _row(board: Board, row: Row, helpers: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [
        section(
            render("poker_row.md.j2", row=row, poll=board.poll, **helpers),
            block_id=f"poker-item-{row.number}",
        )
    ]
    round_ = row.round
    if round_ is None or round_.status != "voting":
        return blocks
    if row.off:  # no votes: a live round is revealed by its facilitator, to skip it
        if board.poll.mode == "live":
            reveal = button("Reveal", "poker_reveal", value(round_.id))
            blocks.append(ActionsBlock(block_id=f"poker-{round_.id}-off", elements=[reveal]))
        return blocks
    elements: list[ButtonElement] = [
        button(card_label(card), f"poker_vote:{i}", value(round_.id, card))
        for i, card in enumerate(board.deck.cards)
    ]
    elements.append(button("Vote with a reason", "poker_reason", value(round_.id)))
    elements.append(button("Reveal", "poker_reveal", value(round_.id)))
    for start in range(0, len(elements), ACTIONS_MAX):
        blocks.append(
            ActionsBlock(
                block_id=f"poker-{round_.id}-cards-{start // ACTIONS_MAX}",
                elements=elements[start : start + ACTIONS_MAX],
            )
        )
    blocks.append(context(render("poker_voters.md.j2", voted=row.voted, waiting=row.waiting)))
    return blocks


def closed_message(poll: PokerPoll, rows: Sequence[Row], still: Sequence[Row]) -> dict[str, Any]:
    """The channel's notice that an async poll's deadline closed the votes of `rows`, with
    each item's outcome. The votes `still` open (a re-vote, whose deadline is later) are said
    with their deadlines, soonest first: then only the items of `rows` have closed, not the
    poll."""
    text = render(
        "poker_closed.md.j2",
        poll=poll,
        rows=rows,
        closed=_split(rows),
        still=[(when, *_split(some)) for when, some in _open(still)],
        summary=summary,
        off_words=off_words,
    )
    return message([section(text)], text)


def _split(rows: Sequence[Row]) -> tuple[list[int], list[int]]:
    """The items of `rows` as the notice names them: those in their first round (`#2`), and
    those voted on again (`the re-vote of #1`: a round after the first)."""
    again = [row.number for row in rows if row.round and row.round.number > 1]
    return [row.number for row in rows if row.number not in again], again


def not_in_channel_message(outside: Sequence[str]) -> dict[str, Any]:
    """For the poll's thread: who was named but does not vote, not being in the channel."""
    text = render("poker_not_in_channel.md.j2", outside=outside)
    return message([section(text)], text)


def revote_message(round_: PokerRound) -> dict[str, Any]:
    text = render("poker_revote.md.j2", round=round_)
    return message([section(text)], text)


# -- results -----------------------------------------------------------------------------------


def result_message(res: Result) -> dict[str, Any]:
    """A revealed round in the thread: distribution, statistics, verdict and, until the
    facilitator decides, what they can do."""
    t, round_ = res.tally, res.round
    deck = t.deck
    helpers = _helpers(deck)
    modes = ", ".join(card_label(c) for c in t.modes)
    median, average = _median(res), deck.in_cards(t.average)
    text = render(
        "poker_result.md.j2", res=res, t=t, modes=modes, median=median, average=average, **helpers
    )
    choices = " or ".join(deck.describe(c) for c in t.choices)
    big = res.too_big
    too_big = " and ".join(deck.describe(c) for c in big) if t.choices else ""
    if big and not t.choices:
        too_big = f"the median, {deck.describe(big[0])},"
    blocks: list[Block] = [section(text, block_id=f"poker-result-{round_.id}")]
    verdict = render(
        "poker_verdict.md.j2",
        res=res,
        t=t,
        choices=choices,
        rule=NEIGHBOURS_RULE,
        too_big=too_big,
        threshold=res.split_threshold,
        **helpers,
    )
    if verdict:
        blocks.append(section(verdict, block_id=f"poker-verdict-{round_.id}"))
    reasons = [render("poker_reason.md.j2", ballot=b, **helpers) for b in t.reasons]
    blocks += [section(chunk) for chunk in _packed(reasons, REASON_BLOCKS, "…and more reasons")]
    if round_.status == "revealed" and res.off:  # nothing to accept: skipping settles it
        text = off_words(round_.item_number, res.off)
        blocks.append(context(render("poker_off.md.j2", text=text)))
        skip = button("Skip", "poker_skip", value(round_.id))
        blocks.append(ActionsBlock(block_id=f"poker-decide-{round_.id}", elements=[skip]))
    elif round_.status == "revealed":
        elements: list[Any] = []
        for card in t.choices:  # the consensus, or both neighbouring cards
            elements.append(
                button(
                    fit(f"Accept {deck.describe(card)}", 75),
                    "poker_accept" if card == t.suggestion else "poker_accept_other",
                    value(round_.id, card),
                    style="primary" if card == t.suggestion else None,
                )
            )
        options = [
            Option(value=value(round_.id, card), label=fit(deck.describe(card), 75))
            for card in deck.pointed[:OPTIONS_MAX]
        ]
        elements.append(
            StaticSelectElement(
                action_id="poker_choose",
                placeholder="Accept another value",
                options=options,
            )
        )
        elements.append(button("Re-vote", "poker_revote", value(round_.id)))
        elements.append(button("Skip", "poker_skip", value(round_.id)))
        blocks.append(ActionsBlock(block_id=f"poker-decide-{round_.id}", elements=elements))
    else:
        blocks.append(context(render("poker_decided.md.j2", round=round_, **helpers)))
    headline = f"#{round_.item_number} round {round_.number}: {summary(t)}"
    return message(blocks, headline)


def _median(res: Result) -> str:
    """The median as a card of the deck (`Result.median_card`), and the value it was rounded
    up from when that is no card: `13 (rounded up from 9)`, `L (rounded up from 3.5 pts)`."""
    card, value, deck = res.median_card, res.tally.median, res.tally.deck
    if card is None or value is None:
        return ""
    if deck.points(card) == value:
        return deck.describe(card)
    exact = points_unit(value) if deck.sized else points(value)
    return f"{card_label(card)} (rounded up from {exact})"


def _packed(lines: Sequence[str], most: int, more: str) -> list[str]:
    """Lines joined into at most `most` texts that each fit a section (`more` says that
    some were left out)."""
    chunks: list[str] = []
    for line in lines:
        if chunks and len(chunks[-1]) + 1 + len(line) <= SECTION_TEXT:
            chunks[-1] += "\n" + line
        elif len(chunks) < most:
            chunks.append(line)
        else:
            chunks[-1] = fit(chunks[-1] + "\n" + more, SECTION_TEXT)
            break
    return chunks


def voted_notice(
    round_: PokerRound, card: str, previous: str | None, reason: str, *, revealed: bool = False
) -> dict[str, Any]:
    """The voter's private confirmation: their own card only. The last vote, which revealed
    the round, cannot be changed any more, and its voter is told so. Most voters of a round
    get one of a few notices: each is built once (the payload is shared: never change it)."""
    return _voted_notice(round_.item_number, round_.number, card, previous, reason, revealed)


@functools.lru_cache(maxsize=256)
def _voted_notice(
    item_number: int, number: int, card: str, previous: str | None, reason: str, revealed: bool
) -> dict[str, Any]:
    text = render(
        "poker_voted.md.j2",
        round=SimpleNamespace(item_number=item_number, number=number),
        card=card,
        previous=previous,
        reason=reason,
        revealed=revealed,
        label=card_label,
    )
    return message([section(text)], text)


def nudge_message(waiting: Sequence[Waiting], links: Mapping[int, str | None]) -> dict[str, Any]:
    """A voter's one reminder: every poll that waits for their vote, each with its link."""
    text = render("poker_nudge.md.j2", waiting=waiting, intro=False)
    if len(waiting) == 1:
        blocks: list[Block] = [section(text)]
        if link := links.get(waiting[0].poll.id):
            blocks.append(ActionsBlock(elements=[button("Open the poll", "poker_link", url=link)]))
        return message(blocks, text)
    blocks = [section(render("poker_nudge.md.j2", waiting=waiting, intro=True))]
    for entry in waiting[:MAX_LISTED]:
        link = links.get(entry.poll.id)
        opener = button("Open the poll", "poker_link", url=link) if link else None
        blocks.append(section(render("poker_waiting.md.j2", entry=entry), accessory=opener))
    if len(waiting) > MAX_LISTED:
        blocks.append(context(f"…and {len(waiting) - MAX_LISTED} more."))
    return message(blocks, text)


# -- the reason form ---------------------------------------------------------------------------


def reason_modal(round_: PokerRound, title: str, deck: Deck, channel_id: str) -> dict[str, Any]:
    options = [Option(value=card, label=fit(deck.describe(card), 75)) for card in deck.cards]
    return View(
        type="modal",
        callback_id="poker_reason",
        title="Vote with a reason",
        submit="Vote",
        close="Cancel",
        private_metadata=json.dumps(
            {"round": round_.id, "channel": channel_id}, separators=(",", ":")
        ),
        blocks=[
            context(
                escape(fit(f"#{round_.item_number} {title}", 200))
                + " · only you see your vote until the reveal."
            ),
            InputBlock(
                block_id="card",
                label="Your card",
                element=StaticSelectElement(
                    action_id="value", placeholder="Pick a card", options=options
                ),
            ),
            InputBlock(
                block_id="reason",
                label="Why",
                hint="Shown with your vote when the votes are revealed.",
                element=PlainTextInputElement(
                    action_id="value", multiline=True, max_length=REASON_MAX
                ),
            ),
        ],
    ).to_dict()


# -- starting, settings, history ---------------------------------------------------------------


def picker(items: Sequence[BacklogItem]) -> dict[str, Any]:
    """`/poker` alone: the top unestimated items, each with a button that starts a round."""
    intro = render("poker_pick.md.j2", items=items)
    blocks: list[Block] = [section(intro)]
    for item in items:
        blocks.append(
            section(
                render("item_title.md.j2", item=item),
                accessory=button("Estimate", "poker_start", str(item.number), style="primary"),
                block_id=f"poker-pick-{item.number}",
            )
        )
    if items:
        blocks.append(
            ActionsBlock(
                block_id="poker-options",
                elements=[
                    CheckboxesElement(
                        action_id="poker_option",
                        options=[
                            Option(value="po", label="The Product Owner votes too"),
                            Option(value="sm", label="The Scrum Master votes too"),
                        ],
                    )
                ],
            )
        )
    return message(blocks, "Estimate an item")


def started_notice(number: int) -> dict[str, Any]:
    """The picker's answer once its round is in the channel."""
    return notice(f"Planning poker on #{number} has started in the channel.", ":black_joker:")


def deck_message(shown: ChannelDeck, *, sizes: bool = False) -> dict[str, Any]:
    """The channel's deck; the T-shirt table with it when the deck has sizes, or `sizes` (the
    table was just set)."""
    text = _deck_text(shown.deck, sizes, shown.fit)
    return message([section(text)], text)


def _deck_text(deck: Deck, sizes: bool, fit: ScaleFit | None) -> str:
    """The deck's cards, and those the channel's tracker cannot hold (`fit`): said as the deck
    is set, not first at the next poll, with the command for a deck on the tracker's scale."""
    cards = "  ".join(card_label(c) for c in deck.cards)
    return render(
        "poker_deck.md.j2", deck=deck, cards=cards, sizes=sizes or deck.sized, **_fit(deck, fit)
    )


def _fit(deck: Deck, fit: ScaleFit | None) -> dict[str, Any]:
    if fit is None:
        return {"fit": None}
    left = [deck.describe(c) for c in fit.left.cards]
    return {
        "fit": fit,
        "left": " or ".join([", ".join(left[:-1]), left[-1]] if len(left) > 1 else left),
        "offered": ", ".join(card_label(c) for c in fit.offered),
    }


def deck_changed(changed: DeckChanged, *, sizes: bool) -> dict[str, Any]:
    """`/poker deck …` or `tshirt …`: what changed, old → new (or that nothing did), over the
    channel's deck."""
    before, after = changed.before, changed.deck
    table = [
        (size, before.tshirt.get(size), value)
        for size, value in after.tshirt.items()
        if before.tshirt.get(size) != value
    ]
    line = render(
        "poker_deck_changed.md.j2",
        before=before,
        after=after,
        sizes=sizes,
        table=table,
        cards_changed=before.cards != after.cards,
    )
    deck = _deck_text(after, sizes, changed.fit)
    return message([section(line), section(deck)], f"{line}\n{deck}")


def history_message(item: BacklogItem, records: Sequence[EstimateRecord]) -> dict[str, Any]:
    def estimate(record: EstimateRecord) -> str:
        if record.deck == "tshirt":
            return f"{record.card} ({points_unit(record.points)})"
        return f"{card_label(record.card)} pts"

    text = render(
        "poker_history.md.j2", item=item, records=records, estimate=estimate, label=card_label
    )
    return message([section(text)], text)


def help_message() -> dict[str, Any]:
    text = render("help.md.j2", title="Planning poker", verbs=POKER_USAGE)
    blocks = [section(text), context("`/timebox help` lists every command.")]
    return message(blocks, "Planning poker commands")


# -- calibration -------------------------------------------------------------------------------


def span(spread: Spread) -> str:
    """How long items took: `3 working days`, `1 working day`, `2-4 working days`."""
    if spread.low == spread.high:
        return days(spread.low)
    return f"{spread.low}-{spread.high} working days"


def days(count: int) -> str:
    return f"{count} working day{'s' if count != 1 else ''}"


def calibration_message(found: Calibration) -> dict[str, Any]:
    """`/poker calibrate`: per estimate, how long done items really took (or, without any,
    what it will show and how to get there)."""
    if not found.sizes:
        text = render("poker_calibration.md.j2", part="empty")
        return message([section(text)], "No calibration yet: no estimated item is done")
    intro = render("poker_calibration.md.j2", part="intro", found=found)
    lines = [
        render("poker_calibration.md.j2", part="size", size=size, span=span) for size in found.sizes
    ]
    blocks: list[Block] = [section(intro)]
    blocks += [
        section(chunk) for chunk in _packed(lines, CALIBRATION_BLOCKS, "…and more estimates")
    ]
    if pairs := found.inversions:
        blocks.append(section(render("poker_calibration.md.j2", part="inversions", pairs=pairs)))
    blocks.append(context(render("poker_calibration.md.j2", part="how", found=found, few=FEW)))
    return message(blocks, "How long done items really took, per estimate")


def reference_message(ref: Reference) -> dict[str, Any]:
    """A reveal's reference stories, in the poll's thread: how long items of the suggested
    size took here, and two or three of them to compare with."""
    head = render("poker_reference.md.j2", part="head", ref=ref, span=span, span_of=days)
    note = render("poker_reference.md.j2", part="note", ref=ref)
    numbers = ", ".join(f"#{story.number}" for story in ref.stories)
    fallback = f"{ref.name} here took {span(ref.spread)}: {numbers}"
    return message([section(head), context(note)], fallback)
