"""A readiness reminder set without days comes on the team's working days, whichever they
are, as `/ready remind` says ("days default to the team's working days"). Before, it kept
Monday to Friday: a team working Monday to Thursday had one on its Friday off."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.app.test_backlog_slack import shown
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import PO


async def test_a_reminder_without_days_follows_the_working_days_set_after_it(slack):
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 09:30")  # Mon 2 Mar 2026, Berlin
    await cmd(slack, "/timebox", "settings days mon-thu", PO)
    assert "on Mon, Tue, Wed, Thu" in shown(await ready(slack, "dor"))
    await at(slack, datetime(2026, 3, 5, 8, 30, tzinfo=UTC))  # Thursday 09:30
    assert len(bot_posts(slack)) == 1, "Thursday's (the days before: past their grace)"
    await at(slack, datetime(2026, 3, 6, 8, 30, tzinfo=UTC))  # Friday: a day off
    await at(slack, datetime(2026, 3, 6, 12, 0, tzinfo=UTC))
    assert len(bot_posts(slack)) == 1, "none on the Friday the team does not work"
    await at(slack, datetime(2026, 3, 9, 8, 30, tzinfo=UTC))  # Monday
    assert len(bot_posts(slack)) == 2, "Monday's"
