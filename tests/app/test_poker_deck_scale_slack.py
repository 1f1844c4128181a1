# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A deck set or shown in a channel connected to Linear, through the real app (QA: `/poker deck
1,2,4,8,16,?` was taken without a word, and the team learnt only at the next poll that it
offered 1, 2, 8): the answer says at once which cards the Linear team's estimate scale cannot
hold, what a poll on its issues offers, and a deck on the scale to type instead. A channel
without a tracker, or a deck on the scale, hears nothing of it."""

from __future__ import annotations

from tests.app.test_backlog_slack import shown
from tests.app.test_poker_slack import board, poker
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import linear_connected
from tests.app.trackers import item_by_key
from tests.conftest import roles

OFF_SCALE = "Linear team Engineering's Fibonacci scale has no"


async def test_a_deck_off_the_linear_scale_says_which_cards_when_it_is_set(slack, linear):
    await roles(slack)
    unconnected = shown(await poker(slack, "deck 1,2,4,8,?"))
    assert "Linear" not in unconnected and "scale" not in unconnected, "any number goes"
    key = linear.add_issue("Pay by card").identifier
    await linear_connected(slack, linear)

    answer = shown(await poker(slack, "deck 1,2,4,8,16,?"))

    assert f"{OFF_SCALE} 4 or 16" in answer, answer
    assert "a poll on its issues offers only 1, 2, 8, ?." in answer, answer
    assert "`/poker deck 1,2,3,5,8,?`" in answer, "the scale's own deck, to type"
    await poker(slack, str((await item_by_key(slack, key)).number))
    assert "without 4, 16" in shown(board(slack)), "as the poll then says"
    on_scale = shown(await poker(slack, "deck 1,2,3,5,8,?"))
    assert "*Custom*: 1  2  3  5  8  ?" in on_scale and OFF_SCALE not in on_scale, on_scale


async def test_the_deck_shown_in_a_linear_channel_names_the_cards_off_its_scale(slack, linear):
    await linear_connected(slack, linear)
    set_ = shown(await poker(slack, "deck fibonacci"))
    assert f"{OFF_SCALE} 0, ½, 13 or 21" in set_, set_

    answer = shown(await poker(slack, "deck"))

    assert f"{OFF_SCALE} 0, ½, 13 or 21" in answer, answer
    assert "`/poker deck 1,2,3,5,8,?,coffee`" in answer, answer


async def test_t_shirt_sizes_off_the_linear_scale_are_named_with_their_points(slack, linear):
    await linear_connected(slack, linear)
    sizes = shown(await poker(slack, "deck tshirt"))
    assert OFF_SCALE not in sizes, "XS=1 … XL=8 are all on the Fibonacci scale"

    answer = shown(await poker(slack, "tshirt M=4"))

    assert f"{OFF_SCALE} M (4 pts)" in answer, answer
    assert "`/poker tshirt XS=1 S=2 M=3 L=5 XL=8`" in answer, answer
