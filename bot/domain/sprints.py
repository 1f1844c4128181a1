"""Sprints: planning one (goal, selection, capacity, tasks, commitment), changing it only by an
explicit renegotiation once committed, and closing it into velocity.

The sprint backlog is the developers': once they commit, its items leave the product backlog
(status "sprint"); unfinished ones go back to its top at the close, for the PO to order.

Plain rules on the mapped rows: what is read from or written to the database is the caller's
(bot/usecases/sprints.py); these functions decide, check and change the rows they are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from math import isclose

from bot.domain import backlog
from bot.domain.calendar import (
    is_working_day,
    last_working_day,
    local_today,
    next_planning,
    working_days_between,
)
from bot.domain.capacity import (
    DEFAULT_FOCUS,
    Capacity,
    check_focus,
)
from bot.domain.errors import NotAllowed, UserError
from bot.domain.readiness import DEFAULT_DOR, DefinitionOfReady, gaps, points_unit
from bot.domain.tasks import parse_tasks as parse_tasks
from bot.domain.tasks import set_tasks as set_tasks
from bot.domain.teams import Roles
from bot.domain.text_limits import within
from bot.domain.velocity import velocity_days_of, velocity_of, working_days
from storage.models import BacklogItem, ScopeChange, Sprint, SprintItem, Team

PROPOSAL_WITHOUT_FORECAST = 5
RECENT_SPRINTS = 4
"""The newest sprints `committed_sprint` looks among: the one being planned, the running one
and the two before it."""
GOAL_MAX = 1000  # the goal form's input (handlers/blocks/sprints.goal_modal)
ONE_THING_MAX = 500  # the goal form's input
NO_SPRINT = "No sprint yet in this channel. `/planning start` plans one."
NOT_RUNNING = "No sprint is running in this channel. `/planning start` plans one."
OTHER_TEAM = "That sprint belongs to another channel's team."


# -- which sprint --------------------------------------------------------------------------------


def current(open_sprints: Iterable[Sprint]) -> Sprint | None:
    """The team's current sprint: the running one, else the one being planned."""
    by_status: dict[str, Sprint] = {}
    for sprint in sorted(open_sprints, key=lambda s: s.number):
        by_status[sprint.status] = sprint  # the newest of each status
    return by_status.get("active") or by_status.get("planning")


def no_current(latest: Sprint | None) -> UserError:
    """No sprint runs or is being planned: what to say, naming the last one closed if any
    (a team with a sprint behind it is not told it has none)."""
    if latest is None:
        return UserError(NO_SPRINT)
    return UserError(
        f"No sprint is running or being planned in this channel: sprint {latest.number}, the "
        "last, is closed. `/planning start` plans the next one."
    )


def require_running(sprint: Sprint | None) -> Sprint:
    """The running sprint, or guidance that none is (the use cases say more: `not_running`)."""
    if sprint is None or sprint.status != "active":
        raise UserError(NOT_RUNNING)
    return sprint


def not_running(planned: Sprint | None, asked: str = "", number: int = 0) -> UserError:
    """No sprint runs: what `/sprint <asked> <number>` can do instead. While `planned` is
    being planned, its selection changes with `/planning add|drop`, and it runs once
    committed (`/planning start` would plan one already being planned)."""
    if planned is None:
        if asked != "add":
            return UserError(NOT_RUNNING)
        return UserError(
            "No sprint is running in this channel: `/planning start` plans one, and "
            f"`/planning add {number}` takes #{number} into it while it is planned."
        )
    instead = {
        "add": f"`/planning add {number}` takes #{number} into it",
        "remove": f"`/planning drop {number}` leaves #{number} out of it",
        "done": "its items are marked done once it runs",
        "close": "it is closed once it has run",
    }.get(asked, "`/planning add|drop <n>` changes its selection")
    return UserError(
        f"Sprint {planned.number} is being planned, not running yet: {instead}. The team "
        "commits it with `/planning commit`; from then on its scope changes only by "
        "renegotiation (`/sprint add|remove <n> <reason>`)."
    )


def committed_sprint(recent: Iterable[Sprint], today: date) -> Sprint | None:
    """The sprint the team works in: of the committed sprints among `recent` (running or
    closed, not one being planned), the one whose dates hold `today`, else the newest; None
    before the team's first commitment. `/backlog health` measures its goal (a sprint
    committed ahead of its start takes over on its first day). A refinement's budget is
    refinement_sprint's: it has no "else the newest"."""
    committed = _committed(recent)
    return refinement_sprint(committed, today) or (committed[0] if committed else None)


def refinement_sprint(recent: Iterable[Sprint], day: date) -> Sprint | None:
    """The sprint a refinement held on `day` counts in, whose budget the minutes, `/backlog
    health` and the App Home show: of the committed sprints among `recent` (running or closed),
    the one whose dates hold the day, else the one still running past its dates (not closed
    yet, the team is still in it). None between sprints (the last one closed, the next not
    committed yet): the last sprint's budget would read as if the session had not happened,
    and the session counts in the sprint whose dates hold it once that one is committed."""
    committed = _committed(recent)
    holding = next((s for s in committed if holds(s, day)), None)
    return holding or next((s for s in committed if s.status == "active"), None)


def holds(sprint: Sprint, day: date) -> bool:
    """Whether `day` falls in the sprint's dates."""
    return sprint.starts_on <= day <= sprint.ends_on


def _committed(recent: Iterable[Sprint]) -> list[Sprint]:
    """The committed sprints among `recent` (running or closed, not one being planned), the
    newest first."""
    return sorted(
        (s for s in recent if s.status != "planning"), key=lambda s: s.number, reverse=True
    )


def started(sprint: Sprint, today: date) -> bool:
    """Whether the sprint has begun by `today`. Timebox keeps the cadence of its calendar's
    slots: a sprint committed ahead of its slot (the one before closed early) starts on the
    slot's first day, not at its commitment; until then it is committed, not running, and the
    sprint just closed is the one the team reviews."""
    return sprint.status != "planning" and sprint.starts_on <= today


def require_started(sprint: Sprint, today: date) -> Sprint:
    """A committed sprint whose slot has begun: work is done in it from its first day, so its
    burndown and velocity count only what was done while it ran."""
    if not started(sprint, today):
        raise UserError(
            f"Sprint {sprint.number} starts {sprint.starts_on:%a %d %b}: its items can be marked "
            "done from then on, so its burndown and velocity count only work done in it."
        )
    return sprint


def require_closable(sprint: Sprint, today: date) -> Sprint:
    """A sprint is closed once it has run: one committed ahead of its slot would count in
    velocity without having run. Before its start its scope changes by renegotiation."""
    if not started(sprint, today):
        raise UserError(
            f"Sprint {sprint.number} has not started: it starts "
            f"{sprint.starts_on:%a %d %b}, and can be closed once it runs. Until then, "
            "change its scope with `/sprint add|remove <n> <reason>`."
        )
    return sprint


def require_in_team(sprint: Sprint | None, team: Team) -> Sprint:
    """A sprint named by a button or a form, refused unless it is the team's own."""
    if sprint is None or sprint.team_id != team.id:
        raise UserError(OTHER_TEAM)
    return sprint


def sprint_dates(team: Team, number: int) -> tuple[date, date]:
    """Sprint `number`'s slot in the team's calendar. A start stored before starts were kept
    within a year of today (`teams.START_RANGE`) can put it past the calendar's end: said,
    with what to type."""
    assert team.sprint_start is not None
    length = timedelta(weeks=team.sprint_weeks)
    try:
        starts = team.sprint_start + (number - team.sprint_start_number) * length
        return starts, starts + length - timedelta(days=1)
    except OverflowError:
        raise UserError(
            f"Sprint {number} of a calendar starting {team.sprint_start.isoformat()} falls "
            "outside any calendar: set the first sprint's start again, e.g. "
            "`/timebox settings start <yyyy-mm-dd>`, a day near today."
        ) from None


def next_sprint(team: Team, latest: Sprint | None, today: date) -> Sprint:
    """The next sprint in the team's sprint calendar, being planned (a new row to add).
    The first planning starts the team's sprint calendar."""
    if team.sprint_start is None:
        team.sprint_start = today
    number = latest.number + 1 if latest else _number_for(team, today)
    sprint = _being_planned(team, number, *sprint_dates(team, number))
    catch_up(team, sprint, today)
    return sprint


def _being_planned(
    team: Team, number: int, starts: date, ends: date, first_forecast: float | None = None
) -> Sprint:
    """Sprint `number` as a planning opens it, from `starts` to `ends`: no goal, nobody
    committed or away yet, the usual focus."""
    return Sprint(
        team_id=team.id,
        number=number,
        status="planning",
        starts_on=starts,
        ends_on=ends,
        goal="",
        one_thing="",
        focus_factor=DEFAULT_FOCUS,
        hours_per_day=8.0,
        days_off={},
        committed_by=[],
        first_forecast=first_forecast,
    )


def catch_up(team: Team, sprint: Sprint, today: date) -> None:
    """A sprint planned after its slot in the team's calendar began runs from the day it is
    planned to the end of its slot. The cadence holds (it ends, and the next one starts, on
    the calendar's days) while its capacity, days left and burndown count only the working
    days still ahead, not those gone before the team committed to anything. One whose whole
    slot went by takes the slot that holds today. A committed sprint keeps its dates."""
    if sprint.status != "planning" or today <= sprint.starts_on:
        return
    if today > sprint.ends_on and team.sprint_start is not None:
        sprint.starts_on, sprint.ends_on = sprint_dates(team, _number_for(team, today))
    sprint.starts_on = max(sprint.starts_on, today)


@dataclass(frozen=True)
class Recalendared:
    """What a change of sprint length or start did to the sprints to come: the next one's
    number, first and last working day; and the committed sprint still to end, which keeps
    its dates (its number and last working day), with the start typed when the next sprint
    could not begin on it (it fell before that one's end) and the working days left between
    the two (`idle`: first and last day)."""

    number: int
    starts: date
    ends: date
    kept: int | None = None
    kept_ends: date | None = None
    typed: date | None = None
    idle: tuple[date, date] | None = None


def recalendar(
    team: Team,
    committed: Sprint | None,
    planning: Sprint | None,
    today: date,
    *,
    start: date | None = None,
    was_weeks: int | None = None,
) -> Recalendared | None:
    """The sprint calendar after its length (set on `team` already; `was_weeks` before) or
    its start (`start`, as typed) changed. The latest committed sprint keeps its dates: the
    next one begins on the first day of the cadence (through the typed start, else the
    calendar's slots as they were) on or after the day after it ends and the typed start (a
    new length alone: where the next sprint began before), and the calendar is laid again
    from there, numbered on from it. Without one, the typed start is sprint 1's. The sprint
    being planned takes its new slot (one gone by: the slot holding today, as `catch_up`).
    None when the team has no calendar yet."""
    length = timedelta(weeks=team.sprint_weeks)
    if start is not None:
        anchor, step = start, length
    else:
        anchor, step = team.sprint_start, timedelta(weeks=was_weeks or team.sprint_weeks)
    if anchor is None:
        return None
    if committed is None:
        if start is not None:
            team.sprint_start, team.sprint_start_number = start, 1
    else:
        first = committed.ends_on + timedelta(days=1)
        if start is not None:
            floor = max(first, start)
        else:  # where the next sprint began before, if after the committed one ended
            floor = max(first, anchor + (committed.number + 1 - team.sprint_start_number) * step)
        begins = anchor + -(-(floor - anchor) // step) * step
        team.sprint_start, team.sprint_start_number = begins, committed.number + 1
    number = committed.number + 1 if committed else _number_for(team, today)
    slot = planning if planning is not None else Sprint(status="planning")
    slot.number = number
    slot.starts_on, slot.ends_on = sprint_dates(team, number)
    catch_up(team, slot, today)
    ends = last_working_day(team, slot.starts_on, slot.ends_on)
    shown = Recalendared(number, slot.starts_on, ends)
    if committed is None or committed.ends_on < today:
        return shown
    first, begins = committed.ends_on + timedelta(days=1), slot.starts_on
    idle = working_days_between(team, first, begins) > 0  # between the two sprints
    return replace(
        shown,
        kept=committed.number,
        kept_ends=last_day(team, committed),
        typed=start if start is not None and start != begins else None,
        idle=(first, begins - timedelta(days=1)) if idle else None,
    )


def days_gone(team: Team, sprint: Sprint) -> int:
    """The working days of the sprint's slot in the calendar that went by before it was
    planned (`catch_up`): 0 for a sprint planned on time."""
    slot_start = sprint.ends_on + timedelta(days=1) - timedelta(weeks=team.sprint_weeks)
    return working_days_between(team, slot_start, sprint.starts_on)


def _number_for(team: Team, today: date) -> int:
    """The number of the sprint whose slot holds `today` (the first one's, before it)."""
    assert team.sprint_start is not None
    if today <= team.sprint_start:
        return team.sprint_start_number
    return (today - team.sprint_start).days // (team.sprint_weeks * 7) + team.sprint_start_number


def days_left(team: Team, sprint: Sprint, today: date) -> int | None:
    """Working days left in a running sprint, today included: all of its working days before
    it starts, none once it has ended (None for one not running)."""
    if sprint.status != "active":
        return None
    first = max(today, sprint.starts_on)
    return working_days_between(team, first, sprint.ends_on + timedelta(days=1))


def days_after_today(team: Team, sprint: Sprint, today: date) -> int:
    """The sprint's working days still to come after today: what closing it today cuts short.
    0 on its last working day, whatever the hour, and once it has ended."""
    first = max(today + timedelta(days=1), sprint.starts_on)
    return working_days_between(team, first, sprint.ends_on + timedelta(days=1))


def next_planning_day(team: Team, running: Sprint | None, today: date) -> date | None:
    """The day of the team's next sprint planning (None without a sprint calendar): a running
    sprint was planned already, so the next planning opens the sprint after it."""
    after = max(today, running.ends_on + timedelta(days=1)) if running else today
    return next_planning(team, after)


def last_day(team: Team, sprint: Sprint) -> date:
    """The sprint's last working day, where it is shown to end: `ends_on` stays the last day of
    its slot in the calendar (a Sunday, for sprints starting on Mondays), which the sprint
    rules count from."""
    return last_working_day(team, sprint.starts_on, sprint.ends_on)


def sprint_working_days(team: Team, sprint: Sprint) -> list[date]:
    """The sprint's working days, for the burndown's ideal line."""
    days = (
        sprint.starts_on + timedelta(days=n)
        for n in range((sprint.ends_on - sprint.starts_on).days + 1)
    )
    return [d for d in days if is_working_day(team, d)]


# -- capacity ------------------------------------------------------------------------------------


def capacity(
    team: Team,
    sprint: Sprint,
    developers: Sequence[str],
    team_velocity: float | None,
    team_velocity_days: float | None = None,
) -> Capacity:
    """The sprint's capacity; its forecast scales the velocity to the sprint's working days
    when `team_velocity_days` (`velocity_days_of`) says what it was earned in."""
    return Capacity(
        developers=tuple(developers),
        working_days=working_days(team, sprint),
        days_off=dict(sprint.days_off or {}),
        focus_factor=sprint.focus_factor,
        hours_per_day=sprint.hours_per_day,
        velocity=team_velocity,
        first_forecast=sprint.first_forecast,
        days_gone=days_gone(team, sprint),
        velocity_days=team_velocity_days,
    )


def capacity_after(
    team: Team, sprint: Sprint, developers: Sequence[str], closed: Sequence[Sprint]
) -> Capacity:
    """The sprint's capacity after the team's `closed` sprints (newest first): their points
    per working day make its forecast."""
    return capacity(team, sprint, developers, velocity_of(closed), velocity_days_of(team, closed))


def record_capacity(sprint: Sprint, cap: Capacity) -> None:
    """Keeps with a committed sprint the capacity it was committed on, and its load."""
    sprint.capacity = {**cap.to_data(), "load": cap.load(sprint.committed_points or 0.0)}


def points_of(items: Iterable[SprintItem]) -> float:
    return sum(si.item.estimate or 0.0 for si in items)


def forecast_before_planning(
    team: Team, closed: Sequence[Sprint], planning: Sprint | None, latest: Sprint | None, day: date
) -> Capacity:
    """What a planning's reminder forecasts: the planning card's rule (`capacity_after`, the
    velocity of the team's `closed` sprints per working day times this sprint's) at full
    availability (`Capacity.full_forecast`), as who develops and their days off are settled in
    the planning itself. The sprint is the one a planning held on `day` plans (`_to_plan`)."""
    return capacity_after(team, _to_plan(team, planning, latest, day), (), closed)


def _to_plan(team: Team, planning: Sprint | None, latest: Sprint | None, day: date) -> Sprint:
    """The sprint a planning held on `day` plans, with the dates it would then have and
    nobody away: the one being planned (`planning`), caught up to `day`, else the next after
    `latest` (the first one starts the calendar on `day`). A copy, never stored: a reminder
    changes nothing."""
    if planning is not None:
        sprint = _being_planned(
            team, planning.number, planning.starts_on, planning.ends_on, planning.first_forecast
        )
        catch_up(team, sprint, day)
        return sprint
    if team.sprint_start is None:  # next_sprint would set the calendar's start: not here
        ends = day + timedelta(weeks=team.sprint_weeks, days=-1)
        return _being_planned(team, team.sprint_start_number, day, ends)
    return next_sprint(team, latest, day)


# -- planning ------------------------------------------------------------------------------------


def set_goal(sprint: Sprint, goal: str, one_thing: str) -> None:
    """The sprint's goal and its one thing; either over its limit is refused, and neither is
    then changed."""
    goal = " ".join(goal.split())
    if not goal:
        raise UserError(
            'Write the goal as the outcome you expect: "By the end of this sprint ...".'
        )
    goal = within(goal, GOAL_MAX, "A sprint goal")
    one_thing = within(" ".join(one_thing.split()), ONE_THING_MAX, "The one thing")
    sprint.goal, sprint.one_thing = goal, one_thing


def ready_and_unready(
    backlog_items: Iterable[BacklogItem], dor: DefinitionOfReady
) -> tuple[list[BacklogItem], list[BacklogItem]]:
    """The items ready by the team's Definition of Ready, and the others, each in the order
    given (the selection form offers both)."""
    ready: list[BacklogItem] = []
    unready: list[BacklogItem] = []
    for item in backlog_items:
        (unready if gaps(item, dor) else ready).append(item)
    return ready, unready


def proposal(
    backlog_items: Iterable[BacklogItem], dor: DefinitionOfReady, forecast: float | None
) -> list[BacklogItem]:
    """The top ready items (of the open backlog, in its order) up to the forecast (the top few
    without one)."""
    ready, _ = ready_and_unready(backlog_items, dor)
    if forecast is None:
        return ready[:PROPOSAL_WITHOUT_FORECAST]
    chosen, total = [], 0.0
    for item in ready:
        if total + (item.estimate or 0.0) > forecast:
            break
        chosen.append(item)
        total += item.estimate or 0.0
    return chosen


def top_ready(backlog_items: Iterable[BacklogItem], dor: DefinitionOfReady) -> BacklogItem | None:
    """The first ready item in backlog order: the one to name when none fits the forecast."""
    ready, _ = ready_and_unready(backlog_items, dor)
    return ready[0] if ready else None


def selection(
    team: Team,
    sprint: Sprint,
    numbers: Sequence[int],
    found: Mapping[int, BacklogItem],
    supporting: set[int],
    overrides: Mapping[int, str],
    now: datetime,
) -> list[SprintItem]:
    """The sprint backlog chosen while planning (new rows, replacing the old selection); an
    unready item needs a reason to come in. `found`: the team's items by number."""
    if sprint.status != "planning":
        raise UserError(
            "This sprint is committed: change it with `/sprint add|remove <n> <reason>`."
        )
    dor = DefinitionOfReady.of(team)
    missing = [n for n in numbers if n not in found]
    if missing:
        raise UserError(f"There is no item {', '.join(f'#{n}' for n in missing)} in this channel.")
    for number in numbers:
        require_in_backlog(found[number])
    refused = [
        f"#{n} ({'; '.join(gaps(found[n], dor))})"
        for n in numbers
        if gaps(found[n], dor) and not overrides.get(n, "").strip()
    ]
    if refused:
        raise UserError(
            f"Not ready: {', '.join(refused)}. Take an unready item only with a reason "
            "(the override in the form, or `/planning add <n> <reason>`)."
        )
    return [
        SprintItem(
            sprint_id=sprint.id,
            item_id=found[number].id,
            position=position,
            supports_goal=number in supporting,
            override_reason=(overrides.get(number) or "").strip() or None,
            removed=False,
            added_at=now,
        )
        for position, number in enumerate(dict.fromkeys(numbers))
    ]


LEFT_BACKLOG = ("done", "archived", "sprint")


def in_backlog(item: BacklogItem) -> bool:
    """The item is on the product backlog, free to come into a sprint."""
    return backlog.status_of(item) not in LEFT_BACKLOG


def require_in_backlog(item: BacklogItem) -> None:
    """Only an item of the product backlog comes into a sprint, planned or running: one done
    would count its points twice, one archived was let go, one in a sprint is that sprint's."""
    status = backlog.status_of(item)
    if status in LEFT_BACKLOG:
        said = "in a sprint already" if status == "sprint" else status
        raise UserError(f"#{item.number} is {said}: only backlog items can come in.")


def require_still_in_backlog(items: Sequence[SprintItem]) -> None:
    """A plan's items that left the product backlog since they were chosen (done or archived,
    here or in the tracker) keep the sprint from being committed: committing would bring them
    back as sprint work, and count a done one's points twice."""
    gone = [
        (si.item.number, status)
        for si in items
        if (status := backlog.status_of(si.item)) in ("done", "archived")
    ]
    if gone:
        said = ", ".join(f"#{number} is {status}" for number, status in gone)
        raise UserError(
            f"{said} since it was chosen for this sprint. `/planning drop {gone[0][0]}` takes "
            "it out of the plan; then commit."
        )


def reselect(
    current: Sequence[SprintItem], chosen: Sequence[SprintItem]
) -> tuple[list[SprintItem], list[SprintItem]]:
    """A new selection (`selection`'s rows) over the sprint backlog as it is: an item chosen
    again keeps its row, and with it its tasks, taking its new place and reasons. Returns the
    rows to add and the rows that leave (with their tasks)."""
    kept = {si.item_id: si for si in current}
    added = []
    for new in chosen:
        old = kept.pop(new.item_id, None)
        if old is None:
            added.append(new)
            continue
        old.position, old.supports_goal = new.position, new.supports_goal
        old.override_reason, old.removed = new.override_reason, False
    return added, list(kept.values())


def recommit(sprint: Sprint) -> tuple[str, ...]:
    """The plan the Developers commit to changed (its selection or its goal): a commitment
    given so far was to the plan as it was, and no longer counts. Returns who had committed,
    to be asked to commit again (none once the sprint is committed: its plan changes only by
    renegotiation, which keeps the commitment)."""
    if sprint.status != "planning":
        return ()
    given = tuple(sprint.committed_by or ())
    sprint.committed_by = []
    return given


NotReady = tuple[int, tuple[str, ...]]
"""An item of the plan that is not ready: its number, and what its Definition of Ready finds
missing, in words."""


def not_ready(team: Team, items: Iterable[SprintItem]) -> tuple[NotReady, ...]:
    """The items of the plan the team's Definition of Ready finds not ready (an unestimated one
    among them: it counts no points), in the plan's order: a commitment to them is warned of,
    not refused (the Developers commit; the warning names what they take on)."""
    dor = DefinitionOfReady.of(team)
    found = ((si.item.number, tuple(gaps(si.item, dor))) for si in items)
    return tuple((number, missing) for number, missing in found if missing)


def days_off_beyond(who: str, days: float, working: int) -> str | None:
    """Why `who` cannot have `days` off in a sprint of `working` days per person (None: they
    can): "Kenji has 20 days off, but the sprint has 10 working days." """
    if days < 0:
        return f"{who} cannot have fewer than 0 days off."
    if days > working:
        return f"{who} has {days:g} days off, but the sprint has {working} working days."
    return None


def set_capacity(
    sprint: Sprint,
    days_off: Mapping[str, float],
    focus_percent: float | None,
    first_forecast: float | None,
    working: int,
) -> None:
    """Days off per developer (up to the sprint's `working` days), the focus factor, and a
    first forecast while there is no velocity."""
    for days in days_off.values():  # the form names the person; here, the number says enough
        if (wrong := days_off_beyond("A developer", days, working)) is not None:
            raise UserError(wrong)
    sprint.days_off = {u: float(d) for u, d in days_off.items() if d}
    if focus_percent is not None:
        sprint.focus_factor = check_focus(focus_percent / 100)
    if first_forecast is not None:
        if not 0 < first_forecast <= 1000:
            raise UserError("A first forecast is a number of points, e.g. 20.")
        sprint.first_forecast = first_forecast


def find_item(
    sprint: Sprint, sprint_items: Iterable[SprintItem], number: int, *, how_in: bool = True
) -> SprintItem:
    """Item #number in the sprint backlog (`sprint_items`: the sprint's, without removed ones);
    else, unless `how_in` is False, the refusal says how the item comes into an open sprint."""
    for sprint_item in sprint_items:
        if sprint_item.item.number == number:
            return sprint_item
    brings = {
        "active": f"`/sprint add {number} <reason>` brings it in (a renegotiation)",
        "planning": f"`/planning add {number}` takes it in",
    }.get(sprint.status)
    said = f": {brings}." if brings and how_in else "."
    raise UserError(f"#{number} is not in sprint {sprint.number}{said}")


@dataclass(frozen=True)
class Commitment:
    recorded: bool  # True once the whole team has committed
    waiting_for: list[str]
    away: tuple[str, ...] = ()  # developers off the whole sprint: not waited for
    again: bool = False  # the developer had committed already: nothing new


def away_all_sprint(team: Team, sprint: Sprint, developers: Sequence[str]) -> tuple[str, ...]:
    """The developers with every working day of the sprint off: nobody waits for their
    commitment (they may still give it)."""
    working, off = working_days(team, sprint), sprint.days_off or {}
    return tuple(d for d in developers if working and off.get(d, 0.0) >= working)


def not_a_developer(roles: Roles, user: str) -> str:
    """Why someone who is no developer cannot commit: a Scrum Master may record the
    Developers' commitment for the team."""
    if user in roles.sm:
        return (
            "The Developers commit to the sprint. As Scrum Master you may record their "
            "commitment for the team: `/planning commit team`."
        )
    return "The Developers commit to the sprint."


def commit(
    team: Team,
    sprint: Sprint,
    items: Sequence[SprintItem],
    user: str,
    developers: Sequence[str],
    closed: Sequence[Sprint],
    now: datetime,
    *,
    for_team: bool = False,
    running: Sprint | None = None,
) -> Commitment:
    """A developer's "I commit", or a Scrum Master committing for the team after a check.
    Once all have committed the sprint runs and its items leave the product backlog. Who
    may is checked first: someone who may not is not sent to set a goal they cannot commit.
    `committed_by` holds the Developers who committed themselves: a Scrum Master recording
    the Developers' commitment is not among them (the commitment is theirs), but is kept as
    `commitment_recorded_by`, for the sprint's record. `closed`: the team's closed sprints,
    newest first, whose velocity the recorded capacity forecasts with (`capacity_after`).
    `running`: the team's running sprint; while an earlier one runs, none is committed (two
    would run at once, and the older one's items could be neither done nor removed)."""
    roles = Roles.of(team)
    if for_team:
        if user not in roles.sm:
            raise NotAllowed("Only a Scrum Master can commit for the team.", roles.sm)
    elif user not in developers:
        raise NotAllowed(not_a_developer(roles, user))
    if sprint.status != "planning":
        raise UserError(f"Sprint {sprint.number} is committed already.")
    if running is not None and running.id != sprint.id:
        raise UserError(still_running(team, running, sprint, local_today(team, now)))
    if not sprint.goal:
        raise UserError(
            "No sprint goal yet: the team commits to a goal, so the Product Owner sets it "
            "first with `/planning goal <outcome>`."
        )
    if not items:
        raise UserError("The sprint backlog is empty: select items first.")
    require_still_in_backlog(items)
    catch_up(team, sprint, local_today(team, now))  # the days gone while it was planned
    again = not for_team and user in sprint.committed_by
    if not for_team:
        sprint.committed_by = sorted(set(sprint.committed_by) | {user})
    away = away_all_sprint(team, sprint, developers)
    waiting = [d for d in developers if d not in sprint.committed_by and d not in away]
    if waiting and not for_team:
        return Commitment(False, waiting, away, again)
    cap = capacity_after(team, sprint, developers, closed)
    sprint.status = "active"
    sprint.committed_at = now
    sprint.commitment_recorded_by = user if for_team else None
    sprint.committed_points = points_of(items)
    record_capacity(sprint, cap)
    for sprint_item in items:
        sprint_item.item.status = "sprint"
    return Commitment(True, [])


def still_running(team: Team, running: Sprint, planned: Sprint, today: date) -> str:
    """Why `planned` is not committed yet: the sprint before it still runs (past its last
    working day, it ended but nobody closed it)."""
    last = last_day(team, running)
    state = (
        f"ended {last:%a %d %b} but is not closed yet"
        if last < today
        else f"is still running (its last day is {last:%a %d %b})"
    )
    return (
        f"Sprint {running.number} {state}: the PO or a Scrum Master closes it first with "
        f"`/sprint close`, then sprint {planned.number} can be committed."
    )


@dataclass(frozen=True)
class CommittedBy:
    """Who a committed sprint says committed it, the one account the channel's announcement and
    the sprint's file both give: the Developers who committed themselves, and the Scrum Master
    who recorded the commitment for the others (`commit team`; no committer themselves)."""

    themselves: tuple[str, ...]
    recorded_by: str | None

    @property
    def for_whom(self) -> str:
        """Whom the recorder spoke for: the Developers who did not commit themselves."""
        return "the other Developers" if self.themselves else "the Developers"


def committed_by(sprint: Sprint) -> CommittedBy:
    return CommittedBy(tuple(sprint.committed_by or ()), sprint.commitment_recorded_by)


# -- after commitment ----------------------------------------------------------------------------


def renegotiation_reason(action: str, number: int, reason: str) -> str:
    """Changing a committed sprint is a renegotiation: it needs a reason."""
    reason = " ".join(reason.split())
    if not reason:
        raise UserError(
            f"Changing a committed sprint is a renegotiation: say why, e.g. "
            f"`/sprint {action} {number} the customer escalated it`."
        )
    return reason


@dataclass(frozen=True)
class Renegotiation:
    """What a scope change does: the change to record, a sprint item to add (or None), and an
    item that leaves the sprint for the top of the product backlog (or None)."""

    change: ScopeChange
    new_item: SprintItem | None = None
    returned: BacklogItem | None = None
    risks: tuple[str, ...] = ()  # what an addition the PO took in anyway risks, in words


def addition_risks(
    sprint: Sprint, item: BacklogItem, sprint_items: Sequence[SprintItem], dor: DefinitionOfReady
) -> list[str]:
    """What taking `item` into the running sprint risks, in words: its Definition of Ready gaps
    (an item over the split threshold among them), and how far past the forecast (else the
    commitment) the sprint goes."""
    risks = []
    if item_gaps := gaps(item, dor):
        risks.append(f"#{item.number} is not ready ({'; '.join(item_gaps)})")
    kept = [si for si in sprint_items if not si.removed and si.item.number != item.number]
    total = points_of(kept) + (item.estimate or 0.0)
    forecast = (sprint.capacity or {}).get("forecast")
    limit, what = (
        (round(float(forecast), 1), "its forecast")  # in tenths, as the planning showed it
        if isinstance(forecast, int | float)
        else (sprint.committed_points or 0.0, "the commitment")
    )
    if round(total, 1) > limit:
        risks.append(
            f"sprint {sprint.number} at {points_unit(round(total, 1))} is "
            f"{points_unit(round(total - limit, 1))} past {what} of {points_unit(limit)}"
        )
    return risks


def renegotiate(
    sprint: Sprint,
    action: str,
    item: BacklogItem,
    sprint_items: Sequence[SprintItem],
    reason: str,
    actor: str,
    now: datetime,
    *,
    dor: DefinitionOfReady = DEFAULT_DOR,
    po: tuple[str, ...] = (),
) -> Renegotiation:
    """Adds `item` to, or removes it from, a running sprint. `sprint_items`: the sprint's,
    removed ones included (one removed earlier comes back rather than twice). An unready item
    (against `dor`) comes in only by the PO (`po`): mid-sprint scope is negotiated with the
    Product Owner, who then owns the risks the announcement states; a developer is told them.
    An item done in the sprint does not leave it (`require_unfinished`)."""
    require_running(sprint)
    reason = renegotiation_reason(action, item.number, reason)
    existing = {si.item.number: si for si in sprint_items}
    new_item = returned = None
    risks: list[str] = []
    if action == "add":
        require_in_backlog(item)
        risks = addition_risks(sprint, item, sprint_items, dor)
        if gaps(item, dor) and actor not in po:
            said = "; ".join(risks)
            raise NotAllowed(
                f"{said[:1].upper()}{said[1:]}. An unready item comes into a running sprint "
                f"only by the Product Owner, who negotiates its scope: ask them, or make it "
                f"ready first (`/backlog edit {item.number}`).",
                po,
            )
        if item.number in existing:
            existing[item.number].removed = False
        else:
            new_item = SprintItem(
                sprint_id=sprint.id,
                item_id=item.id,
                position=len(existing),
                supports_goal=False,
                removed=False,
                added_at=now,
            )
        item.status = "sprint"
    else:
        kept = [si for si in sprint_items if not si.removed]
        in_sprint = find_item(sprint, kept, item.number, how_in=False)
        require_unfinished(sprint, in_sprint).removed = True
        returned = item
    change = ScopeChange(
        sprint_id=sprint.id,
        action="added" if action == "add" else "removed",
        item_number=item.number,
        points=item.estimate,
        reason=reason,
        actor=actor,
        at=now,
    )
    return Renegotiation(change, new_item, returned, tuple(risks))


def require_unfinished(sprint: Sprint, sprint_item: SprintItem) -> SprintItem:
    """An item done in the sprint stays in it: removing it would reopen it on the product
    backlog and take its points off what the sprint completed (its velocity). Done by mistake,
    it is reopened first (`/backlog restore`, which makes it sprint work again), then removed."""
    if sprint_item.done_at is None:
        return sprint_item
    raise backlog.done_in_sprint_refusal(
        sprint_item.item,
        sprint,
        "Removing it would reopen it and take its points off the sprint's velocity.",
        f"`/sprint remove {sprint_item.item.number} <reason>` takes it out",
    )


def back_to_top(items: Sequence[BacklogItem], top_rank: float | None, now: datetime) -> None:
    """Unfinished sprint items return to the top of the product backlog, in their order
    (`top_rank`: the rank of the backlog's first item now)."""
    base = (top_rank or 1.0) - len(items) - 1
    for offset, item in enumerate(items):
        item.status = "open"
        item.rank = base + offset
        item.updated_at = now


def finish(sprint_item: SprintItem, now: datetime) -> str:
    """Marks a sprint item done, with its tasks; returns the item's status before."""
    if sprint_item.done_at is not None:
        raise UserError(f"#{sprint_item.item.number} is done already.")
    before = sprint_item.item.status
    sprint_item.done_at = now
    for task in sprint_item.tasks:
        task.done, task.remaining = True, 0.0
    sprint_item.item.status = "done"
    sprint_item.item.updated_at = now
    return before


def unfinish(sprint_item: SprintItem, now: datetime) -> str:
    """`finish` undone (its issue reopened in the tracker): the item is sprint work again and
    its points are not completed; its tasks stay as they are. Returns its status before."""
    if sprint_item.done_at is None:
        raise UserError(f"#{sprint_item.item.number} is not done.")
    before = sprint_item.item.status
    sprint_item.done_at = None
    sprint_item.item.status = "sprint"
    sprint_item.item.updated_at = now
    return before


@dataclass(frozen=True)
class Closing:
    sprint: Sprint
    completed: float
    returned: list[BacklogItem]
    next_sprint: Sprint
    planning_runs: bool = False
    """The next sprint's planning meeting runs already (the team commits it there)."""

    @property
    def total(self) -> float:
        """The sprint backlog's points at the close, as the sprint card counts them (the
        estimates now): what was completed and what goes back."""
        return self.completed + sum(item.estimate or 0.0 for item in self.returned)

    @property
    def all_done(self) -> bool:
        """Every item of the sprint backlog was done (and there was work in it)."""
        return not self.returned and self.completed > 0

    @property
    def recounted(self) -> bool:
        """The points differ from the commitment's: re-estimated, or renegotiated, since."""
        return not isclose(self.total, self.sprint.committed_points or 0.0)


def close(
    sprint: Sprint, items: Sequence[SprintItem], review_answer: str, now: datetime
) -> list[BacklogItem]:
    """Completed points become velocity; returns the unfinished items (to go back)."""
    if sprint.status == "closed":
        raise UserError(f"Sprint {sprint.number} is closed already.")
    require_running(sprint)
    done = [si for si in items if si.done_at is not None]
    sprint.completed_points = points_of(done)
    sprint.status = "closed"
    sprint.closed_at = now
    sprint.review_answer = " ".join(review_answer.split()) or None
    return [si.item for si in items if si.done_at is None]
