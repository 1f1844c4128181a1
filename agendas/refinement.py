"""What the refinement sections do: triage new items, deep-dive the top unready ones, and the
minutes that say what the session achieved.

Plain rules on rows the caller read (bot/usecases/meetings.py reads and writes them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from agendas import engine
from bot.domain import ceremonies as ceremonies_rules
from bot.domain.backlog import Move, settled_link
from bot.domain.calendar import holiday_name, is_working_day, local_today
from bot.domain.errors import UserError
from bot.domain.priority import MOSCOW
from bot.domain.readiness import DefinitionOfReady, is_ready
from bot.domain.text_limits import within
from storage.models import ActionItem, BacklogItem, Ceremony, ItemEvent, Meeting, Team

PLACEMENTS = {
    "top": "to the top",
    "keep": "kept in place",
    "bottom": "to the bottom",
    "archive": "archived",
}
DEEP_DIVE_MAX = 4
ADDED = ("created", "imported")  # the history lines of an item added to the backlog
ACTION_MAX = 500  # storage.models.ActionItem.text


# -- what a section opens ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kickoff:
    """The kick-off: what triage and the deep dive will look at."""

    new_count: int
    deep: tuple[BacklogItem, ...]


@dataclass(frozen=True)
class TriageCard:
    """The next new item to triage (None: nothing new is left)."""

    item: BacklogItem | None
    position: int = 0
    total: int = 0


@dataclass(frozen=True)
class DeepDive:
    """The top unready items, each with what it lacks."""

    items: tuple[BacklogItem, ...]
    dor: DefinitionOfReady


@dataclass(frozen=True)
class Wrapup:
    became_ready: tuple[tuple[int, str], ...]
    actions: tuple[ActionItem, ...]
    suggested: str  # the day the picker offers for the next session (`suggested_session`)


# -- the backlog as a session sees it ------------------------------------------------------------


def new_items(ordered: Iterable[BacklogItem]) -> list[BacklogItem]:
    """What triage walks: items still "new", in backlog order."""
    return [item for item in ordered if item.status == "new"]


def deep_dive_items(ordered: Iterable[BacklogItem], dor: DefinitionOfReady) -> list[BacklogItem]:
    """The top unready items in backlog order: up to four."""
    return [item for item in ordered if not is_ready(item, dor)][:DEEP_DIVE_MAX]


def ready_numbers(ordered: Iterable[BacklogItem], dor: DefinitionOfReady) -> list[int]:
    return [item.number for item in ordered if is_ready(item, dor)]


def triage_card(meeting: Meeting, new: Sequence[BacklogItem]) -> TriageCard:
    if not new:
        return TriageCard(None)
    done = len(meeting.data.get("triaged", []))
    return TriageCard(new[0], done + 1, done + len(new))


def became_ready(events: Iterable[tuple[ItemEvent, BacklogItem]]) -> tuple[tuple[int, str], ...]:
    """The items that became ready among `events`, by number."""
    ready = {(item.number, item.title) for event, item in events if event.action == "became ready"}
    return tuple(sorted(ready))


# -- triage --------------------------------------------------------------------------------------


def check_placement(placement: str) -> str:
    if placement not in PLACEMENTS:
        raise UserError("Place an item to the top, keep it, move it to the bottom or archive it.")
    return placement


def check_triaging(meeting: Meeting, number: int) -> None:
    """A triage card counts only while its meeting is in a section that triages: a click
    after it (the card is still in the thread) would post the next card into another section
    and count in its minutes, so it changes nothing and says what to do instead."""
    section = engine.current(meeting)
    if "triage" not in section.get("actions", []):
        raise UserError(
            f"Triage is over: the meeting is in “{section['title']}”. #{number} stays new for "
            f"the next session's triage; `/backlog edit {number}` or `/backlog move {number} "
            "top` changes it now."
        )


def check_triageable(item: BacklogItem) -> BacklogItem:
    if item.status != "new" or item.archived_at is not None:
        raise UserError(f"#{item.number} has been triaged already.")
    return item


def priority_of(key: str) -> str:
    """A MoSCoW key from a triage card as the priority it names."""
    if key not in MOSCOW:
        raise UserError("Choose Must, Should, Could or Won't.")
    return MOSCOW[key]


@dataclass(frozen=True)
class TriagePlan:
    """What a placement does to a new item: any but keep orders the backlog (the PO's)."""

    needs_po: bool
    archive: bool
    move: Move | None  # to the top or the bottom
    opens: bool  # a new item that stays becomes open, with a history line


def plan_triage(item: BacklogItem, placement: str) -> TriagePlan:
    """The steps of placing `item` (a checked placement)."""
    archive = placement == "archive"
    return TriagePlan(
        needs_po=placement != "keep",
        archive=archive,
        move=Move(placement) if placement in ("top", "bottom") else None,
        opens=not archive and item.status == "new",
    )


def opened(item: BacklogItem) -> dict[str, list[str]]:
    """A triaged item is no longer new: the change for its history ({} if it was not new)."""
    if item.status != "new":
        return {}
    item.status = "open"
    return {"status": ["new", "open"]}


def record_triage(meeting: Meeting, number: int, placement: str, actor: str) -> None:
    meeting.data = {
        **meeting.data,
        "triaged": [
            *meeting.data.get("triaged", []),
            {"number": number, "placement": placement, "by": actor},
        ],
    }


# -- wrap-up -------------------------------------------------------------------------------------


def new_action(
    meeting: Meeting, text: str, owner: str | None, actor: str, now: datetime
) -> ActionItem:
    """An action item of the session; one longer than ACTION_MAX is refused, not cut."""
    text = " ".join(text.split())
    if not text:
        raise UserError("Say what needs doing, e.g. `/refine note ask UX about the flow @dana`.")
    text = within(text, ACTION_MAX, "An action item")
    return ActionItem(meeting_id=meeting.id, text=text, owner=owner, created_by=actor, at=now)


def set_next_session(meeting: Meeting, chosen: str, team: Team, today: date) -> None:
    """The date (YYYY-MM-DD) of the next session, picked at the wrap-up: a real day, not
    before `today` (the team's), and one the team works."""
    try:
        valid = re.fullmatch(r"\d{4}-\d{2}-\d{2}", chosen) and date.fromisoformat(chosen)
    except ValueError:
        valid = False
    if not valid:
        raise UserError("Pick the next session's date in the calendar.")
    day = date.fromisoformat(chosen)
    said = f"{day:%A} {day.day} {day:%B}"
    if day < today:
        raise UserError(f"{said} has passed: pick today or a later day for the next session.")
    if not is_working_day(team, day):
        why = holiday_name(team, day) or "a day the team does not work"
        raise UserError(f"{said} is {why}: pick a working day for the next session.")
    meeting.data = {**meeting.data, "next_session": chosen}


def suggested_session(team: Team, today: date) -> date:
    """The day a wrap-up's picker offers for the next session: a week on, or the first day
    the team works from then (changed with a click)."""
    day = today + timedelta(days=7)
    for _ in range(14):
        if is_working_day(team, day):
            return day
        day += timedelta(days=1)
    return today + timedelta(days=7)


def next_scheduled(team: Team, ceremonies: Iterable[Ceremony], meeting: Meeting) -> datetime | None:
    """When the team's recurring refinement next takes place after this session (skipped
    occurrences left out): the first one starting after it ended, on a later day than it
    began, since a session started early from its reminder is that day's own."""
    assert meeting.ended_at is not None
    began = local_today(team, meeting.started_at)
    coming = [
        o.utc
        for c in ceremonies
        if c.kind == "refinement"
        for o in ceremonies_rules.next_occurrences(team, c, meeting.ended_at, 2)
        if o.starts.date() > began
    ]
    return min(coming, default=None)


# -- minutes -------------------------------------------------------------------------------------


def minutes(
    meeting: Meeting,
    events: Iterable[tuple[ItemEvent, BacklogItem]],
    actions: Iterable[ActionItem],
    ready_after: int,
) -> dict[str, Any]:
    """The session's record: time per section against plan, and what happened to the items.
    `events`: what happened to the team's items while it ran (an item that only followed a
    dependency done or reopened was not refined; one added then is `added`)."""
    refined: dict[int, str] = {}
    estimated: dict[int, tuple[str, float | None]] = {}  # its title, and its estimate then
    ready: dict[int, str] = {}
    added: dict[int, str] = {}
    for event, item in events:
        if event.action in ADDED:
            added[item.number] = item.title
        elif event.action == "edited" and settled_link(event.changes) is None:
            refined[item.number] = item.title
            if "estimate" in event.changes:
                estimated[item.number] = (item.title, event.changes["estimate"][-1])
        elif event.action == "became ready":
            ready[item.number] = item.title
    return {
        "goal": meeting.goal,
        **engine.timing(meeting),
        "triaged": meeting.data.get("triaged", []),
        "items_added": sorted(added.items()),
        "refined": sorted(refined.items()),
        "estimated": sorted((n, title, points) for n, (title, points) in estimated.items()),
        "became_ready": sorted(ready.items()),
        "ready_before": meeting.data.get("ready_before", 0),
        "ready_after": ready_after,
        "actions": [{"text": a.text, "owner": a.owner} for a in actions],
        "next_session": meeting.data.get("next_session"),
    }
