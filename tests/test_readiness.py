"""The default Definition of Ready names every failing rule in a PO's words."""

from __future__ import annotations

from bot.readiness import DefinitionOfReady, gaps, is_ready
from storage.models import BacklogItem


def _item(**fields) -> BacklogItem:
    defaults = dict(
        title="Export invoices",
        hypothesis="By exporting invoices we expect fewer support tickets",
        acceptance_criteria=["PDF has the logo"],
        dependencies=[],
        estimate=5.0,
    )
    return BacklogItem(**{**defaults, **fields})


def test_a_complete_item_is_ready():
    assert gaps(_item()) == [] and is_ready(_item())


def test_every_failing_rule_is_named():
    item = _item(
        hypothesis=" ",
        acceptance_criteria=[],
        dependencies=[{"text": "#14", "resolved": False}, {"text": "UX", "resolved": True}],
        estimate=None,
    )
    assert gaps(item) == [
        "no value hypothesis or description",
        "no acceptance criteria",
        "depends on #14, not resolved",
        "not estimated",
    ]


def test_items_above_the_split_threshold_must_be_split():
    assert gaps(_item(estimate=21.0)) == ["21 points: split it"]
    assert gaps(_item(estimate=13.0)) == []
    assert gaps(_item(estimate=21.0), DefinitionOfReady(split_threshold=21)) == []
    assert gaps(_item(estimate=40.0), DefinitionOfReady(rules=frozenset({"estimate"}))) == []
