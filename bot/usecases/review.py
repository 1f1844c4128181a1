"""The sprint review, as a meeting: `REVIEW`, the meeting kind whose sections walk the
increment and ask after the sprint goal, and one use case per thing a person does in it (a
value verdict on an item, a follow-up for an item whose hypothesis failed, the goal's answer).

The sprint reviewed is the running one, else the last closed one (also while the sprint
committed after it has not started: the increment just closed is the one to review); its done
items are the increment. A meeting named by a button or a form is looked up inside the actor's
team: another team's is refused and nothing changes. Someone outside the team may look but
changes nothing. What a verdict or a follow-up tells the meeting's thread is recorded in the
durable outbox with it (worded by the app: handlers/flows/review.py), to send at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar
from uuid import uuid4

from agendas import engine
from agendas import review as rules
from agendas.kinds import People
from bot.domain import sprints
from bot.domain.calendar import local_today
from bot.domain.errors import UserError
from bot.runtime import outbox
from bot.runtime.services import Services
from bot.usecases import news, tracker
from bot.usecases.team import InChannel, member_work
from bot.usecases.unit import Actor, Work, team_work
from storage.models import BacklogItem, Meeting, Sprint, Team
from storage.repositories import Store

# -- the meeting kind ----------------------------------------------------------------------------


class Review:
    """Sprint review: did the increment bring the value its items promised?"""

    name = "review"
    needs_people = False

    async def begin(self, store: Store, team: Team, now: datetime) -> dict[str, Any]:
        running = await store.sprint(team.id, "active")
        sprint = running
        if running is None or not sprints.started(running, local_today(team, now)):
            closed = await store.closed_sprints(team.id, 1)  # the increment just closed
            sprint = closed[0] if closed else None
        if sprint is None and running is not None:  # committed, not started: nothing done yet
            day = running.starts_on
            raise UserError(
                f"Sprint {running.number} starts on {day:%A} {day.day} {day:%B}: its review "
                "comes at its end, when it has an increment to look at."
            )
        if sprint is None:
            raise UserError(
                "There is no sprint to review yet: a review looks at the running sprint, or "
                "the last closed one. `/planning start` plans one."
            )
        return {"sprint_id": sprint.id}

    async def section(
        self, store: Store, team: Team, meeting: Meeting, now: datetime, people: People | None
    ) -> list[Any]:
        sprint = await _reviewed(store, team, meeting)
        if sprint is None:
            return []
        actions = engine.current(meeting).get("actions", [])
        done = rules.done_items(await store.sprint_items(sprint))
        opened: list[Any] = []
        if "increment" in actions:
            opened.append(rules.increment(meeting, sprint, done))
        if "goal_check" in actions:
            opened.append(rules.goal_check(meeting, sprint, done))
        return opened

    async def minutes(self, store: Store, team: Team, meeting: Meeting) -> dict[str, Any]:
        sprint = await _reviewed(store, team, meeting)
        done = rules.done_items(await store.sprint_items(sprint)) if sprint else []
        return rules.minutes(meeting, sprint, done)


REVIEW = Review()


# -- what the use cases return -------------------------------------------------------------------


@dataclass(frozen=True)
class ItemNews:
    """What the review said of an item of the increment, as news for the meeting's thread
    (worded by the app: handlers/jobs.py)."""

    team: Team
    meeting: Meeting
    item: BacklogItem
    posts: Sequence[outbox.Post] = field(default=(), kw_only=True)
    """Its post in the thread, recorded in the outbox with it (`_told`), to send at once."""


News = TypeVar("News", bound=ItemNews)


@dataclass(frozen=True)
class Verdict(ItemNews):
    """An item's verdict, for the meeting thread (a failed one is offered a follow-up)."""

    verdict: str
    note: str
    user: str
    card: rules.IncrementCard
    """The item's card as it now reads (its verdict so far), to redraw."""
    replaced: dict[str, Any] | None = None
    """The item's verdict before this one, if any (its post in the thread follows the latest)."""
    follow_up: int | None = None
    """The number of the item's follow-up, if one was made (it stays on the backlog)."""


@dataclass(frozen=True)
class FollowUp(ItemNews):
    """A failed item's follow-up, added to the backlog, for the meeting thread."""

    follow_up: BacklogItem


@dataclass(frozen=True)
class GoalAnswered:
    team: Team
    meeting: Meeting
    check: rules.GoalCheck
    user: str


@dataclass(frozen=True)
class VerdictForm:
    meeting: Meeting
    item: BacklogItem
    verdict: str


# -- use cases -----------------------------------------------------------------------------------


async def verdict_form(
    svc: Services, actor: Actor, meeting_id: int, number: int, verdict: str
) -> VerdictForm:
    """What the note form of a verdict button opens with."""
    async with team_work(svc, actor) as work:
        meeting = await _meeting(work, meeting_id)
        item = await _done_item(work, meeting, number)
        return VerdictForm(meeting, item, rules.check_verdict(verdict))


async def give_verdict(
    svc: Services,
    actor: Actor,
    meeting_id: int,
    number: int,
    verdict: str,
    note: str,
    in_channel: InChannel,
) -> Verdict:
    """ "Value confirmed / not confirmed / too early to say" with a note: in the meeting, on
    the item's history, and its post for the thread in the outbox (each verdict its own: a
    later one on the item is posted too)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        sprint = await _reviewed(work.store, work.team, meeting)
        done = rules.done_items(await work.store.sprint_items(sprint)) if sprint else []
        item = rules.check_in_increment(number, done)
        replaced = meeting.data.get("verdicts", {}).get(str(number))
        said = rules.record_verdict(meeting, number, verdict, note, work.user)
        label = rules.VERDICTS[said["verdict"]]
        changes = {"note": said["note"]} if said["note"] else {}
        work.store.log(
            item, work.user, label, work.now, review=sprint.number if sprint else None, **changes
        )
        [card] = [c for c in rules.increment(meeting, sprint, done).cards if c.item is item]
        follow_up = meeting.data.get("follow_ups", {}).get(str(number))
        done = Verdict(
            work.team,
            meeting,
            item,
            said["verdict"],
            said["note"],
            work.user,
            card,
            replaced,
            follow_up,
        )
        key = f"review-verdict:{meeting.id}:{number}:{uuid4().hex}"
        return await _told(work, key, done)


async def add_follow_up(
    svc: Services, actor: Actor, meeting_id: int, number: int, in_channel: InChannel
) -> FollowUp:
    """A backlog item following up an item whose value was not confirmed (once per item),
    created in the channel's tracker as an item added with `/backlog add` is, and its post for
    the thread in the outbox."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id, running=False)
        item = await _done_item(work, meeting, number)
        rules.check_failed(meeting, number)
        note = meeting.data["verdicts"][str(number)].get("note", "")
        fields = rules.follow_up_fields(item, note)
        follow_up = await work.store.add_item(work.team, fields, work.user, work.now)
        await tracker.after_add(work.store, work.team, follow_up, work.now)
        work.store.log(item, work.user, "follow-up added", work.now, note=f"#{follow_up.number}")
        rules.record_follow_up(meeting, number, follow_up.number)
        _keep_follow_up_in_minutes(meeting, number, follow_up.number)
        done = FollowUp(work.team, meeting, item, follow_up)
        key = f"review-follow-up:{meeting.id}:{follow_up.number}"
        return await _told(work, key, done)


async def answer_goal(
    svc: Services, actor: Actor, meeting_id: int, answer: str, in_channel: InChannel
) -> GoalAnswered:
    """The sprint goal's "did we get it?": yes, partly or no."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        meeting = await _meeting(work, meeting_id)
        rules.record_goal(meeting, answer, work.user)
        sprint = await _reviewed(work.store, work.team, meeting)
        if sprint is None:
            raise UserError("The sprint under review is gone.")
        done = rules.done_items(await work.store.sprint_items(sprint))
        check = rules.goal_check(meeting, sprint, done)
        return GoalAnswered(work.team, meeting, check, work.user)


# -- steps ---------------------------------------------------------------------------------------


async def _reviewed(store: Store, team: Team, meeting: Meeting) -> Sprint | None:
    return await store.sprint_in_team(meeting.data.get("sprint_id", 0), team.id)


async def _meeting(work: Work, meeting_id: int, *, running: bool = True) -> Meeting:
    """The review a button or form names, inside the actor's team. `running`: refused once it
    has ended (a follow-up may still be added from the ended meeting's thread)."""
    found = engine.in_team(await work.store.meeting_in_team(meeting_id, work.team.id), work.team)
    if found.kind != REVIEW.name:
        raise UserError("That button belongs to another meeting.")
    return engine.require_running(found) if running else found


async def _done_item(work: Work, meeting: Meeting, number: int) -> BacklogItem:
    sprint = await _reviewed(work.store, work.team, meeting)
    done = rules.done_items(await work.store.sprint_items(sprint)) if sprint else []
    return rules.check_in_increment(number, done)


async def _told(work: Work, key: str, done: News) -> News:
    """`done` with its post in the meeting's thread, recorded in the outbox under `key` in the
    use case's transaction: Slack refusing it later cannot lose it."""
    thread = done.meeting.message_ts
    posts = await news.record_for_channel(work.store, work.team, key, work.now, done, thread)
    return replace(done, posts=posts)


def _keep_follow_up_in_minutes(meeting: Meeting, number: int, follow_up: int) -> None:
    """An ended review's minutes name the follow-up added after it ended."""
    if not meeting.minutes:
        return
    items = [
        {**row, "follow_up": follow_up} if row["number"] == number else row
        for row in meeting.minutes.get("items", [])
    ]
    meeting.minutes = {**meeting.minutes, "items": items}
