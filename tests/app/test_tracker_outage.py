# ruff: noqa: F811  (the tracker fixtures are imported from their tests' modules)
"""A tracker that does not answer (5xx for hours) is told in the team's channel once it has
been out of reach for an hour, through the real app, the Slack emulator and each tracker's
emulator: once however often Timebox tries again, in the tracker's words, with how many
changes wait, that nothing is lost and nobody needs to act, never with the credential; its
end once too. A blip of a few minutes, or one write failing while the syncs get through, is
told to nobody."""

from __future__ import annotations

from typing import Any

from tests.app.test_backlog_slack import backlog
from tests.app.test_github_sync import github  # noqa: F401
from tests.app.test_tracker_backlog_scope import linear, status_text  # noqa: F401
from tests.app.test_tracker_broken_notice import BROKEN, WORKING, told
from tests.app.test_tracker_reopen import SYNC, board  # noqa: F401
from tests.app.test_tracker_sprint_pending import NAMES
from tests.app.test_tracker_sprint_work import kind_of
from tests.app.test_tracker_sync import jira  # noqa: F401
from tests.app.trackers import drain, item_by_key, later

OUT = "has not answered Timebox for over an hour"
BACK = "answers Timebox again"
MINUTE = 60
SECRETS = ("token", "api_key")


def _secrets(em: Any) -> list[str]:
    """The credentials the emulator knows, none of which a notice may show."""
    user = getattr(em, "user", None)
    found = [str(getattr(user, name, "")) for name in SECRETS]
    found.append(str(getattr(em, "token", "")))
    return [s for s in found if len(s) > 6]


async def test_an_hour_of_5xx_is_told_once_and_its_end_once(slack, board):
    tracker, em = board
    kind = kind_of(tracker)
    name = NAMES[kind]
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)
    em.fail_rate(1.0)  # every call: the vendor's usual 5xx, for hours

    await backlog(slack, f"done {(await item_by_key(slack, key)).number}")
    await backlog(slack, "add Refund by card")
    await drain(slack)
    for _ in range(5):  # 50 minutes of failed syncs and writes: no notice yet
        await later(slack, 10 * MINUTE)
    assert told(slack, OUT) == []
    failed = len([c for c in em.calls if c.status >= 500])
    for _ in range(9):  # two hours and more of them
        await later(slack, 10 * MINUTE)

    assert len([c for c in em.calls if c.status >= 500]) > failed + 8, "tried all along"
    [notice] = [text.replace("_", "") for text in told(slack, OUT)]
    assert f"{name} {OUT}" in notice, notice
    assert f"What fails: {name} had a problem of its own (HTTP 50" in notice, notice
    assert f"Nothing is lost: the 2 changes not yet in {name} wait" in notice, notice
    assert "Timebox keeps trying, at least every 15 minutes" in notice, notice
    assert "Nobody needs to do anything" in notice and "/timebox connect" not in notice
    assert told(slack, BROKEN) == [], "no break: nobody has anything to fix"
    assert all(secret not in notice for secret in _secrets(em))
    status = await status_text(slack)
    assert f"behind: {name} has not answered for over an hour" in status, status
    assert not tracker.is_done(em, key)

    em.faults.clear()
    await later(slack, 15 * MINUTE)
    await later(slack, SYNC)

    [back] = told(slack, BACK)
    assert f"{name} {BACK}" in back and "the outage is over" in back, back
    assert tracker.is_done(em, key), "the change that waited landed"
    assert "in step" in await status_text(slack)
    assert told(slack, WORKING) == [], "no break ended"
    for _ in range(3):
        await later(slack, SYNC)
    assert len(told(slack, OUT)) == 1 and len(told(slack, BACK)) == 1


async def test_a_blip_or_one_failing_write_is_told_to_nobody(slack, board):
    tracker, em = board
    key, *_ = tracker.seed(em)
    await tracker.connect(slack, em)

    em.fail_rate(1.0)  # twenty minutes of 5xx, then it answers
    await backlog(slack, "add Refund by card")
    await drain(slack)
    await later(slack, 10 * MINUTE)
    await later(slack, 10 * MINUTE)
    em.faults.clear()
    em.fail_next(503, route=tracker.move_call, times=1000)  # one write fails for hours
    await backlog(slack, f"done {(await item_by_key(slack, key)).number}")
    await drain(slack)
    for _ in range(15):
        await later(slack, 10 * MINUTE)

    assert len(em.calls_to(tracker.move_call)) > 8, "the write was tried all along"
    assert told(slack, OUT) == [] and told(slack, BACK) == []
    assert "retrying after an error" in await status_text(slack)
