"""The sprints' start (`/timebox settings start`) is a date within a year of the team's today:
one further away is refused with what to type, so no sprint date lands out of the calendar's
reach (9999-12-31 + a sprint is no date at all)."""

from __future__ import annotations

from datetime import date

from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_calendar_slack import _feed_url, _get
from tests.app.test_planning_slack import cmd
from tests.app.test_priority_slack import timebox
from tests.app.test_settings_form_slack import _form, the_team
from tests.conftest import CHANNEL, PO, roles


async def test_a_start_more_than_a_year_from_today_is_refused_with_what_to_type(slack):
    await roles(slack)  # the clock: Monday 2 March 2026
    for typed in ("9999-12-31", "1900-01-01", "2027-03-03", "2025-03-01"):
        said = shown(await timebox(slack, f"settings start {typed}"))
        assert f"`{typed}` is too far from today" in said, said
        assert "from 2025-03-02 to 2027-03-02" in said and "`2026-03-02` for today" in said, said
        assert (await the_team(slack)).sprint_start is None, "nothing saved"

    # A year either way still is (2025-03-02, a Sunday, moves to the Monday after).
    for typed, kept in (("2027-03-02", "2027-03-02"), ("2025-03-02", "2025-03-03")):
        assert "too far" not in shown(await timebox(slack, f"settings start {typed}"))
        assert (await the_team(slack)).sprint_start == date.fromisoformat(kept)

    await cmd(slack, "/planning", "start")
    assert "went wrong" not in shown(await timebox(slack, "settings"))


async def test_the_settings_form_refuses_it_too(slack):
    """Under the start's field, the form kept open with every change typed in it."""
    await roles(slack)
    view = await _form(slack)
    stale = (await the_team(slack)).graveyard_days
    refused = await slack.driver.submit(
        view,
        {"Sprints start on": date(9999, 12, 31), "Stale after (days untouched)": "45"},
        user=PO,
    )
    assert refused.json is not None and refused.json["response_action"] == "errors", refused
    said = refused.json["errors"]
    assert set(said) == {"start"}, said
    assert "“9999-12-31” is too far from today" in said["start"], said
    assert "from 2025-03-02 to 2027-03-02" in said["start"], said
    assert slack.emulator.open_view(PO) is view, "the form stays open"
    team = await the_team(slack)
    assert team.sprint_start is None and team.graveyard_days == stale, "nothing saved"


async def test_the_setup_form_refuses_it_too(slack):
    await slack.driver.command("/timebox", "setup", user=PO, channel=CHANNEL)
    form = slack.emulator.open_view(PO)
    assert form is not None
    await slack.driver.submit(
        form, {"Product Owner": [PO], "Sprints start on": date(1900, 1, 1)}, user=PO
    )
    said = shown(last_ephemeral(slack, PO))
    assert "`1900-01-01` is too far from today" in said, said
    assert (await the_team(slack)).sprint_start is None, "nothing saved"


async def test_a_start_stored_before_the_range_is_said_not_crashed_on(slack):
    """A team saved a start of 9999-12-31 before starts were kept near today: planning says
    what to type, and the calendar feed still answers."""
    await roles(slack)
    answer = await timebox(slack, "calendar feed")
    async with slack.db.transaction() as store:
        team = await store.team("T0TEAM", CHANNEL)
        assert team is not None
        team.sprint_start = date(9999, 12, 31)
    await cmd(slack, "/planning", "start", PO)
    said = shown(last_ephemeral(slack, PO))
    assert "falls outside any calendar" in said and "/timebox settings start" in said, said
    status, _, _ = await _get(slack, _feed_url(answer))
    assert status == 200
