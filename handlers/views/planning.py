"""Sprint planning forms: goal, selection, capacity and tasks."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import sprints, teams
from bot.domain.errors import UserError
from bot.runtime.services import services
from handlers.flows import planning as planning_flow
from handlers.listener import listener
from handlers.render import escape
from handlers.reply import metadata
from handlers.views import form


def _number_or_none(state: dict[str, dict[str, Any]], block: str) -> float | None:
    text = form.text(state, block)
    return float(text) if text else None


def _plan_input(callback: str, state: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What a planning form says, checked before the ack; raises FieldError naming the field."""
    if callback == "sprint_goal":
        if not form.text(state, "goal"):
            raise form.FieldError("goal", "Write the outcome this sprint should bring.")
        return {"goal": form.text(state, "goal"), "one_thing": form.text(state, "one_thing")}
    if callback == "sprint_select":

        def picked(block: str) -> list[int]:
            options = state.get(block, {}).get("selected_options") or []
            return [int(o["value"]) for o in options if o["value"] != "0"]

        override = (state.get("override", {}).get("selected_option") or {}).get("value")
        reason = form.text(state, "override_reason")
        if override and not reason:
            raise form.FieldError("override_reason", "Say why the team takes an unready item.")
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
        sprints.parse_tasks(form.text(state, "tasks"))
    except UserError as error:
        raise form.FieldError("tasks", error.message) from None
    return {"tasks": form.text(state, "tasks")}


@listener
async def save_plan(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The planning forms: goal, selection, capacity, tasks."""
    callback = body["view"]["callback_id"]
    state, meta = form.fields(body), metadata(body)
    try:
        given = _plan_input(callback, state)
    except form.FieldError as error:
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
