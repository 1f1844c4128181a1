"""Modal submissions: item edit, CSV import, roles and settings.

Input that can be checked without the database is checked before the ack, so mistakes show
under the field and nothing typed is lost; everything else happens after the ack.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from agendas import refinement
from agendas.agenda import KINDS, MAX_MINUTES, Agenda, for_team
from agendas.agenda import parse as parse_agenda
from bot.domain import backlog, sprints, teams
from bot.domain.backlog_csv import import_csv
from bot.domain.calendar import reminder_days
from bot.domain.errors import UserError
from bot.domain.readiness import DEFAULT_HORIZON_ITEMS, DEFAULT_THRESHOLD, DefinitionOfReady, gaps
from bot.domain.teams import Roles
from bot.runtime.services import services
from handlers import blocks, meeting_blocks, meeting_flow, planning_flow, poker_flow
from handlers.common import adopt_po_timezone
from handlers.listener import listener
from handlers.payload import Stale
from handlers.render import escape, render
from handlers.reply import metadata, reply


def register(app: AsyncApp) -> None:
    app.view("item_edit")(save_item)
    app.view("backlog_import")(import_items)
    app.view("roles_edit")(save_roles)
    app.view("settings_edit")(save_settings)
    app.view("dor_edit")(save_dor)
    app.view("meeting_goal")(save_meeting_text)
    app.view("meeting_note")(save_meeting_text)
    app.view("agenda_edit")(save_agenda)
    app.view("agenda_yaml")(save_agenda)
    for callback in ("sprint_goal", "sprint_select", "sprint_capacity", "sprint_tasks"):
        app.view(callback)(save_plan)
    app.view("sprint_close")(close_sprint)
    app.view("poker_reason")(poker_reason_vote)


def _state(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{block_id: the input's state} for a submitted modal."""
    values = body["view"]["state"]["values"]
    return {block_id: next(iter(actions.values()), {}) for block_id, actions in values.items()}


def _text(state: dict[str, dict[str, Any]], block: str) -> str:
    return (state.get(block, {}).get("value") or "").strip()


def _item_edits(state: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The edit modal's fields as item fields; raises UserError naming the block at fault."""

    def checked(block: str, parse: Any) -> Any:
        try:
            return parse(_text(state, block))
        except UserError as error:
            raise FieldError(block, error.message) from None

    selected = state.get("type", {}).get("selected_option") or {}
    # In the form's order, so "changed ..." reads the way the form does.
    return {
        "title": checked("title", backlog.clean_title),
        "hypothesis": _text(state, "hypothesis"),
        "type": backlog.parse_type(selected.get("value", "story")),
        "acceptance_criteria": backlog.parse_lines(_text(state, "acceptance")),
        "dependencies": backlog.parse_dependencies(_text(state, "dependencies")),
        "estimate": checked("estimate", backlog.parse_estimate),
        "owner": state.get("owner", {}).get("selected_user") or None,
        "epic": _text(state, "epic") or None,
        "labels": backlog.parse_labels(_text(state, "labels")),
    } | (
        {"checklist": {o["value"]: True for o in state["checklist"].get("selected_options") or []}}
        if "checklist" in state
        else {}
    )


class FieldError(UserError):
    def __init__(self, block: str, message: str) -> None:
        super().__init__(message)
        self.block = block


@listener
async def save_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    try:
        edits = _item_edits(_state(body))
    except FieldError as error:
        await ack(response_action="errors", errors={error.block: error.message})
        return
    await ack()
    svc = services(context)
    meta = metadata(body)
    user, now = context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        changes = await backlog.edit_item(store, team, meta["number"], edits, user, now)
        item = await backlog.get_item(store, team, meta["number"])
        item_gaps = gaps(item, DefinitionOfReady.of(team))
        text = render("item_saved.md.j2", item=item, changed=list(changes), gaps=item_gaps)
    await reply(client, body, blocks.mrkdwn_notice(text))


@listener
async def import_items(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    text = _text(_state(body), "csv")
    if not text:
        await ack(
            response_action="errors", errors={"csv": "Paste at least a header line and one row."}
        )
        return
    await ack()
    svc = services(context)
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, metadata(body)["channel"], now)
        report = await import_csv(store, team, text, context.user_id, now)
    await reply(
        client,
        body,
        blocks.mrkdwn_notice(render("import_report.md.j2", report=report, source=None)),
    )


@listener
async def save_roles(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = _state(body)
    chosen = {
        role: list(state.get(role, {}).get("selected_users") or []) for role in ("po", "sm", "dev")
    }
    if not chosen["po"]:
        await ack(response_action="errors", errors={"po": "A team needs a Product Owner."})
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change roles")
        for role, users in chosen.items():
            await teams.assign_role(store, team, role, users)
        answer = blocks.roles_message(Roles.of(team), channel)
    await adopt_po_timezone(svc, client, context.team_id, channel)
    await reply(client, body, answer)


@listener
async def save_settings(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = _state(body)
    errors = {}
    try:
        zone = teams.parse_timezone(_text(state, "timezone"))
    except UserError as error:
        errors["timezone"] = error.message
    days = [o["value"] for o in state.get("days", {}).get("selected_options") or []]
    if not days:
        errors["days"] = "Tick at least one working day."
    if errors:
        await ack(response_action="errors", errors=errors)
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    weeks = (state.get("sprint", {}).get("selected_option") or {}).get("value", "2")
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change team settings")
        team.timezone = zone
        teams.apply_setting(team, "sprint", weeks)
        teams.apply_setting(team, "days", ",".join(days))
        answer = blocks.settings_message(team, zone)
    await reply(client, body, answer)


@listener
async def save_dor(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    state = _state(body)
    rules = [o["value"] for o in state.get("rules", {}).get("selected_options") or []]
    try:
        changes: dict[str, Any] = {
            "rules": rules,
            "split_threshold": float(_text(state, "threshold") or DEFAULT_THRESHOLD),
            "questions": _text(state, "questions").splitlines(),
            "horizon_items": int(_text(state, "horizon") or DEFAULT_HORIZON_ITEMS),
        }
        DefinitionOfReady().changed(**changes)
    except (UserError, ValueError) as error:
        message = error.message if isinstance(error, UserError) else "Give whole numbers."
        block = "questions" if "question" in message else "threshold"
        await ack(response_action="errors", errors={block: message})
        return
    await ack()
    svc = services(context)
    channel = metadata(body)["channel"]
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, channel, svc.clock.now())
        await teams.require_role(
            store, team, context.user_id, ("po", "sm"), "change the Definition of Ready"
        )
        dor = DefinitionOfReady.of(team).changed(**changes)
        team.dor = dor.to_data()
        answer = blocks.dor_message(team, dor, ", ".join(reminder_days(team)))
    await reply(client, body, answer)


@listener
async def save_meeting_text(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The session goal, or an action item with its owner."""
    state = _state(body)
    is_goal = body["view"]["callback_id"] == "meeting_goal"
    text = _text(state, "goal" if is_goal else "text")
    if not text:
        await ack(response_action="errors", errors={"goal" if is_goal else "text": "Write it."})
        return
    await ack()
    svc = services(context)
    meta, now = metadata(body), svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        meeting = await meeting_flow.open_meeting(store, team, meta["meeting"])
        if is_goal:
            meeting.goal = text
            done = meeting_flow.Step(meeting, team, note=render("goal_set.md.j2", goal=text))
        else:
            owner = state.get("owner", {}).get("selected_user")
            action = await refinement.add_action(store, meeting, text, owner, context.user_id, now)
            done = meeting_flow.Step(
                meeting, team, note=render("action_added.md.j2", action=action)
            )
    await meeting_flow.announce(svc, client, done)


@listener
async def save_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Lengths and purposes from the form, or a whole YAML agenda; a broken one is refused."""
    state, meta = _state(body), metadata(body)
    if meta["kind"] not in KINDS:
        raise Stale()
    svc = services(context)
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], svc.clock.now())
        current = for_team(team.agendas, meta["kind"])
    try:
        if body["view"]["callback_id"] == "agenda_yaml":
            agenda = parse_agenda(_text(state, "yaml"), meta["kind"])
        else:
            agenda = edited_agenda(current, state)
    except UserError as error:
        block = "yaml" if body["view"]["callback_id"] == "agenda_yaml" else "minutes-0"
        await ack(response_action="errors", errors={block: error.message[:150]})
        return
    await ack()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], svc.clock.now())
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "change agendas")
        team.agendas = {**team.agendas, agenda.kind: agenda.to_data()}
    await reply(client, body, meeting_blocks.agenda_view(agenda, True, meta["channel"]))


def edited_agenda(current: Agenda, state: dict[str, dict[str, Any]]) -> Agenda:
    sections = []
    for index, section in enumerate(current.sections):
        value = _text(state, f"minutes-{index}")
        if not re.fullmatch(r"\d{1,4}", value) or int(value) < 1:
            raise UserError(f"Section {index + 1}: give a whole number.")
        amount = int(value) if current.minutes else int(value) / 100
        purpose = " ".join(_text(state, f"purpose-{index}").split())
        sections.append(replace(section, minutes=amount, purpose=purpose))
    total = int(sum(s.minutes for s in sections)) if current.minutes else None
    if total is not None and not 5 <= total <= MAX_MINUTES:
        raise UserError(f"The sections add up to {total} minutes: keep it from 5 to {MAX_MINUTES}.")
    return replace(current, minutes=total, sections=tuple(sections))


# -- planning poker ------------------------------------------------------------------------------


@listener
async def poker_reason_vote(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A vote with its reason, from the "Vote with a reason" form."""
    state = _state(body)
    card = (state.get("card", {}).get("selected_option") or {}).get("value")
    if not card:
        await ack(response_action="errors", errors={"card": "Pick a card."})
        return
    meta = metadata(body)
    await poker_flow.vote(
        services(context),
        client,
        ack,
        body,
        workspace=context.team_id,
        channel=meta["channel"],
        user=context.user_id or "",
        round_id=int(meta["round"]),
        card=card,
        reason=_text(state, "reason"),
    )


def _number_or_none(state: dict[str, dict[str, Any]], block: str) -> float | None:
    text = _text(state, block)
    return float(text) if text else None


def _plan_input(callback: str, state: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a planning form says, checked before the ack; raises FieldError naming the field."""
    if callback == "sprint_goal":
        if not _text(state, "goal"):
            raise FieldError("goal", "Write the outcome this sprint should bring.")
        return {"goal": _text(state, "goal"), "one_thing": _text(state, "one_thing")}
    if callback == "sprint_select":

        def picked(block: str) -> list[int]:
            options = state.get(block, {}).get("selected_options") or []
            return [int(o["value"]) for o in options if o["value"] != "0"]

        override = (state.get("override", {}).get("selected_option") or {}).get("value")
        reason = _text(state, "override_reason")
        if override and not reason:
            raise FieldError("override_reason", "Say why the team takes an unready item.")
        return {
            "items": picked("items"),
            "goal_items": set(picked("goal_items")),
            "override": int(override) if override else None,
            "reason": reason,
        }
    if callback == "sprint_capacity":
        days_off = {
            block.removeprefix("off-"): _number_or_none(state, block) or 0.0
            for block in state
            if block.startswith("off-")
        }
        return {
            "days_off": days_off,
            "focus": _number_or_none(state, "focus"),
            "forecast": _number_or_none(state, "forecast"),
        }
    try:
        sprints.parse_tasks(_text(state, "tasks"))
    except UserError as error:
        raise FieldError("tasks", error.message) from None
    return {"tasks": _text(state, "tasks")}


@listener
async def save_plan(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The planning forms: goal, selection, capacity, tasks."""
    callback = body["view"]["callback_id"]
    state, meta = _state(body), metadata(body)
    try:
        given = _plan_input(callback, state)
    except FieldError as error:
        await ack(response_action="errors", errors={error.block: error.message})
        return
    await ack()
    svc = services(context)
    user, now = context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        sprint = await store.sprint_by_id(meta["sprint"])
        if sprint is None or sprint.team_id != team.id:
            raise UserError("That sprint is not in this channel.")
        match callback:
            case "sprint_goal":
                await teams.require_role(store, team, user, ("po",), "set the sprint goal")
                sprints.set_goal(sprint, given["goal"], given["one_thing"])
                note = f":dart: Sprint goal: {escape(sprint.goal)}"
            case "sprint_select":
                numbers = list(given["items"])
                overrides = {}
                if given["override"]:
                    numbers.append(given["override"])
                    overrides[given["override"]] = given["reason"]
                await sprints.select(
                    store, team, sprint, numbers, given["goal_items"], overrides, now
                )
                note = f":ballot_box_with_check: <@{user}> chose {len(numbers)} items."
            case "sprint_capacity":
                sprints.set_capacity(sprint, given["days_off"], given["focus"], given["forecast"])
                note = f":bar_chart: <@{user}> updated days off and focus."
            case _:
                sprint_item = await sprints.set_tasks(
                    store, team, sprint, meta["number"], given["tasks"]
                )
                hours = sum(t.hours for t in sprint_item.tasks)
                note = (
                    f":hammer_and_wrench: #{meta['number']}: {len(sprint_item.tasks)} tasks, "
                    f"{hours:g}h."
                )
    await planning_flow.post_plan(svc, client, team, sprint, note)


@listener
async def close_sprint(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    answer = _text(_state(body), "review")
    if not answer:
        await ack(response_action="errors", errors={"review": "Answer it, even briefly."})
        return
    await ack()
    svc = services(context)
    meta, now = metadata(body), svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        await teams.require_role(store, team, context.user_id, ("po", "sm"), "close the sprint")
        closing = await sprints.close(store, team, context.user_id, now, answer)
        velocity = await sprints.team_velocity(store, team)
        text = render("sprint_closed.md.j2", closing=closing, velocity=velocity)
    await client.chat_postMessage(channel=team.channel_id, **blocks.mrkdwn_notice(text))
