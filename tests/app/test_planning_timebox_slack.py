"""Sprint planning held to Scrum's timebox, and what it leaves in the channel, end to end: a
planning asked to last longer than 2 hours per sprint week is refused (started, scheduled or
extended past it), its minutes count the sprint's items in good English, and a Scrum Master's
`commit team` is told as the Developers' commitment the Scrum Master recorded."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from bot.domain.sprints import CommittedBy
from bot.emulator.stack import LocalStack
from handlers.render import render
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import channel_posts, cmd, commit_sprint, posted, setup, thread
from tests.conftest import DEV1, DEV2, DEV3, PO, SM

TWO_WEEKS = "Sprint planning is timeboxed to at most 4 h for a 2-week sprint (2 h per sprint week)"


def agendas(slack: LocalStack) -> list[str]:
    return [shown(m) for m in channel_posts(slack) if "Sprint planning" in shown(m)]


async def answer(slack: LocalStack, text: str, user: str = SM) -> str:
    """`/planning text` typed by `user`: the private answer they were given."""
    await cmd(slack, "/planning", text, user)
    return last_ephemeral(slack, user).text


async def test_a_planning_longer_than_its_timebox_does_not_start(slack):
    await setup(slack)

    said = await answer(slack, "start 5h")
    assert f"{TWO_WEEKS}: type `/planning start 4h` or less." in said, said
    assert agendas(slack) == []

    await cmd(slack, "/timebox", "settings sprint 1w", PO)
    said = await answer(slack, "start 3h")
    assert (
        "Sprint planning is timeboxed to at most 2 h for a 1-week sprint (2 h per sprint week): "
        "type `/planning start 2h` or less." in said
    ), said
    assert agendas(slack) == []

    await cmd(slack, "/planning", "start 2h")  # the whole timebox is fine
    assert len(agendas(slack)) == 1


async def test_a_planning_scheduled_longer_than_its_timebox_is_refused(slack):
    await setup(slack)
    await cmd(slack, "/timebox", "settings start 2026-03-02", PO)
    said = await answer(slack, "schedule 10:00 5h", PO)
    assert f"{TWO_WEEKS}: give it `4h` or less." in said, said


async def extended(slack: LocalStack, started: str, asked: str) -> str:
    """The usual `setup`, a planning started for `started`, then `/planning extend <asked>`
    typed by the Scrum Master: the private answer."""
    await setup(slack)
    await cmd(slack, "/planning", f"start {started}")
    return await answer(slack, f"extend {asked}")


async def test_a_planning_is_extended_up_to_its_timebox_and_no_further(slack):
    said = await extended(slack, "3h50m", "15m")
    assert f"{TWO_WEEKS}: 10 minutes left, so type `/planning extend 10m` or less." in said, said

    await cmd(slack, "/planning", "extend 10m")
    assert "+10 min for *Why - the sprint goal*." in shown(thread(slack)[-1])

    said = await answer(slack, "extend 1m")
    assert f"{TWO_WEEKS}, and all of it is booked already" in said, said


async def test_a_planning_started_at_its_timebox_is_booked_not_used_up(slack):
    """Minutes in, nothing is used up yet: the whole timebox is booked by the start."""
    said = await extended(slack, "4h", "1m")
    assert f"{TWO_WEEKS}, and all of it is booked already" in said, said
    assert "used up" not in said


async def test_the_minutes_count_the_sprints_items_in_good_english(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    [minutes] = [shown(m) for m in thread(slack) if "Minutes of the" in shown(m)]
    assert " · 1 item, 5 points" in minutes, minutes

    await cmd(slack, "/planning", "start 1h")  # sprint 2, planned with nothing in it
    await cmd(slack, "/planning", "end")
    minutes = [shown(m) for m in channel_posts(slack) + _threads(slack) if "Minutes of" in shown(m)]
    assert any(" · 0 items, " in m for m in minutes), minutes


async def test_the_minutes_count_several_items(slack):
    await setup(slack)
    await commit_sprint(slack, 1, 3)
    [minutes] = [shown(m) for m in thread(slack) if "Minutes of the" in shown(m)]
    assert " · 2 items, 8 points" in minutes, minutes


async def test_a_commitment_for_the_team_is_the_developers_recorded_by_the_scrum_master(slack):
    await setup(slack)
    await commit_sprint(slack, 1)
    said = posted(slack, "*Sprint 1 is committed*")
    assert f"Committed by the Developers, recorded by <@{SM}>." in said, said


async def test_developers_committing_themselves_are_named(slack):
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    await cmd(slack, "/planning", "add 1")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)
    for developer in (DEV1, DEV2, DEV3):
        await cmd(slack, "/planning", "commit", developer)
    said = posted(slack, "*Sprint 1 is committed*")
    named = ", ".join(f"<@{developer}>" for developer in sorted((DEV1, DEV2, DEV3)))
    assert f"Committed by {named}." in said, said
    assert "recorded by" not in said


def _threads(slack: LocalStack) -> list:
    found = []
    for post in channel_posts(slack):
        found += slack.emulator.thread(post.channel, post.ts)[1:]
    return found


def test_one_point_is_a_point_in_the_commitment():
    sprint = SimpleNamespace(
        number=2,
        starts_on=date(2026, 3, 2),
        capacity={"forecast": None},
        goal="Go",
        committed_points=1.0,
        committed_by=["U1"],
    )
    said = render(
        "sprint_committed.md.j2",
        sprint=sprint,
        ends=sprint.starts_on,
        count=1,
        by=CommittedBy(("U1",), None),
        ended=False,
    )
    assert "1 item, 1 point. Committed by" in said, said
