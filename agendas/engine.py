"""The timebox engine: runs a meeting's clock section by section, against its time budget.

A meeting is a database row; its warning and time-up timers are scheduled jobs keyed by the
section and its planned end, so a timer that was moved (extend, pause) never fires at its old
time, and a restart loses none. Every transition names the section it expects to leave, so a
double click or a retried delivery cannot advance twice. A meeting nobody ends is ended by one
more timer, `grace` past its timebox (`forgotten_at`), and its record stops there.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agendas.agenda import extension_left, extension_refused, for_team, length, scale
from bot.domain.commands import EXTEND_RANGE, extension_lengths
from bot.domain.errors import NotAllowed, UserError
from bot.domain.text_limits import within
from storage.models import Meeting, Team
from storage.repositories import Store

TIMER = "meeting_timer"
WARN_SHARE = 0.2
WARN_AT_LEAST = timedelta(minutes=1)
FORGOTTEN = "forgotten"  # the event of the timer that ends a meeting nobody ends
# The event of the timer that redraws the agenda message of a section over time, each minute
# (just past it, when its minutes over have turned), so what it says stays true until the
# section moves on, the meeting pauses or ends; never while a section is within its time.
OVER = "over"
REDRAW_EVERY = timedelta(minutes=1)
REDRAW_PAST = timedelta(seconds=1)
GRACE_AT_MOST = timedelta(hours=1)
PAUSED_AT_MOST = timedelta(days=1)
GOAL_MAX = 300  # a session's goal: one line
KIND_NAMES = {
    "refinement": "refinement session",
    "planning": "sprint planning",
    "review": "sprint review",
}
COMMANDS = {"refinement": "/refine", "planning": "/planning", "review": "/review"}
FACILITATE = {
    "next": "move the meeting on",
    "extend": "extend a section",
    "pause": "pause the meeting",
    "resume": "resume the meeting",
    "end": "end the meeting",
    "auto": "switch auto-advance",
}


class AlreadyRunning(UserError):
    """One meeting at a time per channel: the running one's kind and facilitator, so that the
    refusal names its own commands (and, where mentions are rendered, who runs it). The
    message is plain text, for where a refusal is shown as typed."""

    def __init__(self, kind: str, facilitator: str) -> None:
        command = COMMANDS[kind]
        self.running = f"A {KIND_NAMES[kind]} is already running in this channel"
        self.commands = (
            f"One meeting at a time: `{command} status` shows it, `{command} end` ends it."
        )
        super().__init__(f"{self.running}. {self.commands}")
        self.facilitator = facilitator


@dataclass(frozen=True)
class Timer:
    """What a fired timer means for the meeting: "warn" or "up", for section `section`."""

    event: str
    section: int


@dataclass(frozen=True)
class Verdict:
    """What a fired timer does: "skip" it, "advance" the meeting, "announce" its event
    with `minutes` left, or "redraw" the agenda message of a section over time."""

    action: str
    minutes: int = 0


def sections(meeting: Meeting) -> list[dict[str, Any]]:
    return meeting.agenda["sections"]


def current(meeting: Meeting) -> dict[str, Any]:
    return sections(meeting)[meeting.section]


def time_left(meeting: Meeting, now: datetime) -> timedelta:
    reference = meeting.paused_at if meeting.status == "paused" and meeting.paused_at else now
    return meeting.section_ends_at - reference


def warn_at(meeting: Meeting) -> datetime:
    """When 20% of the section (at least a minute) is left; pauses do not count as length."""
    paused = meeting.data.get("paused_seconds", {}).get(str(meeting.section), 0)
    length = meeting.section_ends_at - meeting.section_started_at - timedelta(seconds=paused)
    return meeting.section_ends_at - max(length * WARN_SHARE, WARN_AT_LEAST)


def extended(meeting: Meeting, section: int) -> int:
    """The minutes added to section `section` by extensions."""
    return sum(e["minutes"] for e in meeting.data.get("extensions", []) if e["section"] == section)


@dataclass(frozen=True)
class Progress:
    """How far through its agenda a meeting is, in minutes, for the progress bar: `done` of
    `planned` plus the `added` minutes of extensions (sections behind at their length, so not
    time); the label says the section (`section` of `sections`, from 1) and the minutes
    `elapsed`, as the minutes count them."""

    done: float
    planned: float
    added: int
    section: int = 1
    sections: int = 1
    elapsed: float = 0.0

    @property
    def total(self) -> float:
        return self.planned + self.added


def planned(meeting: Meeting) -> float:
    """The meeting's planned length: all its sections, reached or not, before extensions."""
    return sum(s["minutes"] for s in sections(meeting))


def added(meeting: Meeting) -> int:
    """The minutes its extensions added, all sections together."""
    return sum(e["minutes"] for e in meeting.data.get("extensions", []))


def progress(meeting: Meeting, now: datetime) -> Progress:
    """The sections behind us at their length (planned plus extensions), and the current one's
    length less its time left. An extension lengthens the section and its time left alike, so
    it adds to the total and takes nothing from what is done: the bar never goes back."""
    lengths = [s["minutes"] + extended(meeting, i) for i, s in enumerate(sections(meeting))]
    left = max(time_left(meeting, now).total_seconds() / 60, 0)
    in_section = max(lengths[meeting.section] - left, 0)
    done = sum(lengths[: meeting.section]) + in_section
    elapsed = ran(meeting, now)
    return Progress(
        done, planned(meeting), added(meeting), meeting.section + 1, len(lengths), elapsed
    )


def ran(meeting: Meeting, now: datetime | None = None) -> float:
    """The minutes an ended meeting ran (one still running: so far, at `now`): from its start
    to its end less its pauses (a paused meeting's clock stands still). What its agenda and
    minutes say it took, and what a refinement budget counts."""
    end = meeting.ended_at
    if end is None:
        end = meeting.paused_at if meeting.status == "paused" and meeting.paused_at else now
    assert end is not None
    paused = sum(meeting.data.get("paused_seconds", {}).values())
    return max(0.0, ((end - meeting.started_at).total_seconds() - paused) / 60)


def timing(meeting: Meeting) -> dict[str, Any]:
    """What the minutes of any kind say of an ended meeting's time, as its agenda says it:
    each section as it went (one not reached, with its plan), the planned total of the
    whole agenda, the minutes extensions added, how long it ran, and whether Timebox ended it
    because nobody did (`auto_ended`: after a pause, or how many minutes past its timebox)."""
    reached = {entry["section"] for entry in meeting.log}
    not_reached = [
        {"section": i, "title": s["title"], "planned": s["minutes"], "actual": None}
        for i, s in enumerate(sections(meeting))
        if i not in reached
    ]
    auto = auto_ended(meeting)
    return {
        "sections": sorted([*meeting.log, *not_reached], key=lambda s: s["section"]),
        "planned": planned(meeting),
        "added": added(meeting),
        "actual": round(ran(meeting), 1),
        "auto_ended": {"paused": auto["paused"], "grace": auto["grace"]} if auto else None,
    }


def grace(meeting: Meeting) -> timedelta:
    """How long a meeting may stand open past its timebox before Timebox ends it: its own
    planned length, an hour at most. A team still in it has had the time-up, which says when,
    and extends; a team that left it is not recorded as meeting all night."""
    return min(timedelta(minutes=planned(meeting)), GRACE_AT_MOST)


def timebox_ends(meeting: Meeting) -> datetime:
    """When a running meeting's timebox ends: its planned minutes and extensions of running
    time after its start (pauses not counted), or its current section's end if later (a
    section extended when it had run over)."""
    paused = sum(meeting.data.get("paused_seconds", {}).values())
    length = timedelta(seconds=paused, minutes=planned(meeting) + added(meeting))
    return max(meeting.started_at + length, meeting.section_ends_at)


def forgotten_at(meeting: Meeting) -> datetime | None:
    """When Timebox ends the meeting if nobody does: `grace` past its timebox; a paused one a
    day after its pause (a break is shorter, and a meeting paused overnight survives). None
    once it has ended."""
    if meeting.status == "ended":
        return None
    if meeting.status == "paused" and meeting.paused_at is not None:
        return meeting.paused_at + PAUSED_AT_MOST
    return timebox_ends(meeting) + grace(meeting)


def auto_ended(meeting: Meeting) -> dict[str, Any] | None:
    """How Timebox ended a meeting nobody ended (`end`): after a pause, how many minutes past
    its timebox, by which timer; None for one ended by hand or still open."""
    return meeting.data.get("auto_ended")


def overdue(meeting: Meeting, now: datetime) -> bool:
    """Whether the meeting has stood open until `forgotten_at` (its timer may not have run)."""
    due = forgotten_at(meeting)
    return due is not None and now >= due


async def start(
    store: Store,
    team: Team,
    kind: str,
    facilitator: str,
    now: datetime,
    minutes: int | None,
    data: dict[str, Any] | None = None,
) -> Meeting:
    """A running meeting of this kind on the team's agenda, its first section's timers set;
    `data`: what its kind keeps from the start."""
    agenda = for_team(team.agendas, kind)
    total = length(agenda, minutes, team.sprint_weeks)
    scaled = scale(agenda, total)
    meeting = Meeting(
        team_id=team.id,
        open_for=team.id,
        kind=kind,
        agenda={
            "name": agenda.name,
            "minutes": total,
            "sections": [
                {
                    "title": s.title,
                    "minutes": s.minutes,
                    "purpose": s.purpose,
                    "actions": list(s.actions),
                }
                for s in scaled
            ],
        },
        facilitator=facilitator,
        status="running",
        section=0,
        section_started_at=now,
        section_ends_at=now + timedelta(minutes=scaled[0].minutes),
        warned=False,
        timed_out=False,
        auto_advance=False,
        goal="",
        log=[],
        data=dict(data or {}),
        started_at=now,
    )
    if not await store.add_meeting(meeting):
        running = await store.open_meeting(team.id)
        if running is None:  # it ended as this one started
            raise UserError("A meeting was running in this channel a moment ago: try again.")
        raise AlreadyRunning(running.kind, running.facilitator)
    await schedule_timers(store, meeting, now)
    return meeting


async def schedule_timers(store: Store, meeting: Meeting, now: datetime) -> None:
    """(Re)places the current section's warning and time-up, and the end of a meeting nobody
    ends (`forgotten_at`): only that while paused, none once ended."""
    await store.cancel_prefix(f"meeting:{meeting.id}:")
    forgotten = forgotten_at(meeting)
    if forgotten is None:
        return
    at = int(forgotten.timestamp())
    await store.schedule(
        TIMER,
        f"meeting:{meeting.id}:{FORGOTTEN}:{at}",
        forgotten,
        {"meeting": meeting.id, "event": FORGOTTEN, "at": at},
    )
    if meeting.status != "running":
        return
    version = int(meeting.section_ends_at.timestamp())
    base = f"meeting:{meeting.id}:{meeting.section}:{version}"
    payload = {"meeting": meeting.id, "section": meeting.section, "ends": version}
    if not meeting.warned and warn_at(meeting) > now:
        await store.schedule(TIMER, f"{base}:warn", warn_at(meeting), {**payload, "event": "warn"})
    if not meeting.timed_out:
        await store.schedule(
            TIMER, f"{base}:up", meeting.section_ends_at, {**payload, "event": "up"}
        )
    await schedule_redraw(store, meeting, now)


def next_redraw(meeting: Meeting, now: datetime) -> datetime | None:
    """When the agenda message of the running section is next redrawn: just past the next
    minute over time its overrun turns (the first a minute past the section's end: its time-up
    redraws it at the end), until Timebox ends the meeting nobody ends (`forgotten_at`, which
    redraws it one last time)."""
    forgotten = forgotten_at(meeting)
    if meeting.status != "running" or forgotten is None:
        return None
    first = meeting.section_ends_at + REDRAW_EVERY + REDRAW_PAST
    turned = (now - first) // REDRAW_EVERY + 1 if now >= first else 0
    at = first + turned * REDRAW_EVERY
    return at if at < forgotten else None


async def schedule_redraw(store: Store, meeting: Meeting, now: datetime) -> None:
    """The next redraw of a section over time (`next_redraw`), if any."""
    at = next_redraw(meeting, now)
    if at is None:
        return
    version = int(meeting.section_ends_at.timestamp())
    await store.schedule(
        TIMER,
        f"meeting:{meeting.id}:{meeting.section}:{version}:{OVER}:{int(at.timestamp())}",
        at,
        {"meeting": meeting.id, "section": meeting.section, "ends": version, "event": OVER},
    )


def fired(meeting: Meeting | None, payload: dict[str, Any]) -> Timer | None:
    """The timer's meaning if it still applies (same section, same planned end), else None.

    Marks the meeting (warned / timed out) so the same moment is never announced twice; a
    redraw (OVER) announces nothing, and marks nothing.
    """
    if meeting is None or meeting.status != "running":
        return None
    if payload["section"] != meeting.section:
        return None
    if payload["ends"] != int(meeting.section_ends_at.timestamp()):
        return None
    if payload["event"] == "warn":
        if meeting.warned:
            return None
        meeting.warned = True
    elif payload["event"] != OVER:
        if meeting.timed_out:
            return None
        meeting.timed_out = meeting.warned = True
    return Timer(payload["event"], meeting.section)


def timer_verdict(meeting: Meeting, timer: Timer, now: datetime) -> Verdict:
    """A warning once the section is over is skipped; time-up moves on under auto-advance;
    otherwise the minutes left are announced (at least 1)."""
    left = time_left(meeting, now).total_seconds()
    if timer.event == OVER:
        return Verdict("redraw")
    if timer.event == "warn" and left <= 0:
        return Verdict("skip")
    if timer.event == "up" and meeting.auto_advance:
        return Verdict("advance")
    return Verdict("announce", max(1, round(left / 60)))


def _close_section(meeting: Meeting, now: datetime) -> None:
    section = current(meeting)
    paused = meeting.data.get("paused_seconds", {}).get(str(meeting.section), 0)
    actual = (now - meeting.section_started_at).total_seconds() - paused
    meeting.log = [
        *meeting.log,
        {
            "section": meeting.section,
            "title": section["title"],
            "planned": section["minutes"],
            "actual": round(actual / 60, 1),
            "extended": extended(meeting, meeting.section),
            "ended_at": now.isoformat(),
        },
    ]


def require_open(meeting: Meeting | None, kind: str) -> Meeting:
    if meeting is None or meeting.kind != kind:
        raise UserError(
            f"No {KIND_NAMES[kind]} is running in this channel. `{COMMANDS[kind]} start` "
            "starts one."
        )
    return meeting


async def advance(
    store: Store, meeting: Meeting, now: datetime, expected: int | None = None
) -> bool:
    """Moves to the next section (or ends after the last); False if someone already did."""
    if meeting.status == "ended" or section_over(meeting, expected):
        return False
    if meeting.status == "paused":
        _unpause(meeting, now)
    _close_section(meeting, now)
    if meeting.section + 1 >= len(sections(meeting)):
        await end(store, meeting, now, close=False)
        return True
    meeting.section += 1
    meeting.section_started_at = now
    meeting.section_ends_at = now + timedelta(minutes=current(meeting)["minutes"])
    meeting.warned = meeting.timed_out = False
    await schedule_timers(store, meeting, now)
    return True


def section_over(meeting: Meeting, expected: int | None) -> bool:
    """Whether the meeting has left section `expected`, the one a button was about."""
    return expected is not None and expected != meeting.section


async def extend(
    store: Store,
    meeting: Meeting,
    minutes: int,
    actor: str,
    now: datetime,
    expected: int | None = None,
    alarm: int | None = None,
) -> bool:
    """Adds minutes to the current section; False if section `expected` is over already.
    While paused, its clock stands at the pause (as `time_left`'s does). During an overrun
    the minutes count from now, not from the planned end: "+5 min" read at an alarm means
    five more minutes to talk; the minutes over are kept with it (`overrun`), and the card
    says them beside it. `alarm`: the end the time-up answered named (`answered_by`)."""
    if section_over(meeting, expected):
        return False
    low, high = EXTEND_RANGE
    if not low <= minutes <= high:
        raise UserError(extension_lengths(COMMANDS[meeting.kind]))
    clock = meeting.paused_at if meeting.status == "paused" and meeting.paused_at else now
    left = extension_room(meeting, now)
    if left is not None and minutes > left:
        raise UserError(extension_refused(meeting.data["sprint_weeks"], left))
    overrun = max(0.0, (clock - meeting.section_ends_at).total_seconds() / 60)
    meeting.section_ends_at = max(meeting.section_ends_at, clock) + timedelta(minutes=minutes)
    meeting.data = {
        **meeting.data,
        "extensions": [
            *meeting.data.get("extensions", []),
            {
                "section": meeting.section,
                "minutes": minutes,
                "by": actor,
                "overrun": round(overrun, 1),
                "at": now.isoformat(),
                **({"alarm": alarm} if alarm is not None else {}),
            },
        ],
    }
    meeting.timed_out = False
    # Judged on the meeting's clock: while paused it stands at the pause, so a long break
    # does not count as the warning's time gone (it comes after the resume).
    meeting.warned = warn_at(meeting) <= clock
    await schedule_timers(store, meeting, now)
    return True


def alarm_of(meeting: Meeting) -> int:
    """What names the current section's time-up: its planned end as it announced it."""
    return int(meeting.section_ends_at.timestamp())


def answered_by(meeting: Meeting, alarm: int) -> str | None:
    """Who extended the current section from its time-up named `alarm` already, if anyone:
    one alarm's +5 extends once, however many people click it."""
    for extension in meeting.data.get("extensions", []):
        if extension["section"] == meeting.section and extension.get("alarm") == alarm:
            return str(extension["by"])
    return None


def overrun(meeting: Meeting, section: int) -> float:
    """The minutes section `section` had run over when it was extended: an extension counts
    from its click, so these are time the section took beyond its planned length and +N."""
    return sum(
        e.get("overrun", 0) for e in meeting.data.get("extensions", []) if e["section"] == section
    )


def last_section(meeting: Meeting) -> bool:
    """Whether the meeting is in its last section: moving on from it ends the meeting."""
    return meeting.section + 1 >= len(sections(meeting))


def _running_minutes(meeting: Meeting, clock: datetime) -> float:
    """The running time (pauses not counted) the meeting's timebox takes if it keeps to its
    agenda from `clock` on: the minutes it has run, the current section's time left (none once
    it has run past its end) and the planned minutes of the sections still to come. Sections
    left early give their unused minutes back; sections that ran over have taken theirs; an
    extension adds to that."""
    left = max(0.0, (meeting.section_ends_at - clock).total_seconds() / 60)
    coming = sum(s["minutes"] for s in sections(meeting)[meeting.section + 1 :])
    return ran(meeting, clock) + left + coming


def extension_room(meeting: Meeting, now: datetime) -> int | None:
    """How many whole minutes the meeting may still be extended by at `now` (its clock
    standing at the pause while paused): None for one without a limit (`extension_left`)."""
    clock = meeting.paused_at if meeting.status == "paused" and meeting.paused_at else now
    weeks = meeting.data.get("sprint_weeks")
    return extension_left(meeting.kind, weeks, _running_minutes(meeting, clock))


async def pause(store: Store, meeting: Meeting, now: datetime) -> None:
    if meeting.status == "paused":
        raise UserError(
            f"The meeting is paused already. `{COMMANDS[meeting.kind]} resume` carries on."
        )
    meeting.status = "paused"
    meeting.paused_at = now
    await schedule_timers(store, meeting, now)


def _unpause(meeting: Meeting, now: datetime) -> None:
    assert meeting.paused_at is not None
    pause_length = now - meeting.paused_at
    meeting.section_ends_at += pause_length
    paused = dict(meeting.data.get("paused_seconds", {}))
    key = str(meeting.section)
    paused[key] = paused.get(key, 0) + pause_length.total_seconds()
    meeting.data = {**meeting.data, "paused_seconds": paused}
    meeting.status = "running"
    meeting.paused_at = None


async def resume(store: Store, meeting: Meeting, now: datetime) -> None:
    if meeting.status != "paused":
        raise UserError("The meeting is not paused.")
    _unpause(meeting, now)
    await schedule_timers(store, meeting, now)


async def end(
    store: Store, meeting: Meeting, now: datetime, *, close: bool = True, timer: str | None = None
) -> None:
    """Ends the meeting at `now`; one that stood open until `forgotten_at` ends then, marked
    as ended by Timebox (`auto_ended`), so no time after that counts, whoever ends it.
    `timer`: the key of the timer ending it, whose row is kept to be marked done."""
    forgotten = forgotten_at(meeting)
    if forgotten is not None and now >= forgotten:
        minutes = round(grace(meeting).total_seconds() / 60)
        auto = {"paused": meeting.status == "paused", "grace": minutes, "timer": timer}
        meeting.data = {**meeting.data, "auto_ended": auto}
        now = forgotten
    if meeting.status == "paused":
        _unpause(meeting, now)
    if close:
        _close_section(meeting, now)
    meeting.status = "ended"
    meeting.ended_at = now
    meeting.open_for = None
    await store.cancel_prefix(f"meeting:{meeting.id}:", keep=timer)


def ended_by(meeting: Meeting) -> str | None:
    """The key of the timer that ended the meeting because nobody did, if one did."""
    return (auto_ended(meeting) or {}).get("timer")


def may_facilitate(meeting: Meeting, user: str, scrum_masters: tuple[str, ...]) -> bool:
    return user == meeting.facilitator or user in scrum_masters


def require_facilitator(
    meeting: Meeting,
    user: str,
    scrum_masters: tuple[str, ...],
    op: str,
    *,
    facilitator_left: bool = False,
) -> bool:
    """Only the facilitator or a Scrum Master runs the clock; once the facilitator has left
    the channel, the next person of the team to step takes the meeting over, so it is not
    stuck waiting for a Scrum Master the team may not have. True: `user` took it over."""
    if may_facilitate(meeting, user, scrum_masters):
        return False
    if facilitator_left:
        meeting.facilitator = user
        return True
    holders = tuple(dict.fromkeys((meeting.facilitator, *scrum_masters)))
    raise NotAllowed(f"Only the facilitator or a Scrum Master can {FACILITATE[op]}.", holders)


def set_goal(meeting: Meeting, text: str) -> str:
    """What the session is for, in one line (GOAL_MAX at most: a longer one is refused)."""
    goal = " ".join(text.split())
    if not goal:
        raise UserError("Say what this session is for, e.g. `/refine goal get checkout ready`.")
    meeting.goal = within(goal, GOAL_MAX, "A session's goal")
    return goal


def set_auto_advance(meeting: Meeting, on: bool) -> None:
    """On: a section moves on by itself at time-up; off: it waits for the facilitator."""
    meeting.auto_advance = on


def in_team(meeting: Meeting | None, team: Team) -> Meeting:
    """A meeting named by a button or a form, refused unless it is the team's own."""
    if meeting is None or meeting.team_id != team.id:
        raise UserError("That meeting belongs to another channel's team.")
    return meeting


def require_running(meeting: Meeting) -> Meeting:
    """A meeting to act on: refused once it has ended."""
    if meeting.status == "ended":
        raise UserError(
            f"That meeting has ended. `{COMMANDS[meeting.kind]} history` shows its minutes."
        )
    return meeting
