"""Sprint records: what people do with the sprint after planning, one use case each (the sprint
card, renegotiating its scope, finishing an item, its tasks, closing it, charts and exports).

Below them, the steps on a store that sprint planning (bot/usecases and handlers of the
meetings feature) composes inside its own unit of work: the next sprint, capacity, the
proposal, the selection, tasks and the commitment. The rules are bot/domain/sprints.py's; the
reading and writing is here.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from types import ModuleType

from bot.domain import burndown, calibration, sprint_export, tasks
from bot.domain import sprints as rules
from bot.domain.backlog_csv import EXCEL_UTF8
from bot.domain.calendar import local_today, zone
from bot.domain.capacity import VELOCITY_SPRINTS, Capacity
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import Services
from bot.usecases import poker as poker_uc
from bot.usecases import tracker
from bot.usecases.news import tell_channel
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, Work, team_work
from storage.models import BacklogItem, ScopeChange, Sprint, SprintItem, Team
from storage.repositories import Store

CHARTS_KEPT = 12  # recent sprints the velocity chart reads

Names = Callable[[Collection[str]], Awaitable[Mapping[str, str]]]
"""People's names by their Slack ids (looked up by the caller, who knows Slack)."""

# -- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True)
class SprintCard:
    sprint: Sprint
    items: list[SprintItem]
    days_left: int | None
    changes: int
    ends: date | None = None
    """Its last working day, where it is shown to end (`rules.last_day`)."""
    starts: date | None = None
    """Its first day, for a sprint committed ahead of its slot (not running yet)."""


@dataclass(frozen=True)
class SprintToClose:
    """The running sprint for its closing form: where it ends, and its working days after
    today (none: closing it today is on time, not early)."""

    sprint: Sprint
    ends: date
    days_after_today: int


@dataclass(frozen=True)
class ScopeChanged:
    """A renegotiation, as the channel is told it: `po`, the Product Owners to tell (not the
    one who made it); `owner`, the owner of an item removed, who learns of it there (not the
    one who made it, nor a PO told already); `tracker`, the tracker's name when it was made
    there."""

    sprint: Sprint
    item: BacklogItem
    change: ScopeChange
    po: tuple[str, ...]
    risks: tuple[str, ...] = ()  # an addition's: unready, past the forecast
    tracker: str | None = None
    owner: str | None = None

    @classmethod
    def of(
        cls, team: Team, sprint: Sprint, item: BacklogItem, decided: rules.Renegotiation
    ) -> ScopeChanged:
        actor = decided.change.actor
        po = tuple(p for p in Roles.of(team).po if p != actor)
        removed = decided.change.action == "removed"
        owner = item.owner if removed and item.owner not in (actor, *po) else None
        return cls(sprint, item, decided.change, po, decided.risks, owner=owner)

    @property
    def told(self) -> tuple[str, ...]:
        """Everyone the channel's message mentions: the POs, then a removed item's owner."""
        return (*self.po, self.owner) if self.owner else self.po


@dataclass(frozen=True)
class InSprint:
    """One item of a sprint, with its sprint: just finished, or for its tasks form."""

    sprint: Sprint
    sprint_item: SprintItem
    tasks_closed: int = 0
    """Just finished: how many of its tasks were still open (done with it), and their hours
    left (`hours_closed`), for the answer to say what went with it."""
    hours_closed: float = 0.0


@dataclass(frozen=True)
class SprintClosed:
    """A sprint closed, as the channel is told it: what was done, velocity, the next one."""

    closing: rules.Closing
    velocity: float | None


@dataclass(frozen=True)
class SprintFile:
    """A chart or an export to upload."""

    filename: str
    content: str | bytes
    title: str
    summary: str = ""  # what the picture says, in words (a burndown: what is left)


@dataclass(frozen=True)
class NothingToDraw:
    """A chart with nothing on it yet: why, for the person who asked (not a picture for all)."""

    reason: str


NO_VELOCITY = (
    "No sprint recorded yet: the velocity chart shows sprints once one is committed "
    "(`/planning start` plans one)."
)


# -- use cases -----------------------------------------------------------------------------------


async def show_sprint(svc: Services, actor: Actor) -> SprintCard:
    """The current sprint: the running one, else the one being planned."""
    async with team_work(svc, actor) as work:
        sprint = await current(work)
        items = await work.store.sprint_items(sprint)
        changes = len(await work.store.scope_changes(sprint))
        today = local_today(work.team, work.now)
        ends = rules.last_day(work.team, sprint)
        if sprint.status == "active" and not rules.started(sprint, today):
            return SprintCard(sprint, items, None, changes, ends, sprint.starts_on)
        return SprintCard(sprint, items, rules.days_left(work.team, sprint, today), changes, ends)


async def change_scope(
    svc: Services, actor: Actor, action: str, number: int, reason: str, in_channel: InChannel
) -> ScopeChanged:
    """`/sprint add|remove <n> <reason>`: a renegotiation of the running sprint, told in the
    channel (through the outbox, with the change)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        sprint, item, decided = await renegotiate(
            work.store, work.team, action, number, reason, work.user, work.now
        )
        changed = ScopeChanged.of(work.team, sprint, item, decided)
        key = f"scope:s{sprint.id}:i{item.id}:{action}:{work.now.isoformat()}"
        await tell_channel(work.store, work.team, key, work.now, changed)
        return changed


async def mark_done(svc: Services, actor: Actor, number: int, in_channel: InChannel) -> InSprint:
    async with member_work(svc, actor, in_channel, once=True) as work:
        running = await require_active(work.store, work.team, "done", number)
        rules.require_started(running, local_today(work.team, work.now))
        return await finish_item(work.store, work.team, number, work.user, work.now)


async def item_tasks(svc: Services, actor: Actor, number: int) -> InSprint:
    """An item of the current sprint (running, else being planned), for its tasks form."""
    async with team_work(svc, actor) as work:
        sprint = await current(work)
        return InSprint(sprint, await find_item(work.store, work.team, sprint, number))


async def close_form(svc: Services, actor: Actor, in_channel: InChannel) -> SprintToClose:
    """The running sprint, for its closing form (the PO's or the Scrum Master's; never someone
    outside the channel, and in a channel nobody set up yet, the setup form is offered)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(("po", "sm"), "close the sprint")
        sprint = await require_active(work.store, work.team, "close")
        today = local_today(work.team, work.now)
        after = rules.days_after_today(work.team, rules.require_closable(sprint, today), today)
        return SprintToClose(sprint, rules.last_day(work.team, sprint), after)


async def close_sprint(
    svc: Services, actor: Actor, sprint_id: int, review_answer: str, in_channel: InChannel
) -> SprintClosed:
    """The closing form's sprint, named by its id: refused unless it is the actor's team's."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        sprint = await sprint_in_team(work.store, work.team, sprint_id)
        await work.require(("po", "sm"), "close the sprint")
        rules.require_closable(sprint, local_today(work.team, work.now))
        closing = await close(
            work.store, work.team, work.user, work.now, review_answer, sprint=sprint
        )
        velocity = await team_velocity(work.store, work.team)
        closed = SprintClosed(closing, velocity)
        key = f"sprint_closed:{sprint.id}"
        await tell_channel(work.store, work.team, key, work.now, closed)
        return closed


async def velocity_chart(svc: Services, actor: Actor) -> SprintFile | NothingToDraw:
    """The chart of committed and completed points; with no sprint recorded, why not."""
    charts = await _charts()
    async with team_work(svc, actor) as work:
        recent = await work.store.sprints(work.team.id, CHARTS_KEPT)  # the running one too
    if not any(s.committed_points is not None for s in recent):
        return NothingToDraw(NO_VELOCITY)
    return await _drawn("velocity.png", partial(charts.velocity_chart, recent), "Velocity")


async def burndown_chart(
    svc: Services, actor: Actor, *, hours: bool = False, number: int | None = None
) -> SprintFile | NothingToDraw:
    """A sprint's burndown in points, or (`hours`) in task hours left: the sprint numbered
    `number`, else the running one, else the last closed one (right after `/sprint close`,
    the sprint just closed)."""
    charts = await _charts()
    async with team_work(svc, actor) as work:
        sprint = await _exported(work.store, work.team, number)
        today = local_today(work.team, work.now)
        workdays = rules.sprint_working_days(work.team, sprint)
        if hours:
            rows = await work.store.task_progress(sprint)
            remaining = tasks.hours_by_day(sprint, rows, today, zone(work.team))
            baseline = tasks.hours_at_start(sprint, rows)
            start, first_planned = baseline.hours, baseline.first_planned
        else:
            items = await work.store.sprint_items(sprint, include_removed=True)
            changes = await work.store.scope_changes(sprint)
            since = burndown.burndown_from(sprint, work.now)
            events = await work.store.item_events_between(work.team.id, since, work.now)
            history = [event for event, _ in events]
            remaining = burndown.remaining_by_day(work.team, sprint, items, changes, history, today)
            start, first_planned = None, False
    if hours and (why := tasks.no_hours_to_burn(sprint, remaining, start)):
        return NothingToDraw(why if sprint.status != "closed" else no_hours_closed(sprint))
    draw = partial(
        charts.burndown_chart,
        sprint,
        remaining,
        working_days=workdays,
        hours_at_start=start,
        first_planned=first_planned,
    )
    title = charts.burndown_title(sprint, hours=hours)
    summary = charts.burndown_summary(
        sprint,
        remaining,
        hours_at_start=start,
        first_planned=first_planned,
        scope_changes=0 if hours else len(changes),
    )
    return await _drawn(f"burndown{'-hours' if hours else ''}.png", draw, title, summary)


def no_hours_closed(sprint: Sprint) -> str:
    """Why a closed sprint has no burndown in hours: its tasks can no longer be planned."""
    return (
        f"Sprint {sprint.number} is closed, and none of its tasks had hours: it has no "
        f"burndown in hours. `/sprint burndown {sprint.number}` draws it in points."
    )


async def _charts() -> ModuleType:
    """bot.domain.charts, loaded on first use and off the event loop: importing matplotlib
    takes 1-2 s, which on the loop would hold every team's acks meanwhile."""
    return await asyncio.to_thread(importlib.import_module, "bot.domain.charts")


async def _drawn(
    filename: str, draw: Callable[[], bytes], title: str, summary: str = ""
) -> SprintFile:
    """A chart drawn off the event loop, after the transaction."""
    return SprintFile(filename, await asyncio.to_thread(draw), title, summary)


async def export_sprint(
    svc: Services, actor: Actor, fmt: str, names: Names, number: int | None = None
) -> SprintFile:
    """A sprint as Markdown (`md`) or CSV (`csv`), naming people by their names: a file leaves
    Slack, where `U0123` means nothing (looked up after the transaction). The sprint numbered
    `number`, else the one a review needs (`_exported`)."""
    async with team_work(svc, actor) as work:
        sprint = await _exported(work.store, work.team, number)
        items = await work.store.sprint_items(sprint)
        changes = await work.store.scope_changes(sprint) if fmt == "md" else []
        ends = rules.last_day(work.team, sprint)  # where the channel and the tracker end it
        estimates = await _closed_with(work, sprint, items)
    known = await names(sprint_export.people(sprint, items, changes))
    if fmt == "md":
        content = sprint_export.sprint_markdown(
            sprint,
            items,
            changes,
            names=known,
            last_day=ends,
            zone=zone(work.team),
            estimates=estimates,
        )
    else:
        content = EXCEL_UTF8 + sprint_export.sprint_csv(
            sprint, items, names=known, estimates=estimates
        )
    return SprintFile(f"sprint-{sprint.number}.{fmt}", content, f"Sprint {sprint.number}")


async def _closed_with(
    work: Work, sprint: Sprint, items: Sequence[SprintItem]
) -> Mapping[int, float | None] | None:
    """A closed sprint's items' estimates as it closed with them; None for an open one (its
    items' estimates are today's)."""
    if sprint.closed_at is None:
        return None
    events = await work.store.events_after([si.item_id for si in items], sprint.closed_at)
    return burndown.estimates_at(items, events, sprint.closed_at)


NOTHING_TO_EXPORT = (
    "No sprint has run yet in this channel: `/sprint export csv` exports the running sprint, "
    "else the last closed one; `/sprint export csv <number>` names one."
)


def _no_sprint(number: int, numbers: Sequence[int]) -> str:
    """A sprint number the channel has not had, answered with those it has (newest first)."""
    if not numbers:
        return NOTHING_TO_EXPORT
    held = f"{numbers[0]}" if len(numbers) == 1 else f"{min(numbers)} to {max(numbers)}"
    return (
        f"This channel has no sprint {number} (its sprints: {held}). Name one of those, e.g. "
        f"{numbers[0]}, or none for the running or the last sprint."
    )


async def _exported(store: Store, team: Team, number: int | None) -> Sprint:
    """The sprint numbered `number`; without one, the running sprint, else the last closed one
    (what its review needs): never the sprint opened by the last close, empty until planned."""
    if number is not None:
        if (numbered := await store.sprint_numbered(team.id, number)) is None:
            raise UserError(_no_sprint(number, [s.number for s in await store.sprints(team.id)]))
        return numbered
    last = await active(store, team) or next(iter(await store.closed_sprints(team.id, 1)), None)
    if last is None:
        raise UserError(NOTHING_TO_EXPORT)
    return last


# -- steps on a store (planning's use cases compose them in their unit of work) ------------------


async def sprint_in_team(store: Store, team: Team, sprint_id: int) -> Sprint:
    """The sprint a button or form names, looked up inside the team; another team's (or a
    missing one) is refused."""
    return rules.require_in_team(await store.sprint_in_team(sprint_id, team.id), team)


async def active(store: Store, team: Team) -> Sprint | None:
    return await store.sprint(team.id, "active")


async def held_in_running(store: Store, team: Team, item: BacklogItem) -> SprintItem | None:
    """The running sprint's row of the item (finished in it or not), if the sprint holds it."""
    sprint = await active(store, team)
    if sprint is None:
        return None
    return next((si for si in await store.sprint_items(sprint) if si.item_id == item.id), None)


async def current(work: Work) -> Sprint:
    """The team's current sprint (rules.current), or why there is none (rules.no_current)."""
    sprint = rules.current(await work.store.open_sprints(work.team.id))
    if sprint is None:
        latest = await work.store.sprints(work.team.id, limit=1)
        raise rules.no_current(latest[0] if latest else None)
    return sprint


async def require_active(store: Store, team: Team, asked: str = "", number: int = 0) -> Sprint:
    """The running sprint; else what `/sprint <asked> <number>` can do instead, which depends
    on whether a sprint is being planned (`rules.not_running`)."""
    if (running := await active(store, team)) is not None:
        return running
    raise rules.not_running(await store.sprint(team.id, "planning"), asked, number)


async def upcoming(store: Store, team: Team, now: datetime) -> Sprint:
    """The sprint being planned: the open one, or the next in the team's sprint calendar."""
    planning = await store.sprint(team.id, "planning")
    if planning is not None:
        rules.catch_up(team, planning, local_today(team, now))
        return planning
    latest = await store.sprints(team.id, limit=1)
    sprint = rules.next_sprint(team, latest[0] if latest else None, local_today(team, now))
    return await store.add_sprint(sprint)


async def team_velocity(store: Store, team: Team) -> float | None:
    return rules.velocity_of(await store.closed_sprints(team.id, VELOCITY_SPRINTS))


async def capacity(store: Store, team: Team, sprint: Sprint, developers: Sequence[str]) -> Capacity:
    """The sprint's capacity: the velocity of the team's last sprints per working day, times
    this sprint's (`rules.capacity_after`)."""
    closed = await store.closed_sprints(team.id, VELOCITY_SPRINTS)
    return rules.capacity_after(team, sprint, developers, closed)


async def proposal(store: Store, team: Team, forecast: float | None) -> list[BacklogItem]:
    """The top ready items in backlog order, up to the forecast (the top few without one)."""
    open_items = await store.all_items(team.id, include_closed=False)
    return rules.proposal(open_items, DefinitionOfReady.of(team), forecast)


async def top_ready(store: Store, team: Team) -> BacklogItem | None:
    """The top ready item, for a proposal the forecast leaves empty."""
    open_items = await store.all_items(team.id, include_closed=False)
    return rules.top_ready(open_items, DefinitionOfReady.of(team))


async def select(
    store: Store,
    team: Team,
    sprint: Sprint,
    numbers: Sequence[int],
    supporting: set[int],
    overrides: Mapping[int, str],
    now: datetime,
) -> list[SprintItem]:
    """Sets the sprint backlog while planning; an unready item needs a reason to come in. An
    item that stays keeps its tasks; the tasks of one that leaves leave the hours with it."""
    found = {i.number: i for i in await store.items_by_number(team.id, list(numbers))}
    chosen = rules.selection(team, sprint, numbers, found, supporting, overrides, now)
    added, gone = rules.reselect(await store.sprint_items(sprint, include_removed=True), chosen)
    for sprint_item in gone:
        store.add_progress(tasks.progress(sprint, [], now, gone=sprint_item.tasks))
        await store.delete_sprint_item(sprint_item)
    for sprint_item in added:
        await store.add_sprint_item(sprint_item)
    return await store.sprint_items(sprint)


async def find_item(store: Store, team: Team, sprint: Sprint, number: int) -> SprintItem:
    """Item #number of the sprint backlog; a number the channel has no item for is refused as
    such (not as an item missing from the sprint), and one off the backlog (done, archived)
    is not told how to come in."""
    sprint_items = await store.sprint_items(sprint)
    how_in = True
    if all(si.item.number != number for si in sprint_items):
        how_in = rules.in_backlog(await store.get_item(team, number))
    return rules.find_item(sprint, sprint_items, number, how_in=how_in)


async def set_tasks(
    store: Store,
    team: Team,
    sprint: Sprint,
    number: int,
    text: str,
    now: datetime | None = None,
) -> SprintItem:
    """Sets an item's tasks to the form's lines (they change freely, before and after
    commitment), and records what is left of each `now` (by default: since the item joined
    the sprint)."""
    sprint_item = await find_item(store, team, sprint, number)
    gone = tasks.set_tasks(sprint_item, text)
    at = now or sprint_item.added_at
    calibration.note_start(sprint, sprint_item, at)
    await store.save_tasks(sprint_item)
    store.add_progress(tasks.progress(sprint, sprint_item.tasks, at, gone=gone))
    return sprint_item


async def save_progress(
    store: Store, sprint: Sprint, sprint_item: SprintItem, now: datetime, *, gone: bool = False
) -> None:
    """Saves an item's tasks, and what is left of them from `now` (nothing, if they are
    `gone` from the sprint with their item)."""
    await store.save_tasks(sprint_item)
    kept, left = ([], sprint_item.tasks) if gone else (sprint_item.tasks, [])
    store.add_progress(tasks.progress(sprint, kept, now, gone=left))


async def commit(
    store: Store,
    team: Team,
    sprint: Sprint,
    user: str,
    developers: Sequence[str],
    now: datetime,
    *,
    for_team: bool = False,
) -> rules.Commitment:
    """A developer's "I commit", or a Scrum Master committing for the team after a check."""
    items = await store.sprint_items(sprint)
    closed = await store.closed_sprints(team.id, VELOCITY_SPRINTS)
    running = await active(store, team)
    result = rules.commit(
        team, sprint, items, user, developers, closed, now, for_team=for_team, running=running
    )
    if result.recorded:  # the history names the committers, not only the last one to commit
        who = rules.committed_by(sprint)
        for sprint_item in items:
            store.log(
                sprint_item.item,
                user,
                "committed",
                now,
                sprint=sprint.number,
                by=list(who.themselves),
                recorded_by=who.recorded_by,
            )
        await tracker.after_commit(store, team, sprint, now)
    return result


async def renegotiate(
    store: Store,
    team: Team,
    action: str,
    number: int,
    reason: str,
    actor: str,
    now: datetime,
    *,
    agreed: bool = False,
) -> tuple[Sprint, BacklogItem, rules.Renegotiation]:
    """Adds to or removes from a committed sprint: a reason is required, and it is logged; an
    unready item only by the PO, or when the change was `agreed` where the team made it (its
    tracker's sprint: the risks are stated all the same)."""
    sprint = await require_active(store, team, action, number)  # no sprint to change: first
    reason = rules.renegotiation_reason(action, number, reason)
    item = await store.get_item(team, number)
    sprint_items = await store.sprint_items(sprint, include_removed=True)
    decided = rules.renegotiate(
        sprint,
        action,
        item,
        sprint_items,
        reason,
        actor,
        now,
        dor=DefinitionOfReady.of(team),
        po=(*Roles.of(team).po, actor) if agreed else Roles.of(team).po,
    )
    if decided.new_item is not None:
        await store.add_sprint_item(decided.new_item)
    if decided.returned is not None:
        await _back_to_top(store, team, [decided.returned], now)
    for sprint_item in sprint_items:  # its tasks leave the hours with it, or come back
        if sprint_item.item.number == number and sprint_item.tasks:
            await save_progress(store, sprint, sprint_item, now, gone=sprint_item.removed)
    store.add_scope_change(decided.change)
    store.log(item, actor, f"sprint {action}", now, sprint=sprint.number, reason=reason)
    await tracker.after_scope_change(store, team, sprint, now)
    return sprint, item, decided


async def _back_to_top(
    store: Store, team: Team, items: Sequence[BacklogItem], now: datetime
) -> None:
    """Items back at the top of the product backlog, and so in the connected tracker: each
    one's rank is written as a move's is, or the next sync would put it back where the
    tracker had it. An archived one (closed as won't do in the tracker) has no place there."""
    top, _ = await store.rank_bounds(team.id)
    rules.back_to_top(items, top, now)
    for item in items:
        if item.archived_at is None:
            await tracker.after_reorder(store, team, item, now)


async def finish_item(store: Store, team: Team, number: int, actor: str, now: datetime) -> InSprint:
    sprint = await require_active(store, team)
    sprint_item = await find_item(store, team, sprint, number)
    still_open = [t.remaining for t in sprint_item.tasks if not t.done]
    before = rules.finish(sprint_item, now)
    await save_progress(store, sprint, sprint_item, now)
    store.log(sprint_item.item, actor, "done", now, status=[before, "done"])
    await store.settle_dependents(team, sprint_item.item, actor, now)
    await tracker.after_done(store, team, sprint_item.item, now)
    await poker_uc.backlog_changed(store, team.id, [number], now)  # its polls shown again
    return InSprint(sprint, sprint_item, len(still_open), sum(still_open))


async def unfinish_item(store: Store, team: Team, number: int, actor: str, now: datetime) -> None:
    """A finished item of the running sprint is work to do again: its issue reopened in the
    tracker, or the item restored in Timebox (whose use case reopens the issue)."""
    sprint = await require_active(store, team)
    sprint_item = await find_item(store, team, sprint, number)
    before = rules.unfinish(sprint_item, now)
    store.log(sprint_item.item, actor, "reopened", now, status=[before, "sprint"])
    await store.settle_dependents(team, sprint_item.item, actor, now)
    await poker_uc.backlog_changed(store, team.id, [number], now)  # its polls shown again


async def close(
    store: Store,
    team: Team,
    actor: str,
    now: datetime,
    review_answer: str,
    *,
    sprint: Sprint | None = None,
) -> rules.Closing:
    """Completed points become velocity; unfinished items go back; the next sprint opens.
    `sprint`: the one to close (the team's running one by default)."""
    sprint = sprint or rules.require_running(await active(store, team))
    items = await store.sprint_items(sprint)
    unfinished = rules.close(sprint, items, review_answer, now)
    await _back_to_top(store, team, unfinished, now)
    for item in unfinished:
        store.log(item, actor, "returned from sprint", now, sprint=sprint.number)
    await tracker.after_close(store, team, sprint, now)
    next_sprint = await upcoming(store, team, now)
    meeting = await store.open_meeting(team.id)
    planning = meeting is not None and meeting.kind == "planning"
    return rules.Closing(
        sprint, sprint.completed_points or 0.0, unfinished, next_sprint, planning_runs=planning
    )
