"""Buttons: paging the backlog, opening items, and the item and team buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import KINDS, for_team
from bot.domain import backlog, poker, sprints, teams
from bot.domain import backlog_health as health
from bot.domain.backlog import Move
from bot.domain.commands import PokerCommand
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers import (
    blocks,
    meeting_blocks,
    meeting_flow,
    payload,
    planning_flow,
    poker_blocks,
    poker_flow,
    sprint_blocks,
)
from handlers.common import adopt_po_timezone, item_detail, open_form
from handlers.listener import listener
from handlers.reply import channel_of, reply


def register(app: AsyncApp) -> None:
    # Bolt tries listeners in the order they were registered, each at a cost: a poll's cards
    # come in bursts, so they are matched first.
    app.action(re.compile(r"^poker_vote:\d+$"))(poker_vote)
    app.action("poker_reason")(poker_reason)
    for action_id in ("poker_reveal", "poker_accept", "poker_choose", "poker_revote", "poker_skip"):
        app.action(action_id)(poker_facilitate)
    app.action("poker_start")(poker_start)
    app.action("poker_history")(poker_history)
    app.action("poker_option")(poker_noop)
    app.action("poker_link")(poker_noop)
    app.action("backlog_prev")(page)
    app.action("backlog_next")(page)
    app.action("backlog_open")(open_item)
    app.action("item_edit")(edit_item)
    for action_id in ("item_top", "item_done", "item_archive", "item_restore"):
        app.action(action_id)(change_item)
    app.action("item_fix")(fix_item)
    app.action("roles_edit")(edit_team)
    app.action("settings_edit")(edit_team)
    app.action("dor_edit")(edit_team)
    app.action("archive_stale")(archive_stale)
    for op in ("next", "extend", "pause", "resume", "end"):
        app.action(f"meeting_{op}")(facilitate)
    app.action("meeting_goal")(meeting_form)
    app.action("meeting_note")(meeting_form)
    for placement in ("top", "keep", "bottom", "archive"):
        app.action(f"triage_{placement}")(triage_place)
    app.action("triage_type")(triage_pick)
    app.action("triage_moscow")(triage_pick)
    app.action("meeting_next_session")(next_session)
    app.action("meeting_estimate")(estimate_in_meeting)
    app.action("meeting_minutes")(show_minutes)
    for action in ("agenda_edit", "agenda_yaml", "agenda_reset"):
        app.action(action)(change_agenda)
    for action in ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"):
        app.action(action)(sprint_form)
    app.action("sprint_commit")(sprint_commit)
    app.action("sprint_commit_team")(sprint_commit)


def _value(body: dict[str, Any]) -> str:
    return payload.value(body)


@listener
async def page(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        current = await backlog.page(store, team, payload.number(body) if _value(body) else 1)
        dor = DefinitionOfReady.of(team)
    await reply(client, body, blocks.backlog_page(current, channel, dor), replace=True)


@listener
async def open_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        answer = await item_detail(store, team, payload.number(body))
    await reply(client, body, answer)


@listener
async def edit_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        item = await backlog.get_item(store, team, payload.number(body))
        view = blocks.edit_modal(item, channel, DefinitionOfReady.of(team))
    await open_form(client, body, view)


@listener
async def change_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Move to top, mark done, archive or restore, from the item's own message."""
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    number, user, channel = payload.number(body), context.user_id, channel_of(body)
    now = svc.clock.now()
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        if action == "item_top":
            notice = await teams.require_role(
                store, team, user, ("po",), "order the product backlog"
            )
            await backlog.move_item(store, team, number, Move("top"), user, now)
        elif action == "item_done":
            await backlog.mark_done(store, team, number, user, now)
        else:
            verb = "archive" if action == "item_archive" else "restore"
            notice = await teams.require_role(store, team, user, ("po",), f"{verb} backlog items")
            change = backlog.archive_item if verb == "archive" else backlog.restore_item
            await change(store, team, number, user, now)
        answer = await item_detail(store, team, number)
    await reply(client, body, answer, replace=True)
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))
        await adopt_po_timezone(svc, client, context.team_id, channel)


@listener
async def edit_team(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Opens the roles or the settings modal."""
    await ack()
    svc = services(context)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        match body["actions"][0]["action_id"]:
            case "roles_edit":
                view = blocks.roles_modal(Roles.of(team), channel)
            case "dor_edit":
                view = blocks.dor_modal(DefinitionOfReady.of(team), channel)
            case _:
                view = blocks.settings_modal(team, team.timezone or "UTC")
    await open_form(client, body, view)


@listener
async def fix_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A readiness fix: the item's form, focused on what is missing, from any channel or DM."""
    await ack()
    svc = services(context)
    fix = payload.decoded(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, fix["c"], svc.clock.now())
        item = await backlog.get_item(store, team, int(fix["n"]))
        view = blocks.edit_modal(item, fix["c"], DefinitionOfReady.of(team), focus=fix.get("f"))
    await open_form(client, body, view)


@listener
async def archive_stale(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    channel, user, now = channel_of(body), context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        await teams.require_role(store, team, user, ("po",), "archive backlog items")
        archived = await health.archive_stale(store, team, user, now)
        answer = blocks.health_message(await health.backlog_health(store, team, now), channel)
    await reply(client, body, answer, replace=True)
    listed = ", ".join(f"#{n}" for n in archived) or "nothing"
    await reply(
        client,
        body,
        blocks.notice(
            f"Archived {listed}. `/backlog restore <n>` brings one back.", ":file_cabinet:"
        ),
    )


# -- meetings ------------------------------------------------------------------------------------


def _meeting_ref(body: dict[str, Any]) -> tuple[int, int]:
    """(meeting id, the section the clicked message was about)."""
    meeting_id, section = payload.numbers(body, 2)
    return meeting_id, section


@listener
async def facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Next, +5 min, pause, resume, end: the section in the button guards against doubles."""
    await ack()
    svc = services(context)
    op = body["actions"][0]["action_id"].removeprefix("meeting_")
    meeting_id, section = _meeting_ref(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        done = await meeting_flow.step(
            store,
            team,
            meeting,
            op,
            context.user_id,
            svc.clock.now(),
            expected=section if op in ("next", "extend") else None,
        )
    await meeting_flow.announce(svc, client, done)


@listener
async def meeting_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    meeting_id, _ = _meeting_ref(body)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        if body["actions"][0]["action_id"] == "meeting_goal":
            view = meeting_blocks.goal_modal(meeting, channel)
        else:
            view = meeting_blocks.note_modal(meeting, channel)
    await client.views_open(trigger_id=body["trigger_id"], view=view)


@listener
async def triage_place(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Top, keep, bottom or archive for the item on a triage card; ordering is the PO's."""
    await ack()
    svc = services(context)
    placement = body["actions"][0]["action_id"].removeprefix("triage_")
    meeting_id, number = payload.numbers(body, 2)
    user, now = context.user_id, svc.clock.now()
    notice = None
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), now)
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        item = await backlog.get_item(store, team, number)
        if item.status != "new" or item.archived_at is not None:
            raise UserError(f"#{number} has been triaged already.")
        if placement != "keep":
            notice = await teams.require_role(
                store, team, user, ("po",), "order the product backlog"
            )
        item = await refinement.triage(store, team, meeting, number, placement, user, now)
        following = await meeting_flow.triage_next(store, team, meeting)
    container = body.get("container") or {}
    await client.chat_update(
        channel=team.channel_id,
        ts=container["message_ts"],
        **meeting_blocks.triage_done(item, placement, user),
    )
    await meeting_flow.post(client, team, meeting, following)
    if notice:
        await reply(client, body, blocks.notice(notice, ":crown:"))


@listener
async def triage_pick(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Type or MoSCoW priority chosen on a triage card."""
    await ack()
    svc = services(context)
    action = body["actions"][0]
    meeting_id, number, key = payload.parts(body, 3)
    user, now = context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), now)
        await meeting_flow.open_meeting(store, team, payload.as_int(meeting_id))
        if action["action_id"] == "triage_type":
            edits = {"type": backlog.parse_type(key)}
        else:
            await teams.require_role(store, team, user, ("po",), "set priorities")
            if key not in refinement.MOSCOW:
                raise payload.Stale()
            edits = {"priority": refinement.MOSCOW[key]}
        await backlog.edit_item(store, team, payload.as_int(number), edits, user, now)


@listener
async def next_session(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    meeting_id = payload.as_int(str(body["actions"][0]["block_id"]).removeprefix("wrapup-"))
    chosen = body["actions"][0].get("selected_date")
    if not isinstance(chosen, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", chosen):
        raise payload.Stale()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
        meeting.data = {**meeting.data, "next_session": chosen}


@listener
async def show_minutes(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        meeting = await store.meeting(payload.number(body))
        if meeting is None or meeting.team_id != team.id or not meeting.minutes:
            raise UserError("Those minutes are not in this channel.")
        answer = meeting_blocks.minutes_message(meeting.agenda["name"], meeting.minutes)
    await reply(client, body, answer)


@listener
async def change_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    kind, channel = payload.parts(body, 2)
    if kind not in KINDS:
        raise payload.Stale()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        agenda = for_team(team.agendas, kind)
        if action == "agenda_reset":
            await teams.require_role(store, team, context.user_id, ("po", "sm"), "change agendas")
            team.agendas = {k: v for k, v in team.agendas.items() if k != kind}
            answer = meeting_blocks.agenda_view(for_team(team.agendas, kind), False, channel)
        elif action == "agenda_edit":
            view = meeting_blocks.agenda_modal(agenda, channel)
        else:
            view = meeting_blocks.agenda_yaml_modal(agenda, channel)
    if action == "agenda_reset":
        await reply(client, body, answer, replace=True)
    else:
        await open_form(client, body, view)


# -- planning poker ------------------------------------------------------------------------------


def _poker_value(body: dict[str, Any]) -> dict[str, Any]:
    """A poker button's (or select's) value: the round, and the card if it is one."""
    return payload.decoded(body)


@listener
async def poker_vote(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A card: stored before the ack, then counted for expected voters, confirmed to them
    alone, hidden until the reveal."""
    picked = _poker_value(body)
    await poker_flow.vote(
        services(context),
        client,
        ack,
        body,
        workspace=context.team_id,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        round_id=int(picked["r"]),
        card=str(picked["c"]),
    )


@listener
async def poker_reason(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    await poker_flow.open_reason(
        services(context),
        client,
        context,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        round_id=int(_poker_value(body)["r"]),
        trigger_id=body["trigger_id"],
    )


@listener
async def poker_facilitate(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Reveal, accept, another value, re-vote, skip: the facilitator's buttons."""
    await ack()
    svc, picked = services(context), _poker_value(body)
    action = body["actions"][0]["action_id"]
    where = {
        "channel": channel_of(body) or "",
        "user": context.user_id or "",
        "round_id": int(picked["r"]),
    }
    if action == "poker_reveal":
        await poker_flow.reveal(svc, client, context, **where)
    elif action == "poker_revote":
        await poker_flow.revote(svc, client, context, **where)
    else:
        card = None if action == "poker_skip" else str(picked["c"])
        await poker_flow.decide(svc, client, context, card=card, **where)


@listener
async def poker_start(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """`/poker`'s item picker: a live round on the chosen item, started by whoever clicked."""
    await ack()
    number = payload.number(body)
    values = (body.get("state") or {}).get("values") or {}
    ticked = (values.get("poker-options") or {}).get("poker_option") or {}
    command = PokerCommand(
        "live",
        numbers=(number,),
        with_roles=tuple(o["value"] for o in ticked.get("selected_options") or []),
    )
    await poker_flow.start(
        services(context),
        client,
        context,
        channel=channel_of(body) or "",
        user=context.user_id or "",
        command=command,
    )
    await reply(
        client,
        body,
        blocks.notice(f"Planning poker on #{number} has started in the channel.", ":black_joker:"),
        replace=True,
    )


@listener
async def poker_history(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The item message's Estimates button: its accepted estimates with rounds and votes."""
    await ack()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel_of(body), svc.clock.now())
        item, records = await poker.history(store, team, payload.number(body))
        answer = poker_blocks.history_message(item, records)
    await reply(client, body, answer)


@listener
async def poker_noop(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Ticking the picker's options or following a link needs no answer but an ack."""
    await ack()


# -- sprint planning -----------------------------------------------------------------------------


@listener
async def sprint_form(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The goal, selection, capacity and task forms of a sprint being planned."""
    await ack()
    svc = services(context)
    action = body["actions"][0]["action_id"]
    sprint_id, _, number = _value(body).partition(":")
    sprint_id = payload.as_int(sprint_id)
    channel, user = channel_of(body), context.user_id
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        sprint = await store.sprint_by_id(sprint_id)
        if sprint is None or sprint.team_id != team.id:
            raise UserError("That sprint is not in this channel.")
        match action:
            case "sprint_goal":
                await teams.require_role(store, team, user, ("po",), "set the sprint goal")
                view = sprint_blocks.goal_modal(sprint, channel)
            case "sprint_select":
                sprint = await planning_flow.planning_sprint(store, team, sprint.id)
                ready, unready = await planning_flow.selection_lists(store, team)
                current = await store.sprint_items(sprint)
                chosen = [si.item.number for si in current]
                if not current:
                    devs = await planning_flow.developers(client, team)
                    cap = await sprints.capacity(store, team, sprint, devs)
                    chosen = [i.number for i in await sprints.proposal(store, team, cap.forecast)]
                supporting = [si.item.number for si in current if si.supports_goal] or chosen
                view = sprint_blocks.selection_modal(
                    sprint, channel, ready, unready, chosen, supporting
                )
            case "sprint_capacity":
                devs = await planning_flow.developers(client, team)
                names = {d: (await client.users_info(user=d))["user"]["real_name"] for d in devs}
                needs_forecast = await sprints.team_velocity(store, team) is None
                view = sprint_blocks.capacity_modal(sprint, channel, devs, names, needs_forecast)
            case _:
                sprint_item = await sprints.find_item(store, team, sprint, payload.as_int(number))
                view = sprint_blocks.tasks_modal(sprint, sprint_item, channel)
    await open_form(client, body, view)


@listener
async def sprint_commit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    svc = services(context)
    user, channel, now = context.user_id, channel_of(body), svc.clock.now()
    for_team = body["actions"][0]["action_id"] == "sprint_commit_team"
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, now)
        sprint = await planning_flow.planning_sprint(store, team, payload.number(body))
        devs = await planning_flow.developers(client, team)
        result = await sprints.commit(store, team, sprint, user, devs, now, for_team=for_team)
    if result.recorded:
        await planning_flow.committed(svc, client, team, sprint)
    else:
        waiting = ", ".join(f"<@{d}>" for d in result.waiting_for)
        note = f":raised_hand: <@{user}> commits. Waiting for {waiting}."
        await planning_flow.post_plan(svc, client, team, sprint, note)


@listener
async def estimate_in_meeting(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The deep dive's Estimate: a live poker round on the item, announced in the meeting thread."""
    await ack()
    svc = services(context)
    meeting_id, number = payload.numbers(body, 2)
    channel = channel_of(body)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        meeting = await meeting_flow.open_meeting(store, team, meeting_id)
    await poker_flow.start(
        svc,
        client,
        context,
        channel=channel,
        user=context.user_id,
        command=PokerCommand("live", numbers=(number,)),
    )
    note = f":black_joker: <@{context.user_id}> started estimating #{number}: vote on the board."
    await meeting_flow.post(client, team, meeting, meeting_blocks.notice(note))
