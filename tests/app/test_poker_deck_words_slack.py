"""The deck's words through the real app: the T-shirt table only with sizes, a typed `<` or
mention read once and shown escaped once, and a T-shirt reveal's statistics in sizes."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import DEVS, board, poker, replies, setup_team, vote
from tests.conftest import PO


async def test_a_number_deck_says_nothing_of_t_shirt_sizes(slack):
    await setup_team(slack)
    answer = shown(await poker(slack, "deck 1,2,4,8,?,coffee", user=PO))
    assert "*Custom*: 1  2  4  8  ?  ☕" in answer
    assert "T-shirt" not in answer, answer
    assert "XS=1" in shown(await poker(slack, "tshirt M=4", user=PO)), "the table just set"
    assert "XS=1, S=2, M=4" in shown(await poker(slack, "deck tshirt", user=PO))


async def test_slack_markup_in_a_deck_is_read_once_and_named_as_typed(slack):
    await setup_team(slack)
    answer = await poker(slack, "deck <!channel>,1", user=PO)
    assert "`@channel` is not a card" in answer.text, answer.text
    answer = await poker(slack, "deck " + slack.driver.escape("<b>,1,2"), user=PO)
    assert "`&lt;b&gt;` is not a card" in answer.text, answer.text
    assert "&amp;" not in answer.text


async def test_a_t_shirt_reveal_shows_its_statistics_in_sizes(slack):
    await setup_team(slack)
    await poker(slack, "deck tshirt", user=PO)
    await poker(slack, "1")
    for user, card in zip(DEVS[:2], ("XS", "XL"), strict=True):
        await vote(slack, user, card)
    await vote(slack, DEVS[2], "?")
    [result] = replies(slack, board(slack))
    text = shown(result)
    median = "*Median* L (rounded up from 4.5 pts)"  # a size of the deck, as every median
    assert f"{median} · *Mode* XS, XL · *Average* ≈ L (4.5 pts)" in text, text


async def test_a_deck_or_size_change_says_what_changed(slack):
    await setup_team(slack)
    answer = shown(await poker(slack, "tshirt XL=1000", user=PO))
    assert answer.startswith(":white_check_mark: *T-shirt sizes:* XL 8 → 1000 points."), answer
    assert "this channel's deck is *Fibonacci*" in answer, "the sizes count only with sizes"
    again = shown(await poker(slack, "tshirt XL=1000", user=PO))
    assert again.startswith("The T-shirt sizes already count so: nothing changed."), again
    changed = shown(await poker(slack, "deck tshirt", user=PO))
    assert changed.startswith(":white_check_mark: *Deck:* Fibonacci → T-shirt sizes."), changed
    same = shown(await poker(slack, "deck tshirt", user=PO))
    assert same.startswith("The deck already is *T-shirt sizes*: nothing changed."), same
