# ruff: noqa: F811  (the client fixtures are imported from test_github_client)
"""A project's iteration field written as GitHub writes it, against the GitHub emulator with
``iterations_replaced`` on: ``updateProjectV2Field`` takes ``iterationConfiguration`` whole
and its iterations carry no id (``{startDate, duration, title}``), so every iteration comes back
with a new id, one left out is deleted, and every item's value of the field is cleared
(github/github-mcp-server#2953, tried on GitHub; community discussion #198803). Timebox
writes that field for every sprint it makes, plans, starts or closes.

Passing: adding a sprint keeps the project's history (completed iterations were left out of
the write, so GitHub deleted them) and keeps every item in its iteration (the running
sprint's issues fell out of it, drafts and done issues too), and the id Timebox holds for
the running sprint still names it once another sprint is added (the client follows the ids
its own writes of the field replaced)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import trackers
from bot.emulator.github import GitHubEmulator
from tests.app.test_github_client import github, make_client  # noqa: F401
from tests.app.trackers import collect

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the clock's
NEXT = trackers.SprintSpec(
    "Sprint 5", "Refunds", START + timedelta(days=14), START + timedelta(days=25)
)


def planned_project(github: GitHubEmulator) -> dict[str, str]:
    """Sprint 3 completed, Sprint 4 running, an issue done in the one and planned in the
    other, one on the backlog; the keys and the running iteration's id."""
    github.iterations_replaced = True
    past = github.add_iteration("Sprint 3: Search", START.date() - timedelta(days=14))
    running = github.add_iteration("Sprint 4: Checkout", START.date())
    done = github.add_issue("Search by name", iteration=past.id, state="closed")
    planned = github.add_issue("Pay by card", iteration=running.id)
    waiting = github.add_issue("Refunds")
    return {"done": done.key, "planned": planned.key, "waiting": waiting.key, "running": running.id}


def iteration_title(github: GitHubEmulator, key: str) -> str | None:
    field = github._iteration_field()
    value = github.item(key).values.get(field.id)
    return next((i.title for i in field.iterations if i.id == value), None)


async def test_adding_a_sprint_keeps_the_history_and_every_item_in_its_iteration(
    github, make_client
):
    keys = planned_project(github)
    client = make_client()
    assert await client.check() == []

    made = await client.create_sprint(NEXT)

    titles = [i.title for i in github._iteration_field().iterations]
    assert titles == ["Sprint 3: Search", "Sprint 4: Checkout", "Sprint 5: Refunds"]
    assert made.name == "Sprint 5" and made.state is trackers.SprintState.FUTURE
    assert iteration_title(github, keys["planned"]) == "Sprint 4: Checkout"
    assert iteration_title(github, keys["done"]) == "Sprint 3: Search", "the history kept"
    backlog = [i.key for i in await collect(trackers.iter_backlog(client))]
    assert backlog == [keys["waiting"]], "the running sprint's issue is still in it"
    running = next(s for s in await client.board_sprints() if s.name == "Sprint 4")
    assert (await client.issue(keys["planned"])).sprint_id == running.id


async def test_closing_a_sprint_keeps_its_issues_in_it(github, make_client):
    keys = planned_project(github)
    client = make_client()
    assert await client.check() == []
    running = next(s for s in await client.board_sprints() if s.name == "Sprint 4")

    await client.close_sprint(running.id)

    assert iteration_title(github, keys["planned"]) == "Sprint 4: Checkout"
    assert iteration_title(github, keys["done"]) == "Sprint 3: Search"


async def test_the_running_sprints_id_still_names_it_after_a_sprint_is_added(github, make_client):
    keys = planned_project(github)
    client = make_client()
    assert await client.check() == []

    await client.create_sprint(NEXT)
    await client.move_to_sprint(keys["running"], [keys["waiting"]])

    assert iteration_title(github, keys["waiting"]) == "Sprint 4: Checkout"
