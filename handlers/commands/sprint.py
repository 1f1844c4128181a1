"""`/sprint`: the current sprint, its renegotiations, closing it, charts and exports."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import sprints, teams
from bot.domain.calendar import is_working_day, local_today, working_days_between
from bot.domain.commands import (
    parse_sprint,
)
from bot.domain.errors import UserError
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import sprints as sprint_blocks
from handlers.blocks import team as team_blocks
from handlers.common import open_form
from handlers.listener import listener
from handlers.render import from_slack, render
from handlers.reply import reply


@listener
async def sprint_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_sprint(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, team_blocks.help_message())
        return
    upload = announce = view = chart = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "show":
                sprint = await sprints.active(store, team) or await store.sprint(
                    team.id, "planning"
                )
                if sprint is None:
                    raise UserError("No sprint yet in this channel. `/planning start` plans one.")
                items = await store.sprint_items(sprint)
                today = local_today(team, now)
                left = (
                    working_days_between(team, today, sprint.ends_on + timedelta(days=1))
                    if sprint.status == "active"
                    else None
                )
                changes = len(await store.scope_changes(sprint))
                answer = sprint_blocks.sprint_card(sprint, items, left, changes)
            case "add" | "remove":
                sprint, item = await sprints.renegotiate(
                    store, team, parsed.verb, parsed.number, from_slack(parsed.text), user, now
                )
                announce = render(
                    "scope_change.md.j2",
                    po=Roles.of(team).po,
                    sprint=sprint,
                    actor=user,
                    action=parsed.verb,
                    item=item,
                    reason=from_slack(parsed.text),
                )
                answer = kit.notice("Logged and announced in the channel.", ":memo:")
            case "done":
                sprint, sprint_item = await sprints.finish_item(
                    store, team, parsed.number, user, now
                )
                answer = kit.notice(
                    f"#{parsed.number} is done in sprint {sprint.number}.", ":white_check_mark:"
                )
            case "tasks":
                sprint = await sprints.require_active(store, team)
                sprint_item = await sprints.find_item(store, team, sprint, parsed.number)
                view = sprint_blocks.tasks_modal(sprint, sprint_item, channel)
                answer = None
            case "close":
                await teams.require_role(store, team, user, ("po", "sm"), "close the sprint")
                sprint = await sprints.require_active(store, team)
                view = sprint_blocks.close_modal(sprint, channel)
                answer = None
            case "velocity":
                from bot.domain import charts  # matplotlib is heavy: loaded on first use only

                closed = await store.closed_sprints(team.id, 12)
                chart = ("velocity.png", partial(charts.velocity_chart, closed), "Velocity")
                answer = None
            case "burndown":
                sprint = await sprints.require_active(store, team)
                items = await store.sprint_items(sprint, include_removed=True)
                remaining = sprints.remaining_by_day(
                    sprint, items, await store.scope_changes(sprint), local_today(team, now)
                )
                days = (sprint.starts_on + timedelta(days=n) for n in range(28 * 2))
                workdays = [d for d in days if d <= sprint.ends_on and is_working_day(team, d)]
                from bot.domain import charts

                chart = (
                    "burndown.png",
                    partial(charts.burndown_chart, sprint, remaining, working_days=workdays),
                    f"Sprint {sprint.number} burndown",
                )
                answer = None
            case "export":
                sprint = await sprints.active(store, team) or await store.sprint(
                    team.id, "planning"
                )
                if sprint is None:
                    raise UserError("No sprint yet in this channel. `/planning start` plans one.")
                items = await store.sprint_items(sprint)
                from bot.domain import sprint_export

                if parsed.format == "md":
                    changes = await store.scope_changes(sprint)
                    content = sprint_export.sprint_markdown(sprint, items, changes)
                else:
                    content = sprint_export.sprint_csv(sprint, items)
                upload = (
                    f"sprint-{sprint.number}.{parsed.format}",
                    content,
                    f"Sprint {sprint.number}",
                )
                answer = None
    if view is not None:
        await open_form(client, body, view)
    if chart is not None:  # drawn off the event loop, after the transaction
        filename, draw, title = chart
        upload = (filename, await asyncio.to_thread(draw), title)
    if upload is not None:
        filename, content, title = upload
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=filename,
            title=title,
            initial_comment=f"<@{user}> asked for {title.lower()}.",
        )
    if announce is not None:
        await client.chat_postMessage(channel=channel, **kit.mrkdwn_notice(announce))
    if answer is not None:
        await reply(client, body, answer)
