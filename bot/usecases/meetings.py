"""Timeboxed meetings: one use case per thing a person does in one (start it, run its clock,
set its goal, note an action item, triage, pick the next session, read its minutes, change the
agenda), the section timers, and `REFINEMENT`, the kind of meeting that refines the backlog.

Every kind of meeting is a `MeetingKind` (agendas/kinds.py) in `KINDS`: what a new meeting
keeps, what its sections open and what its minutes say are asked of it, so the clock and its
buttons are the same for all. A meeting named by a button or a form is looked up inside the
actor's team: another team's is refused and nothing changes. Someone outside the team (not in
its channel, no role in it) may look but changes nothing (`member_work`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import partial
from typing import Any
from uuid import uuid4

from agendas import engine, refinement
from agendas.agenda import KINDS as AGENDA_KINDS
from agendas.agenda import (
    Agenda,
    Timebox,
    adopt,
    edited,
    for_team,
    is_custom,
    require_fits,
    reset,
    timebox,
)
from agendas.agenda import parse as parse_agenda
from agendas.kinds import MeetingKind, People, conclude
from bot.domain import backlog
from bot.domain.calendar import local_today, zone
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases import ceremony_jobs, news, tracker
from bot.usecases import poker as poker_uc
from bot.usecases.planning import PLANNING
from bot.usecases.refinement_budget import as_data, session_budget
from bot.usecases.review import REVIEW
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, Work, team_work
from storage.models import ActionItem, BacklogItem, Meeting, Team
from storage.repositories import Store

EXTEND_MINUTES = 5  # what `extend` adds when no length is given (the "+5 min" button)
GUARDED = ("next", "extend")  # steps about one section: `expected` names it (see `step`)
# The notes of a guarded step that came too late (or a time-up's +5 clicked again).
LATE = ("moved_already", "section_over", "extended_already")

# -- the refinement kind -------------------------------------------------------------------------


class Refinement:
    """Backlog refinement: triage what is new, deep-dive the top unready items, wrap up."""

    name = "refinement"
    needs_people = False

    async def begin(self, store: Store, team: Team, now: datetime) -> dict[str, Any]:
        ordered = await _ordered(store, team)
        return {"ready_before": len(refinement.ready_numbers(ordered, DefinitionOfReady.of(team)))}

    async def section(
        self, store: Store, team: Team, meeting: Meeting, now: datetime, people: People | None
    ) -> list[Any]:
        actions = engine.current(meeting).get("actions", [])
        ordered = await _ordered(store, team)
        dor = DefinitionOfReady.of(team)
        deep = tuple(refinement.deep_dive_items(ordered, dor))
        opened: list[Any] = []
        if "goal" in actions:
            opened.append(refinement.Kickoff(len(refinement.new_items(ordered)), deep))
        if "triage" in actions:
            opened.append(refinement.triage_card(meeting, refinement.new_items(ordered)))
        if "deep_dive" in actions:
            opened.append(refinement.DeepDive(deep, dor))
        if "wrapup" in actions:
            opened.append(await _wrapup(store, team, meeting, now))
        return opened

    async def minutes(self, store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
        assert meeting.ended_at is not None
        events = await store.item_events_between(team.id, meeting.started_at, meeting.ended_at)
        actions = await store.action_items(meeting.id)
        ordered = await _ordered(store, team)
        ready_after = len(refinement.ready_numbers(ordered, DefinitionOfReady.of(team)))
        spent = as_data(await session_budget(store, team, meeting))
        scheduled = refinement.next_scheduled(team, await store.ceremonies(team.id), meeting)
        return {
            **refinement.minutes(meeting, events, actions, ready_after),
            "budget": spent,
            "next_scheduled": scheduled.isoformat() if scheduled else None,
        }


async def _wrapup(store: Store, team: Team, meeting: Meeting, now: datetime) -> refinement.Wrapup:
    """What the wrap-up shows: the items that became ready, the action items, today."""
    events = await store.item_events_between(team.id, meeting.started_at, now)
    actions_noted = tuple(await store.action_items(meeting.id))
    suggested = refinement.suggested_session(team, local_today(team, now)).isoformat()
    return refinement.Wrapup(refinement.became_ready(events), actions_noted, suggested)


REFINEMENT = Refinement()
KINDS: dict[str, MeetingKind] = {
    REFINEMENT.name: REFINEMENT,
    PLANNING.name: PLANNING,
    REVIEW.name: REVIEW,
}


def needs_people(kind: str) -> bool:
    """Whether the sections of this kind of meeting need the channel's people."""
    return KINDS[kind].needs_people


# -- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True)
class Note:
    """What to say after a step, in the meeting thread (but a `private` one): `what` is
    moved_already, section_over, extended, paused, resumed, auto_on, auto_off, goal, action,
    took_over (`user` facilitates now, the facilitator having left) or estimating (`user`
    started a poker round on item `number`)."""

    what: str
    minutes: int = 0
    title: str = ""
    goal: str = ""
    action: ActionItem | None = None
    user: str = ""
    number: int = 0

    @property
    def private(self) -> bool:
        """Said to the person who stepped only: their step came too late, nothing changed
        (`title`: the section running now)."""
        return self.what in LATE


@dataclass
class Step:
    """What a step changed, for the Slack side to show."""

    meeting: Meeting
    team: Team
    moved: bool = False
    ended: bool = False
    note: Note | None = None
    posts: list[outbox.Post] = field(default_factory=list)
    """What it tells the meeting (its note, an ended meeting's minutes and notice), recorded
    in the outbox with the step, to send at once (handlers/outbox.send_all)."""
    opening: str | None = None
    """The new section's opening (`to_open`), recorded with the step: its job's key."""


@dataclass(frozen=True)
class Started:
    """A meeting just started, with its agenda card recorded in the outbox, to send at once:
    once Slack has it, its ts is kept on the meeting; refused, the meeting is withdrawn
    (`card_posted`)."""

    meeting: Meeting
    team: Team
    card: outbox.Post
    opening: str
    """Its first section's opening (`to_open`), recorded with it: its job's key."""
    forgotten: Step | None = None
    """The channel's meeting that had stood open past the time Timebox ends one nobody ends,
    its timer not run yet (`end_forgotten`): ended with this start, to be told first."""


@dataclass(frozen=True)
class Ended:
    """An ended meeting, as news for its channel: its minutes in its thread and the
    channel's notice (worded by the app: handlers/jobs.py)."""

    meeting: Meeting


@dataclass(frozen=True)
class Opening:
    """What the meeting's current section opens, for its thread."""

    meeting: Meeting
    team: Team
    contents: Sequence[Any]
    posts: Sequence[outbox.Post] = ()
    """Its cards, recorded in the outbox, to send at once in the thread."""


@dataclass(frozen=True)
class Triaged:
    team: Team
    meeting: Meeting
    item: BacklogItem
    placement: str
    following: refinement.TriageCard
    posts: Sequence[outbox.Post] = ()
    """The next triage card, recorded in the outbox with the decision, to send at once."""


@dataclass(frozen=True)
class NextTriage:
    """The triage card that follows a decision, as news for the meeting's thread (worded by
    the app: handlers/jobs.py)."""

    meeting: Meeting
    team: Team
    card: refinement.TriageCard


@dataclass(frozen=True)
class AgendaShown:
    """An agenda to show, with what a meeting on it runs for the team's sprint length."""

    agenda: Agenda
    custom: bool
    channel: str
    team_id: int
    timebox: Timebox


@dataclass(frozen=True)
class Fired:
    """What a section timer did: `outcome` for the job's record."""

    outcome: str
    meeting: Meeting | None = None
    team: Team | None = None
    step: Step | None = None


RenderTimer = Callable[[Meeting, str, int], dict[str, Any]]
"""A timer's warning or time-up (event, minutes left) as chat.postMessage arguments."""

RenderEnded = Callable[[Meeting], Sequence[dict[str, Any]]]
"""An ended meeting's posts (its minutes, the channel's notice) as chat.postMessage arguments
but the channel."""

RenderAgenda = Callable[[Meeting, datetime], dict[str, Any]]
"""A meeting's agenda card as chat.postMessage arguments but the channel."""

RenderOpening = Callable[[Meeting, Team, Sequence[Any]], Sequence[tuple[Any, dict[str, Any]]]]
"""What a section opens as its cards: each with its deep dive's reference (its item's
`number`, its `position` of `total`), to redraw it later, or None; and chat.postMessage's
arguments but the channel and thread."""

CARD = "meeting_card"  # outbox.AFTER_POST: an agenda card posted (its ts) or refused
DEEP_DIVE = "meeting_deep_dive"  # outbox.AFTER_POST: a deep-dive card's ts, to redraw it
OPEN = "meeting_open"  # the job that opens a section's cards (`to_open`)
OPENING_KEY = "meeting-open"  # its key's start (a withdrawn meeting's goes with it)
OPEN_AFTER = outbox.SETTLE_AFTER  # when it is due, unless opened at once (or failed: `open_soon`)


# -- running a meeting ---------------------------------------------------------------------------


async def start(
    svc: Services,
    actor: Actor,
    kind: str,
    minutes: int | None,
    in_channel: InChannel,
    render: RenderAgenda,
) -> Started:
    """A meeting of this kind on the team's agenda; one at a time per channel. Its agenda
    card is recorded in the outbox with it: the meeting runs only once Slack shows it. So is
    the redraw of that day's reminder of its kind, if any (it says who started it)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        forgotten = await end_forgotten(work.store, work.team, work.now)
        data = await KINDS[kind].begin(work.store, work.team, work.now)
        meeting = await engine.start(
            work.store, work.team, kind, work.user, work.now, minutes, data
        )
        await ceremony_jobs.redraw_on_start(work.store, work.team, meeting, actor.request, work.now)
        card = await outbox.record(
            work.store,
            f"meeting-card:{meeting.id}",
            work.team.workspace_id,
            work.now,
            then=(CARD, meeting.id),
            channel=work.team.channel_id,
            **render(meeting, work.now),
        )
        opening = await to_open(work.store, work.team, meeting, work.now)
        return Started(meeting, work.team, card, opening, forgotten)


async def end_forgotten(store: Store, team: Team, now: datetime) -> Step | None:
    """The team's open meeting, if it has stood open until Timebox ends it (`engine.overdue`)
    while its timer has not run (the bot was down, or has not swept since): ended now as that
    timer would have ended it (at the time it was due, `auto_ended`), its minutes and the
    channel's notice recorded, so a new meeting is not refused because of it. None if there
    is no such meeting."""
    running = await store.open_meeting(team.id)
    if running is None or not engine.overdue(running, now):
        return None
    await conclude(store, team, running, KINDS[running.kind], now)
    done = Step(running, team, ended=True)
    await _tell(store, team, done, now)
    return done


async def card_posted(store: Store, meeting_id: int, ts: str | None) -> None:
    """The meeting's agenda card reached Slack: its ts, for edits and the thread. Refused
    (None), nobody can see the meeting: it never started, and goes with its timers (the
    person who started it is told, and may start it again)."""
    locked = await _locked(store, meeting_id)
    if locked is None or locked[1].message_ts is not None:
        return
    meeting = locked[1]
    if ts is not None:
        meeting.message_ts = ts
        return
    await store.cancel_prefix(f"meeting:{meeting.id}:")
    await store.cancel_prefix(f"{OPENING_KEY}:{meeting.id}:")
    await store.delete_meeting(meeting)


async def deep_dive_posted(store: Store, card: list[Any], ts: str | None) -> None:
    """A deep-dive card reached the meeting's thread: its ts (with its position of the
    total), to redraw it when its item changes. Written into the meeting's data as it is
    under the team's lock, so a step writing the data at the same time loses nothing."""
    meeting_id, number, position, total = card
    locked = await _locked(store, meeting_id) if ts is not None else None
    if locked is None:
        return
    meeting = locked[1]
    kept = {**meeting.data.get("deep_dives", {}), str(number): [ts, position, total]}
    meeting.data = {**meeting.data, "deep_dives": kept}


async def _locked(store: Store, meeting_id: int) -> tuple[Team, Meeting] | None:
    """The meeting with its team, the team's lock taken first (as every step and timer takes
    it), then the meeting read as it is now: what is written of it races no step of another
    instance (a step's whole `data` written over a change made meanwhile, or the reverse)."""
    meeting = await store.meeting(meeting_id)
    if meeting is None:
        return None
    team = await store.team_by_id(meeting.team_id, lock=True)
    meeting = await store.meeting(meeting_id, fresh=True)
    return None if team is None or meeting is None else (team, meeting)


outbox.AFTER_POST[CARD] = card_posted
outbox.AFTER_POST[DEEP_DIVE] = deep_dive_posted


async def to_open(store: Store, team: Team, meeting: Meeting, now: datetime) -> str:
    """Records, in the caller's transaction (a start, a step, a timer moving on), that the
    meeting's current section is to open its cards: a job (its key returned) that the Slack
    side runs at once (`opening`, which marks it done with the cards recorded). A failure
    there, or a crash, leaves it to the job runner: due after `OPEN_AFTER`, or now when the
    Slack side says it failed (`open_soon`), and retried. Not under the meeting's timer keys
    (`meeting:<id>:`), which every change of the clock cancels."""
    key = f"{OPENING_KEY}:{meeting.id}:{meeting.section}"
    payload = {"meeting": meeting.id, "section": meeting.section, "workspace": team.workspace_id}
    await store.schedule_once(OPEN, key, now + OPEN_AFTER, payload)
    return key


async def open_soon(svc: Services, key: str) -> None:
    """The Slack side could not open the section at once: its job is due now, for the job
    runner to run with its retries. One done already is left alone."""
    async with svc.db.transaction() as store:
        job = await store.scheduled(key)
        if job is not None and job.done_at is None:
            await store.schedule(OPEN, key, svc.clock.now(), job.payload)


async def to_be_opened(svc: Services, key: str) -> tuple[Team, Meeting] | None:
    """The meeting whose section the job `key` opens, with its team; None when that no
    longer applies (done, the meeting gone or ended, or moved on). A meeting whose agenda card
    is not in Slack yet (its record still to settle) has no thread to open it in: an error,
    for the job runner to retry."""
    async with svc.db.reading() as store:
        found = await _to_open(store, key, lock=False)
    if found is not None and found[1].message_ts is None:
        raise LookupError(f"{key}: the meeting's agenda card is not in Slack yet")
    return found


async def _to_open(store: Store, key: str, *, lock: bool) -> tuple[Team, Meeting] | None:
    """The job's meeting and team while its section is still to open (`to_be_opened`); read
    under the team's lock (`lock`, as a step takes it) where its cards are recorded."""
    job = await store.scheduled(key)
    if job is None or job.done_at is not None:
        return None
    meeting_id = int(job.payload["meeting"])
    if lock:
        found = await _locked(store, meeting_id)
    else:
        meeting = await store.meeting(meeting_id)
        team = None if meeting is None else await store.team_by_id(meeting.team_id)
        found = None if meeting is None or team is None else (team, meeting)
    if found is None:
        return None
    meeting = found[1]
    if meeting.status == "ended" or meeting.section != job.payload["section"]:
        return None
    return found


async def opening(
    svc: Services, key: str, people: People | None, render: RenderOpening, *, claimed: bool = False
) -> Opening | None:
    """What the meeting's current section opens (the job `key` of `to_open` says which), by
    the actions its agenda gives it: its cards recorded in the outbox, for its thread, in the
    transaction that marks the job done (unless the job runner runs it: `claimed`, it marks
    it). None when it no longer applies (`to_be_opened`): nothing is recorded."""
    async with svc.db.transaction() as store:
        found = await _to_open(store, key, lock=True)
        if found is None:
            return None
        team, meeting = found
        kind, now = KINDS[meeting.kind], svc.clock.now()
        contents = await kind.section(store, team, meeting, now, people)
        posts = []
        for n, (ref, payload) in enumerate(render(meeting, team, contents)):
            then = None
            if ref is not None:
                then = (DEEP_DIVE, [meeting.id, ref.number, ref.position, ref.total])
            posts.append(
                await outbox.record(
                    store,
                    f"meeting-opening:{meeting.id}:{meeting.section}:{n}",
                    team.workspace_id,
                    now,
                    then=then,
                    channel=team.channel_id,
                    thread_ts=meeting.message_ts,
                    **payload,
                )
            )
        if not claimed:
            await store.finish_key(key, now, f"opened: {len(posts)} cards")
        return Opening(meeting, team, contents, posts)


async def status(svc: Services, actor: Actor, kind: str = "refinement") -> Meeting:
    """The running meeting of this kind, for its agenda message."""
    async with team_work(svc, actor) as work:
        return await _meeting(work, None, kind)


async def section_now(svc: Services, actor: Actor, kind: str) -> int:
    """The section the running meeting of this kind is in, read as a typed `next` or `extend`
    arrives: the step names it as a button does, and moves on from it only. Read without the
    team's lock, as committed: another person's `next` holding the lock this instant is moving
    on from the section this command was typed about (once it commits, this one is late)."""
    async with svc.db.reading() as store:
        team = await store.team(actor.workspace, actor.channel)
        meeting = None if team is None else await store.open_meeting(team.id)
        return engine.require_open(meeting, kind).section


async def step(
    svc: Services,
    actor: Actor,
    op: str,
    in_channel: InChannel,
    *,
    kind: str = "refinement",
    meeting_id: int | None = None,
    expected: int | None = None,
    minutes: int | None = None,
    flag: bool = False,
    alarm: int | None = None,
    typed: bool = False,
) -> Step:
    """Next, extend, pause, resume, end or auto: the facilitator's or a Scrum Master's.
    `expected`: the section the button or the typed command was about (`section_now`), so a
    double click, or two people typing `next` at once, moves on once (the late one gets a
    private note, `Note.private`); `minutes`: how long `extend` adds (`EXTEND_MINUTES` when
    not said); `alarm`: the time-up whose button this is (`engine.alarm_of`): its +5 extends
    once, a second click is told who did. A `typed` `next` never ends the meeting (the last
    section's Finish button, or `end`, does): a repeated one would end it unawares."""
    minutes = EXTEND_MINUTES if minutes is None else minutes
    left = await _facilitator_left(svc, actor, in_channel, meeting_id)
    async with member_work(svc, actor, in_channel, once=True) as work:
        store, now = work.store, work.now
        meeting = await _meeting(work, meeting_id, kind)
        sms = Roles.of(work.team).sm
        took = engine.require_facilitator(meeting, work.user, sms, op, facilitator_left=left)
        done = Step(meeting, work.team)
        if took:  # said in the thread before what the step itself says
            done.posts += await _noted(
                store, work.team, meeting, Note("took_over", user=work.user), now
            )
        if engine.overdue(meeting, now):  # its timer is late: ended when it was due to end
            op = "end"
        match op:
            case "next":
                if typed and not engine.section_over(meeting, expected):
                    _not_last(meeting)
                done.moved = await engine.advance(store, meeting, now, expected)
                done.ended = meeting.status == "ended"
                if not done.moved:
                    done.note = Note("moved_already", title=engine.current(meeting)["title"])
            case "extend":
                title = engine.current(meeting)["title"]
                by = None if alarm is None else engine.answered_by(meeting, alarm)
                if by is not None and not engine.section_over(meeting, expected):
                    done.note = Note("extended_already", title=title, user=by)
                elif await engine.extend(store, meeting, minutes, work.user, now, expected, alarm):
                    done.note = Note("extended", minutes, title)
                else:
                    done.note = Note("section_over", title=title)
            case "pause":
                await engine.pause(store, meeting, now)
                done.note = Note("paused")
            case "resume":
                await engine.resume(store, meeting, now)
                done.note = Note("resumed")
            case "end":
                done.ended = True
            case _:
                engine.set_auto_advance(meeting, flag)
                done.note = Note("auto_on" if flag else "auto_off")
        if done.ended:
            await conclude(store, work.team, meeting, KINDS[meeting.kind], now)
        elif done.moved:
            done.opening = await to_open(store, work.team, meeting, now)
        await _tell(store, work.team, done, now)
        return done


async def _facilitator_left(
    svc: Services, actor: Actor, in_channel: InChannel, meeting_id: int | None
) -> bool:
    """Whether the facilitator of the meeting a step names (else the team's open one), someone
    else than the actor, has left the channel: Slack is asked, outside any transaction, only
    when another person steps."""
    async with svc.db.reading() as store:
        team = await store.team(actor.workspace, actor.channel)
        if team is None:
            return False
        if meeting_id is None:
            meeting = await store.open_meeting(team.id)
        else:
            meeting = await store.meeting_in_team(meeting_id, team.id)
    if meeting is None or meeting.facilitator == actor.user:
        return False
    return not await in_channel(actor.channel, meeting.facilitator)


def _not_last(meeting: Meeting) -> None:
    """A typed `next` in the last section is refused: ending the meeting is `end`'s (or the
    Finish button's), said to the person, so a repeated `next` never ends it unawares."""
    if engine.last_section(meeting):
        command = engine.COMMANDS[meeting.kind]
        raise UserError(
            f"This is the last section: `{command} end` (or the Finish button) ends the meeting."
        )


async def _tell(store: Store, team: Team, done: Step, now: datetime) -> None:
    """Records in the outbox what the step tells the meeting: its note in the thread (one
    said to the person only, `Note.private`, is theirs to hear), an ended meeting's minutes
    and the channel's notice."""
    meeting = done.meeting
    if done.note is not None and not done.note.private:
        done.posts += await _noted(store, team, meeting, done.note, now)
    if done.ended:
        key = f"meeting-ended:{meeting.id}"
        done.posts += await news.record_for_channel(store, team, key, now, Ended(meeting))


async def _noted(
    store: Store, team: Team, meeting: Meeting, note: Note, now: datetime
) -> list[outbox.Post]:
    """A note in the meeting's thread, recorded in the outbox."""
    key = f"meeting-note:{meeting.id}:{uuid4().hex}"
    return await news.record_for_channel(store, team, key, now, note, meeting.message_ts)


async def set_goal(
    svc: Services, actor: Actor, text: str, in_channel: InChannel, meeting_id: int | None = None
) -> Step:
    """What the session is for (anyone in it may say)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        goal = engine.set_goal(meeting, text)
        done = Step(meeting, work.team, note=Note("goal", goal=goal))
        await _tell(work.store, work.team, done, work.now)
        return done


async def add_action(
    svc: Services,
    actor: Actor,
    text: str,
    owner: str | None,
    in_channel: InChannel,
    meeting_id: int | None = None,
) -> Step:
    """An action item, with who follows it up."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        action = refinement.new_action(meeting, text, owner, work.user, work.now)
        await work.store.add_action_item(action)
        done = Step(meeting, work.team, note=Note("action", action=action))
        await _tell(work.store, work.team, done, work.now)
        return done


async def meeting_for_form(svc: Services, actor: Actor, meeting_id: int) -> Meeting:
    """The meeting whose goal or action-item form a button opens."""
    async with team_work(svc, actor) as work:
        return await _meeting(work, meeting_id)


async def timer_fired(
    svc: Services, due: Due, render: RenderTimer, render_ended: RenderEnded
) -> Fired:
    """A section's warning or time-up; a section that ended during downtime is announced once:
    its announcement goes to the durable outbox under the job's key, in the timer's own
    transaction. A meeting nobody ended by the time it was due to end is ended by the first
    of its timers to run then (`_end_forgotten`), announced the same way.

    The team's lock is taken first, then the meeting is read as it is now: a facilitator's
    `/refine next` on another instance cannot interleave with this timer."""
    payload, now = due.payload, due.now
    async with svc.db.transaction() as store:
        locked = await _locked(store, payload["meeting"])
        if locked is None:
            return Fired("no longer applies")
        team, meeting = locked
        if engine.ended_by(meeting) == due.key or engine.overdue(meeting, now):
            return await _end_forgotten(store, team, meeting, due, render_ended)
        timer = None if payload["event"] == engine.FORGOTTEN else engine.fired(meeting, payload)
        if timer is None:
            return Fired("no longer applies")
        verdict = engine.timer_verdict(meeting, timer, now)
        if verdict.action == "skip":
            return Fired("warning skipped: the section is over")
        if verdict.action == "redraw":
            await engine.schedule_redraw(store, meeting, now)
            return Fired("redrawn: over time", meeting, team)
        if verdict.action == "advance":
            await engine.advance(store, meeting, now, timer.section)
            done = Step(meeting, team, moved=True, ended=meeting.status == "ended")
            if done.ended:
                await conclude(store, team, meeting, KINDS[meeting.kind], now)
            else:
                done.opening = await to_open(store, team, meeting, now)
            await _tell(store, team, done, now)
            return Fired("time up: moved on", meeting, team, done)
        await outbox.enqueue(
            store,
            due.key,
            team.workspace_id,
            now,
            channel=team.channel_id,
            thread_ts=meeting.message_ts,
            **render(meeting, timer.event, verdict.minutes),
        )
        return Fired(timer.event, meeting, team)


async def _end_forgotten(
    store: Store, team: Team, meeting: Meeting, due: Due, render_ended: RenderEnded
) -> Fired:
    """Ends a meeting nobody ended, at the time it was due to end, and puts its minutes and
    the channel's notice in the outbox under the job's key, with the end: a rerun after a
    crash finds the meeting ended by this job and posts nothing twice."""
    if meeting.status != "ended":
        await engine.end(store, meeting, due.now, timer=due.key)
        await conclude(store, team, meeting, KINDS[meeting.kind], due.now)
    for n, post in enumerate(render_ended(meeting)):
        name = f"{due.key}:ended:{n}"
        await outbox.enqueue(
            store, name, team.workspace_id, due.now, channel=team.channel_id, **post
        )
    return Fired("ended: nobody ended it", meeting, team)


# -- refinement's sections -----------------------------------------------------------------------


async def triage(
    svc: Services,
    actor: Actor,
    meeting_id: int,
    number: int,
    placement: str,
    in_channel: InChannel,
) -> Triaged:
    """Top, keep, bottom or archive for a new item; ordering the backlog is the PO's."""
    placement = refinement.check_placement(placement)
    async with member_work(svc, actor, in_channel, once=True) as work:
        store, team, user, now = work.store, work.team, work.user, work.now
        meeting = await _meeting(work, meeting_id)
        refinement.check_triaging(meeting, number)
        item = refinement.check_triageable(await store.get_item(team, number))
        plan = refinement.plan_triage(item, placement)
        if plan.needs_po:
            await work.require(("po",), "order the product backlog")
        if plan.archive:
            await store.archive_item(team, number, user, now)
            await tracker.after_archive(store, team, number, now)
            await poker_uc.backlog_changed(store, team.id, [number], now)  # its polls shown again
        if plan.move is not None:
            await store.move_item(team, number, plan.move, user, now)
            await tracker.after_reorder(store, team, number, now)
        if plan.opens:
            store.log(item, user, "triaged", now, **refinement.opened(item))
        refinement.record_triage(meeting, number, placement, user)
        new = refinement.new_items(await _ordered(store, team))
        following = refinement.triage_card(meeting, new)
        key = f"meeting-triage:{meeting.id}:{number}:{uuid4().hex}"
        card = NextTriage(meeting, team, following)
        posts = await news.record_for_channel(store, team, key, now, card, meeting.message_ts)
        return Triaged(team, meeting, item, placement, following, posts)


async def triage_pick(
    svc: Services,
    actor: Actor,
    meeting_id: int,
    number: int,
    field_name: str,
    key: str,
    in_channel: InChannel,
) -> NextTriage | None:
    """The type or MoSCoW priority chosen on a triage card (priorities are the PO's); the
    card as it reads now, for everyone to see the choice (None once it is no longer the item
    being triaged)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        refinement.check_triaging(meeting, number)
        if field_name == "type":
            edits = {"type": backlog.parse_type(key)}
        else:
            await work.require(("po",), "set priorities")
            edits = {"priority": refinement.priority_of(key)}
        await work.store.edit_item(work.team, number, edits, work.user, work.now)
        card = refinement.triage_card(
            meeting, refinement.new_items(await _ordered(work.store, work.team))
        )
        if card.item is None or card.item.number != number:
            return None
        return NextTriage(meeting, work.team, card)


async def next_session(
    svc: Services, actor: Actor, meeting_id: int, chosen: str, in_channel: InChannel
) -> Opening:
    """The date of the next session, picked at the wrap-up; the wrap-up as it reads now, to
    redraw its card with the date saved."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        refinement.set_next_session(meeting, chosen, work.team, local_today(work.team, work.now))
        wrapup = await _wrapup(work.store, work.team, meeting, work.now)
        return Opening(meeting, work.team, [wrapup])


# -- cards redrawn later -------------------------------------------------------------------------


@dataclass(frozen=True)
class DeepDiveCard:
    """A deep-dive card of a running session, to redraw with its item as it is now."""

    meeting: Meeting
    team: Team
    item: BacklogItem
    dor: DefinitionOfReady
    ts: str
    position: int
    total: int


async def deep_dives_of(svc: Services, actor: Actor, numbers: Sequence[int]) -> list[DeepDiveCard]:
    """The deep-dive cards showing these items in the team's running refinement session."""
    async with team_work(svc, actor) as work:
        meeting = await work.store.open_meeting(work.team.id)
        if meeting is None or meeting.kind != REFINEMENT.name or meeting.status == "ended":
            return []
        kept = meeting.data.get("deep_dives", {})
        cards = []
        for number in numbers:
            if str(number) not in kept:
                continue
            ts, position, total = kept[str(number)]
            item = await work.store.get_item(work.team, number)
            dor = DefinitionOfReady.of(work.team)
            cards.append(DeepDiveCard(meeting, work.team, item, dor, ts, position, total))
        return cards


async def estimate_in(svc: Services, actor: Actor, meeting_id: int) -> Step:
    """The meeting whose deep dive asks for an estimate (a poker round the caller starts)."""
    async with team_work(svc, actor) as work:
        return Step(await _meeting(work, meeting_id), work.team)


async def estimating(svc: Services, actor: Actor, meeting_id: int, number: int, poll: int) -> Step:
    """The deep dive's poker round `poll` started on item `number`: its note for the meeting's
    thread, recorded in the outbox under the poll (one note per round), to send at once."""
    async with team_work(svc, actor) as work:
        found = await work.store.meeting_in_team(meeting_id, work.team.id)
        meeting = engine.in_team(found, work.team)  # ended meanwhile: the round runs all the same
        done = Step(meeting, work.team, note=Note("estimating", user=work.user, number=number))
        key = f"meeting-estimating:{meeting.id}:{poll}"
        thread = meeting.message_ts
        done.posts += await news.record_for_channel(
            work.store, work.team, key, work.now, done.note, thread
        )
        return done


# -- minutes and history -------------------------------------------------------------------------


@dataclass(frozen=True)
class Past:
    """The team's ended meetings of a kind, the latest first, and its time zone (theirs)."""

    meetings: Sequence[Meeting]
    zone: tzinfo


async def history(svc: Services, actor: Actor, kind: str = REFINEMENT.name) -> Past:
    """The team's ended meetings of this kind, the latest first."""
    async with team_work(svc, actor) as work:
        return Past(await work.store.past_meetings(work.team.id, kind), zone(work.team))


async def minutes_of(svc: Services, actor: Actor, meeting_id: int) -> Meeting:
    """An ended meeting of the team, for its minutes."""
    async with team_work(svc, actor) as work:
        meeting = await work.store.meeting_in_team(meeting_id, work.team.id)
        meeting = engine.in_team(meeting, work.team)
        if not meeting.minutes:
            raise UserError("That meeting has no minutes yet: they are written when it ends.")
        return meeting


# -- agendas -------------------------------------------------------------------------------------


async def show_agenda(svc: Services, actor: Actor, kind: str = "refinement") -> AgendaShown:
    async with team_work(svc, actor) as work:
        return _shown(work, kind)


async def change_agenda(
    svc: Services,
    actor: Actor,
    kind: str,
    channel: str,
    team_id: int | None,
    in_channel: InChannel,
    *,
    to_builtin: bool = False,
) -> AgendaShown:
    """The agenda a button names by its team's channel and id: this team's only, and only for
    who may save it, refused as `save_agenda` refuses. `to_builtin`: reset to the built-in
    agenda first (a change, hence recorded `once`); otherwise only read, for its form."""
    async with member_work(svc, actor, in_channel, once=to_builtin) as work:
        await _may_change_agenda(work, kind, channel, team_id)
        if to_builtin:
            reset(work.team, kind)
        return _shown(work, kind)


agenda_to_edit = partial(change_agenda, to_builtin=False)
"""The agenda a button offers to edit, for its form."""
reset_agenda = partial(change_agenda, to_builtin=True)
"""Back to the built-in agenda (the PO's or a Scrum Master's)."""


@dataclass(frozen=True)
class AgendaForm:
    """What an agenda form says: a whole YAML agenda, or a length and a purpose per section,
    for the agenda of `kind` of the team the form was opened for."""

    kind: str
    team_id: int | None
    yaml: str | None = None
    amounts: Sequence[str] = ()
    purposes: Sequence[str] = ()


async def agenda_from_form(svc: Services, actor: Actor, given: AgendaForm) -> Agenda:
    """The agenda a form says, read before the ack so that a broken one is refused under its
    field: the YAML, or this team's current agenda with the lengths and purposes typed; a
    sprint planning's within the team's planning timebox (`require_fits`)."""
    async with team_work(svc, actor) as work:
        _require_own_agenda(work, given.kind, actor.channel, given.team_id)
        current, weeks = for_team(work.team.agendas, given.kind), work.team.sprint_weeks
    if given.yaml is not None:
        agenda = parse_agenda(given.yaml, given.kind)
    else:
        agenda = edited(current, given.amounts, given.purposes)
    require_fits(agenda, weeks)
    return agenda


async def save_agenda(
    svc: Services,
    actor: Actor,
    agenda: Agenda,
    in_channel: InChannel,
    team_id: int | None = None,
) -> AgendaShown:
    """The team's own agenda of its kind (the PO's or a Scrum Master's); `team_id`: the team
    whose agenda the form was opened for."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await adopt_agenda(work, agenda, team_id)
        return _shown(work, agenda.kind)


async def adopt_agenda(work: Work, agenda: Agenda, team_id: int | None = None) -> None:
    """`agenda` becomes the team's own of its kind, in the caller's transaction (a form's, or
    a shared file's with its news): the PO's or a Scrum Master's to change."""
    await _may_change_agenda(work, agenda.kind, work.team.channel_id, team_id)
    adopt(work.team, agenda)


# -- steps ---------------------------------------------------------------------------------------


async def _meeting(work: Work, meeting_id: int | None, kind: str = "refinement") -> Meeting:
    """The meeting a button or form names, inside the actor's team; without one, the team's
    running meeting of this kind. Refused once it has ended."""
    if meeting_id is None:
        return engine.require_open(await work.store.open_meeting(work.team.id), kind)
    found = await work.store.meeting_in_team(meeting_id, work.team.id)
    return engine.require_running(engine.in_team(found, work.team))


async def _ordered(store: Store, team: Team) -> list[BacklogItem]:
    return list(await store.all_items(team.id, include_closed=False))


def _require_own_agenda(work: Work, kind: str, channel: str, team_id: int | None) -> None:
    """A button or form names its agenda's channel (and team): the actor's team's only."""
    if kind not in AGENDA_KINDS:
        raise UserError("There is no such kind of meeting.")
    if channel != work.team.channel_id or team_id not in (None, work.team.id):
        raise UserError("That agenda belongs to another channel's team.")


async def _may_change_agenda(work: Work, kind: str, channel: str, team_id: int | None) -> None:
    """The agenda named is the actor's team's (refused first, as another team's), and the
    actor its PO or a Scrum Master: for opening its form, saving and resetting it alike."""
    _require_own_agenda(work, kind, channel, team_id)
    await work.require(("po", "sm"), "change agendas")


def _shown(work: Work, kind: str) -> AgendaShown:
    agenda = for_team(work.team.agendas, kind)
    custom, planned = is_custom(work.team, kind), timebox(agenda, work.team.sprint_weeks)
    return AgendaShown(agenda, custom, work.team.channel_id, work.team.id, planned)
