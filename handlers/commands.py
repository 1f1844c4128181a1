"""Slash commands: `/backlog` and `/timebox`. Ack first, then parse, act and answer privately."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import for_team
from bot.domain import backlog, poker, reminders, sprints, teams
from bot.domain.backlog_csv import to_csv, to_markdown
from bot.domain.backlog_health import backlog_health
from bot.domain.calendar import is_working_day, local_today, reminder_days, working_days_between
from bot.domain.commands import (
    parse_backlog,
    parse_planning,
    parse_poker,
    parse_ready,
    parse_refine,
    parse_sprint,
    parse_timebox,
)
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers import (
    blocks,
    meeting_blocks,
    meeting_flow,
    planning_flow,
    poker_blocks,
    poker_flow,
    sprint_blocks,
)
from handlers.common import adopt_po_timezone, item_detail, open_form
from handlers.listener import listener
from handlers.render import escape, from_slack, render
from handlers.reply import reply
from storage.models import Team


def register(app: AsyncApp) -> None:
    for name, handler in COMMANDS.items():
        app.command(name)(handler)


@listener
async def backlog_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_backlog(from_slack(body.get("text", "")))
    user, channel = body["user_id"], body["channel_id"]
    now = svc.clock.now()
    notice: str | None = None

    if parsed.verb == "help":
        await reply(client, body, blocks.help_message())
        return
    if parsed.verb in ("import", "edit"):
        async with svc.db.transaction() as store:
            team = await store.ensure_team(context.team_id, channel, now)
            item = await backlog.get_item(store, team, parsed.number) if parsed.number else None
        if item:
            view = blocks.edit_modal(item, channel, DefinitionOfReady.of(team))
        else:
            view = blocks.import_modal(channel)
        await open_form(client, body, view)
        return
    if parsed.verb == "export":
        async with svc.db.transaction() as store:
            team = await store.ensure_team(context.team_id, channel, now)
            items = await store.all_items(team.id, include_closed=False)
        if parsed.format == "csv":
            content = to_csv(items)
        else:
            content = to_markdown(items, body.get("channel_name") or channel)
        await client.files_upload_v2(
            channel=channel,
            content=content,
            filename=f"backlog.{parsed.format}",
            title=f"Product backlog ({len(items)} items)",
            initial_comment=f"<@{user}> exported the product backlog.",
        )
        return

    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "list":
                current = await backlog.page(store, team, parsed.page)
                answer = blocks.backlog_page(current, channel, DefinitionOfReady.of(team))
            case "health":
                answer = blocks.health_message(await backlog_health(store, team, now), channel)
            case "add":
                fields = backlog.ItemFields(title=parsed.title)
                item = await backlog.add_item(store, team, fields, user, now)
                position = await backlog.position_of(store, team, item.number)
                text = render("item_added.md.j2", item=item, position=position)
                answer = blocks.message(
                    [
                        blocks.section(
                            text, accessory=blocks.button("Edit", "item_edit", str(item.number))
                        )
                    ],
                    text,
                )
            case "show":
                answer = await item_detail(store, team, parsed.number)
            case "move":
                notice = await teams.require_role(
                    store, team, user, ("po",), "order the product backlog"
                )
                old, new = await backlog.move_item(
                    store, team, parsed.number, parsed.move, user, now
                )
                answer = blocks.notice(
                    f"#{parsed.number} is already at position {new}."
                    if old == new
                    else f"Moved #{parsed.number} from position {old} to {new}.",
                    ":arrow_up_down:",
                )
            case "remove" | "restore":
                notice = await teams.require_role(
                    store, team, user, ("po",), f"{parsed.verb} backlog items"
                )
                change = backlog.archive_item if parsed.verb == "remove" else backlog.restore_item
                await change(store, team, parsed.number, user, now)
                answer = await item_detail(store, team, parsed.number)
            case "done":
                await backlog.mark_done(store, team, parsed.number, user, now)
                answer = await item_detail(store, team, parsed.number)
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)


@listener
async def timebox_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_timebox(body.get("text", ""))
    user, channel = body["user_id"], body["channel_id"]
    if parsed.verb == "help":
        await reply(client, body, blocks.help_message())
        return
    notice = None
    if parsed.verb == "settings":
        await adopt_po_timezone(svc, client, context.team_id, channel)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        if parsed.verb == "roles":
            if parsed.role:
                notice = await teams.require_role(store, team, user, ("po", "sm"), "change roles")
                await teams.assign_role(store, team, parsed.role, list(parsed.users))
            answer = blocks.roles_message(Roles.of(team), channel)
        else:
            if parsed.setting:
                notice = await teams.require_role(
                    store, team, user, ("po", "sm"), "change team settings"
                )
                teams.apply_setting(team, parsed.setting, parsed.value)
            answer = blocks.settings_message(team, team.timezone or "UTC")
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)


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
        await reply(client, body, blocks.help_message())
        return
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        dor = DefinitionOfReady.of(team)
        match parsed.verb:
            case "check":
                horizon = await reminders.team_horizon(store, team, now)
                answer = blocks.readiness_report(horizon, channel, dor)
            case "item":
                item = await backlog.get_item(store, team, parsed.number)
                answer = blocks.item_readiness(item, dor, channel)
            case "dor":
                answer = blocks.dor_message(team, dor, _days(reminder_days(team)))
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
                answer = blocks.notice(
                    f"#{item.number} stays out of readiness reminders until "
                    f"{item.snoozed_until:%A %d %B}.",
                    ":zzz:",
                )
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))
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
    return blocks.mrkdwn_notice(text)


def _days(days: list[str]) -> str:
    return ", ".join(d.capitalize() for d in days)


@listener
async def refine_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_refine(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, blocks.help_message())
        return
    if parsed.verb == "start":
        await meeting_flow.start(svc, client, context.team_id, channel, user, parsed.minutes)
        return
    done = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "agenda":
                agenda = for_team(team.agendas, "refinement")
                answer = meeting_blocks.agenda_view(agenda, "refinement" in team.agendas, channel)
            case "history":
                answer = meeting_blocks.history(await store.past_meetings(team.id, "refinement"))
            case "status":
                meeting = await meeting_flow.open_meeting(store, team, None)
                answer = meeting_blocks.agenda_message(meeting, now)
            case "goal":
                meeting = await meeting_flow.open_meeting(store, team, None)
                meeting.goal = from_slack(parsed.text)[:300]
                done = meeting_flow.Step(meeting, team, note=None)
                answer = blocks.notice(f"Session goal: {meeting.goal}", ":dart:")
            case "note":
                meeting = await meeting_flow.open_meeting(store, team, None)
                owner = parsed.users[0] if parsed.users else None
                action = await refinement.add_action(
                    store, meeting, from_slack(parsed.text), owner, user, now
                )
                answer = blocks.mrkdwn_notice(render("action_added.md.j2", action=action))
            case _:
                meeting = await meeting_flow.open_meeting(store, team, None)
                done = await meeting_flow.step(
                    store,
                    team,
                    meeting,
                    parsed.verb,
                    user,
                    now,
                    minutes=parsed.minutes or 5,
                    flag=parsed.flag,
                )
                answer = None
    if done is not None:
        await meeting_flow.announce(svc, client, done)
    if answer is not None:
        await reply(client, body, answer)


# -- planning poker ------------------------------------------------------------------------------


@listener
async def poker_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    """`/poker`: start a live round or an async poll, pick an item, the deck, an item's history."""
    await ack()
    svc = services(context)
    parsed = parse_poker(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, poker_blocks.help_message())
        return
    if parsed.verb in ("live", "async"):
        await poker_flow.start(svc, client, context, channel=channel, user=user, command=parsed)
        return
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        match parsed.verb:
            case "pick":
                answer = poker_blocks.picker(await store.unestimated(team.id, 5))
            case "history":
                item, records = await poker.history(store, team, parsed.numbers[0])
                answer = poker_blocks.history_message(item, records)
            case _:  # deck, tshirt: shown to anyone, changed by the PO or a Scrum Master
                deck = poker.team_deck(team)
                if parsed.words:
                    notice = await teams.require_role(
                        store, team, user, ("po", "sm"), "change the poker deck"
                    )
                    change = poker.set_deck if parsed.verb == "deck" else poker.set_tshirt
                    deck = change(team, " ".join(parsed.words).split())
                answer = poker_blocks.deck_message(deck)
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)


MEETING_STEPS = ("next", "extend", "pause", "resume", "end")


@listener
async def planning_command(
    ack: AsyncAck,
    body: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
) -> None:
    await ack()
    svc = services(context)
    parsed = parse_planning(body.get("text", ""))
    user, channel, now = body["user_id"], body["channel_id"], svc.clock.now()
    if parsed.verb == "help":
        await reply(client, body, blocks.help_message())
        return
    if parsed.verb == "start":
        await meeting_flow.start(
            svc, client, context.team_id, channel, user, parsed.minutes, kind="planning"
        )
        return
    done = answer = note = None
    recorded = False
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        meeting = await meeting_flow.open_meeting(store, team, None, "planning")
        sprint = await planning_flow.planning_sprint(store, team, meeting.data["sprint_id"])
        match parsed.verb:
            case "status":
                answer = meeting_blocks.agenda_message(meeting, now)
            case verb if verb in MEETING_STEPS:
                done = await meeting_flow.step(
                    store, team, meeting, verb, user, now, minutes=parsed.minutes or 5
                )
            case "goal":
                await teams.require_role(store, team, user, ("po",), "set the sprint goal")
                sprints.set_goal(sprint, from_slack(parsed.text), sprint.one_thing)
                note = f":dart: Sprint goal: {escape(sprint.goal)}"
            case "add" | "drop":
                chosen = await store.sprint_items(sprint)
                current = [si.item.number for si in chosen]
                supporting = {si.item.number for si in chosen if si.supports_goal}
                overrides = {si.item.number: si.override_reason or "" for si in chosen}
                if parsed.verb == "add":
                    current.append(parsed.number)
                    supporting.add(parsed.number)
                    overrides[parsed.number] = from_slack(parsed.text)
                    note = f"Took #{parsed.number} into the plan."
                else:
                    current = [n for n in current if n != parsed.number]
                    note = f"Left #{parsed.number} out of the plan."
                await sprints.select(store, team, sprint, current, supporting, overrides, now)
            case "commit" | "commit_team":
                devs = await planning_flow.developers(client, team)
                result = await sprints.commit(
                    store, team, sprint, user, devs, now, for_team=parsed.verb == "commit_team"
                )
                recorded = result.recorded
                if not recorded:
                    waiting = ", ".join(f"<@{d}>" for d in result.waiting_for)
                    note = f":raised_hand: <@{user}> commits. Waiting for {waiting}."
    if done is not None:
        await meeting_flow.announce(svc, client, done)
    if note:
        await planning_flow.post_plan(svc, client, team, sprint, note)
    if recorded:
        await planning_flow.committed(svc, client, team, sprint)
    if answer is not None:
        await reply(client, body, answer)


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
        await reply(client, body, blocks.help_message())
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
                answer = blocks.notice("Logged and announced in the channel.", ":memo:")
            case "done":
                sprint, sprint_item = await sprints.finish_item(
                    store, team, parsed.number, user, now
                )
                answer = blocks.notice(
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
        await client.chat_postMessage(channel=channel, **blocks.mrkdwn_notice(announce))
    if answer is not None:
        await reply(client, body, answer)


# Every slash command this app answers; manifest.yml must list exactly these.
COMMANDS = {
    "/backlog": backlog_command,
    "/planning": planning_command,
    "/poker": poker_command,
    "/ready": ready_command,
    "/refine": refine_command,
    "/sprint": sprint_command,
    "/timebox": timebox_command,
}
