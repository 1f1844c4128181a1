"""When the calendar feed shows each sprint's last working day as its review."""

from __future__ import annotations

import pytest

from bot.domain import feed


@pytest.mark.parametrize(
    ("own_agenda", "reviews_held", "holds"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_a_team_holds_reviews_once_it_has_its_own_agenda_or_has_held_one(
    own_agenda, reviews_held, holds
):
    assert feed.holds_reviews(own_agenda, reviews_held) is holds
