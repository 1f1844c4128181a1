"""What the refinement sections do: triage new items, deep-dive the top unready ones, and the
minutes that say what the session achieved.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.domain import backlog
from bot.domain.backlog import Move
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, is_ready
from storage.models import ActionItem, BacklogItem, Meeting, Team
from storage.repositories import Store

MOSCOW = {
    "must": "Must have",
    "should": "Should have",
    "could": "Could have",
    "wont": "Won't have this time",
}
PLACEMENTS = {
    "top": "to the top",
    "keep": "kept in place",
    "bottom": "to the bottom",
    "archive": "archived",
}
DEEP_DIVE_MAX = 4


async def ordered(store: Store, team: Team) -> list[BacklogItem]:
    return list(await store.all_items(team.id, include_closed=False))


async def new_items(store: Store, team: Team) -> list[BacklogItem]:
    """What triage walks: items still "new", in backlog order."""
    return [item for item in await ordered(store, team) if item.status == "new"]


async def deep_dive_items(store: Store, team: Team) -> list[BacklogItem]:
    """The top unready items in backlog order: up to four."""
    dor = DefinitionOfReady.of(team)
    return [item for item in await ordered(store, team) if not is_ready(item, dor)][:DEEP_DIVE_MAX]


async def ready_numbers(store: Store, team: Team) -> list[int]:
    dor = DefinitionOfReady.of(team)
    return [item.number for item in await ordered(store, team) if is_ready(item, dor)]


async def triage(
    store: Store,
    team: Team,
    meeting: Meeting,
    number: int,
    placement: str,
    actor: str,
    now: datetime,
) -> BacklogItem:
    """Places a new item (the caller checks that the PO does the ordering) and marks it open."""
    item = await backlog.get_item(store, team, number)
    if placement == "archive":
        await backlog.archive_item(store, team, number, actor, now)
    else:
        if placement in ("top", "bottom"):
            await backlog.move_item(store, team, number, Move(placement), actor, now)
        if item.status == "new":
            store.log(item, actor, "triaged", now, status=["new", "open"])
            item.status = "open"
    meeting.data = {
        **meeting.data,
        "triaged": [
            *meeting.data.get("triaged", []),
            {"number": number, "placement": placement, "by": actor},
        ],
    }
    return item


async def add_action(
    store: Store, meeting: Meeting, text: str, owner: str | None, actor: str, now: datetime
) -> ActionItem:
    text = " ".join(text.split())
    if not text:
        raise UserError("Say what needs doing, e.g. `/refine note ask UX about the flow @dana`.")
    action = ActionItem(
        meeting_id=meeting.id, text=text[:500], owner=owner, created_by=actor, at=now
    )
    await store.add_action_item(action)
    return action


async def minutes(store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
    """The session's record: time per section against plan, and what happened to the items."""
    assert meeting.ended_at is not None
    triaged = meeting.data.get("triaged", [])
    refined: dict[int, str] = {}
    estimated: dict[int, str] = {}
    became_ready: dict[int, str] = {}
    for event, item in await store.item_events_between(
        team.id, meeting.started_at, meeting.ended_at
    ):
        if event.action == "edited":
            refined[item.number] = item.title
            if "estimate" in event.changes:
                estimated[item.number] = item.title
        elif event.action == "became ready":
            became_ready[item.number] = item.title
    actions = await store.action_items(meeting.id)
    return {
        "goal": meeting.goal,
        "sections": meeting.log,
        "planned": sum(s["planned"] for s in meeting.log),
        "actual": round(sum(s["actual"] for s in meeting.log), 1),
        "triaged": triaged,
        "refined": sorted(refined.items()),
        "estimated": sorted(estimated.items()),
        "became_ready": sorted(became_ready.items()),
        "ready_before": meeting.data.get("ready_before", 0),
        "ready_after": len(await ready_numbers(store, team)),
        "actions": [{"text": a.text, "owner": a.owner} for a in actions],
        "next_session": meeting.data.get("next_session"),
    }
