"""`/ready` and the readiness reminders say a velocity or a median estimate as the rest of the
product does, to one decimal (10.8, not 10.8333: an average of three sprints rarely ends
round)."""

from __future__ import annotations

from bot.domain.readiness import DefinitionOfReady, Horizon
from handlers.render import render
from storage.models import BacklogItem


def test_derived_points_are_said_to_one_decimal():
    items = [BacklogItem(number=1, estimate=65 / 3), BacklogItem(number=2, estimate=None)]
    horizon = Horizon(
        items=items,
        unready=[],
        velocity=32.5 / 3,
        ready_points=65 / 3,
        ready_count=2,
        assumed=65 / 3,
        guessed=[items[1]],
        by_velocity=True,
    )

    said = render("ready_coverage.md.j2", horizon=horizon, dor=DefinitionOfReady())

    assert "at a velocity of 10.8)" in said, said
    assert "(21.7 ready points" in said and "median estimate of 21.7 points" in said, said
    assert "10.83" not in said and "21.66" not in said, said


def test_a_point_rounded_to_one_is_said_in_the_singular():
    item = BacklogItem(number=1, estimate=None)
    horizon = Horizon(
        items=[item],
        unready=[],
        velocity=5.0,
        ready_points=0.0,
        ready_count=0,
        assumed=1.04,
        guessed=[item],
        by_velocity=True,
    )

    said = render("ready_coverage.md.j2", horizon=horizon, dor=DefinitionOfReady())

    assert "median estimate of 1 point." in said, said
