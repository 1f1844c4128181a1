"""`/timebox calendar skip|move` name a session the way people say it: `next`, a weekday (the
next session on it, on the team's wall clock), a date (`2026-03-26`) or a month and day
(`mar 26`); anything else is answered with those forms."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.emulator.stack import LocalStack
from tests.app.test_backlog_slack import shown
from tests.app.test_calendar_slack import say, team
from tests.conftest import CHANNEL

FORMS = ("`next`", "`thu`", "`2026-12-10`", "`dec 10`")


async def changes(slack: LocalStack) -> dict[str, dict[str, object]]:
    """The refinement's changed occurrences: {its day: what changed}."""
    async with slack.db.transaction() as store:
        found = await store.team("T0TEAM", CHANNEL)
        assert found is not None
        ceremony = await store.ceremony(found.id, "refinement")
        assert ceremony is not None
        return dict(ceremony.changes or {})


async def test_skip_a_weekday_skips_the_next_session_on_it_in_the_teams_zone(slack):
    """A Berlin team's refinement at 00:30 on Thursdays starts on Wednesday in UTC: `thu` is
    the team's Thursday."""
    await team(slack)
    await say(slack, "/refine", "schedule thu 0:30")
    answer = shown(await say(slack, "/timebox", "calendar skip thu"))
    assert "Skipped" in answer and "Backlog refinement" in answer, answer
    first = int(datetime(2026, 3, 4, 23, 30, tzinfo=UTC).timestamp())  # Thu 5 Mar, 00:30 Berlin
    assert f"<!date^{first}^" in answer, "it names the occurrence it skipped"
    assert await changes(slack) == {"2026-03-05": {"skip": True}}

    # `next` is the next session still to take place; a weekday likewise.
    await say(slack, "/timebox", "calendar skip next")
    await say(slack, "/timebox", "calendar skip refinement thursday")
    await say(slack, "/timebox", "calendar skip mar 26")
    await say(slack, "/timebox", "calendar skip 2026-04-02")
    skipped = [day for day, change in (await changes(slack)).items() if change.get("skip")]
    assert sorted(skipped) == ["2026-03-05", "2026-03-12", "2026-03-19", "2026-03-26", "2026-04-02"]

    refused = shown(await say(slack, "/timebox", "calendar skip wed"))
    assert "No ceremony is coming on a Wednesday" in refused, refused
    refused = shown(await say(slack, "/timebox", "calendar skip planning next"))
    assert "No sprint planning is coming" in refused, refused


async def test_move_takes_the_same_forms(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    moved = shown(await say(slack, "/timebox", "calendar move next to mar 5 15:00"))
    assert "_(moved)_" in moved and "Moved" in moved, moved
    await say(slack, "/timebox", "calendar move wed to 16:00")
    assert await changes(slack) == {
        "2026-03-04": {"to": "2026-03-05T15:00"},
        "2026-03-11": {"to": "2026-03-11T16:00"},
    }


async def test_a_day_not_understood_is_answered_with_the_forms_that_are(slack):
    await team(slack)
    await say(slack, "/refine", "schedule wed 14:00")
    for said in ("calendar skip", "calendar skip someday", "calendar skip dec 45"):
        refused = shown(await say(slack, "/timebox", said))
        assert all(form in refused for form in FORMS), (said, refused)
    assert await changes(slack) == {}
