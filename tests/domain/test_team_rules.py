"""The pure rules of teams and reminders: who may act, who belongs, whether a reminder goes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain import reminders, teams
from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import Horizon
from bot.domain.teams import Roles
from storage.models import BacklogItem, Team
from tests.domain.factories import team

NOW = datetime(2026, 3, 3, 8, 30, tzinfo=UTC)


def test_the_role_verdict_allows_offers_the_setup_or_refuses():
    # Issue 13, point 5: nobody becomes PO by acting first; a channel with none is set up.
    with pytest.raises(teams.SetupNeeded) as unset:
        teams.role_verdict(Roles(), "U1", ("po",), "order")
    assert "no Scrum roles yet" in unset.value.message
    with pytest.raises(teams.SetupNeeded) as no_po:
        teams.role_verdict(Roles(sm=("U2",)), "U2", ("po",), "order")
    assert "no Product Owner yet" in no_po.value.message
    named = Roles(po=("U1",), sm=("U2",))
    assert teams.role_verdict(named, "U2", ("po", "sm"), "change roles") == teams.ALLOWED
    with pytest.raises(NotAllowed) as refused:
        teams.role_verdict(named, "U3", ("po", "sm"), "change roles")
    assert refused.value.message == (
        "Only the Product Owner or Scrum Master can change roles in this channel."
    )
    assert refused.value.holders == ("U1", "U2")


def test_a_named_role_belongs_to_the_team_anyone_else_by_channel_membership():
    named = Roles(po=("U1",), dev=("U4",))
    assert teams.holds_role(named, "U1") and teams.holds_role(named, "U4")
    assert not teams.holds_role(named, "U9") and not teams.holds_role(Roles(), "U1")


def test_role_words_are_checked_with_who_holds_them():
    assert teams.role_of("Scrum-Master", ["U2"]) == "sm"
    assert teams.role_of("dev", []) == "dev", "developers: everyone else again"
    with pytest.raises(UserError, match="not a role"):
        teams.role_of("boss", ["U1"])
    with pytest.raises(UserError, match="at least one Product Owner"):
        teams.role_of("po", [])


def _plan(team: Team) -> reminders.ReminderPlan:
    item = BacklogItem(number=1, title="x", hypothesis="", acceptance_criteria=[])
    horizon = Horizon([item], [(item, ["no acceptance criteria"])], None, 0.0, 0)
    return reminders.ReminderPlan(team, NOW.date(), horizon, None, False)


def test_the_reminder_verdict_in_its_order():
    the_team = team()
    plan = _plan(the_team)
    on_time = timedelta(minutes=5)
    assert reminders.verdict(None, on_time, plan, False, NOW).outcome == "reminders are off"
    off = team(remind_at=None)
    assert not reminders.verdict(off, on_time, plan, False, NOW).send
    late = reminders.verdict(the_team, timedelta(hours=2, minutes=15), plan, False, NOW)
    assert (late.send, late.late, late.outcome) == (False, True, "skipped: 135 minutes late")
    assert reminders.verdict(the_team, on_time, None, False, NOW).outcome == "nothing unready"
    assert reminders.verdict(the_team, on_time, plan, True, NOW).outcome == "already sent today"
    sent = reminders.verdict(the_team, reminders.GRACE, plan, False, NOW)
    assert sent.send and sent.outcome == "sent: 1 unready, 0 direct messages"


def test_reminder_times_and_snoozes():
    assert reminders.resume_after(NOW, NOW + timedelta(hours=3)) == NOW + timedelta(hours=2)
    assert reminders.resume_after(NOW, NOW + timedelta(minutes=5)) == NOW
    the_team = team()
    assert reminders.snooze_until(the_team, 2, NOW).isoformat() == "2026-03-05"
    with pytest.raises(UserError, match="1 to 90 days"):
        reminders.snooze_until(the_team, 91, NOW)
    assert reminders.job_key(the_team, NOW).startswith(reminders.job_prefix(the_team))


def test_a_sprint_start_on_a_day_off_is_noted_with_a_working_day_to_start_on():
    weekend = teams.off_day_start(team(sprint_start=date(2026, 12, 5)))  # a Saturday
    assert weekend == teams.OffDayStart(every_sprint=True, working_day=date(2026, 12, 7))
    holiday = teams.off_day_start(team(sprint_start=date(2026, 12, 8), holiday_country="ES"))
    assert holiday == teams.OffDayStart(every_sprint=False, working_day=date(2026, 12, 9))
    assert teams.off_day_start(team(sprint_start=date(2026, 12, 7))) is None
    assert teams.off_day_start(team(sprint_start=None)) is None
