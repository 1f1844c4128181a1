# ruff: noqa: F811  (the `jira` fixture is imported from tests/app/test_tracker_sync.py)
"""A Jira admin switches the field a board estimates with (Story Points to a custom
"Estimate"), and estimates are given in the new field before Timebox reads the board's
settings again (at most an hour on). The regular sync meanwhile reads those issues from the
old field; once the switch is noticed the linked issues are read again, together (100 keys
a search), and the new field's estimates land on their items, as a change made in Jira: a
later estimate given in Timebox is kept and written to the new field, and an estimate the
new field does not hold yet is no estimate removed in Jira (Timebox's stays, written there).
Once: the looks after read no issue again."""

from __future__ import annotations

from datetime import timedelta

from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from tests.app.test_jira_adopt_batched import searches_by_key
from tests.app.test_jira_reconcile import connected
from tests.app.test_tracker_renew_token import _renew_jira as renewed_token
from tests.app.test_tracker_sync import history, jira, seed_board  # noqa: F401
from tests.app.trackers import (
    RECONCILE,
    SYNC,
    drain,
    estimate_by_poker,
    item_by_key,
    later,
    saved_in_item_form,
)

NEW_FIELD = "customfield_10077"


async def switched(slack: LocalStack, jira: JiraEmulator) -> list[str]:
    """The board seeded and connected; then the admin adds a number field "Estimate" and
    switches the board's estimation to it. The board's keys (bug, story, blocker, task)."""
    keys = seed_board(jira)
    await connected(slack, jira)
    jira.add_field(NEW_FIELD, "Estimate", kind="number")
    jira.set_estimation(1, NEW_FIELD)
    return keys


async def estimated_in_timebox(slack: LocalStack, key: str, points: str) -> None:
    """The PO gives the item linked to `key` an estimate through `/backlog edit`."""
    await saved_in_item_form(slack, key, {"Estimate (story points)": points})


async def test_estimates_given_in_the_new_field_reach_the_items_once_the_switch_is_noticed(
    slack, jira
):
    """Ten minutes after the switch someone estimates "Pay by card" 13 on the board (in the
    new field). The sync five minutes on reads that change from the old field (still 5): the
    board's settings are read again by the hourly look only. The team expects 13 on the item
    once the look has read them: the linked issues are read again from the new field, in one
    search for the 4 of them, and 13 lands as Jira's edit. "Set up the payment provider"
    holds 3 in the old field and nothing in the new one: its item keeps 3, written to the
    new field, so the board shows it. The looks after read no issue again."""
    bug, story, blocker, task = await switched(slack, jira)
    slack.clock.advance(timedelta(minutes=10))
    jira.edit(story, estimate=13)
    await later(slack, SYNC)
    assert (await item_by_key(slack, story)).estimate == 5, "read from the old field"
    jira.reset_calls()

    await later(slack, RECONCILE)

    card = await item_by_key(slack, story)
    assert card.estimate == 13
    edits = [
        c for who, action, c in await history(slack, card) if (who, action) == ("jira", "edited")
    ]
    assert edits[-1] == {"estimate": [5.0, 13.0]}
    assert (await item_by_key(slack, blocker)).estimate == 3
    assert jira.estimate_of(blocker) == 3, "Timebox's estimate written to the new field"
    assert jira.estimate_of(story) == 13
    [again] = searches_by_key(jira)
    assert all(key in again.body["jql"] for key in (bug, story, blocker, task)), again.body
    reads = [c.path.rsplit("/", 1)[-1] for c in jira.calls_to("issue.get")]
    assert reads == [blocker], "no issue read alone but by the write of the blocker's estimate"

    jira.reset_calls()
    await later(slack, RECONCILE)
    assert searches_by_key(jira) == [], "read again once"
    assert jira.calls_to("issue.edit") == [], "nothing more to write"
    assert (await item_by_key(slack, story)).estimate == 13
    assert (await item_by_key(slack, blocker)).estimate == 3


async def test_a_later_estimate_given_in_timebox_is_kept_and_written_to_the_new_field(slack, jira):
    """Ten minutes after the switch someone estimates "Pay by card" 13 on the board; ten
    minutes later the PO estimates it 2 in Timebox, but Jira answers 503 to its writes for
    a while, so the 2 is still on its way when the switch is noticed. Read again from the
    new field, the 13 is the earlier change: the item keeps 2, its history says why, and the
    2 lands in the new field once Jira takes writes again."""
    _, story, *_ = await switched(slack, jira)
    slack.clock.advance(timedelta(minutes=10))
    jira.edit(story, estimate=13)
    await later(slack, SYNC)
    jira.fail_rate(1.0, 503, route="issue.edit")
    slack.clock.advance(timedelta(minutes=5))
    await estimated_in_timebox(slack, story, "2")
    assert (await item_by_key(slack, story)).tracker_link.pending == 1

    await later(slack, RECONCILE)

    card = await item_by_key(slack, story)
    assert card.estimate == 2
    *_, (who, action, changes) = await history(slack, card)
    assert (who, action, changes["field"], changes["kept"]) == (
        "jira",
        "conflict",
        "estimate",
        "Timebox",
    ), changes
    jira.faults.clear()
    await later(slack, SYNC)
    await later(slack, SYNC)
    assert jira.estimate_of(story) == 2
    assert (await item_by_key(slack, story)).estimate == 2
    assert (await item_by_key(slack, story)).tracker_link.pending == 0


async def test_a_poker_estimate_in_the_hour_after_the_switch_lands_in_the_new_field(slack, jira):
    """The story already holds 5 in the new field when the admin switches to it; ten minutes
    on, before any look at the board, the team accepts 8 for it by poker. The estimate is
    written to the field the board estimates with now (its settings read again for the
    write), so the look after finds 8 there: the item keeps 8 and no Jira edit takes it back
    to 5; the switch the write found has the other items' estimates written there too.
    Before, 8 went to the old field, which the board no longer shows, and the look then took
    the new field's 5 as a change made in Jira."""
    _, story, blocker, _ = seed_board(jira)
    await connected(slack, jira)
    jira.add_field(NEW_FIELD, "Estimate", kind="number")
    jira.issues[story].fields[NEW_FIELD] = 5
    jira.set_estimation(1, NEW_FIELD)
    slack.clock.advance(timedelta(minutes=10))
    jira.reset_calls()

    await estimate_by_poker(slack, story, "8")
    await drain(slack)

    written = [(c.path.rsplit("/", 1)[-1], c.body) for c in jira.calls_to("issue.edit")]
    assert written[0] == (story, {"fields": {NEW_FIELD: 8.0}}), written
    await later(slack, SYNC)
    await later(slack, RECONCILE)
    card = await item_by_key(slack, story)
    assert card.estimate == 8
    assert jira.estimate_of(story) == 8
    assert ("jira", "edited", {"estimate": [8.0, 5.0]}) not in await history(slack, card)
    assert jira.estimate_of(blocker) == 3, "the switch, found by the write, moved the others'"


async def test_a_token_renewed_after_the_switch_still_reads_the_new_fields_estimates(slack, jira):
    """Connecting again with a new token reads the board's settings afresh, the new field
    with them, before the hourly look noticed the switch: the estimate the syncs read from
    the old field is still read again from the new one."""
    _, story, _, _ = await switched(slack, jira)
    slack.clock.advance(timedelta(minutes=10))
    jira.edit(story, estimate=13)
    await later(slack, SYNC)
    assert (await item_by_key(slack, story)).estimate == 5, "read from the old field"

    await renewed_token(slack, jira)
    await drain(slack)

    assert (await item_by_key(slack, story)).estimate == 13
