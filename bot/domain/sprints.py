"""Sprints: planning one (goal, selection, capacity, tasks, commitment), changing it only by an
explicit renegotiation once committed, and closing it into velocity.

The sprint backlog is the developers': once they commit, its items leave the product backlog
(status "sprint"); unfinished ones go back to its top at the close, for the PO to order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.domain import backlog
from bot.domain.calendar import local_today, working_days_between
from bot.domain.capacity import VELOCITY_SPRINTS, Capacity, check_focus, velocity
from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.domain.teams import Roles
from storage.models import BacklogItem, ScopeChange, Sprint, SprintItem, SprintTask, Team
from storage.repositories import Store

TASK_LINE = re.compile(
    r"^\s*(?:[-*•]\s*)?(?P<title>.+?)\s*[:,-]?\s+(?P<hours>\d+(?:[.,]\d+)?)\s*(?:h|hr|hrs|hours?)\s*$",
    re.IGNORECASE,
)
PROPOSAL_WITHOUT_FORECAST = 5


def sprint_dates(team: Team, number: int) -> tuple[date, date]:
    assert team.sprint_start is not None
    length = timedelta(weeks=team.sprint_weeks)
    starts = team.sprint_start + (number - 1) * length
    return starts, starts + length - timedelta(days=1)


async def active(store: Store, team: Team) -> Sprint | None:
    return await store.sprint(team.id, "active")


async def require_active(store: Store, team: Team) -> Sprint:
    sprint = await active(store, team)
    if sprint is None:
        raise UserError("No sprint is running in this channel. `/planning start` plans one.")
    return sprint


async def upcoming(store: Store, team: Team, now: datetime) -> Sprint:
    """The sprint being planned: the open one, or the next in the team's sprint calendar."""
    planning = await store.sprint(team.id, "planning")
    if planning is not None:
        return planning
    if team.sprint_start is None:  # the first planning starts the team's sprint calendar
        team.sprint_start = local_today(team, now)
    latest = await store.sprints(team.id, limit=1)
    number = latest[0].number + 1 if latest else _number_for(team, local_today(team, now))
    starts, ends = sprint_dates(team, number)
    return await store.add_sprint(
        Sprint(
            team_id=team.id,
            number=number,
            status="planning",
            starts_on=starts,
            ends_on=ends,
            goal="",
            one_thing="",
            focus_factor=0.75,
            hours_per_day=8.0,
            days_off={},
            committed_by=[],
        )
    )


def _number_for(team: Team, today: date) -> int:
    assert team.sprint_start is not None
    if today <= team.sprint_start:
        return 1
    return (today - team.sprint_start).days // (team.sprint_weeks * 7) + 1


async def team_velocity(store: Store, team: Team) -> float | None:
    closed = await store.closed_sprints(team.id, VELOCITY_SPRINTS)
    return velocity([s.completed_points or 0.0 for s in closed])


async def capacity(store: Store, team: Team, sprint: Sprint, developers: Sequence[str]) -> Capacity:
    return Capacity(
        developers=tuple(developers),
        working_days=working_days_between(
            team, sprint.starts_on, sprint.ends_on + timedelta(days=1)
        ),
        days_off=dict(sprint.days_off or {}),
        focus_factor=sprint.focus_factor,
        hours_per_day=sprint.hours_per_day,
        velocity=await team_velocity(store, team),
        first_forecast=sprint.first_forecast,
    )


def points_of(items: Iterable[SprintItem]) -> float:
    return sum(si.item.estimate or 0.0 for si in items)


# -- planning ------------------------------------------------------------------------------------


def set_goal(sprint: Sprint, goal: str, one_thing: str) -> None:
    goal = " ".join(goal.split())
    if not goal:
        raise UserError(
            'Write the goal as the outcome you expect: "By the end of this sprint ...".'
        )
    sprint.goal = goal[:1000]
    sprint.one_thing = " ".join(one_thing.split())[:500]


async def proposal(store: Store, team: Team, forecast: float | None) -> list[BacklogItem]:
    """The top ready items in backlog order, up to the forecast (the top few without one)."""
    dor = DefinitionOfReady.of(team)
    ready = [i for i in await store.all_items(team.id, include_closed=False) if not gaps(i, dor)]
    if forecast is None:
        return ready[:PROPOSAL_WITHOUT_FORECAST]
    chosen, total = [], 0.0
    for item in ready:
        if total + (item.estimate or 0.0) > forecast:
            break
        chosen.append(item)
        total += item.estimate or 0.0
    return chosen


async def select(
    store: Store,
    team: Team,
    sprint: Sprint,
    numbers: Sequence[int],
    supporting: set[int],
    overrides: Mapping[int, str],
    now: datetime,
) -> list[SprintItem]:
    """Sets the sprint backlog while planning; an unready item needs a reason to come in."""
    if sprint.status != "planning":
        raise UserError(
            "This sprint is committed: change it with `/sprint add|remove <n> <reason>`."
        )
    dor = DefinitionOfReady.of(team)
    items = {i.number: i for i in await store.items_by_number(team.id, list(numbers))}
    missing = [n for n in numbers if n not in items]
    if missing:
        raise UserError(f"There is no item {', '.join(f'#{n}' for n in missing)} in this channel.")
    refused = [
        f"#{n} ({'; '.join(gaps(items[n], dor))})"
        for n in numbers
        if gaps(items[n], dor) and not overrides.get(n, "").strip()
    ]
    if refused:
        raise UserError(
            f"Not ready: {', '.join(refused)}. Take an unready item only with a reason "
            "(the override in the form, or `/planning add <n> <reason>`)."
        )
    for current in await store.sprint_items(sprint, include_removed=True):
        await store.delete_sprint_item(current)
    chosen = []
    for position, number in enumerate(dict.fromkeys(numbers)):
        chosen.append(
            await store.add_sprint_item(
                SprintItem(
                    sprint_id=sprint.id,
                    item_id=items[number].id,
                    position=position,
                    supports_goal=number in supporting,
                    override_reason=(overrides.get(number) or "").strip() or None,
                    removed=False,
                    added_at=now,
                )
            )
        )
    return chosen


def set_capacity(
    sprint: Sprint,
    days_off: Mapping[str, float],
    focus_percent: float | None,
    first_forecast: float | None,
) -> None:
    for user, days in days_off.items():
        if not 0 <= days <= 60:
            raise UserError(f"Days off must be between 0 and the sprint's length (<@{user}>).")
    sprint.days_off = {u: float(d) for u, d in days_off.items() if d}
    if focus_percent is not None:
        sprint.focus_factor = check_focus(focus_percent / 100)
    if first_forecast is not None:
        if not 0 < first_forecast <= 1000:
            raise UserError("A first forecast is a number of points, e.g. 20.")
        sprint.first_forecast = first_forecast


def parse_tasks(text: str) -> list[tuple[str, float]]:
    """Lines like "Design DB query 2h" or "- Write tests: 1.5 hours" into (title, hours)."""
    tasks, wrong = [], []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = TASK_LINE.match(line)
        if match is None:
            wrong.append(line.strip())
            continue
        hours = float(match["hours"].replace(",", "."))
        if not 0 < hours <= 200:
            wrong.append(line.strip())
            continue
        tasks.append((match["title"].strip()[:200], hours))
    if wrong:
        raise UserError(
            f"Give each task its hours, like `Design DB query 2h`. Not understood: {wrong[0]!r}"
        )
    return tasks


async def set_tasks(store: Store, team: Team, sprint: Sprint, number: int, text: str) -> SprintItem:
    """Replaces an item's tasks (tasks change freely, before and after commitment)."""
    sprint_item = await find_item(store, team, sprint, number)
    tasks = parse_tasks(text)
    sprint_item.tasks = [SprintTask(title=t, hours=h, done=False) for t, h in tasks]
    await store.session.flush()
    return sprint_item


async def find_item(store: Store, team: Team, sprint: Sprint, number: int) -> SprintItem:
    for sprint_item in await store.sprint_items(sprint):
        if sprint_item.item.number == number:
            return sprint_item
    raise UserError(f"#{number} is not in sprint {sprint.number}.")


@dataclass(frozen=True)
class Commitment:
    recorded: bool  # True once the whole team has committed
    waiting_for: list[str]


async def commit(
    store: Store,
    team: Team,
    sprint: Sprint,
    user: str,
    developers: Sequence[str],
    now: datetime,
    *,
    for_team: bool = False,
) -> Commitment:
    """A developer's "I commit", or a Scrum Master committing for the team after a check."""
    if sprint.status != "planning":
        raise UserError(f"Sprint {sprint.number} is committed already.")
    if not sprint.goal:
        raise UserError("No sprint goal yet: the team commits to a goal, so set it first.")
    items = await store.sprint_items(sprint)
    if not items:
        raise UserError("The sprint backlog is empty: select items first.")
    roles = Roles.of(team)
    if for_team:
        if user not in roles.sm:
            raise NotAllowed("Only a Scrum Master can commit for the team.", roles.sm)
        sprint.committed_by = sorted(set(sprint.committed_by) | {user})
    else:
        if user not in developers:
            raise NotAllowed("The developers commit to the sprint; you watch this one.")
        sprint.committed_by = sorted(set(sprint.committed_by) | {user})
    waiting = [d for d in developers if d not in sprint.committed_by]
    if waiting and not for_team:
        return Commitment(False, waiting)
    cap = await capacity(store, team, sprint, developers)
    sprint.status = "active"
    sprint.committed_at = now
    sprint.committed_points = points_of(items)
    sprint.capacity = {**cap.to_data(), "load": cap.load(sprint.committed_points)}
    for sprint_item in items:
        sprint_item.item.status = "sprint"
        store.log(sprint_item.item, user, "committed", now, sprint=sprint.number)
    return Commitment(True, [])


# -- after commitment ----------------------------------------------------------------------------


async def renegotiate(
    store: Store,
    team: Team,
    action: str,
    number: int,
    reason: str,
    actor: str,
    now: datetime,
) -> tuple[Sprint, BacklogItem]:
    """Adds to or removes from a committed sprint: a reason is required, and it is logged."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError(
            f"Changing a committed sprint is a renegotiation: say why, e.g. "
            f"`/sprint {action} {number} the customer escalated it`."
        )
    sprint = await require_active(store, team)
    item = await backlog.get_item(store, team, number)
    if action == "add":
        if item.status in ("done", "sprint") or item.archived_at is not None:
            raise UserError(
                f"#{number} is {backlog.status_of(item)}: only backlog items can come in."
            )
        existing = {
            si.item.number: si for si in await store.sprint_items(sprint, include_removed=True)
        }
        if number in existing:
            existing[number].removed = False
        else:
            await store.add_sprint_item(
                SprintItem(
                    sprint_id=sprint.id,
                    item_id=item.id,
                    position=len(existing),
                    supports_goal=False,
                    removed=False,
                    added_at=now,
                )
            )
        item.status = "sprint"
    else:
        sprint_item = await find_item(store, team, sprint, number)
        sprint_item.removed = True
        await _back_to_top(store, team, [sprint_item.item], actor, now)
    store.add_scope_change(
        ScopeChange(
            sprint_id=sprint.id,
            action="added" if action == "add" else "removed",
            item_number=number,
            points=item.estimate,
            reason=reason,
            actor=actor,
            at=now,
        )
    )
    store.log(item, actor, f"sprint {action}", now, sprint=sprint.number, reason=reason)
    return sprint, item


async def _back_to_top(
    store: Store, team: Team, items: Sequence[BacklogItem], actor: str, now: datetime
) -> None:
    """Unfinished sprint items return to the top of the product backlog, in their order."""
    top, _ = await store.rank_bounds(team.id)
    base = (top or 1.0) - len(items) - 1
    for offset, item in enumerate(items):
        item.status = "open"
        item.rank = base + offset
        item.updated_at = now


async def finish_item(
    store: Store, team: Team, number: int, actor: str, now: datetime
) -> tuple[Sprint, SprintItem]:
    sprint = await require_active(store, team)
    sprint_item = await find_item(store, team, sprint, number)
    if sprint_item.done_at is not None:
        raise UserError(f"#{number} is done already.")
    sprint_item.done_at = now
    for task in sprint_item.tasks:
        task.done = True
    store.log(sprint_item.item, actor, "done", now, status=[sprint_item.item.status, "done"])
    sprint_item.item.status = "done"
    sprint_item.item.updated_at = now
    return sprint, sprint_item


@dataclass(frozen=True)
class Closing:
    sprint: Sprint
    completed: float
    returned: list[BacklogItem]
    next_sprint: Sprint


async def close(store: Store, team: Team, actor: str, now: datetime, review_answer: str) -> Closing:
    """Completed points become velocity; unfinished items go back; the next sprint opens."""
    sprint = await require_active(store, team)
    items = await store.sprint_items(sprint)
    done = [si for si in items if si.done_at is not None]
    unfinished = [si.item for si in items if si.done_at is None]
    sprint.completed_points = points_of(done)
    sprint.status = "closed"
    sprint.closed_at = now
    sprint.review_answer = " ".join(review_answer.split()) or None
    await _back_to_top(store, team, unfinished, actor, now)
    for item in unfinished:
        store.log(item, actor, "returned from sprint", now, sprint=sprint.number)
    next_sprint = await upcoming(store, team, now)
    return Closing(sprint, sprint.completed_points, unfinished, next_sprint)


def remaining_by_day(
    sprint: Sprint, items: Sequence[SprintItem], changes: Sequence[ScopeChange], today: date
) -> list[tuple[date, float]]:
    """Points left at the end of each sprint day so far (scope changes included)."""
    days, day = [], sprint.starts_on
    last = min(today, sprint.ends_on)
    committed = sprint.committed_points or 0.0
    while day <= last:
        end_of_day = datetime.combine(day, time.max, tzinfo=UTC).timestamp()
        added = sum(
            (c.points or 0.0) * (1 if c.action == "added" else -1)
            for c in changes
            if c.at.timestamp() <= end_of_day
        )
        done = sum(
            si.item.estimate or 0.0
            for si in items
            if si.done_at is not None and si.done_at.timestamp() <= end_of_day
        )
        days.append((day, max(0.0, committed + added - done)))
        day += timedelta(days=1)
    return days
