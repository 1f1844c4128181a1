# ruff: noqa: F811  (the fixtures are imported from the client tests' modules)
"""``reopen``, done's inverse, on each tracker client against its emulator: a done issue back
to the first open status the tracker offers, by one write, and nothing once it is open (a
repeat after a lost answer reads first). The path through the app: test_tracker_reopen.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from bot.domain import trackers
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.test_tracker_clients import Running, running  # noqa: F401


@dataclass(frozen=True)
class Reopening:
    """A done issue added to a tracker's emulator, the call that moves it, and what that call
    sends to reopen it."""

    add_done: Callable[[Any], str]
    move_call: str
    sent: Callable[[Any, Any], Any]  # (emulator, call) -> what the reopen sent
    expected: Callable[[Any], Any]  # (emulator) -> what it should send


REOPENING = {
    "Jira": Reopening(
        lambda em: em.add_issue("Pay by card", status="Done").key,
        "issue.transition",
        lambda em, call: call.body,
        lambda em: {"transition": {"id": "11"}},  # "Back to To Do"
    ),
    "Linear": Reopening(
        lambda em: em.add_issue("Pay by card", state="Done").identifier,
        "UpdateIssue",
        lambda em, call: call.variables["input"],
        lambda em: {"stateId": em.state_named("Backlog").id},  # the first backlog state
    ),
}


async def test_reopen_moves_a_done_issue_back_to_to_do_once(running: Running) -> None:
    reopening, em = REOPENING[running.tracker.name], running.em
    key = reopening.add_done(em)
    client = running.make_client()
    assert (await client.issue(key)).status_category is trackers.StatusCategory.DONE

    await client.reopen(key)

    assert (await client.issue(key)).status_category is trackers.StatusCategory.TODO
    (moved,) = em.calls_to(reopening.move_call)
    assert reopening.sent(em, moved) == reopening.expected(em)
    await client.reopen(key)  # open already: one look, no move
    assert len(em.calls_to(reopening.move_call)) == 1
    await client.mark_done(key)  # and done again, as before
    assert (await client.issue(key)).status_category is trackers.StatusCategory.DONE


async def test_reopen_opens_a_closed_github_issue_once(github, make_client) -> None:
    key = github.add_issue("Pay by card", state="closed").key
    client = make_client()
    await client.reopen(key)
    await client.reopen(key)  # open already: one look, no write
    assert github.issue(key).state == "open" and github.issue(key).state_reason == "reopened"
    (moved,) = github.calls_to("issues.update")
    assert moved.body == {"state": "open", "state_reason": "reopened"}
    assert (await client.issue(key)).status_category is trackers.StatusCategory.TODO


@pytest.mark.parametrize("running", ["jira"], indirect=True)
async def test_jira_without_a_way_back_to_to_do_says_so_plainly(running: Running) -> None:
    em = running.em
    key = REOPENING["Jira"].add_done(em)
    em.workflow = {"Done": ["In Progress"]}
    with pytest.raises(trackers.TrackerError) as stuck:
        await running.make_client().reopen(key)
    assert stuck.value.kind is trackers.TrackerErrorKind.CONFIG and not stuck.value.retryable
    assert str(stuck.value) == (
        f"Jira's workflow has no step from 'Done' to a To Do status for {key}: move it to "
        "To Do in Jira (or ask an admin to allow the step)."
    )
    assert em.issues[key].status == "Done"


@pytest.mark.parametrize("running", ["linear"], indirect=True)
async def test_linear_closes_as_not_planned_in_its_first_canceled_state_once(
    running: Running,
) -> None:
    em = running.em
    key = em.add_issue("Pay by card").identifier
    client = running.make_client()

    await client.close_not_planned(key)
    await client.close_not_planned(key)  # closed already: one look, no move

    (moved,) = em.calls_to("UpdateIssue")
    assert moved.variables["input"] == {"stateId": em.state_named("Canceled").id}
    assert (await client.issue(key)).not_planned, "closed without being delivered"


@pytest.mark.parametrize("running", ["linear"], indirect=True)
async def test_a_linear_team_without_a_canceled_state_says_what_to_add(running: Running) -> None:
    em = running.em
    key = em.add_issue("Pay by card").identifier
    canceled = em.state_named("Canceled")
    del em.states[canceled.id]

    with pytest.raises(trackers.TrackerError) as stuck:
        await running.make_client().close_not_planned(key)

    assert stuck.value.kind is trackers.TrackerErrorKind.CONFIG
    assert "has no canceled status, so " in str(stuck.value) and key in str(stuck.value)
    assert em.state_of(key).type != "completed", "never closed as done instead"


async def test_github_closes_as_not_planned_once(github, make_client) -> None:
    key = github.add_issue("Pay by card").key
    client = make_client()
    await client.close_not_planned(key)
    await client.close_not_planned(key)  # closed already: one look, no write
    (moved,) = github.calls_to("issues.update")
    assert moved.body == {"state": "closed", "state_reason": "not_planned"}
    assert (await client.issue(key)).not_planned
