# ruff: noqa: F811  (the fixtures are imported from the client tests' module)
"""``close_not_planned`` on the Jira client against its emulator: an item archived in Timebox
closes its issue as won't do, so Jira's reports do not count it delivered and the client reads
it back as ``not_planned``. A Done-category status named so wins; else the step to Done with a
won't-do resolution from its screen; else a plain CONFIG error, never a plain Done. An issue in
a Done status already is left as it is after one look."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from bot.domain import trackers
from bot.emulator.jira import JiraEmulator
from bot.trackers.http import RetryPolicy
from tests.app.test_jira_client import jira, make_client  # noqa: F401

MOVE = ["issue.get", "issue.transitions", "issue.transition"]
WONT_DO = {"id": "10001"}  # Jira Cloud's "Won't Do" resolution


def _expanded(em: JiraEmulator) -> bool:
    """The client asked for the steps' screens (``expand=transitions.fields``)."""
    (listed,) = em.calls_to("issue.transitions")
    return listed.query.get("expand") == "transitions.fields"


async def _closed_not_planned(em: JiraEmulator, client: Any, key: str) -> trackers.TrackerIssue:
    """The issue as the client reads it back: done, and not planned."""
    issue = await client.issue(key)
    assert issue.status_category is trackers.StatusCategory.DONE and issue.not_planned
    return issue


@pytest.mark.parametrize(
    ("screen", "fields"),
    [(None, None), (["Done", "Won't Do"], {"resolution": WONT_DO})],
    ids=["no screen", "with a won't-do resolution on its screen"],
)
async def test_a_step_to_a_done_status_named_cancelled_wins(
    jira, make_client, screen, fields
) -> None:
    """The step to Done offers "Won't Do" too (Jira's default), but a status that says it
    itself is the team's own way to drop work."""
    key = jira.add_issue("Pay by card").key
    jira.workflow = {"To Do": ["In Progress", "Done", "Cancelled"]}
    if screen:
        jira.resolution_screens["Cancelled"] = screen
    client = make_client()

    await client.close_not_planned(key)

    assert [c.route for c in jira.calls] == MOVE and _expanded(jira)
    (moved,) = jira.calls_to("issue.transition")
    expected: dict[str, Any] = {"transition": {"id": "41"}}  # "Cancel"
    assert moved.body == (expected | {"fields": fields} if fields else expected)
    assert (await _closed_not_planned(jira, client, key)).status == "Cancelled"


async def test_else_the_step_to_done_with_the_wont_do_resolution_once(jira, make_client) -> None:
    key = jira.add_issue("Pay by card", status="In Progress").key
    client = make_client()

    await client.close_not_planned(key)

    assert [c.route for c in jira.calls] == MOVE and _expanded(jira)
    (moved,) = jira.calls_to("issue.transition")
    assert moved.body == {"transition": {"id": "31"}, "fields": {"resolution": WONT_DO}}
    assert jira.issues[key].resolution == "Won't Do"
    assert (await _closed_not_planned(jira, client, key)).status == "Done"
    jira.reset_calls()
    await client.close_not_planned(key)  # closed already: one look, no move
    assert [c.route for c in jira.calls] == ["issue.get"]


async def test_wont_do_is_chosen_over_duplicate(jira, make_client) -> None:
    """An archived item was dropped: "Duplicate" would say something untrue of it."""
    key = jira.add_issue("Pay by card").key
    jira.resolution_screens["Done"] = ["Done", "Duplicate", "Cannot Reproduce", "Won't Do"]
    client = make_client()

    await client.close_not_planned(key)

    (moved,) = jira.calls_to("issue.transition")
    assert moved.body["fields"] == {"resolution": WONT_DO}
    assert jira.issues[key].resolution == "Won't Do"


@pytest.mark.parametrize(
    "done_screen",
    [[], ["Done"], ["Done", "Duplicate", "Cannot Reproduce"]],
    ids=["no resolution on the step to Done", "only Done", "no won't-do resolution"],
)
async def test_without_a_way_to_close_it_as_not_done_says_what_to_do(
    jira, make_client, done_screen
) -> None:
    key = jira.add_issue("Pay by card").key
    jira.resolution_screens["Done"] = done_screen
    client = make_client()

    with pytest.raises(trackers.TrackerError) as stuck:
        await client.close_not_planned(key)

    assert stuck.value.kind is trackers.TrackerErrorKind.CONFIG and not stuck.value.retryable
    assert str(stuck.value) == (
        f"Jira's workflow has no step from 'To Do' that closes {key} as not done: close "
        f"{key} as Won't Do in Jira, or ask an admin to add a Won't Do resolution to the "
        "Done step."
    )
    assert [c.route for c in jira.calls] == MOVE[:2], "never marked plain Done"
    assert jira.issues[key].status == "To Do"


@pytest.mark.parametrize("resolution", ["Done", "Won't Do"])
async def test_an_issue_in_a_done_status_already_is_left_after_one_look(
    jira, make_client, resolution
) -> None:
    """Delivered or dropped, it is closed: Timebox does not rewrite how."""
    key = jira.add_issue("Pay by card").key
    jira.edit(key, status="Done", resolution=resolution)
    client = make_client()

    await client.close_not_planned(key)

    assert [c.route for c in jira.calls] == ["issue.get"]
    assert jira.issues[key].resolution == resolution
    assert (await client.issue(key)).not_planned is (resolution == "Won't Do")


async def test_a_repeat_after_a_lost_answer_does_not_move_it_again(jira, make_client) -> None:
    key = jira.add_issue("Pay by card").key
    client = make_client(retry=RetryPolicy(timeout=0.2))
    jira.delay_next(30, route="issue.transition", applied=True)  # done; the answer is lost

    with pytest.raises(trackers.TrackerError) as lost:
        await client.close_not_planned(key)
    assert lost.value.maybe_applied
    await client.close_not_planned(key)  # the outbox's retry: it reads the status first

    assert len(jira.calls_to("issue.transition")) == 1
    await _closed_not_planned(jira, client, key)


# -- the emulator's own answers --------------------------------------------------------------


async def test_the_emulator_lists_step_screens_and_sets_the_resolution_given(jira) -> None:
    basic = base64.b64encode(f"{jira.user.email}:{jira.user.token}".encode()).decode()
    auth = {"Authorization": f"Basic {basic}"}
    key = jira.add_issue("Pay by card").key
    url = f"{jira.url}/rest/api/3/issue/{key}/transitions"
    async with aiohttp.ClientSession(headers=auth) as http:
        async with http.get(url) as plain, http.get(f"{url}?expand=transitions.fields") as full:
            listed, expanded = (
                (await plain.json())["transitions"],
                (await full.json())["transitions"],
            )
        assert all("fields" not in t for t in listed)
        screens = {t["to"]["name"]: (t["hasScreen"], t["fields"]) for t in expanded}
        assert screens["In Progress"] == (False, {})
        has_screen, fields = screens["Done"]
        assert has_screen and fields["resolution"]["required"] is False
        assert [(v["id"], v["name"]) for v in fields["resolution"]["allowedValues"]] == [
            ("10000", "Done"),
            ("10001", "Won't Do"),
            ("10002", "Duplicate"),
            ("10003", "Cannot Reproduce"),
        ]
        for move, error in (
            (
                {"transition": {"id": "21"}, "fields": {"resolution": {"name": "Won't Do"}}},
                "Field 'resolution' cannot be set. It is not on the appropriate screen, or "
                "unknown.",
            ),
            (
                {"transition": {"id": "31"}, "fields": {"resolution": {"name": "Wontfix"}}},
                "Could not find valid 'id' or 'name' in resolution object.",
            ),
        ):
            async with http.post(url, json=move) as refused:
                assert refused.status == 400
                assert (await refused.json())["errors"] == {"resolution": error}
        assert jira.issues[key].status == "To Do"
        by_name = {"transition": {"id": "31"}, "fields": {"resolution": {"name": "Duplicate"}}}
        async with http.post(url, json=by_name) as moved:
            assert moved.status == 204
        async with http.get(f"{jira.url}/rest/agile/1.0/board/1/configuration") as board:
            columns = (await board.json())["columnConfig"]["columns"]
    assert (jira.issues[key].status, jira.issues[key].resolution) == ("Done", "Duplicate")
    assert [(c["name"], [s["id"] for s in c["statuses"]]) for c in columns] == [
        ("To Do", ["10000"]),
        ("In Progress", ["3"]),
        ("Done", ["10001", "10002"]),  # Done, and Cancelled: a column per category
    ]
