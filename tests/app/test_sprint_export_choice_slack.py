"""`/sprint export` exports the sprint a person means: the running one, else the last closed one
(what its review needs), never the empty sprint the last close opened; `export csv <n>` names
one (QA: right after `/sprint close`, "asked for sprint 2" with only the header row)."""

from __future__ import annotations

import csv
import io

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import close_sprint, cmd, commit_sprint, setup
from tests.app.test_sprint_points_slack import uploads
from tests.conftest import DEV1


def rows(slack, name: str) -> list[list[str]]:
    """The newest file called `name` posted in the channel, as CSV rows."""
    (*_, (_, content)) = uploads(slack, name)
    return list(csv.reader(io.StringIO(content.decode(), newline="")))


async def test_right_after_the_close_the_closed_sprint_is_exported(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    await cmd(slack, "/sprint", "done 3", DEV1)
    await close_sprint(slack, "Mostly: invoices went out")
    await cmd(slack, "/sprint", "export csv", DEV1)
    assert uploads(slack, "sprint-2.csv") == [], "not the empty sprint the close opened"
    [(comment, _)] = uploads(slack, "sprint-1.csv")
    assert "asked for sprint 1" in comment, comment
    exported = rows(slack, "sprint-1.csv")
    assert [(row[2], row[5]) for row in exported[1:]] == [("#1", "not done"), ("#3", "done")]
    await cmd(slack, "/sprint", "export md", DEV1)
    [(_, markdown)] = uploads(slack, "sprint-1.md")
    assert "By the end we expect PDF invoices" in markdown.decode()


async def test_a_sprint_is_named_by_its_number(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    await close_sprint(slack, "Yes")
    await commit_sprint(slack, 3)  # sprint 2 runs now: it is the one exported by default
    await cmd(slack, "/sprint", "export csv", DEV1)
    assert [row[2] for row in rows(slack, "sprint-2.csv")[1:]] == ["#3"]
    await cmd(slack, "/sprint", "export csv 1", DEV1)
    assert [row[2] for row in rows(slack, "sprint-1.csv")[1:]] == ["#1"]
    await cmd(slack, "/sprint", "export csv #7", DEV1)
    assert "This channel has no sprint 7 (its sprints: 1 to 2)." in last_ephemeral(slack, DEV1).text
    await cmd(slack, "/sprint", "export csv last", DEV1)
    said = last_ephemeral(slack, DEV1)
    assert "`last` is not a sprint number" in said.text
    assert "Usage: `/sprint export md|csv [<sprint number>]`" in shown(said)


async def test_with_no_sprint_run_yet_it_says_how_to_name_one(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/sprint", "export csv", DEV1)
    assert "No sprint has run yet in this channel" in last_ephemeral(slack, DEV1).text
    await cmd(slack, "/sprint", "export csv 1", DEV1)  # the one being planned, named
    assert [row[2] for row in rows(slack, "sprint-1.csv")[1:]] == ["#1"]
