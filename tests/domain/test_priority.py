"""The prioritisation rules a use case asks: a scheme chosen, a suggestion still as shown, and
what the item form's edits do to scores and the MoSCoW priority. No database."""

from __future__ import annotations

import pytest

from bot.domain import priority
from bot.domain.errors import UserError
from storage.models import BacklogItem


def item(number: int, **fields) -> BacklogItem:
    values = dict(number=number, title=f"Item {number}", rank=float(number), scores={})
    return BacklogItem(**{**values, **fields})


def test_without_a_scheme_there_is_no_order_to_suggest():
    with pytest.raises(UserError, match="scores no items yet"):
        priority.require_scheme(None)
    assert priority.require_scheme("wsjf") == "wsjf"


def test_a_suggestion_applies_only_while_it_is_the_one_shown():
    items = [
        item(1, estimate=1.0, scores={"value": 1, "time": 1, "risk": 1}),
        item(2, estimate=1.0, scores={"value": 8, "time": 5, "risk": 3}),
    ]
    shown = priority.suggest(items, "wsjf")
    priority.require_unchanged(priority.suggest(items, "wsjf"), shown.fingerprint)
    items[0].scores = {"value": 20, "time": 20, "risk": 20}  # #1 now goes first
    with pytest.raises(UserError, match="changed since it was shown"):
        priority.require_unchanged(priority.suggest(items, "wsjf"), shown.fingerprint)
    with pytest.raises(UserError, match="changed since it was shown"):
        priority.require_unchanged(priority.suggest(items, "opportunity"), shown.fingerprint)


def test_form_scores_join_the_items_others_and_none_clears_one():
    scored = item(1, scores={"value": 8, "importance": 6})
    edits = {"title": "Export", "scores": {"value": 13, "time": 2, "importance": None}}
    assert priority.with_scores(scored, edits) == {
        "title": "Export",
        "scores": {"value": 13, "time": 2},
    }
    untouched = {"title": "Export"}
    assert priority.with_scores(scored, untouched) is untouched


def test_only_a_different_moscow_priority_is_a_change_of_priority():
    must = item(1, priority="Must have")
    assert priority.changes_priority(must, {"priority": "Should have"})
    assert priority.changes_priority(must, {"priority": None})
    assert not priority.changes_priority(must, {"priority": "Must have"})
    assert not priority.changes_priority(must, {"title": "Export", "scores": {"value": 8}})
