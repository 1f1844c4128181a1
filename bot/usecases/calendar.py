"""The team's calendar: recurring ceremonies (`/refine schedule`, `/planning schedule`), what is
coming (`/timebox calendar`: skip or move one occurrence, the reminder's lead), the calendar
feed's secret URL, and each run of the reminder and automatic-start jobs.

The rules are bot/domain/ceremonies.py's (occurrences, skip and move) and bot/domain/feed.py's
(the iCalendar feed); this module reads and writes them. A ceremony named by a button is looked
up inside the actor's team: another team's is refused and nothing changes.

Due work: each occurrence's reminder (and, with `auto start`, its start) is a job whose key
names the occurrence and its time, so it fires once across restarts and instances. Each
reminder plans the next one; the start-up gives a ceremony with no pending reminder its next.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlparse

from agendas.agenda import Agenda, Section, default_minutes, for_team, is_custom, scale
from bot.domain import ceremonies as rules
from bot.domain import ceremonies_held as held_rules
from bot.domain import feed as feeds
from bot.domain import reminders
from bot.domain import sprints as sprint_rules
from bot.domain.calendar import check_move, local_today
from bot.domain.capacity import VELOCITY_SPRINTS, Capacity
from bot.domain.ceremonies import CalendarRequest, Occurrence, Schedule
from bot.domain.ceremonies_held import Held
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases.ceremony_jobs import cancel, plan, record_redraw
from bot.usecases.ceremony_jobs import lead as lead_minutes
from bot.usecases.team import CHANGE_TEAM, InChannel, member_work
from bot.usecases.unit import Actor, team_work
from storage.models import BacklogItem, Ceremony, Sprint, Team
from storage.repositories import Store

OTHER_TEAM = "That ceremony belongs to another channel's team."
FEED_PATH = "/calendar/{token}.ics"

# -- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True)
class Scheduled:
    """A ceremony scheduled (or, `ceremony` None, no longer), and its next occurrences."""

    team: Team
    kind: str
    ceremony: Ceremony | None
    coming: list[Occurrence]
    lead: int


@dataclass(frozen=True)
class CalendarShown:
    """`/timebox calendar`: what is coming, with the team's settings."""

    team: Team
    ceremonies: list[Ceremony]
    coming: list[Occurrence]
    lead: int
    feed: bool
    changed: Occurrence | None = None
    """The occurrence a command skipped or moved, as it is now: the answer names it, as the
    command may have named it by a weekday or `next`."""
    notes: rules.MoveNotes = field(default_factory=rules.MoveNotes)
    """What the answer to a move should point out (a holiday, a day off, a skip undone)."""


@dataclass(frozen=True)
class FeedLink:
    """The feed's secret URL, to show privately once (only its hash is kept)."""

    url: str | None
    """None: the feed exists and its URL cannot be shown again (rotate for a new one)."""
    rotated: bool
    served: bool
    """False in Socket Mode: nothing serves HTTP, so no calendar can fetch the feed."""


@dataclass(frozen=True)
class ToStart:
    """What a Start now button starts, in the actor's team: the occurrence it was for."""

    kind: str
    minutes: int
    occurrence: Occurrence | None = None
    held: Held | None = None
    """That occurrence's meeting was held and ended already: nothing starts (the clicking
    person hears who facilitated it and how to start another on purpose)."""
    redraw: str | None = None
    """The job (its key) that redraws the clicked reminder without its Start now, recorded
    with the click: its meeting was held already, or runs."""


@dataclass(frozen=True)
class Redraw:
    """A reminder to redraw without its Start now: whose meeting began (`by_itself`: who
    facilitates the automatic start), or was held (`held`)."""

    channel: str
    occurrence: Occurrence
    user: str
    by_itself: bool = False
    held: Held | None = None


@dataclass(frozen=True)
class Reminder:
    """What a ceremony's reminder says: the agenda it will cover and what it will work on
    (refinement: the unready items in the horizon; planning: the forecast and the ready
    items up to it)."""

    team: Team
    ceremony: Ceremony
    occurrence: Occurrence
    lead: int
    minutes_left: int
    """How long until it starts, when the reminder is made (0: it starts now)."""
    agenda: str
    sections: Sequence[Section]
    unready: Sequence[tuple[BacklogItem, list[str]]] = ()
    velocity: float | None = None
    forecast: float | None = None
    ready: Sequence[BacklogItem] = ()
    sprint: int | None = None
    planned: Capacity | None = None
    """The sprint being planned at full availability: the working days the forecast is for."""
    velocity_sprints: int = 0
    """How many closed sprints the velocity is the average of."""


@dataclass(frozen=True)
class StartDue:
    """An automatic start that is due: who it acts as (whoever scheduled it), or why not."""

    outcome: str
    actor: Actor | None = None
    kind: str = ""
    minutes: int = 0
    occurrence: Occurrence | None = None
    """The occurrence it starts: its reminder, once it has begun, loses its Start now."""


Render = Callable[[Reminder], dict[str, Any]]


# -- scheduling ----------------------------------------------------------------------------------


async def schedule(svc: Services, actor: Actor, spec: Schedule, in_channel: InChannel) -> Scheduled:
    """`/refine schedule wed 14:00 [every 2w] [60m] [auto]`, `/planning schedule 10:00`, or
    `... schedule off` (the Product Owner's or a Scrum Master's)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, "schedule ceremonies")
        store, team = work.store, work.team
        lead = await lead_minutes(store, team.id)
        ceremony = await store.ceremony(team.id, spec.kind)
        if spec.off:
            if ceremony is not None:
                await cancel(store, team, spec.kind)
                await store.remove_ceremony(ceremony)
            return Scheduled(team, spec.kind, None, [], lead)
        minutes = spec.minutes or default_minutes(
            for_team(team.agendas, spec.kind), team.sprint_weeks
        )
        ceremony = rules.scheduled(team, ceremony, spec, minutes, work.user, work.now)
        if ceremony.id is None:
            await store.add_ceremony(ceremony)
        await plan(store, team, ceremony, lead, work.now)
        recent = await _recent(store, team)
        coming = rules.next_held(team, ceremony, work.now, 3, recent)
        return Scheduled(team, spec.kind, ceremony, coming, lead)


async def calendar(svc: Services, actor: Actor) -> CalendarShown:
    """`/timebox calendar`: the next four weeks of ceremonies (anyone may look)."""
    async with team_work(svc, actor) as work:
        return await _shown(work.store, work.team, work.now)


async def change(
    svc: Services, actor: Actor, request: CalendarRequest, in_channel: InChannel
) -> CalendarShown:
    """`/timebox calendar skip <day>`, `move <day> to <day> [time]` or `lead 15m` (the
    Product Owner's or a Scrum Master's); the calendar as it is then, with the occurrence
    skipped or moved. A day is named as `rules.SessionDay` says, in the team's time zone."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, "change the team's calendar")
        store, team, now = work.store, work.team, work.now
        ceremonies = list(await store.ceremonies(team.id))
        changed, notes = None, rules.MoveNotes()
        if request.verb == "lead":
            assert request.lead is not None
            (await store.ensure_team_calendar(team.id)).lead_minutes = request.lead
        else:
            assert request.day is not None
            ceremony, changed = rules.named(team, ceremonies, request.kind, request.day, now)
            if request.verb == "skip":
                rules.skip(ceremony, changed, now)
                changed = replace(changed, skipped=True)
            else:
                today = local_today(team, now)
                to_day = None
                if request.to_day is not None:
                    to_day = rules.target_day(request.to_day, changed, today)
                    at = request.to_at or changed.starts.time()
                    every = ceremony.every_weeks
                    check_move(team, ceremony.kind, changed.day, every, to_day, at)
                was = changed
                changed = rules.move(team, ceremony, changed, to_day, request.to_at, now)
                notes = rules.move_notes(team, was, changed)
        lead = await lead_minutes(store, team.id)
        for ceremony in ceremonies:
            await plan(store, team, ceremony, lead, now)
        return replace(await _shown(store, team, now), changed=changed, notes=notes)


async def skip_button(
    svc: Services, actor: Actor, ceremony_id: int, day: date, in_channel: InChannel
) -> CalendarShown:
    """A Skip button of `/timebox calendar`: the ceremony it names, in the actor's team only."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, "change the team's calendar")
        store, team, now = work.store, work.team, work.now
        ceremony = await _ceremony_in_team(store, team, ceremony_id)
        occurrence = rules.occurrence_of(team, ceremony, day, with_skipped=True)
        if occurrence is None:
            raise UserError("That occurrence is no longer on the calendar.")
        rules.skip(ceremony, occurrence, now)
        await plan(store, team, ceremony, await lead_minutes(store, team.id), now)
        return await _shown(store, team, now)


async def start_now(svc: Services, actor: Actor, ceremony_id: int, day: date) -> ToStart:
    """A reminder's Start now button: what it starts, in the actor's team only (the meeting is
    then started as `/refine start` or `/planning start` would). It starts the occurrence it
    was for (`day`, its identity), on the day it is held: another day's click is refused,
    saying how to start one now."""
    async with team_work(svc, actor) as work:
        team = work.team
        ceremony = await _ceremony_in_team(work.store, team, ceremony_id)
        occurrence = rules.occurrence_of(team, ceremony, day)
        refusal = rules.start_refusal(occurrence, day, ceremony.kind, local_today(team, work.now))
        if refusal is not None:
            raise UserError(refusal)
        assert occurrence is not None
        to_start = ToStart(ceremony.kind, _length(team, ceremony), occurrence)
        return await _begun_or_held(work.store, team, to_start, work.now, work.actor.request)


async def _begun_or_held(
    store: Store, team: Team, to_start: ToStart, now: datetime, request: str | None
) -> ToStart:
    """A Start now of an occurrence whose meeting runs (begun on its day) or was held on its
    day already: its reminder's redraw recorded with the click (the running one's refusal is
    the start's own); held, nothing starts."""
    occurrence = to_start.occurrence
    assert occurrence is not None
    click = request or now.isoformat()
    running = await store.open_meeting(team.id)
    if running is not None and held_rules.same_day(team, occurrence, running):
        start = await store.scheduled(held_rules.redraw_key(team.id, occurrence, running.id, None))
        by_itself = bool(start is not None and start.payload.get("by_itself"))
        redrawing = held_rules.Redrawing(occurrence, running, click, by_itself)
        key = await record_redraw(store, team, redrawing, now)
        return replace(to_start, redraw=key)
    if running is not None:  # another kind runs: the start refuses it
        return to_start
    ended = next(iter(await store.past_meetings(team.id, occurrence.kind, 1)), None)
    held = held_rules.held(team, occurrence, ended)
    if held is None or ended is None:
        return to_start
    redrawing = held_rules.Redrawing(occurrence, ended, click, held=True)
    key = await record_redraw(store, team, redrawing, now)
    return replace(to_start, held=held, redraw=key)


async def begun(svc: Services, actor: Actor, occurrence: Occurrence) -> str | None:
    """The redraw of the occurrence's reminder for the team's meeting of its kind that runs
    now, begun on its day (recorded with its start; recorded now if it was not, as for a
    meeting begun before redraws were): its job's key; None if no such meeting runs."""
    async with team_work(svc, actor) as work:
        team = work.team
        meeting = await work.store.open_meeting(team.id)
        if meeting is None or not held_rules.same_day(team, occurrence, meeting):
            return None
        key = held_rules.redraw_key(team.id, occurrence, meeting.id, None)
        if await work.store.scheduled(key) is None:
            await record_redraw(
                work.store, team, held_rules.Redrawing(occurrence, meeting), work.now
            )
        return key


# -- a reminder's redraw -------------------------------------------------------------------------


async def to_redraw(svc: Services, key: str) -> Redraw | None:
    """What the redraw job `key` shows, while it is still to do; None when it no longer
    applies (done, or its meeting withdrawn: its agenda card never reached Slack). A meeting
    whose card is not in Slack yet may still be withdrawn: an error, for the job runner to
    try again."""
    async with svc.db.reading() as store:
        job = await store.scheduled(key)
        if job is None or job.done_at is not None:
            return None
        team = await store.team_by_id(int(job.payload["team_id"]))
        meeting = await store.meeting(int(job.payload["meeting"]))
    if team is None or meeting is None:
        return None
    if meeting.message_ts is None and meeting.ended_at is None:
        raise LookupError(f"{key}: the meeting's agenda card is not in Slack yet")
    occurrence = held_rules.redrawn_occurrence(job.payload)
    held = held_rules.held(team, occurrence, meeting) if job.payload.get("held") else None
    by_itself = bool(job.payload.get("by_itself"))
    return Redraw(team.channel_id, occurrence, meeting.facilitator, by_itself, held)


async def redrawn(svc: Services, key: str, outcome: str) -> None:
    """A redraw the Slack side made at once: its job is done (the job runner runs it no
    more)."""
    async with svc.db.transaction() as store:
        await store.finish_key(key, svc.clock.now(), outcome[:500])


async def redraw_soon(svc: Services, key: str) -> None:
    """A redraw the Slack side could not make at once: due now, for the job runner to make
    with its retries. One done already is left alone."""
    async with svc.db.transaction() as store:
        job = await store.scheduled(key)
        if job is not None and job.done_at is None:
            await store.schedule(held_rules.REDRAW, key, svc.clock.now(), job.payload)


# -- the feed ------------------------------------------------------------------------------------


async def feed_link(svc: Services, actor: Actor, rotate: bool, in_channel: InChannel) -> FeedLink:
    """`/timebox calendar feed` makes the team's feed URL if it has none; `rotate` makes a new
    one, and the old stops working. Only the PO and Scrum Masters see it, privately, once:
    only its hash is kept."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, "see the calendar feed's secret address")
        kept = await work.store.ensure_team_calendar(work.team.id)
        served = not svc.settings.socket_mode
        if kept.feed_hash is not None and not rotate:
            return FeedLink(None, False, served)
        token = secrets.token_urlsafe(32)
        kept.feed_hash = rules.feed_hash(token)
        kept.feed_rotated_at, kept.feed_rotated_by = work.now, work.user
        url = public_url(svc) + FEED_PATH.format(token=token)
        return FeedLink(url, rotate, served)


def public_url(svc: Services) -> str:
    """Where the bot is reached from outside: TIMEBOX_PUBLIC_URL, else the origin of the
    OAuth redirect URI, else this host's port."""
    settings = svc.settings
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if settings.redirect_uri:
        parsed = urlparse(settings.redirect_uri)
        return f"{parsed.scheme}://{parsed.netloc}"
    return f"http://localhost:{settings.port}"


async def feed(svc: Services, token: str) -> bytes | None:
    """The iCalendar feed of the team whose secret `token` is; None for any other token."""
    if not rules.FEED_TOKEN.fullmatch(token):
        return None
    async with svc.db.transaction() as store:
        kept = await store.calendar_by_feed(rules.feed_hash(token))
        team = await store.team_by_id(kept.team_id) if kept is not None else None
        if team is None:
            return None
        ceremonies = list(await store.ceremonies(team.id))
        agendas = {c.kind: _feed_agenda(team, c.kind, c.minutes) for c in ceremonies}
        sprints = await store.sprints(team.id, limit=30)
        goals = {s.number: s.goal for s in sprints if s.goal}
        # the sprint's last day is its review once the team holds reviews (`/review start`)
        holds = is_custom(team, "review") or await store.past_meetings(team.id, "review", 1)
        review = _feed_agenda(team, "review", None) if holds else None
        return feeds.feed(team, ceremonies, agendas, goals, svc.clock.now(), review, sprints)


def _feed_agenda(team: Team, kind: str, minutes: int | None) -> feeds.Agenda:
    agenda = for_team(team.agendas, kind)
    sections = _sections(agenda, minutes or default_minutes(agenda, team.sprint_weeks))
    return feeds.Agenda(agenda.name, tuple((s.title, int(s.minutes)) for s in sections))


# -- the jobs ------------------------------------------------------------------------------------


async def remind(svc: Services, due: Due, render: Render) -> str:
    """One ceremony reminder: the next one planned, and this one (unless the calendar changed
    since, or the ceremony has begun) put in the outbox in the same transaction, under the
    job's key: a rerun after a crash posts nothing twice."""
    async with svc.db.transaction() as store:
        team = await store.team_by_id(int(due.payload["team_id"]), lock=True)
        ceremony = await store.ceremony(team.id, due.payload["kind"]) if team else None
        recent = await _recent(store, team)
        verdict = rules.due_verdict(team, ceremony, due.payload, due.now, "remind", recent)
        if team is None or ceremony is None:
            return verdict.outcome
        lead = await lead_minutes(store, team.id)
        await plan(store, team, ceremony, lead, due.now, running=due.key, starts=False)
        met = await _met_already(store, team, verdict.occurrence) if verdict.act else None
        if met is not None:
            return met
        if verdict.act and verdict.occurrence is not None:
            occurrence = verdict.occurrence
            said = await _reminder(store, team, ceremony, occurrence, lead, due.now, recent)
            args = render(said)
            await outbox.enqueue(
                store, due.key, team.workspace_id, due.now, channel=team.channel_id, **args
            )
        return verdict.outcome


async def start_due(svc: Services, due: Due) -> StartDue:
    """An automatic start: who starts it (whoever scheduled it, as facilitator) and what,
    unless the calendar changed since or it is too late. Each try of the job is a request of
    its own: one whose agenda card Slack refused (the meeting withdrawn) is made again by the
    next, where a copy of one try acts once."""
    async with svc.db.transaction() as store:
        team = await store.team_by_id(int(due.payload["team_id"]))
        ceremony = await store.ceremony(team.id, due.payload["kind"]) if team else None
        recent = await _recent(store, team)
        verdict = rules.due_verdict(team, ceremony, due.payload, due.now, "start", recent)
        if not verdict.act or team is None or ceremony is None:
            return StartDue(verdict.outcome)
        if (met := await _met_already(store, team, verdict.occurrence)) is not None:
            return StartDue(met)
        request = f"{due.key}:{due.attempts}"
        actor = Actor(team.workspace_id, team.channel_id, ceremony.created_by, request=request)
        length = _length(team, ceremony)
        return StartDue(verdict.outcome, actor, ceremony.kind, length, verdict.occurrence)


# -- steps ---------------------------------------------------------------------------------------


async def _met_already(store: Store, team: Team, occurrence: Occurrence | None) -> str | None:
    """Why a reminder or an automatic start of `occurrence` does nothing: its meeting runs,
    begun that day another way (`/refine start`, say), or was held already that day; None
    if neither."""
    if occurrence is None:
        return None
    running = await store.open_meeting(team.id)
    if running is not None and held_rules.same_day(team, occurrence, running):
        return f"skipped: begun already by {running.facilitator}"
    ended = next(iter(await store.past_meetings(team.id, occurrence.kind, 1)), None)
    if held_rules.held(team, occurrence, ended) is not None:
        return "skipped: held already that day"
    return None


async def _ceremony_in_team(store: Store, team: Team, ceremony_id: int) -> Ceremony:
    ceremony = await store.ceremony_in_team(ceremony_id, team.id)
    if ceremony is None:
        raise UserError(OTHER_TEAM)
    return ceremony


async def _shown(store: Store, team: Team, now: datetime) -> CalendarShown:
    ceremonies = list(await store.ceremonies(team.id))
    kept = await store.team_calendar(team.id)
    lead = kept.lead_minutes if kept is not None else rules.DEFAULT_LEAD
    coming = rules.coming(team, ceremonies, now, recent=await _recent(store, team))
    return CalendarShown(team, ceremonies, coming, lead, kept is not None and bool(kept.feed_hash))


def _length(team: Team, ceremony: Ceremony) -> int:
    """How long a ceremony's meeting lasts when it starts: a planning held to the sprint's
    timebox (the sprint may have been shortened since it was scheduled)."""
    if ceremony.kind == "planning":
        return min(ceremony.minutes, rules.planning_limit(team.sprint_weeks))
    return ceremony.minutes


def _sections(agenda: Agenda, minutes: int) -> Sequence[Section]:
    try:
        return scale(agenda, minutes)
    except UserError:  # too short for its sections: shown as the agenda has them
        return agenda.sections


async def _recent(store: Store, team: Team | None) -> Sequence[Sprint]:
    """The team's newest sprints, which name the sprint each planning plans."""
    return await store.sprints(team.id, limit=sprint_rules.RECENT_SPRINTS) if team else ()


async def _reminder(
    store: Store,
    team: Team,
    ceremony: Ceremony,
    occurrence: Occurrence,
    lead: int,
    now: datetime,
    recent: Sequence[Sprint],
) -> Reminder:
    agenda = for_team(team.agendas, ceremony.kind)
    left = rules.minutes_until(occurrence, now)
    sections = _sections(agenda, ceremony.minutes)
    said = Reminder(team, ceremony, occurrence, lead, left, agenda.name, sections)
    items = await store.all_items(team.id, include_closed=False)
    closed = await store.closed_sprints(team.id, VELOCITY_SPRINTS)
    velocity = sprint_rules.velocity_of(closed)
    if ceremony.kind == "refinement":
        horizon = reminders.team_horizon(team, items, now, velocity)
        return replace(said, unready=horizon.unready, velocity=velocity)
    planning = await store.sprint(team.id, "planning")
    latest = recent[0] if recent else None
    held = occurrence.starts.date()  # where a move put it: the days of its slot gone count
    planned = sprint_rules.forecast_before_planning(team, closed, planning, latest, held)
    forecast = planned.full_forecast
    ready = sprint_rules.proposal(items, DefinitionOfReady.of(team), forecast)
    number = rules.planned_sprint(team, occurrence.day, recent)
    return replace(
        said,
        velocity=velocity,
        forecast=forecast,
        ready=ready,
        sprint=number,
        planned=planned,
        velocity_sprints=len(closed[:VELOCITY_SPRINTS]),
    )
