"""A Scrum Master records the Developers' commitment for the team (`/planning commit team`):
the commitment is the Developers', so the sprint's committers (`committed_by`, which the sprint
file lists) are the Developers who committed themselves, never the Scrum Master who recorded it."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain import sprints
from storage.models import RoleAssignment, Sprint, SprintItem, Team
from tests.domain.factories import item, team

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
DEVS = ["UDIANA", "UDEVON"]


def planned() -> tuple[Sprint, list[SprintItem]]:
    starts, ends = sprints.sprint_dates(team(), 1)
    sprint = Sprint(
        team_id=7, number=1, status="planning", starts_on=starts, ends_on=ends, goal="Pay by card"
    )
    sprint.committed_by, sprint.days_off, sprint.focus_factor = [], {}, 0.75
    sprint.hours_per_day = 8.0
    return sprint, [SprintItem(item=item(1, status="open"), position=0)]


def with_sm() -> Team:
    return team(roles=[RoleAssignment(id=1, role="sm", user_id="USAM")])


def test_the_scrum_master_recording_the_commitment_is_not_among_the_committers():
    sprint, items = planned()
    done = sprints.commit(with_sm(), sprint, items, "USAM", DEVS, (), NOW, for_team=True)
    assert done.recorded and sprint.status == "active"
    assert sprint.committed_by == [], "nobody committed themselves: the SM only recorded it"


def test_developers_who_committed_themselves_stay_the_committers():
    sprint, items = planned()
    the_team = with_sm()
    waiting = sprints.commit(the_team, sprint, items, "UDIANA", DEVS, (), NOW)
    assert not waiting.recorded and waiting.waiting_for == ["UDEVON"]
    sprints.commit(the_team, sprint, items, "USAM", DEVS, (), NOW, for_team=True)
    assert sprint.status == "active" and sprint.committed_by == ["UDIANA"]


def test_the_last_developer_committing_records_the_sprint_with_everyone():
    sprint, items = planned()
    for dev in DEVS:
        sprints.commit(with_sm(), sprint, items, dev, DEVS, (), NOW)
    assert sprint.status == "active" and sprint.committed_by == ["UDEVON", "UDIANA"]
