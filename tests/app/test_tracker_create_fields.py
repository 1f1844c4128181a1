# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""An issue Timebox creates for an item carries what the item has that the tracker can hold,
through the real app and the Jira emulator: its epic (Jira's ``parent``), its labels, its type
as the project has it (a type the project lacks: a Story); the link's ``base`` records the
issue as made, so connecting again does not take the item's epic for one Jira removed. A
GitHub project and Linear hold a type as a label: a Spike is created with its "spike" label
and read back as a Spike, not as the Story it was sent as before."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.domain.backlog import ItemFields
from bot.domain.tracker_writes import created_as, new_issue
from bot.domain.trackers import StatusCategory, TrackerIssue
from bot.emulator.jira import JiraEmulator
from bot.emulator.stack import LocalStack
from bot.usecases import tracker as tracker_uc
from bot.usecases import tracker_connect as connect_uc
from storage.models import BacklogItem
from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reopen import board  # noqa: F401
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import actor, connect, history, jira, seed_board  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, items, later
from tests.conftest import CHANNEL, PO


async def added(slack: LocalStack, fields: ItemFields) -> BacklogItem:
    """An item added as `/backlog add` adds it on a connected channel, its create run."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        item = await store.add_item(team, fields, PO, slack.clock.now())
        await tracker_uc.after_add(store, team, item, slack.clock.now())
        number = item.number
    await drain(slack)
    return next(i for i in await items(slack) if i.number == number)


async def connected(slack: LocalStack, jira: JiraEmulator) -> str:
    """The seeded board connected and imported; the key of its epic."""
    seed_board(jira)
    await connect(slack, jira)
    await drain(slack)
    return next(i.key for i in jira.issues.values() if i.issue_type == "Epic")


async def test_a_new_issue_carries_the_items_epic_labels_and_type(slack, jira):
    epic = await connected(slack, jira)
    jira.reset_calls()

    item = await added(
        slack,
        ItemFields(title="Express checkout", type="bug", epic=epic, labels=["web", "mobile"]),
    )

    (create,) = jira.calls_to("issue.create")
    sent = create.body["fields"]
    assert sent["parent"] == {"key": epic}, "the epic is sent as the issue's parent"
    assert sent["labels"] == ["web", "mobile"] and sent["issuetype"] == {"name": "Bug"}
    assert not jira.calls_to("issue.createmeta"), "a Bug needs no look at the project's types"
    made = jira.issues[item.tracker_link.key]
    assert (made.parent, made.issue_type, made.labels) == (epic, "Bug", ["web", "mobile"])
    base = item.tracker_link.base
    assert (base["epic"], base["type"], base["labels"]) == (epic, "bug", ["web", "mobile"])


async def test_connecting_again_keeps_the_epic_of_an_issue_timebox_made(slack, jira):
    """The QA finding: the epic was not sent, then dropped on reconnecting as "Jira edited
    epic" although nobody touched it in Jira."""
    epic = await connected(slack, jira)
    item = await added(slack, ItemFields(title="Express checkout", epic=epic))
    await connect_uc.disconnect(slack.services, actor("bye"))
    await later(slack, 60)

    await connect(slack, jira)
    await drain(slack)
    await later(slack, 600)

    again = next(i for i in await items(slack) if i.number == item.number)
    assert again.epic == epic and again.tracker_link.connection_id is not None
    edits = [c for who, a, c in await history(slack, again) if who == "jira" and a == "edited"]
    assert not [c for c in edits if "epic" in c], edits


async def test_a_type_the_project_lacks_is_created_as_a_story_and_recorded_so(slack, jira):
    await connected(slack, jira)
    jira.reset_calls()

    item = await added(slack, ItemFields(title="Try a wallet SDK", type="spike"))

    (create,) = jira.calls_to("issue.create")
    assert create.body["fields"]["issuetype"] == {"name": "Story"}, "the project has no Spike"
    assert len(jira.calls_to("issue.createmeta")) == 1, "its types were looked at once"
    assert "parent" not in create.body["fields"], "no epic, no parent"
    assert item.tracker_link.base["type"] == "story", "the base records the issue as made"


async def test_an_epic_written_as_words_is_not_sent_as_a_parent(slack, jira):
    """An epic typed as a name, not an issue key, is no parent Jira could find: the issue is
    made without one rather than refused."""
    await connected(slack, jira)
    jira.reset_calls()

    item = await added(slack, ItemFields(title="Gift cards", epic="Checkout revamp"))

    (create,) = jira.calls_to("issue.create")
    assert "parent" not in create.body["fields"]
    assert item.tracker_link.key is not None and item.tracker_link.pending == 0


def test_an_item_asks_for_its_type_by_name_its_epic_and_labels() -> None:
    """What the clients are handed: the type as people name it (each client maps it to what
    its tracker has), the epic, the labels without spaces."""
    item = BacklogItem(
        title="Pay off the cart debt",
        type="tech_debt",
        epic="TB-1",
        labels=["web app"],
        estimate=2.0,
        acceptance_criteria=["No more cart hacks"],
    )

    issue = new_issue(item)

    assert (issue.issue_type, issue.epic, issue.labels) == ("Tech debt", "TB-1", ("web-app",))
    plain = BacklogItem(title="Plain", type="story", labels=[], acceptance_criteria=[])
    assert new_issue(plain).epic is None and new_issue(plain).issue_type == "Story"


async def test_a_spike_keeps_its_type_where_the_tracker_can_hold_it(slack, board):
    """Jira without a Spike type makes a Story (read back as one: the base says so), and the
    item takes it, its history saying why; a GitHub project and Linear (whose team has the
    label) hold it as a "spike" label, read back as a Spike: both sides agree on the type."""
    tracker, em = board
    kind = kind_of(tracker)
    if kind == "linear":
        em.add_label("Spike")
    tracker.seed(em)
    await tracker.connect(slack, em)
    await drain(slack)

    item = await added(slack, ItemFields(title="Try a wallet SDK", type="spike"))

    assert item.tracker_link.key is not None and item.tracker_link.pending == 0
    held: dict[str, Any] = {"jira": "story", "github": "spike", "linear": "spike"}
    assert item.tracker_link.base["type"] == held[kind]
    assert item.type == held[kind], "the item holds what its issue was made with"
    lines = [changes.get("note") or "" for *_, changes in await history(slack, item)]
    said = [line for line in lines if "just created there" in line]
    assert said, lines  # Jira's Story; GitHub's and Linear's "spike" label among the labels


def made(issue_type: str, epic: str | None = None, labels: tuple[str, ...] = ()) -> TrackerIssue:
    """The issue a client read back after creating it (TB-9)."""
    return TrackerIssue(
        key="TB-9",
        url="https://example.atlassian.net/browse/TB-9",
        summary="Try a wallet SDK",
        description="",
        acceptance_criteria=(),
        estimate=None,
        issue_type=issue_type,
        status_category=StatusCategory.TODO,
        status="To Do",
        assignee=None,
        epic=epic,
        labels=labels,
        blocked_by=(),
        updated=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )


def spike(**fields: Any) -> BacklogItem:
    values: dict[str, Any] = {"type": "spike", "epic": None, "labels": [], "dependencies": []}
    return BacklogItem(title="Try a wallet SDK", acceptance_criteria=[], **(values | fields))


def test_a_type_the_project_lacks_is_the_items_from_the_create_on() -> None:
    """The round trip of a Spike through a Jira project without one: the item shows the Story
    made, said in its history at the create, so no later sync (a reconnect) reports it as a
    change made in Jira."""
    item = spike(epic="TB-1")

    changes, note = created_as(item, made("Story", epic="TB-1"), "jira")

    assert changes == {"type": ["spike", "story"]} and item.type == "story"
    assert note == "The type is now as Jira holds it on TB-9, just created there: Jira's to change"
    assert item.epic == "TB-1", "what the issue holds stays"


def test_what_the_issue_holds_as_the_item_has_it_changes_nothing() -> None:
    item = spike(epic="TB-1", labels=["web"])

    assert created_as(item, made("Spike", epic="TB-1", labels=("web",)), "jira") == ({}, None)
    assert (item.type, item.epic, item.labels) == ("spike", "TB-1", ["web"])


def test_labels_and_an_epic_the_tracker_did_not_take_are_said_together() -> None:
    """A label added, an epic given as words (no parent Jira could find)."""
    item = spike(epic="Wallets", labels=["web"])

    changes, note = created_as(item, made("Spike", labels=("web", "spike")), "jira")

    assert changes == {"epic": ["Wallets", None], "labels": [["web"], ["web", "spike"]]}
    assert (item.epic, item.labels) == (None, ["web", "spike"])
    assert note == (
        "The epic and labels are now as Jira holds them on TB-9, just created there: "
        "Jira's to change"
    )


async def test_an_item_restored_after_its_issue_was_deleted_is_created_with_its_epic(slack, jira):
    """The QA finding on `/backlog restore`: the issue made again had no epic."""
    await connected(slack, jira)
    story = next(i for i in jira.issues.values() if i.summary == "Pay by card")
    number = (await item_by_key(slack, story.key)).number
    jira.delete(story.key)
    await later(slack, 3600)
    jira.reset_calls()

    await backlog(slack, f"restore {number}")
    await drain(slack)

    (create,) = jira.calls_to("issue.create")
    assert create.body["fields"]["parent"] == {"key": story.parent}
    [item] = [i for i in await items(slack) if i.number == number]
    assert item.tracker_link.key not in (None, story.key)
    assert jira.issues[item.tracker_link.key].parent == story.parent
    assert item.tracker_link.base["epic"] == item.epic == story.parent


def test_an_epic_the_create_did_not_send_stays_the_items() -> None:
    """Only Jira's create sends the epic (its parent): on Linear or GitHub the issue made has
    none, and the item keeps its own rather than lose it to an epic nobody changed there."""
    for kind in ("linear", "github"):
        item = spike(epic="ENG-12")

        assert created_as(item, made("Spike"), kind) == ({}, None)
        assert item.epic == "ENG-12"


def test_labels_read_back_in_another_order_are_the_same_labels() -> None:
    item = spike(labels=["web", "mobile"])

    assert created_as(item, made("Spike", labels=("mobile", "web")), "jira") == ({}, None)
    assert item.labels == ["web", "mobile"]
