"""The rules behind a Jira board whose estimation field an admin switched (the use case's run
is tests/app/test_jira_estimation_field_switched.py): a link knows which field its agreed
estimate was read from, an issue read from another field is merged again though unchanged,
and a new field that holds no estimate yet is no estimate removed there."""

from __future__ import annotations

from bot.domain import tracker_sync as rules
from tests.domain.test_tracker_verdicts import edit, item, link
from tests.domain.trackers import LATER, T0, issue

OLD, NEW = "customfield_10016", "customfield_10077"


def test_an_issue_read_from_another_field_is_not_seen_though_unchanged():
    """Unchanged since the link saw it, from the field it was read from: seen. From the new
    field: merged again. A link from before the field was kept is taken for the same field,
    and a tracker with one place for estimates ("") never moves it."""
    was = link(remote=rules.facts(issue(estimate_field=OLD)), remote_updated=LATER)
    assert rules.seen(issue(estimate_field=OLD), was)
    assert not rules.seen(issue(estimate_field=NEW), was)
    assert rules.estimate_moved(was, issue(estimate_field=NEW))
    assert rules.seen(issue(estimate_field=NEW), link(remote_updated=LATER))
    assert not rules.estimate_moved(was, issue())
    assert not rules.estimate_moved(was, issue(estimate_field="timeoriginalestimate"))
    stamped = rules.estimated_with(link().remote, OLD)
    assert not rules.seen(issue(estimate_field=NEW), link(remote=stamped, remote_updated=LATER))
    assert rules.estimated_with(stamped, "other")[rules.ESTIMATED_WITH] == OLD, "kept as said"


def test_the_switch_is_told_by_the_kept_settings_of_a_board_that_names_its_field():
    assert rules.estimation_switched(OLD, {"estimation_field": NEW})
    assert rules.estimation_switched(None, {"estimation_field": NEW})
    assert not rules.estimation_switched(OLD, {"estimation_field": OLD})
    assert not rules.estimation_switched(None, {"estimation_field": None})
    assert not rules.estimation_switched("label", {"repo": "acme/shop"}), "GitHub's: no field"
    in_time = {"estimation_field": "timeoriginalestimate"}
    assert not rules.estimation_switched(OLD, in_time), "seconds are no points to read again"


def test_the_new_fields_estimate_is_a_change_made_there_the_later_change_winning():
    """Agreed 5 from the old field. The new field's 13 is Jira's change; an estimate given in
    Timebox after it is kept (and written); an empty new field leaves Timebox's 5, written
    there, never an estimate removed."""
    was = link(remote=rules.facts(issue(estimate_field=OLD)))
    applied = rules.apply_merge(item(), was, issue(estimate=13.0, estimate_field=NEW), [], (), T0)
    assert applied.lines[0].changes == {"estimate": [5.0, 13.0]} and not applied.write

    was = link(remote=rules.facts(issue(estimate_field=OLD)))
    later = [edit(LATER + (LATER - T0), estimate=[5.0, 2.0])]
    card = item(estimate=2.0)
    applied = rules.apply_merge(card, was, issue(estimate=13.0, estimate_field=NEW), later, (), T0)
    assert card.estimate == 2.0 and applied.write and applied.conflicts == 1

    was = link(remote=rules.facts(issue(estimate_field=OLD)))
    card = item()
    applied = rules.apply_merge(card, was, issue(estimate=None, estimate_field=NEW), [], (), T0)
    assert card.estimate == 5.0 and applied.write and not applied.changed
    assert was.base["estimate"] is None, "what the new field holds: Timebox's 5 is to write"
    assert was.remote[rules.ESTIMATED_WITH] == NEW
