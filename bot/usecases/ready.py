"""Readiness: the report, one item's verdict, the Definition of Ready, the daily reminder and
snoozes; the fix form a readiness button opens; and each run of the reminder job."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import reminders
from bot.domain.calendar import RemindAt
from bot.domain.capacity import VELOCITY_SPRINTS
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, Horizon
from bot.domain.reminders import ReminderPlan
from bot.domain.sprints import velocity_of
from bot.domain.teams import Roles, holds_role, may
from bot.runtime import outbox
from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from bot.usecases.ceremony_jobs import schedule_reminder
from bot.usecases.team import CHANGE_TEAM, InChannel, member_work, roles_of
from bot.usecases.unit import Actor, Work, team_work
from storage.models import BacklogItem, Team
from storage.repositories import Store

log = logging.getLogger(__name__)

ELSEWHERE = "That item belongs to a team you are not part of, so I cannot open it for you."


def _no_item(number: int) -> UserError:
    return UserError(
        f"There is no item #{number} in this channel's backlog. `/backlog` lists them."
    )


async def _item(work: Work, number: int) -> BacklogItem:
    item = await work.store.item(work.team.id, number)
    if item is None:
        raise _no_item(number)
    return item


async def team_velocity(store: Store, team: Team) -> float | None:
    """The team's velocity from its closed sprints; None before the first one closed."""
    return velocity_of(await store.closed_sprints(team.id, VELOCITY_SPRINTS))


# -- reading ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    team: Team
    horizon: Horizon
    dor: DefinitionOfReady
    may_edit: bool = True
    """Whether the asker may change the Definition of Ready (its form's button is theirs)."""


async def _readiness(work: Work) -> Readiness:
    """The team's planning horizon as its Definition of Ready and velocity make it now."""
    items = await work.store.all_items(work.team.id, include_closed=False)
    velocity = await team_velocity(work.store, work.team)
    horizon = reminders.team_horizon(work.team, items, work.now, velocity)
    return Readiness(work.team, horizon, DefinitionOfReady.of(work.team))


async def check(svc: Services, actor: Actor) -> Readiness:
    """`/ready`, and `/ready dor` (which says what the horizon is): how ready the top of the
    backlog is."""
    async with team_work(svc, actor) as work:
        found = await _readiness(work)
        return replace(found, may_edit=may(Roles.of(work.team), work.user, CHANGE_TEAM))


@dataclass(frozen=True)
class ItemReadiness:
    team: Team
    item: BacklogItem
    dor: DefinitionOfReady
    sets_priority: bool = True
    """Whether the actor may set the item's MoSCoW priority (the Product Owner), in its form."""


async def item_readiness(svc: Services, actor: Actor, number: int) -> ItemReadiness:
    """`/ready 12`: one item against the team's Definition of Ready."""
    async with team_work(svc, actor) as work:
        item = await _item(work, number)
        return ItemReadiness(work.team, item, DefinitionOfReady.of(work.team))


async def fix_form(
    svc: Services, actor: Actor, number: int, in_channel: InChannel
) -> ItemReadiness:
    """A readiness fix button: the item, for its form. The button names the team's channel
    (it is sent in owners' direct messages too), so the actor is the user in that channel of
    their own workspace: only someone who belongs to that team gets the form. Nothing is
    written, not even a team's first row."""
    team, current = await roles_of(svc, actor)
    if team is None:
        raise UserError(ELSEWHERE)
    if not holds_role(current, actor.user) and not await in_channel(actor.channel, actor.user):
        raise UserError(ELSEWHERE)
    async with svc.db.transaction() as store:
        item = await store.item(team.id, number)
    if item is None:
        raise _no_item(number)
    return ItemReadiness(team, item, DefinitionOfReady.of(team), current.has(actor.user, "po"))


# -- the Definition of Ready ----------------------------------------------------------------

CHANGE_DOR = "change the Definition of Ready"


async def dor_form(svc: Services, actor: Actor) -> Readiness:
    """The Definition of Ready's form, with the horizon it checks now: only for the PO or a
    Scrum Master (it has nothing to look at but its card, so anyone else is told on the
    click, not after filling it in); saving it checks again. Nothing is written."""
    async with team_work(svc, actor) as work:
        await work.require(CHANGE_TEAM, CHANGE_DOR)
        return await _readiness(work)


async def save_dor(
    svc: Services, actor: Actor, changes: dict[str, Any], in_channel: InChannel
) -> Readiness:
    """The Definition of Ready form: rules, split threshold, checklist, horizon (PO or SM);
    the team with the horizon its new Definition makes, to show it."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, CHANGE_DOR)
        work.team.dor = DefinitionOfReady.of(work.team).changed(**changes).to_data()
        return await _readiness(work)


# -- the daily reminder and snoozes --------------------------------------------------------


@dataclass(frozen=True)
class ReminderSet:
    team: Team
    due: datetime | None  # the next one; None: off


async def set_reminder(
    svc: Services, actor: Actor, remind: RemindAt | None, in_channel: InChannel
) -> ReminderSet:
    """`/ready remind at 09:30 [days]` or `/ready remind off` (PO or SM)."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        await work.require(CHANGE_TEAM, "set the readiness reminder")
        reminders.apply_remind(work.team, remind)
        due = await schedule_reminder(work.store, work.team, work.now)
        return ReminderSet(work.team, due)


@dataclass(frozen=True)
class Snoozed:
    item: BacklogItem


async def snooze(
    svc: Services, actor: Actor, number: int, days: int, in_channel: InChannel
) -> Snoozed:
    """`/ready snooze 12 5`: the item stays out of reminders; someone else's needs a PO or SM."""
    async with member_work(svc, actor, in_channel, once=True) as work:
        item = await _item(work, number)
        if item.owner != work.user:
            await work.require(CHANGE_TEAM, "snooze other people's items")
        item.snoozed_until = reminders.snooze_until(work.team, days, work.now)
        return Snoozed(item)


# -- the reminder job ----------------------------------------------------------------------


async def restore_reminders(store: Store, now: datetime) -> int:
    """Gives every team with reminders a pending one (after a crash between two runs, say);
    one missed during downtime is planned within the grace window. How many it gave one."""
    pending = {job.payload.get("team_id") for job in await store.pending(reminders.KIND)}
    restored = 0
    for team in await store.teams_with_reminders():
        if team.id not in pending and await schedule_reminder(store, team, now - reminders.GRACE):
            restored += 1
    return restored


@dataclass(frozen=True)
class Post:
    """One post of today's reminder: `name` is unique among them (the channel's, a DM's)."""

    name: str
    channel: str
    payload: dict[str, Any]


Render = Callable[[ReminderPlan], Sequence[Post]]


async def daily_reminder(svc: Services, due: Due, render: Render) -> str:
    """One run of a team's reminder job: the next run planned, and today's reminder (when the
    domain's verdict says so) put in the outbox with its per-day record, in one transaction,
    so a crash anywhere neither loses nor doubles it. What the run did, for the job's row."""
    async with svc.db.transaction() as store:
        team = await store.team_by_id(due.payload["team_id"], lock=True)
        plan, sent = None, False
        if team is not None and reminders.is_on(team):
            # The next slot after this one; after a long outage, today's if still in grace.
            after = reminders.resume_after(due.due_at, due.now)
            await schedule_reminder(store, team, after, running=due.key)
            items = await store.all_items(team.id, include_closed=False)
            velocity = await team_velocity(store, team)
            scheduled = await store.ceremony(team.id, "planning")
            running = await store.sprint(team.id, "active")
            # The day it was due for: one sent late past midnight is still that day's.
            plan = reminders.plan_reminder(team, items, due.due_at, velocity, scheduled, running)
            if plan is not None:  # that day's sent already, in the zone the team has now
                sent = reminders.sent_on(team, await store.last_reminder(team), plan.day)
        decided = reminders.verdict(team, due.late, plan, sent, due.due_at)
        if decided.late and team is not None:
            log.warning(
                "skipping the readiness reminder of %s due %s: %s late (grace %s)",
                team.channel_id,
                due.due_at.isoformat(),
                due.late,
                reminders.GRACE,
            )
        if decided.send and team is not None and plan is not None:
            unready = len(plan.horizon.unready)
            await store.record_reminder(team, plan.day, due.due_at, due.now, unready)
            # Named by its due time (the job's key), not its date: after a change of zone, two
            # local days may share a date (Tuesday in Tokyo, then Tuesday in Los Angeles).
            for post in render(plan):
                await outbox.enqueue(
                    store,
                    f"{due.key}:{post.name}",
                    team.workspace_id,
                    due.now,
                    channel=post.channel,
                    **post.payload,
                )
    return decided.outcome
