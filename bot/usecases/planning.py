"""Sprint planning, as a meeting and as a plan: one use case per thing a person does while
planning (the goal, taking items in or out, the selection, capacity and task forms, the
commitment), and `PLANNING`, the meeting kind whose sections open the plan's parts.

A sprint named by a button or a form is looked up inside the actor's team: another team's is
refused and nothing changes. The sprint's rules are bot/domain/sprints.py's, its reading and
writing bot/usecases/sprints.py's; this module composes them in its own unit of work.

Someone outside the team (not in its channel, no role in it) may look but changes nothing: a
change is given the channel's people (from Slack, through the lookup the caller passes, read
before the transaction), which say who is in the channel, so it asks Slack nothing more.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from uuid import uuid4

from agendas import engine
from agendas import planning as plan
from agendas.kinds import People, conclude
from bot.domain import sprints as rules
from bot.domain import tasks
from bot.domain.capacity import VELOCITY_SPRINTS
from bot.domain.readiness import DefinitionOfReady
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import news
from bot.usecases import sprints as steps
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, Work, team_work
from storage.models import BacklogItem, Meeting, Sprint, SprintItem, Team
from storage.repositories import Store

ReadPeople = Callable[[], Awaitable[People]]
"""`read_people()`: the channel's people as Slack says now (`channel_people` in
handlers/flows/meetings.py); asked only outside a transaction, and only when needed."""

FORMS_NEEDING_PEOPLE = ("select", "capacity")  # the developers: the proposal's forecast, days off

# -- the meeting kind ----------------------------------------------------------------------------


class Planning:
    """Sprint planning: its meeting plans the next sprint of the team's calendar."""

    name = "planning"
    needs_people = True

    async def begin(self, store: Store, team: Team, now: datetime) -> dict[str, Any]:
        """The sprint it plans, and the sprint's length, which sets its timebox (extensions
        are held to it: agendas.agenda.extension_left); `sprint`: its number and dates, for
        the meeting's card to name the sprint planned (one planned ahead of a committed sprint
        is not the one the team may think of)."""
        sprint = await steps.upcoming(store, team, now)
        return {
            "sprint_id": sprint.id,
            "sprint_weeks": team.sprint_weeks,
            "sprint": plan.sprint_named(team, sprint),
        }

    async def section(
        self, store: Store, team: Team, meeting: Meeting, now: datetime, people: People | None
    ) -> list[Any]:
        sprint = await store.sprint_in_team(meeting.data.get("sprint_id", 0), team.id)
        if sprint is None:
            return []
        actions = engine.current(meeting).get("actions", [])
        state = await plan_state(store, team, sprint, people)
        opened: list[Any] = []
        if "goal" in actions:
            opened.append(plan.GoalSection(sprint))
        if "selection" in actions:
            forecast = state.capacity.forecast
            proposal = await steps.proposal(store, team, forecast)
            over = None if proposal else await steps.top_ready(store, team)
            opened.append(plan.SelectionSection(sprint, tuple(proposal), forecast, over))
        opened += [plan.StateSection(a, state) for a in plan.STATE_ACTIONS if a in actions]
        return opened

    async def minutes(self, store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
        sprint = await store.sprint_in_team(meeting.data.get("sprint_id", 0), team.id)
        items = await store.sprint_items(sprint) if sprint is not None else []
        return plan.minutes(meeting, sprint, items)


PLANNING = Planning()


async def plan_state(
    store: Store, team: Team, sprint: Sprint, people: People | None
) -> plan.PlanState:
    items = await store.sprint_items(sprint)
    found = plan.developers_present(team, people)
    capacity = await steps.capacity(store, team, sprint, found.counted)
    capacity = replace(capacity, not_in_channel=found.outside)
    closed = len(await store.closed_sprints(team.id, VELOCITY_SPRINTS))
    return plan.PlanState(sprint, tuple(items), capacity, closed)


# -- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True)
class PlanNote:
    """What changed in the plan, for the meeting thread: `what` is goal, added, dropped,
    chosen, capacity, tasks, waiting (for more commitments, and not for those `away` the
    whole sprint) or committed (sprint `number` was, with items not ready: said only then).
    `changed` False: what was asked left the plan as it was (an item added again, or dropped
    while not in it, or a commitment given again). `numbers`: the items chosen; `reason`: why
    an item was added; `unready`: the items told of that are not ready (the one added, or the
    plan's); `recommit`: the Developers whose commitment the change set aside, asked to
    commit again."""

    what: str
    user: str
    number: int | None = None
    count: int = 0
    hours: float = 0.0
    goal: str = ""
    waiting: tuple[str, ...] = ()
    away: tuple[str, ...] = ()
    changed: bool = True
    numbers: tuple[int, ...] = ()
    reason: str = ""
    unready: tuple[rules.NotReady, ...] = ()
    recommit: tuple[str, ...] = ()


@dataclass(frozen=True)
class PlanChanged:
    team: Team
    state: plan.PlanState
    note: PlanNote
    meeting: Meeting | None
    """The running planning meeting, whose thread hears of the change (None: the asker alone
    hears of it, privately: `announce`)."""
    posts: Sequence[outbox.Post] = ()
    """Its line in the meeting's thread (`announce` "thread"), recorded in the outbox with the
    change, to send at once (handlers/outbox.send_all)."""

    @property
    def announce(self) -> str:
        """Where the change is told. While the sprint is planned in a running planning meeting
        (posted in the channel): `thread`, a line in its thread and its cards updated, or
        `cards`, its cards updated alone (a capacity change shows there). Without one:
        `asker`, privately with where the plan stands, or once the sprint is committed,
        `note`, privately the change alone. What changed nothing is the asker's alone:
        `note`."""
        if not self.note.changed:
            return "note"
        planning = self.state.sprint.status == "planning"
        if self.meeting is not None and self.meeting.message_ts and planning:
            return "cards" if self.note.what == "capacity" else "thread"
        return "asker" if planning else "note"


@dataclass(frozen=True)
class Committed:
    team: Team
    sprint: Sprint
    count: int
    waiting: PlanChanged | None
    """Not everyone has committed yet: who has, and where the plan stands."""
    ended: Meeting | None
    """The planning meeting the commitment ended (its minutes written)."""
    posts: Sequence[outbox.Post] = ()
    """A recorded sprint's news (the ended meeting's minutes in its thread, the channel's
    summary, which says it ended), recorded in the outbox with the commitment, to send at
    once (handlers/outbox.send_all)."""


@dataclass(frozen=True)
class PlanForm:
    """What a planning form opens with."""

    which: str  # goal | select | capacity | tasks
    sprint: Sprint
    ready: tuple[BacklogItem, ...] = ()
    unready: tuple[BacklogItem, ...] = ()
    chosen: plan.Selection | None = None
    developers: tuple[str, ...] = ()
    needs_forecast: bool = False
    working_days: int = 0
    sprint_item: SprintItem | None = None


# -- use cases -----------------------------------------------------------------------------------


async def set_goal(
    svc: Services,
    actor: Actor,
    people: People,
    goal: str,
    one_thing: str | None = None,
    sprint_id: int | None = None,
) -> PlanChanged:
    """The PO's sprint goal: `/planning goal <text>` (keeps the one thing) or its form."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, sprint_id, planning=sprint_id is None)
        await work.require(("po",), "set the sprint goal")
        before = (sprint.goal, sprint.one_thing)
        rules.set_goal(sprint, goal, sprint.one_thing if one_thing is None else one_thing)
        note = PlanNote("goal", work.user, goal=sprint.goal)
        if (sprint.goal, sprint.one_thing) != before:
            note = replace(note, recommit=rules.recommit(sprint))
        return await _changed(work, sprint, people, note)


async def add_item(
    svc: Services, actor: Actor, people: People, number: int, reason: str
) -> PlanChanged:
    """`/planning add <n> [reason]`: an unready item needs the reason; one in the plan
    already changes nothing."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, None)
        before = plan.current(await work.store.sprint_items(sprint))
        chosen = plan.with_item(before, number, reason)
        note = PlanNote("added", work.user, number, reason=reason)
        return await _reselected(work, sprint, people, before, chosen, note)


async def drop_item(svc: Services, actor: Actor, people: People, number: int) -> PlanChanged:
    """`/planning drop <n>`: one not in the plan changes nothing."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, None)
        before = plan.current(await work.store.sprint_items(sprint))
        chosen = plan.without_item(before, number)
        note = PlanNote("dropped", work.user, number)
        return await _reselected(work, sprint, people, before, chosen, note)


async def choose_items(
    svc: Services,
    actor: Actor,
    people: People,
    sprint_id: int,
    items: Sequence[int],
    goal_items: set[int],
    override: int | None,
    reason: str,
) -> PlanChanged:
    """The selection form: ready items, those serving the goal, one unready item with a reason."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, sprint_id)
        before = plan.current(await work.store.sprint_items(sprint))
        chosen = plan.from_form(items, goal_items, override, reason)
        await _select(work, sprint, chosen)
        numbers = tuple(dict.fromkeys(chosen.numbers))
        note = PlanNote("chosen", work.user, count=len(numbers), numbers=numbers)
        return await _changed(work, sprint, people, _reselection(sprint, before, chosen, note))


async def set_capacity(
    svc: Services,
    actor: Actor,
    people: People,
    sprint_id: int,
    days_off: Mapping[str, float],
    focus: float | None,
    forecast: float | None,
) -> PlanChanged:
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, sprint_id)
        working = rules.working_days(work.team, sprint)
        rules.set_capacity(sprint, days_off, focus, forecast, working)
        return await _changed(work, sprint, people, PlanNote("capacity", work.user))


async def set_tasks(
    svc: Services, actor: Actor, people: People, sprint_id: int, number: int, text: str
) -> PlanChanged:
    """An item's tasks with their hours (they change freely, before and after commitment)."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, sprint_id)
        sprint_item = await steps.set_tasks(work.store, work.team, sprint, number, text, work.now)
        hours = tasks.planned(sprint_item.tasks)
        note = PlanNote("tasks", work.user, number, len(sprint_item.tasks), hours)
        return await _changed(work, sprint, people, note)


async def commit(
    svc: Services, actor: Actor, people: People, *, for_team: bool, sprint_id: int | None = None
) -> Committed:
    """A developer's "I commit" (or a Scrum Master's for the team). The last one records the
    sprint, and the planning meeting ends with its minutes, in the same transaction."""
    async with member_work(svc, actor, _among(people), once=True) as work:
        sprint = await _sprint(work, sprint_id, planning=True)
        devs = plan.developers(work.team, people)
        result = await steps.commit(
            work.store, work.team, sprint, work.user, devs, work.now, for_team=for_team
        )
        if not result.recorded:
            note = PlanNote(
                "waiting",
                work.user,
                waiting=tuple(result.waiting_for),
                away=result.away,
                changed=not result.again,  # given again: nothing new, the asker alone hears
            )
            return Committed(work.team, sprint, 0, await _changed(work, sprint, people, note), None)
        items = await work.store.sprint_items(sprint)
        count = len(items)
        meeting = await work.store.open_meeting(work.team.id)
        ended = None
        if meeting is not None and meeting.kind == PLANNING.name:
            await conclude(work.store, work.team, meeting, PLANNING, work.now)
            ended = meeting
        done = Committed(work.team, sprint, count, None, ended)
        key = f"sprint-committed:{sprint.id}"
        posts = await news.record_for_channel(work.store, work.team, key, work.now, done)
        unready = rules.not_ready(work.team, items)
        if unready:  # said under the summary: the commitment takes them on as they are
            warned = PlanNote("committed", work.user, sprint.number, unready=unready)
            key = f"sprint-committed-unready:{sprint.id}"
            posts = [
                *posts,
                *await news.record_for_channel(work.store, work.team, key, work.now, warned),
            ]
        return replace(done, posts=posts)


async def open_form(
    svc: Services,
    actor: Actor,
    read_people: ReadPeople,
    which: str,
    sprint_id: int,
    number: int | None,
    in_channel: InChannel,
) -> PlanForm:
    """What the goal, selection, capacity or tasks form of the sprint opens with. The goal's
    is the PO's, and may make the actor the channel's first PO: never someone outside it.
    The channel's people are read (before the transaction) only for the forms that need the
    developers."""
    people = await read_people() if which in FORMS_NEEDING_PEOPLE else None
    if which == "goal":
        unit = member_work(svc, actor, in_channel, once=True)
    else:
        unit = team_work(svc, actor)
    async with unit as work:
        sprint = await _sprint(work, sprint_id)
        store, team = work.store, work.team
        match which:
            case "goal":
                await work.require(("po",), "set the sprint goal")
                return PlanForm(which, sprint)
            case "select":
                plan.require_planning(sprint)
                ordered = await store.all_items(team.id, include_closed=False)
                ready, unready = rules.ready_and_unready(ordered, DefinitionOfReady.of(team))
                current = await store.sprint_items(sprint)
                proposal: list[int] = []
                if not current:
                    cap = await steps.capacity(store, team, sprint, plan.developers(team, people))
                    proposal = [i.number for i in await steps.proposal(store, team, cap.forecast)]
                return PlanForm(
                    which,
                    sprint,
                    ready=tuple(ready),
                    unready=tuple(unready),
                    chosen=plan.proposed_selection(current, proposal),
                )
            case "capacity":
                needs_forecast = await steps.team_velocity(store, team) is None
                devs = tuple(plan.developers(team, people))
                working = rules.working_days(team, sprint)
                return PlanForm(
                    which,
                    sprint,
                    developers=devs,
                    needs_forecast=needs_forecast,
                    working_days=working,
                )
            case _:
                sprint_item = await steps.find_item(store, team, sprint, number or 0)
                return PlanForm("tasks", sprint, sprint_item=sprint_item)


# -- steps ---------------------------------------------------------------------------------------


def _among(people: People) -> InChannel:
    """Who is in the channel, as the channel's people the caller read from Slack say."""

    async def member(channel: str, user: str) -> bool:
        return user in people.members

    return member


async def _sprint(work: Work, sprint_id: int | None, *, planning: bool = False) -> Sprint:
    """The sprint a button or form names, inside the actor's team; without one, the sprint the
    running planning meeting plans. `planning`: refused once it is committed."""
    if sprint_id is not None:
        sprint = await steps.sprint_in_team(work.store, work.team, sprint_id)
        return plan.require_planning(sprint) if planning else sprint
    meeting = engine.require_open(await work.store.open_meeting(work.team.id), PLANNING.name)
    found = await work.store.sprint_in_team(meeting.data.get("sprint_id", 0), work.team.id)
    return plan.require_planning(rules.require_in_team(found, work.team))


async def _select(work: Work, sprint: Sprint, chosen: plan.Selection) -> None:
    await steps.select(
        work.store,
        work.team,
        sprint,
        list(chosen.numbers),
        set(chosen.supporting),
        dict(chosen.overrides),
        work.now,
    )


async def _reselected(
    work: Work,
    sprint: Sprint,
    people: People,
    before: plan.Selection,
    chosen: plan.Selection,
    note: PlanNote,
) -> PlanChanged:
    """The plan as `chosen`, told as `note`; a choice that is the plan as it was writes
    nothing, and its note says so (told to the asker alone)."""
    if chosen == before:
        return await _changed(work, sprint, people, replace(note, changed=False))
    await _select(work, sprint, chosen)
    return await _changed(work, sprint, people, _reselection(sprint, before, chosen, note))


def _reselection(
    sprint: Sprint, before: plan.Selection, chosen: plan.Selection, note: PlanNote
) -> PlanNote:
    """`note` of a new selection: one of other items than before sets aside the commitments
    given to the plan as it was (`rules.recommit`), and asks their Developers again."""
    if set(chosen.numbers) == set(before.numbers):
        return note
    return replace(note, recommit=rules.recommit(sprint))


TELLS_UNREADY = ("added", "chosen", "waiting")
"""The notes that name the items of the plan that are not ready (an added one: itself)."""


def _unready(team: Team, items: Sequence[SprintItem], note: PlanNote) -> PlanNote:
    """`note` with the items it tells of that are not ready."""
    if not note.changed or note.what not in TELLS_UNREADY:
        return note
    if note.what == "added":
        items = [si for si in items if si.item.number == note.number]
    return replace(note, unready=rules.not_ready(team, items))


async def _changed(work: Work, sprint: Sprint, people: People, note: PlanNote) -> PlanChanged:
    """Where the plan stands after `note`; told in the running meeting's thread, its line is
    recorded in the outbox with the change."""
    state = await plan_state(work.store, work.team, sprint, people)
    note = _unready(work.team, state.items, note)
    meeting = await work.store.open_meeting(work.team.id)
    running = meeting if meeting is not None and meeting.kind == PLANNING.name else None
    changed = PlanChanged(work.team, state, note, running)
    if changed.announce != "thread" or running is None:
        return changed
    key = f"plan-note:{running.id}:{uuid4().hex}"
    where = running.message_ts
    posts = await news.record_for_channel(work.store, work.team, key, work.now, note, where)
    return replace(changed, posts=posts)
