# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""One issue whose change Timebox fails to apply (here: its link's stored facts are not what
Timebox wrote, so applying raises) never holds back the other issues' changes, through the
real app and each tracker's emulator: the sync takes the rest, the watermark moves on, that
issue is tried again on its own later, and `/timebox connect status` says the sync is behind
since when, and why, instead of "in step"; once it applies, all is in step again."""

from __future__ import annotations

from bot.emulator.stack import LocalStack
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_connect import linear  # noqa: F401
from tests.app.test_tracker_reconnect import RETITLE
from tests.app.test_tracker_reopen import SYNC, board, in_step  # noqa: F401
from tests.app.test_tracker_sprint_pending import status_text
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import WORKSPACE, drain, item_by_key, later
from tests.conftest import CHANNEL


async def spoilt(slack: LocalStack, key: str, remote: object) -> None:
    """The link of `key` made to hold `remote` as the facts last seen of its issue."""
    async with slack.db.transaction() as store:
        team = await store.ensure_team(WORKSPACE, CHANNEL, slack.clock.now())
        (await store.links_by_keys(team.id, [key]))[key].remote = remote


async def test_one_issue_failing_to_apply_holds_back_no_other_change(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    stuck, other, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    kept = (await item_by_key(slack, stuck)).tracker_link.remote
    await spoilt(slack, stuck, ["not", "the", "facts"])

    RETITLE[kind](em, stuck, "Renamed but stuck")
    RETITLE[kind](em, other, "Renamed and through")
    await later(slack, SYNC)
    await later(slack, SYNC)

    assert (await item_by_key(slack, other)).title == "Renamed and through", "not held back"
    assert (await item_by_key(slack, stuck)).title != "Renamed but stuck"
    said = await status_text(slack)
    assert "in step" not in said, said
    assert "Status: behind since" in said and stuck in said, said
    assert "Last error: Timebox could not apply" in said, said

    await spoilt(slack, stuck, kept)  # whatever made it fail is gone
    await later(slack, 15 * 60)
    await drain(slack)

    assert (await item_by_key(slack, stuck)).title == "Renamed but stuck", "tried again"
    assert await in_step(slack)
    assert "Last error" not in await status_text(slack)


async def test_a_sync_failing_again_and_again_says_since_when_it_is_behind(slack, board):
    """Before the hour that makes an outage: no longer "in step" next to the last error."""
    tracker, em = board
    tracker.seed(em)
    await tracker.connect(slack, em)
    await later(slack, SYNC)
    em.fail_rate(1.0)  # every call: the vendor's usual 5xx

    await later(slack, SYNC)
    await later(slack, SYNC)

    said = await status_text(slack)
    assert "in step" not in said, said
    assert "Status: behind since" in said and "the sync keeps failing" in said, said
    assert "Last error:" in said, said

    em.faults.clear()
    await later(slack, 15 * 60)
    assert await in_step(slack)
