"""Sprint planning forms: goal, selection, capacity and tasks.

The sprint a form names (its private_metadata) is looked up inside the submitting person's
team: another team's sprint is refused by the use case and nothing changes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.domain import sprints
from bot.domain.errors import UserError
from bot.usecases import planning
from handlers import payload
from handlers.asked import Asked
from handlers.blocks import sprints as sprint_blocks
from handlers.flows import planning as planning_flow
from handlers.flows.meetings import channel_people
from handlers.payload import Metadata
from handlers.reply import metadata
from handlers.views import form


def _number_or_none(state: dict[str, dict[str, Any]], block: str) -> float | None:
    text = form.text(state, block)
    try:
        return float(text) if text else None
    except ValueError:
        raise form.FieldError(block, "Give a number.") from None


def _picked(state: dict[str, dict[str, Any]], block: str) -> list[int]:
    options = state.get(block, {}).get("selected_options") or []
    numbers = [payload.as_int(o.get("value")) for o in options if isinstance(o, dict)]
    return [n for n in numbers if n]


def _plan_input(body: dict[str, Any]) -> dict[str, Any]:
    """What a planning form says, checked before the ack; raises FieldError naming the field."""
    callback, state = body["view"]["callback_id"], form.fields(body)
    if callback == "sprint_goal":
        if not form.text(state, "goal"):
            raise form.FieldError("goal", "Write the outcome this sprint should bring.")
        return {"goal": form.text(state, "goal"), "one_thing": form.text(state, "one_thing")}
    if callback == "sprint_select":
        override = (state.get("override", {}).get("selected_option") or {}).get("value")
        reason = form.text(state, "override_reason")
        if override and not reason:
            raise form.FieldError("override_reason", "Say why the team takes an unready item.")
        return {
            "items": _picked(state, "items"),
            "goal_items": set(_picked(state, "goal_items")),
            "override": payload.as_int(override) or None if override else None,
            "reason": reason,
        }
    if callback == "sprint_capacity":
        return {
            "days_off": _days_off(body, state),
            "focus": _number_or_none(state, "focus"),
            "forecast": _number_or_none(state, "forecast"),
        }
    try:
        sprints.parse_tasks(form.text(state, "tasks"))
    except UserError as error:
        raise form.FieldError("tasks", error.message) from None
    return {"tasks": form.text(state, "tasks")}


def _days_off(body: dict[str, Any], state: dict[str, dict[str, Any]]) -> dict[str, float]:
    """Days off per developer, none beyond the sprint's working days (the form says how many):
    "Kenji Tanaka has 20 days off, but the sprint has 10 working days." under his field. The
    use case checks again against the sprint itself."""
    working = metadata(body).get("working_days")
    labels = {
        block.get("block_id"): block["label"].get("text", "")
        for block in body["view"].get("blocks") or []
        if isinstance(block, dict) and isinstance(block.get("label"), dict)
    }
    days_off, errors = {}, {}
    for block in state:
        if not block.startswith("off-"):
            continue
        days = days_off[block.removeprefix("off-")] = _number_or_none(state, block) or 0.0
        who = str(labels.get(block) or "").removeprefix(sprint_blocks.DAYS_OFF) or "They"
        if isinstance(working, int) and (wrong := sprints.days_off_beyond(who, days, working)):
            errors[block] = wrong
    if errors:
        raise form.FieldErrors(errors)
    return days_off


Save = Callable[..., Awaitable[planning.PlanChanged]]


async def _goal(asked: Asked, people: Any, meta: Metadata, given: dict[str, Any]) -> Any:
    goal, one_thing = given["goal"], given["one_thing"]
    return await planning.set_goal(asked.svc, asked.actor, people, goal, one_thing, meta["sprint"])


async def _select(asked: Asked, people: Any, meta: Metadata, given: dict[str, Any]) -> Any:
    chosen = given["items"], given["goal_items"], given["override"], given["reason"]
    return await planning.choose_items(asked.svc, asked.actor, people, meta["sprint"], *chosen)


async def _capacity(asked: Asked, people: Any, meta: Metadata, given: dict[str, Any]) -> Any:
    numbers = given["days_off"], given["focus"], given["forecast"]
    return await planning.set_capacity(asked.svc, asked.actor, people, meta["sprint"], *numbers)


async def _tasks(asked: Asked, people: Any, meta: Metadata, given: dict[str, Any]) -> Any:
    where = meta["sprint"], meta["number"]
    return await planning.set_tasks(asked.svc, asked.actor, people, *where, given["tasks"])


SAVES: dict[str, Save] = {
    "sprint_goal": _goal,
    "sprint_select": _select,
    "sprint_capacity": _capacity,
    "sprint_tasks": _tasks,
}


@form.submitted(_plan_input)
async def save_plan(asked: Asked, given: dict[str, Any]) -> None:
    """The planning forms: goal, selection, capacity, tasks."""
    save = SAVES[asked.body["view"]["callback_id"]]
    people = await channel_people(asked.client, asked.actor.channel)
    changed = await save(asked, people, metadata(asked.body), given)
    await planning_flow.plan_changed(asked, changed)
