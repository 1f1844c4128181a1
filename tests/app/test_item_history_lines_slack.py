"""An item's history reads as sentences about its sprints: which sprint it was committed to
and by whom, added to or removed from (with the reason), and back from unfinished; not as the
event names the history stores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from bot.emulator.stack import LocalStack
from handlers.render import render
from tests.app.test_backlog_slack import backlog, shown
from tests.app.test_planning_slack import close_sprint, cmd, setup
from tests.conftest import DEV1, DEV2, DEV3, PO, SM


async def history(slack: LocalStack, number: int) -> str:
    return shown(await backlog(slack, f"show {number}"))


async def planned(slack: LocalStack, *numbers: int) -> None:
    """Sprint 1 planned with items `numbers` and its goal, not committed yet."""
    await setup(slack)
    await cmd(slack, "/planning", "start 1h")
    for number in numbers:
        await cmd(slack, "/planning", f"add {number}")
    await cmd(slack, "/planning", "goal By the end we expect PDF invoices", PO)


async def test_the_history_names_the_sprint_the_reason_and_who_committed(slack):
    await planned(slack, 1, 3)
    for developer in (DEV1, DEV2, DEV3):
        await cmd(slack, "/planning", "commit", developer)
    await cmd(slack, "/sprint", "add 2 the customer escalated it", DEV1)
    await cmd(slack, "/sprint", "remove 3 blocked by the bank", DEV2)
    await cmd(slack, "/sprint", "done 2", DEV1)
    slack.clock.advance(timedelta(days=13))
    await close_sprint(slack, "Partly")

    first = await history(slack, 1)
    committers = ", ".join(f"<@{d}>" for d in sorted((DEV1, DEV2, DEV3)))
    assert f"committed to sprint 1 by {committers}" in first, "every committer, not the last"
    assert f"back from sprint 1 (unfinished), at its close by <@{SM}>" in first
    assert f"<@{DEV1}> added to sprint 1: the customer escalated it" in await history(slack, 2)
    third = await history(slack, 3)
    assert f"<@{DEV2}> removed from sprint 1: blocked by the bank" in third
    for stored in ("sprint add", "sprint remove", "returned from sprint", f"<@{DEV3}> committed"):
        assert stored not in first + third, f"{stored!r} is the stored name, not a sentence"


async def test_a_commitment_recorded_for_the_team_says_who_recorded_it(slack):
    await planned(slack, 1)
    await cmd(slack, "/planning", "commit", DEV1)
    await cmd(slack, "/planning", "commit team", SM)
    line = f"committed to sprint 1 by <@{DEV1}>, the team's commitment recorded by <@{SM}>"
    assert line in await history(slack, 1)


def test_a_line_logged_before_the_sprint_or_its_committers_were_kept_still_reads_well():
    at = datetime(2026, 3, 2, tzinfo=UTC)
    events = [
        SimpleNamespace(action="committed", actor=DEV1, changes={"sprint": 4}, at=at),
        SimpleNamespace(action="sprint add", actor=DEV2, changes={}, at=at),
    ]
    lines = render("item_history.md.j2", lines=[(event, None) for event in events])
    first, second = lines.splitlines()
    assert first.startswith(f"committed to sprint 4: the team's commitment recorded by <@{DEV1}>")
    assert second.startswith(f"<@{DEV2}> added to its sprint ·")
