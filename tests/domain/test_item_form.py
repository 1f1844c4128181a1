"""The backlog's rules about the item form and an item's status, no database: what a submitted
form changes when the item changed since it was opened, a refused dependency named by its
field, the history line of a link that followed its item, a move before the item itself, and
the status of a restored item."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.domain import backlog
from bot.domain.backlog import FieldRefused, Move, form_digests, form_edits, form_values
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from tests.domain import factories
from tests.domain.factories import team

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DOR = DefinitionOfReady.of(team())


def item(number, **changes):
    """An item as the database gives it: a story, with its lists."""
    return factories.item(number, **{"type": "story", "labels": [], **changes})


def submitted(found, scheme=None, **changes):
    """What the item's form sends untouched, with `changes` typed into it; its scoring
    inputs under "scores", as the form's listener gives them."""
    values = form_values(found, DOR, scheme)
    scores = {n.removeprefix("scores."): values.pop(n) for n in list(values) if "." in n}
    return {**values, **({"scores": scores} if scores else {}), **changes}


def test_a_field_left_as_shown_keeps_what_someone_saved_meanwhile():
    found = item(1, estimate=3.0, labels=["finance"], dependencies=[])
    shown = form_digests(found, DOR)
    form = submitted(found, title="Item 1 as PDF")
    found.estimate, found.labels = 5.0, ["finance", "pdf"]  # a teammate's save
    assert form_edits(found, form, shown, DOR) == backlog.FormEdits({"title": "Item 1 as PDF"}, {})


def test_a_field_both_changed_takes_the_submit_and_names_what_it_replaced():
    found = item(1, estimate=3.0, owner=None)
    shown = form_digests(found, DOR)
    form = submitted(found, estimate=8.0, owner="U2")
    found.estimate = 5.0  # changed meanwhile; the owner was not
    edits = form_edits(found, form, shown, DOR)
    assert edits.edits == {"estimate": 8.0, "owner": "U2"}
    assert edits.replaced == {"estimate": 5.0}
    found.estimate = 8.0  # the same change made twice: nothing replaced
    assert form_edits(found, form, shown, DOR).replaced == {}


def test_a_form_without_digests_changes_every_field_it_holds():
    found = item(1)
    form = submitted(found)
    assert form_edits(found, form, {}, DOR).edits == form


def test_scoring_inputs_are_fields_of_their_own():
    found = item(1, scores={"value": 8, "time": 3})
    shown = form_digests(found, DOR, "wsjf")
    assert {"scores.value", "scores.time", "scores.risk"} <= set(shown)
    form = submitted(found, "wsjf", scores={"value": 8, "time": 3, "risk": 2})
    found.scores = {"value": 13, "time": 3}
    edits = form_edits(found, form, shown, DOR, "wsjf")
    assert edits.edits == {"scores": {"risk": 2}}, "the value 13 set meanwhile stays"


def test_a_link_resolved_meanwhile_is_no_edit_of_the_form_that_showed_it_open():
    found = item(2, dependencies=[{"text": "#1 API", "item": 1, "resolved": False}])
    shown, form = form_digests(found, DOR), submitted(found)
    found.dependencies = [{"text": "#1 API", "item": 1, "resolved": True}]  # #1 done
    assert form_edits(found, form, shown, DOR).edits == {}


def test_a_refused_dependency_names_its_field():
    with pytest.raises(FieldRefused) as cycle:
        backlog.link_dependencies(
            2, [{"text": "#1", "resolved": False}], {1: False, 2: False}, {1: [2]}
        )
    assert cycle.value.name == "dependencies"
    assert "Nothing was saved" not in cycle.value.message, "the form stays open"
    with pytest.raises(FieldRefused, match="cannot depend on itself"):
        backlog.link_dependencies(2, [{"text": "#2", "resolved": False}], {2: False}, {})


def test_a_circle_through_a_done_item_says_which_dependency_to_take_out():
    """#1 is done, and once waited for #2: #2 waiting for #1 now is refused (restored, #1
    would wait for #2 again: neither could start), and the refusal says so and names #1's
    own dependency as the one to take out, not "#1 already waits for #2", which a done item
    does not."""
    with pytest.raises(FieldRefused) as refused:
        backlog.link_dependencies(
            2, [{"text": "#1", "resolved": False}], {1: True, 2: False}, {1: [2]}
        )
    message = refused.value.message
    assert "#1 is done" in message and "/backlog edit 1" in message, message
    assert "already waits" not in message, message
    with pytest.raises(FieldRefused) as archived:
        backlog.link_dependencies(
            2, [{"text": "#1", "resolved": False}], {1: False, 2: False}, {1: [2]}, archived={1}
        )
    assert "#1 is archived" in archived.value.message, archived.value.message


def test_a_line_that_only_followed_a_linked_item_says_so():
    waiting = [
        {"text": "#4 API", "item": 4, "resolved": False},
        {"text": "legal", "resolved": False},
    ]
    settled = backlog.settle_links(waiting, 4, done=True)
    assert backlog.settled_link({"dependencies": [waiting, settled]}) == ("#4", True)
    assert backlog.settled_link({"dependencies": [settled, waiting]}) == ("#4", False)
    # A person's edits are theirs: a note ticked, a link added, another field with it.
    ticked = [waiting[0], {"text": "legal", "resolved": True}]
    assert backlog.settled_link({"dependencies": [waiting, ticked]}) is None
    assert backlog.settled_link({"dependencies": [waiting[1:], waiting]}) is None
    both = {"dependencies": [waiting, settled], "estimate": [None, 3.0]}
    assert backlog.settled_link(both) is None
    assert backlog.settled_link({"title": ["A", "B"]}) is None


def test_a_line_that_only_followed_the_trackers_issue_says_so():
    """A dependency the tracker gave ("is blocked by demo/shop#1") follows that issue when it
    is done: nobody edited the item, though the sync credits the line to who closed it."""
    waiting = [{"text": "demo/shop#1", "tracker": "demo/shop#1", "resolved": False}]
    settled = backlog.settle_links(waiting, 20, done=True, key="demo/shop#1")
    assert backlog.settled_link({"dependencies": [waiting, settled]}) == ("demo/shop#1", True)
    assert backlog.settled_link({"dependencies": [settled, waiting]}) == ("demo/shop#1", False)


def test_an_item_cannot_be_moved_before_itself():
    found = item(2, rank=2.0)
    order = [(1, 1.0), (2, 2.0), (3, 3.0)]
    with pytest.raises(UserError, match="#2 cannot be moved before itself"):
        backlog.plan_move(found, order, Move("before", 2))
    with pytest.raises(UserError, match="#9 is not on the backlog"):
        backlog.plan_move(found, order, Move("before", 9))
    assert backlog.plan_move(found, order, Move("before", 1)).new == 1


@pytest.mark.parametrize(
    ("status", "archived", "restored"),
    [
        ("new", True, "open"),
        ("open", True, "open"),
        ("done", False, "open"),
        ("sprint", True, "sprint"),
    ],
)
def test_a_restored_item_is_open_unless_a_sprint_holds_it(status, archived, restored):
    found = item(1, status=status, archived_at=NOW if archived else None, rank=1.0)
    changes = backlog.restore(found, 9.0, NOW)
    assert (found.status, found.archived_at, found.rank) == (restored, None, 9.0)
    assert changes == {"status": ["archived" if archived else "done", restored]}
