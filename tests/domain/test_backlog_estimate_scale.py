"""The estimates an item's issue can hold, no database: a Linear team's scale read from its
connection's snapshot, the values it names (T-shirt sizes with their numbers), the setting of
the team's that would add a value, and which new estimates an item refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain.backlog import FieldRefused, require_estimate
from bot.domain.estimate_scales import EstimateScale
from tests.domain import factories

LINEAR = {"team_name": "Engineering", "estimation": "fibonacci"}


def test_only_a_linear_team_that_estimates_has_a_scale():
    assert EstimateScale.of("linear", LINEAR) == EstimateScale("Engineering", "fibonacci")
    assert EstimateScale.of("linear", {**LINEAR, "estimation": "notUsed"}) is None
    assert EstimateScale.of("jira", LINEAR) is None, "Jira takes any number"
    assert EstimateScale.of("linear", {}) is None, "a connection not checked yet"


@pytest.mark.parametrize(
    ("snapshot", "value", "words"),
    [
        (LINEAR, 4, "Fibonacci scale: 1, 2, 3, 5 or 8. It has no 4, so Linear would refuse it"),
        (LINEAR, 13, "or turn on Extended estimates in the team's settings > Estimates"),
        (LINEAR, 0, "or turn on Allow zero estimates"),
        (LINEAR, 0.5, "It has no 0.5, so Linear would refuse it: choose one of these."),
        (
            {**LINEAR, "estimation": "tShirt", "extended": True, "allow_zero": True},
            4,
            "T-shirt scale: 0, XS = 1, S = 2, M = 3, L = 5, XL = 8, XXL = 13 or XXXL = 21.",
        ),
        ({**LINEAR, "estimation": "exponential"}, 3, "exponential scale: 1, 2, 4, 8 or 16."),
    ],
)
def test_an_estimate_off_the_scale_is_refused_under_the_forms_estimate(snapshot, value, words):
    scale = EstimateScale.of("linear", snapshot)
    with pytest.raises(FieldRefused) as refused:
        require_estimate(scale, factories.item(1, estimate=None), value)
    assert refused.value.name == "estimate"
    assert words in refused.value.message
    if value in (4, 0.5, 3):
        assert "turn on" not in refused.value.message, "no setting adds it"


def test_a_value_on_the_scale_clearing_it_or_keeping_an_old_one_passes():
    scale = EstimateScale.of("linear", LINEAR)
    old = factories.item(1, estimate=4.0)  # estimated before the scale was known
    for value in (5, 5.0, None, 4.0):
        require_estimate(scale, old, value)
    require_estimate(None, old, 4.5)  # an item only Timebox has
    assert EstimateScale.of("linear", {**LINEAR, "extended": True}).holds(21)


def test_a_done_or_archived_item_keeps_its_estimate_under_the_field():
    """Whoever sets it (the item form, poker's accept): a done item's points are what its
    sprint completed; an archived one is off the backlog. Keeping the estimate passes."""
    done = factories.item(4, status="done", estimate=5.0)
    with pytest.raises(FieldRefused, match=r"#4 is done: its estimate stays .* \(5 points\)"):
        require_estimate(None, done, 8)
    require_estimate(None, done, 5.0)
    archived = factories.item(5, archived_at=datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(FieldRefused, match=r"`/backlog restore 5` brings it back") as refused:
        require_estimate(None, archived, 8)
    assert refused.value.name == "estimate"
