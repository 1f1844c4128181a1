"""Plain rows the domain tests start from: a team and a ready backlog item, each with what a
test depends on passed to it when it differs from the defaults below."""

from __future__ import annotations

from datetime import date
from typing import Any

from storage.models import BacklogItem, Team

WEEKDAYS = "mon,tue,wed,thu,fri"


def team(**changes: Any) -> Team:
    """Team 7 of channel C1: Berlin time, Monday to Friday, no public holidays, two-week sprints
    from Monday 2 March 2026, a reminder at 09:30 on working days, no DoR or agendas of its own."""
    values: dict[str, Any] = dict(
        id=7,
        workspace_id="T1",
        channel_id="C1",
        timezone="Europe/Berlin",
        working_days=WEEKDAYS,
        holiday_country=None,
        sprint_weeks=2,
        sprint_start=date(2026, 3, 2),
        sprint_start_number=1,
        remind_at="09:30",
        remind_days=WEEKDAYS,
        dor={},
        agendas={},
    )
    return Team(**{**values, **changes})


def item(number: int = 1, **changes: Any) -> BacklogItem:
    """Item `number`, ready by the default Definition of Ready: a hypothesis, an acceptance
    criterion, no dependencies, 3 points."""
    values: dict[str, Any] = dict(
        number=number,
        title=f"Item {number}",
        hypothesis="We expect fewer support tickets",
        acceptance_criteria=["It works"],
        dependencies=[],
        checklist={},
        estimate=3.0,
    )
    return BacklogItem(**{**values, **changes})
