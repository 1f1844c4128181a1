"""The daily readiness reminder never comes on a day the team does not work, whatever days it
was given: a reminder set for Monday to Friday in a team that then works Tuesday to Thursday
came on its Fridays (QA: Friday 11 Dec), as a public holiday never does. The answer to
`/ready remind` says on which days it comes when they are not the days typed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain import reminders
from handlers.blocks.ready import spoken_days
from tests.app.test_backlog_slack import last_ephemeral, shown
from tests.app.test_planning_slack import cmd
from tests.app.test_ready_slack import at, bot_posts, make_team, ready
from tests.conftest import PO


def _mornings(first: datetime, days: int) -> list[datetime]:
    """09:30 in Berlin (08:30 UTC in March) on `days` days from `first`."""
    return [first + timedelta(days=n) for n in range(days)]


async def _posts_on(slack, mornings: list[datetime]) -> list[str]:
    """The weekdays, among `mornings`, on which the channel got a reminder."""
    came = []
    for morning in mornings:
        before = len(bot_posts(slack))
        await at(slack, morning)
        await at(slack, morning + timedelta(hours=3))
        if len(bot_posts(slack)) > before:
            came.append(f"{morning:%a}")
    return came


async def test_a_reminder_given_days_off_comes_only_on_the_days_the_team_works(slack):
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 09:30 mon-fri")  # Mon 2 Mar 2026, 10:00 in Berlin
    await cmd(slack, "/timebox", "settings days tue-thu", PO)
    week = _mornings(datetime(2026, 3, 3, 8, 30, tzinfo=UTC), 8)  # Tue 3 to Tue 10 Mar
    assert await _posts_on(slack, week) == ["Tue", "Wed", "Thu", "Tue"]


async def test_days_changed_the_day_before_a_day_off_leave_no_reminder_on_it(slack):
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 09:30 mon-fri")
    assert await _posts_on(slack, _mornings(datetime(2026, 3, 3, 8, 30, tzinfo=UTC), 3)) == [
        "Tue",
        "Wed",
        "Thu",
    ]
    await cmd(slack, "/timebox", "settings days tue-thu", PO)  # Thu 5 Mar, after its reminder
    following = _mornings(datetime(2026, 3, 6, 8, 30, tzinfo=UTC), 5)  # Fri 6 to Tue 10
    assert await _posts_on(slack, following) == ["Tue"]


async def test_the_answer_says_which_of_the_days_typed_it_comes_on(slack):
    await make_team(slack, ["Export invoices"], set())
    await cmd(slack, "/timebox", "settings days tue-thu", PO)
    text = shown(await ready(slack, "remind at 09:30 mon-fri"))
    assert "Reminders come Tue–Thu: the team does not work Mon and Fri." in text
    assert "on Tue, Wed, Thu" in text and "Mon, Tue" not in text
    tuesday = int(datetime(2026, 3, 3, 8, 30, tzinfo=UTC).timestamp())
    assert f"The next one: <!date^{tuesday}^" in text
    kept = shown(await ready(slack, "remind at 10:00"))
    assert "Reminders come Tue–Thu: the team does not work Mon and Fri." in kept, "days kept"
    worked = shown(await ready(slack, "remind at 10:00 tue-thu"))
    assert "the team does not work" not in worked, "its working days: nothing to say"
    assert "on Tue, Wed, Thu" in worked


async def test_a_reminder_only_on_days_off_never_comes_and_says_so(slack):
    await make_team(slack, ["Export invoices"], set())
    text = shown(await ready(slack, "remind at 09:30 sat,sun"))
    assert "No reminder comes: the team does not work Sat and Sun." in text
    assert "`/ready remind at 09:30 mon,tue,wed,thu,fri` gives it" in text
    assert "The next one" not in text
    assert [j for j in await _pending(slack) if j.kind == reminders.KIND] == []
    weekend = _mornings(datetime(2026, 3, 7, 8, 30, tzinfo=UTC), 3)  # Sat 7 to Mon 9
    assert await _posts_on(slack, weekend) == []
    await cmd(slack, "/timebox", "settings days mon-sun", PO)
    later = _mornings(datetime(2026, 3, 13, 8, 30, tzinfo=UTC), 3)  # Fri 13 to Sun 15
    assert await _posts_on(slack, later) == ["Sat", "Sun"]


async def _pending(slack):
    async with slack.services.db.transaction() as store:
        return list(await store.pending(reminders.KIND))


def test_days_are_said_as_spans_of_three_or_more_and_the_others_one_by_one():
    assert spoken_days(["tue", "wed", "thu"]) == "Tue–Thu"
    assert spoken_days(["mon", "fri"]) == "Mon and Fri"
    assert spoken_days(["mon", "tue", "wed", "fri", "sat"]) == "Mon–Wed, Fri and Sat"
    assert spoken_days(["sun"]) == "Sun"


async def test_a_change_of_working_days_says_on_which_days_the_reminder_now_comes(slack):
    await make_team(slack, ["Export invoices"], set())
    await ready(slack, "remind at 09:30 mon-fri")
    await cmd(slack, "/timebox", "settings days tue-thu", PO)
    changed = shown(last_ephemeral(slack, PO))
    assert "Reminders come Tue–Thu: the team does not work Mon and Fri." in changed, changed
    await cmd(slack, "/timebox", "settings days mon-fri", PO)
    assert "the team does not work" not in shown(last_ephemeral(slack, PO)), "all days again"
