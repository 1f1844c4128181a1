"""What the sprint-planning sections record: the minutes of a planning meeting."""

from __future__ import annotations

from typing import Any

from bot.domain import sprints
from storage.models import Meeting, Team
from storage.repositories import Store


async def minutes(store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
    sprint = await store.sprint_by_id(meeting.data.get("sprint_id", 0))
    summary = None
    if sprint is not None:
        items = await store.sprint_items(sprint)
        summary = {
            "number": sprint.number,
            "status": sprint.status,
            "goal": sprint.goal,
            "items": len(items),
            "points": sprints.points_of(items),
            "forecast": (sprint.capacity or {}).get("forecast"),
        }
    return {
        "goal": sprint.goal if sprint else "",
        "sections": meeting.log,
        "planned": sum(s["planned"] for s in meeting.log),
        "actual": round(sum(s["actual"] for s in meeting.log), 1),
        "sprint": summary,
    }
