"""Planning poker's async reminders: when each voter hears that a poll waits for them (half of
the poll's working time, and a last call before its deadline, each moved into the voter's own
daytime on a day the team works), the due work that sends them, and one direct message per
voter whatever number of polls waits. Split from bot/domain/poker.py, whose rules these are.

Nothing here reads or writes the database: these are the decisions, over rows given as data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calendar import (
    WEEKDAYS,
    holiday_name,
    is_working_day,
    working_days,
    zone,
)
from bot.domain.poker import (
    KIND_DEADLINE,
    KIND_NUDGE,
    LAST_CALL,
    PLAN_AFTER,
)
from storage.models import Job, PokerPoll, PokerRound, Team


@dataclass(frozen=True)
class DayOff:
    """The day (in the team's zone) an async poll closes on, which the team does not work."""

    day: date
    holiday: str | None  # the public holiday's name; None: a weekday the team does not work


def deadline_day_off(team: Team, deadline: datetime) -> DayOff | None:
    """The team's day off a deadline falls on (`until sun 17:00`), for a note: the poll is
    still taken as asked. None on a working day."""
    day = deadline.astimezone(zone(team)).date()
    if is_working_day(team, day):
        return None
    weekday_worked = WEEKDAYS[day.weekday()] in working_days(team)
    return DayOff(day, holiday_name(team, day) if weekday_worked else None)


DAY_START = time(8, 0)  # a person's day, in their own time zone: no reminder comes before
DAY_END = time(20, 0)  # ... or after it


def daytime(
    team: Team, tz: ZoneInfo, start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """The spans (UTC) from DAY_START to DAY_END in `tz` on the dates (in `tz`) that are the
    team's working days, not its holidays, that meet [start, end], clipped to it."""
    spans = []
    day = start.astimezone(tz).date()
    while day <= end.astimezone(tz).date():
        if is_working_day(team, day):
            first = datetime.combine(day, DAY_START, tzinfo=tz).astimezone(UTC)
            last = datetime.combine(day, DAY_END, tzinfo=tz).astimezone(UTC)
            if max(first, start) < min(last, end):
                spans.append((max(first, start), min(last, end)))
        day += timedelta(days=1)
    return spans


def working_half(team: Team, start: datetime, deadline: datetime) -> datetime:
    """The moment half of a poll's working time has gone by: its time on the team's working
    days (not its holidays), from DAY_START to DAY_END in the team's zone. A poll with none
    (it runs over a weekend night) is halved on the clock."""
    spans = daytime(team, zone(team), start, deadline)
    left = sum((last - first for first, last in spans), timedelta()) / 2
    for first, last in spans:
        if last - first >= left:
            return first + left
        left -= last - first
    return start + (deadline - start) / 2


def nudge_times(
    start: datetime, deadline: datetime, team: Team | None = None
) -> list[tuple[str, datetime]]:
    """Reminders of an async poll: at half time, and an hour before the deadline (a quarter of
    the poll before it, for a short one). Half time is on the clock, or with the `team`, half
    of the poll's working time (`working_half`): a poll from Friday afternoon to Tuesday is
    half over on Monday, not on Sunday. Each voter's own moment is `voter_nudge`."""
    span = deadline - start
    half = working_half(team, start, deadline) if team is not None else start + span / 2
    last = deadline - min(LAST_CALL, span / 4)
    times = [("half", half)]
    if last > half:
        times.append(("last", last))
    return times


def in_daytime(
    team: Team, tz: ZoneInfo, when: datetime, start: datetime, deadline: datetime
) -> datetime:
    """`when` moved into a voter's day (`daytime` in their zone `tz`, between `start` and
    `deadline`): kept if it is in it; else their next morning, if it comes before the deadline;
    else the end of their last day before it (the latest sensible moment that still leaves
    them time to vote); else, with no day of theirs in the poll at all, `when` itself."""
    spans = daytime(team, tz, start, deadline)
    if any(first <= when <= last for first, last in spans):
        return when
    later = [first for first, _ in spans if when < first < deadline]
    if later:
        return later[0]
    earlier = [last for _, last in spans if start + PLAN_AFTER <= last < when]
    return earlier[-1] if earlier else when


def voter_nudge(
    team: Team, tz: ZoneInfo | None, start: datetime, deadline: datetime, name: str
) -> datetime | None:
    """When the reminder `name` reaches one voter, whose Slack time zone is `tz` (None:
    unknown, the team's). The rule:

    - the poll's moment (`nudge_times` with the team): half of its working time, or an hour
      before the deadline;
    - moved into the voter's day, 08:00 to 20:00 in their zone on a date the team works
      (`in_daytime`): to their next morning if that comes before the deadline, else to the
      end of their last day before it (a last call an hour before a deadline at 17:00 in
      Madrid reaches Tokyo at 20:00 their time, not at midnight), else, with no day of
      theirs in the poll, unmoved;
    - a last call moved to less than an hour after the voter's half-time reminder (or to
      before it) is not sent (None), unless the poll is so short that its two reminders are
      meant to be closer: they have just been reminded. The last call is otherwise kept an
      hour before the deadline: that is when it helps most, so it moves only for the night.
    """
    tz = tz or zone(team)
    times = dict(nudge_times(start, deadline, team))
    if name not in times:
        return None
    when = in_daytime(team, tz, times[name], start, deadline)
    if name == "last":
        half = in_daytime(team, tz, times["half"], start, deadline)
        if when - half < min(LAST_CALL, times["last"] - times["half"]):
            return None
    return when


def job_key(poll_id: int, deadline: datetime, name: str) -> str:
    return f"poker:{poll_id}:{deadline:%Y%m%dT%H%M%S}:{name}"


def deadline_jobs(poll_id: int, start: datetime, deadline: datetime) -> list[Job]:
    """The due work a poll needs: the deadline of its rounds that close at `deadline`, and
    the reminders before it. A reminder's job first runs a minute in (PLAN_AFTER: the board is
    posted by then), knowing the team and the voters' time zones as Slack says them: it finds
    when each voter is to hear it (`voter_nudge`) and moves itself to the first of those
    moments, then to the next."""
    payload = {"poll_id": poll_id, "deadline": deadline.isoformat()}
    jobs = [Job(KIND_DEADLINE, job_key(poll_id, deadline, "deadline"), deadline, dict(payload))]
    plan = start + PLAN_AFTER
    for name, _ in nudge_times(start, deadline):
        jobs.append(Job(KIND_NUDGE, job_key(poll_id, deadline, name), plan, dict(payload)))
    return jobs


# -- reminders: one direct message per voter, whatever number of polls waits -----------------

REMINDED = "dm:"  # a poll's mark of a reminder sent by its job: dm:<voter>:<when>
RAN = "ran:"  # a poll's mark of one of its reminders run: ran:<job key>@<when>


@dataclass(frozen=True)
class Waiting:
    """Items of one poll waiting for a voter's vote, until one deadline."""

    poll: PokerPoll
    channel_id: str
    numbers: tuple[int, ...]
    deadline: datetime


@dataclass(frozen=True)
class Reminder:
    """One voter's direct message: everything that waits for their vote, poll by poll."""

    voter: str
    waiting: tuple[Waiting, ...]


def reminded_mark(voter: str, now: datetime) -> str:
    return f"{REMINDED}{voter}:{now.isoformat()}"


def ran_mark(key: str, now: datetime) -> str:
    return f"{RAN}{key}@{now.isoformat()}"


def told_mark(key: str, voter: str) -> str:
    """A poll's mark that its reminder `key` is done with `voter` (sent, or not needed): a
    reminder reaches its voters one by one, each in their own day (`voter_nudge`)."""
    return f"{key}>{voter}"


@dataclass(frozen=True)
class NudgePlan:
    """What a run of a reminder does: the owed voters it tells now, those it leaves out (their
    last call would come right after their half-time reminder), and when it runs next (None:
    it is done)."""

    now: tuple[str, ...]
    skipped: tuple[str, ...]
    next: datetime | None


def plan_nudge(
    poll: PokerPoll,
    team: Team,
    key: str,
    owed: Iterable[str],
    zones: Mapping[str, ZoneInfo | None],
    start: datetime,
    deadline: datetime,
    now: datetime,
) -> NudgePlan:
    """The owed voters the reminder (job `key`) has not told yet whose moment (`voter_nudge`,
    in their zone from `zones`) has come, and the next such moment to come."""
    name = key.rsplit(":", 1)[-1]
    told = set(poll.nudges or ())
    due, skipped, later = [], [], []
    for voter in owed:
        if told_mark(key, voter) in told:
            continue
        when = voter_nudge(team, zones.get(voter), start, deadline, name)
        if when is None or (
            when <= now and superseded(team, zones.get(voter), name, start, deadline, now)
        ):
            skipped.append(voter)
        elif when > now:
            later.append(when)
        else:
            due.append(voter)
    return NudgePlan(tuple(due), tuple(skipped), min(later, default=None))


def superseded(
    team: Team,
    tz: ZoneInfo | None,
    name: str,
    start: datetime,
    deadline: datetime,
    now: datetime,
) -> bool:
    """Whether a voter's half-time reminder, run late, is overtaken by their last call, whose
    moment (`voter_nudge`) has come too: with the bot down over both, both reminders fall due
    at once, and the voter would get the same message twice in a second. The last call alone
    is sent, whichever of the two runs first."""
    if name != "half":
        return False
    last = voter_nudge(team, tz, start, deadline, "last")
    return last is not None and last <= now


def reminded_since(polls: Iterable[PokerPoll], voter: str, since: datetime) -> bool:
    """Whether a reminder sent by one of `polls`' jobs reached `voter` after `since`."""
    prefix = f"{REMINDED}{voter}:"
    for poll in polls:
        for mark in poll.nudges or ():
            if mark.startswith(prefix) and datetime.fromisoformat(mark[len(prefix) :]) > since:
                return True
    return False


def reminder_window(
    poll: PokerPoll, start: datetime, deadline: datetime, name: str, team: Team | None = None
) -> datetime:
    """Since when a reminder `name` of the rounds started at `start` is owed: since the
    reminder before it ran (when it fell due, if it never ran), or since the start."""
    previous: tuple[str, datetime] | None = None
    for stage, when in nudge_times(start, deadline, team):
        if stage == name:
            break
        previous = (stage, when)
    if previous is None:
        return start
    prefix = f"{RAN}{job_key(poll.id, deadline, previous[0])}@"
    ran = [m[len(prefix) :] for m in poll.nudges or () if m.startswith(prefix)]
    return datetime.fromisoformat(ran[-1]) if ran else previous[1]


def waiting_for(
    voter: str,
    polls: Iterable[tuple[PokerPoll, Team]],
    rounds: Iterable[PokerRound],
    voted: Mapping[int, Sequence[str]],
) -> list[Waiting]:
    """What waits for `voter`'s vote in `polls` (open async polls with their teams), by
    deadline: open rounds they may vote in and have not."""
    found = {poll.id: (poll, team) for poll, team in polls}
    groups: dict[tuple[int, datetime], list[int]] = {}
    for round_ in rounds:
        poll = found.get(round_.poll_id, (None, None))[0]
        if poll is None or round_.status != "voting" or round_.deadline is None:
            continue
        if voter not in poll.voters or voter in voted.get(round_.id, ()):
            continue
        groups.setdefault((poll.id, round_.deadline), []).append(round_.item_number)
    waiting = [
        Waiting(found[poll_id][0], found[poll_id][1].channel_id, tuple(numbers), deadline)
        for (poll_id, deadline), numbers in groups.items()
    ]
    return sorted(waiting, key=lambda w: (w.deadline, w.poll.id))


def reminders(
    poll: PokerPoll,
    owed: Mapping[str, Sequence[int]],
    polls: Sequence[tuple[PokerPoll, Team]],
    rounds: Sequence[PokerRound],
    voted: Mapping[int, Sequence[str]],
    since: datetime,
) -> list[Reminder]:
    """The direct messages one reminder of `poll` sends: to each voter who owes it a vote,
    one message listing everything that waits for their vote in `polls` (the workspace's open
    async polls). A voter whom another poll's reminder reached since `since` (this reminder's
    window) has been told about this poll already and is left alone."""
    others = [p for p, _ in polls if p.id != poll.id]
    sent = []
    for voter in owed:
        if reminded_since(others, voter, since):
            continue
        waiting = waiting_for(voter, polls, rounds, voted)
        if waiting:
            sent.append(Reminder(voter, tuple(waiting)))
    return sent
