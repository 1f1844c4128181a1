"""The default Definition of Ready names every failing rule in a PO's words."""

from __future__ import annotations

from bot.domain.readiness import DefinitionOfReady, gaps, is_ready, points_unit
from tests.domain.factories import item


def test_a_complete_item_is_ready():
    assert gaps(item()) == [] and is_ready(item())


def test_every_failing_rule_is_named():
    unready = item(
        hypothesis=" ",
        acceptance_criteria=[],
        dependencies=[{"text": "#14", "resolved": False}, {"text": "UX", "resolved": True}],
        estimate=None,
    )
    assert gaps(unready) == [
        "no value hypothesis or description",
        "no acceptance criteria",
        "depends on #14, not resolved",
        "not estimated",
    ]


def test_items_above_the_split_threshold_must_be_split():
    assert gaps(item(estimate=21.0)) == ["21 points: split it"]
    assert gaps(item(estimate=13.0)) == []
    assert gaps(item(estimate=21.0), DefinitionOfReady(split_threshold=21)) == []
    assert gaps(item(estimate=40.0), DefinitionOfReady(rules=frozenset({"estimate"}))) == []


def test_the_definition_of_ready_round_trips_as_team_data():
    from bot.domain.readiness import DEFAULT_DOR, Question

    dor = DEFAULT_DOR.changed(
        rules=["acceptance", "estimate"],
        split_threshold=8,
        questions=["UX reviewed?", " "],
        horizon_items=5,
    )
    team = type("T", (), {"dor": dor.to_data()})()
    assert DefinitionOfReady.of(team) == dor
    assert dor.questions == (Question.new("UX reviewed?"),)
    unchecked = item(hypothesis="", estimate=10.0, checklist={})
    assert gaps(unchecked, dor) == ['not checked: "UX reviewed?"'], "split is off, hypothesis off"


def test_the_horizon_is_two_sprints_of_velocity_or_the_top_n():
    from bot.domain.readiness import horizon

    items = [
        item(n + 1, title=f"i{n}", estimate=5.0, acceptance_criteria=[] if n % 2 else ["ok"])
        for n in range(10)
    ]
    by_velocity = horizon(items, DefinitionOfReady(), velocity=10)
    assert len(by_velocity.items) == 4, "5-point items until 2 x 10 points"
    assert [i.number for i, _ in by_velocity.unready] == [2, 4]
    assert by_velocity.coverage == 25 / 10, "five ready items of 5 points"
    top_n = horizon(items, DefinitionOfReady(horizon_items=3), velocity=None)
    assert [i.number for i in top_n.items] == [1, 2, 3] and top_n.coverage is None


def test_unestimated_items_count_at_the_median_estimate_and_no_estimate_means_top_n():
    from bot.domain.readiness import horizon, median_estimate

    sizes = [3.0, None, 8.0, None, 2.0, 5.0, 1.0]
    items = [item(n, title=f"i{n}", estimate=size) for n, size in enumerate(sizes, start=1)]
    assert median_estimate(items) == 3.0
    hz = horizon(items, DefinitionOfReady(), velocity=9)
    # 3 + 3 (median) + 8 = 14, then 14 + 3 (median) = 17, 17 + 2 = 19 >= 18: five items.
    assert [i.number for i in hz.items] == [1, 2, 3, 4, 5] and hz.by_velocity
    assert [i.number for i in hz.guessed] == [2, 4] and hz.assumed == 3.0
    assert hz.budget == 18 and hz.coverage == (3 + 8 + 2 + 5 + 1) / 9
    unestimated = [item(estimate=None) for _ in range(12)]
    fallback = horizon(unestimated, DefinitionOfReady(horizon_items=4), velocity=9)
    assert len(fallback.items) == 4 and not fallback.by_velocity and fallback.velocity == 9


def test_points_are_written_with_their_unit_singular_for_one():
    written = [points_unit(v) for v in (1, 1.0, 0.5, 5, 0)]
    assert written == ["1 pt", "1 pt", "0.5 pts", "5 pts", "0 pts"]
