# ruff: noqa: F811  (the emulator fixtures are imported from their tests' module)
"""The Jira client's create against the emulator: the epic goes as ``parent`` (Jira Cloud's REST
v3), the type as one the project has (its types read once from createmeta), so the issue Jira
makes is the one Timebox reads back."""

from __future__ import annotations

from typing import Any

from bot.domain import trackers
from bot.trackers.jira import issue_type_in
from tests.app.test_jira_client import jira, make_client  # noqa: F401

SCRUM = [
    {"name": "Epic", "subtask": False, "hierarchyLevel": 1},
    {"name": "Story", "subtask": False, "hierarchyLevel": 0},
    {"name": "Task", "subtask": False, "hierarchyLevel": 0},
    {"name": "Bug", "subtask": False, "hierarchyLevel": 0},
    {"name": "Subtask", "subtask": True, "hierarchyLevel": -1},
]


def test_a_type_the_project_has_is_taken_by_its_name_in_any_case() -> None:
    with_spikes: list[dict[str, Any]] = [*SCRUM, {"name": "Spike", "hierarchyLevel": 0}]
    assert issue_type_in(SCRUM, "Task") == "Task"
    assert issue_type_in(SCRUM, "bug") == "Bug"
    assert issue_type_in(with_spikes, "Spike") == "Spike"


def test_a_type_the_project_lacks_is_its_story_type() -> None:
    assert issue_type_in(SCRUM, "Spike") == "Story"
    assert issue_type_in(SCRUM, "Tech debt") == "Story"
    assert issue_type_in(SCRUM, "Epic") == "Story", "an epic is no backlog issue"
    assert issue_type_in(SCRUM, "Subtask") == "Story"


def test_a_project_without_stories_gets_its_first_standard_type() -> None:
    tasks_only = [t for t in SCRUM if t["name"] != "Story"]
    assert issue_type_in(tasks_only, "Spike") == "Task"
    assert issue_type_in([], "Spike") == "Story", "Jira then says what it lacks"


async def test_the_epic_is_sent_as_the_parent_and_read_back(jira, make_client) -> None:
    epic = jira.add_issue("Checkout", issue_type="Epic")
    client = make_client()

    ref = await client.create_issue(
        trackers.NewIssue("Express checkout", issue_type="Bug", labels=("web",), epic=epic.key)
    )

    (create,) = jira.calls_to("issue.create")
    assert create.body["fields"]["parent"] == {"key": epic.key}
    found = await client.issue(ref.key)
    assert (found.epic, found.issue_type, found.labels) == (epic.key, "Bug", ("web",))


async def test_the_projects_types_are_read_once_for_types_other_than_story_and_bug(
    jira, make_client
) -> None:
    client = make_client()

    spike = await client.create_issue(trackers.NewIssue("Try a wallet SDK", issue_type="Spike"))
    debt = await client.create_issue(trackers.NewIssue("Cart hacks", issue_type="Tech debt"))
    story = await client.create_issue(trackers.NewIssue("Pay by card"))

    assert [jira.issues[r.key].issue_type for r in (spike, debt, story)] == ["Story"] * 3
    (meta,) = jira.calls_to("issue.createmeta")
    assert meta.path.endswith("/createmeta/TB/issuetypes")


async def test_an_epic_jira_refuses_as_parent_leaves_the_issue_made_without_it(
    jira, make_client
) -> None:
    """The epic was deleted in Jira (or is no epic) since the item took it: Jira refuses the
    whole issue (400, nothing made), so it is made again without a parent, not never."""
    epic = jira.add_issue("Checkout", issue_type="Epic")
    story = jira.add_issue("Pay by card")
    jira.delete(epic.key)
    client = make_client()

    gone = await client.create_issue(trackers.NewIssue("Express checkout", epic=epic.key))
    not_epic = await client.create_issue(trackers.NewIssue("Gift cards", epic=story.key))

    assert [jira.issues[r.key].parent for r in (gone, not_epic)] == [None, None]
    sent = [c.body["fields"].get("parent") for c in jira.calls_to("issue.create")]
    assert sent == [{"key": epic.key}, None, {"key": story.key}, None]
    assert [i.summary for i in jira.issues.values()].count("Express checkout") == 1
