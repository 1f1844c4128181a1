"""`/ready`: readiness against the Definition of Ready, the daily reminder, snoozes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog, reminders, teams
from bot.domain.calendar import reminder_days
from bot.domain.commands import (
    parse_ready,
)
from bot.domain.readiness import DefinitionOfReady
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import adopt_po_timezone
from handlers.listener import listener
from handlers.render import from_slack, render
from handlers.reply import reply
from storage.models import Team


@listener
async def ready_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_ready(from_slack(body.get("text", "")))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        dor = DefinitionOfReady.of(team)
        match parsed.verb:
            case "check":
                horizon = await reminders.team_horizon(store, team, now)
                answer = ready_blocks.readiness_report(horizon, channel, dor)
            case "item":
                item = await backlog.get_item(store, team, parsed.number)
                answer = ready_blocks.item_readiness(item, dor, channel)
            case "dor":
                answer = ready_blocks.dor_message(team, dor, _days(reminder_days(team)))
            case "remind":
                notice = await teams.require_role(
                    store, team, user, ("po", "sm"), "set the readiness reminder"
                )
                due = await reminders.set_reminder(store, team, parsed.remind, now)
                answer = _reminder_set(team, due)
            case "snooze":
                item = await backlog.get_item(store, team, parsed.number)
                if item.owner != user:
                    notice = await teams.require_role(
                        store, team, user, ("po", "sm"), "snooze other people's items"
                    )
                item = await reminders.snooze(store, team, parsed.number, parsed.days, now)
                answer = kit.notice(
                    f"#{item.number} stays out of readiness reminders until "
                    f"{item.snoozed_until:%A %d %B}.",
                    ":zzz:",
                )
    if notice:
        await reply(client, body, kit.notice(notice, ":crown:"))
        adopted = await adopt_po_timezone(svc, client, context.team_id, channel)
        if adopted and parsed.verb == "remind":  # planned in UTC a moment ago: now the team's
            async with svc.db.transaction() as store:
                team = await store.ensure_team(context.team_id, channel, now)
                answer = _reminder_set(
                    team, await reminders.set_reminder(store, team, parsed.remind, now)
                )
    await reply(client, body, answer)


def _reminder_set(team: Team, due: datetime | None) -> Any:
    text = render("reminder_set.md.j2", team=team, due=due, days=_days(reminder_days(team)))
    return kit.mrkdwn_notice(text)


def _days(days: list[str]) -> str:
    return ", ".join(d.capitalize() for d in days)
