"""Block Kit for sprint planning and the sprint: the plan, its forms, and the sprint card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    HeaderBlock,
    InputBlock,
    Option,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot.domain.capacity import VELOCITY_SPRINTS, Capacity
from bot.usecases.sprints import ItemFinished, ScopeChanged, SprintCard, SprintClosed
from handlers.blocks import kit
from handlers.blocks.kit import button, message, mrkdwn_notice, section
from handlers.render import escape, fit, plain, render
from storage.models import BacklogItem, Sprint, SprintItem

MAX_OPTIONS = 100


def _item_option(item: BacklogItem) -> Option:
    points = f" · {item.estimate:g} pts" if item.estimate is not None else ""
    return Option(value=str(item.number), label=plain(f"#{item.number} {item.title}{points}", 75))


def card(shown: SprintCard) -> dict[str, Any]:
    """The answer to `/sprint`: the current sprint, its items and progress."""
    return sprint_card(shown.sprint, shown.items, shown.days_left, shown.changes)


def sprint_card(
    sprint: Sprint, items: Sequence[SprintItem], days_left: int | None, changes: int
) -> dict[str, Any]:
    done = sum(si.item.estimate or 0 for si in items if si.done_at)
    total = sum(si.item.estimate or 0 for si in items)
    text = render(
        "sprint_card.md.j2",
        sprint=sprint,
        items=items[:40],
        days_left=days_left,
        done_points=done,
        total_points=total,
        changes=changes,
    )
    state = {"planning": "being planned", "active": "running", "closed": "closed"}[sprint.status]
    return message(
        [HeaderBlock(text=f"Sprint {sprint.number} ({state})"), section(text)],
        f"Sprint {sprint.number}",
    )


def plan_status(
    sprint: Sprint, items: Sequence[SprintItem], cap: Capacity, velocity_sprints: int
) -> str:
    points = sum(si.item.estimate or 0 for si in items)
    hours = sum(t.hours for si in items for t in si.tasks)
    return render(
        "capacity.md.j2",
        cap=cap,
        points=points,
        count=len(items),
        load=cap.load(points),
        tasks_hours=hours,
        velocity_sprints=min(velocity_sprints, VELOCITY_SPRINTS),
    )


def section_goal(sprint: Sprint) -> dict[str, Any]:
    text = (
        "*Why: the sprint goal.* Product Owner, propose the outcome this sprint should bring, "
        "and say what must get done if only one thing does. The team commits to this goal."
    )
    write = button("Write the sprint goal", "sprint_goal", str(sprint.id), style="primary")
    return kit.with_buttons(text, [write], "The sprint goal")


def section_selection(
    sprint: Sprint, proposal: Sequence[BacklogItem], forecast: float | None
) -> dict[str, Any]:
    if proposal:
        listed = ", ".join(f"#{i.number} {escape(i.title)}" for i in proposal[:15])
        basis = f"up to the forecast of {forecast:g} points" if forecast else "(no forecast yet)"
        text = f"*What: selection.* The top ready items {basis}: {fit(listed, 2500)}."
    else:
        text = "*What: selection.* No item is ready yet: refine first, or take one with a reason."
    choose = button("Choose items", "sprint_select", str(sprint.id), style="primary")
    return kit.with_buttons(text, [choose], "Selection")


def section_capacity(status: str, sprint: Sprint) -> dict[str, Any]:
    days_off = button("Days off & focus", "sprint_capacity", str(sprint.id))
    return kit.with_buttons(status, [days_off], "Capacity")


def section_breakdown(sprint: Sprint, items: Sequence[SprintItem]) -> dict[str, Any]:
    blocks: list[Block] = [
        section("*How: task breakdown.* Developers, split each item into tasks with hours.")
    ]
    for si in items[:20]:
        hours = sum(t.hours for t in si.tasks)
        title = escape(fit(si.item.title, 120))
        text = f"*#{si.item.number}* {title} · {len(si.tasks)} tasks, {hours:g}h"
        tasks = button("Tasks", "sprint_tasks", f"{sprint.id}:{si.item.number}")
        blocks.append(section(text, accessory=tasks))
    return message(blocks, "Task breakdown")


def section_commit(sprint: Sprint, status: str) -> dict[str, Any]:
    goal = escape(sprint.goal) if sprint.goal else "_no goal yet: it is needed before commitment_"
    buttons = [
        button("I commit", "sprint_commit", str(sprint.id), style="primary"),
        button("Commit for the team", "sprint_commit_team", str(sprint.id)),
    ]
    return kit.with_buttons(f"*Commitment.* Goal: {goal}\n{status}", buttons, "Commitment")


def goal_modal(sprint: Sprint, channel_id: str) -> dict[str, Any]:
    blocks = [
        kit.text_input(
            "goal",
            "The outcome this sprint should bring",
            hint="As an outcome: By the end of this sprint we expect …",
            multiline=True,
            max_length=1000,
            initial=sprint.goal,
            placeholder="By the end of this sprint we expect …",
        ),
        kit.text_input(
            "one_thing",
            "If only one thing gets done, what must it be?",
            optional=True,
            max_length=500,
            initial=sprint.one_thing,
        ),
    ]
    title = f"Sprint {sprint.number} goal"
    return kit.modal("sprint_goal", title, blocks, channel=channel_id, sprint=sprint.id)


def selection_modal(
    sprint: Sprint,
    channel_id: str,
    ready: Sequence[BacklogItem],
    unready: Sequence[BacklogItem],
    chosen: Sequence[int],
    supporting: Sequence[int],
) -> dict[str, Any]:
    ready_options = [_item_option(i) for i in ready[:MAX_OPTIONS]]
    picked = [o for o in ready_options if int(o.value) in chosen]
    blocks: list[Block] = [
        InputBlock(
            block_id="items",
            label="Ready items for the sprint",
            optional=True,
            element=StaticMultiSelectElement(
                action_id="value",
                placeholder="Items",
                options=ready_options or [Option(value="0", label="No ready item")],
                initial_options=picked or None,
            ),
        ),
        InputBlock(
            block_id="goal_items",
            label="Which of them serve the sprint goal?",
            optional=True,
            element=StaticMultiSelectElement(
                action_id="value",
                placeholder="Items for the goal",
                options=ready_options or [Option(value="0", label="No ready item")],
                initial_options=[o for o in picked if int(o.value) in supporting] or None,
            ),
        ),
    ]
    if unready:
        blocks += [
            InputBlock(
                block_id="override",
                label="Take an unready item anyway",
                optional=True,
                element=StaticSelectElement(
                    action_id="value",
                    placeholder="Unready item",
                    options=[_item_option(i) for i in unready[:MAX_OPTIONS]],
                ),
            ),
            kit.text_input(
                "override_reason",
                "Why take it although it is not ready?",
                optional=True,
                max_length=300,
            ),
        ]
    title = f"Sprint {sprint.number} items"
    return kit.modal("sprint_select", title, blocks, channel=channel_id, sprint=sprint.id)


def capacity_modal(
    sprint: Sprint,
    channel_id: str,
    developers: Sequence[str],
    names: dict[str, str],
    needs_forecast: bool,
) -> dict[str, Any]:
    blocks: list[Block] = [
        kit.number_input(
            f"off-{dev}",
            plain(f"Days off: {names.get(dev, dev)}", 150),
            optional=True,
            decimal=True,
            low=0,
            high=60,
            initial=f"{sprint.days_off.get(dev, 0):g}",
        )
        for dev in developers[:40]
    ]
    blocks.append(
        kit.number_input(
            "focus",
            "Focus factor (%)",
            hint="The share of time that goes to sprint work; 70-80% is usual.",
            decimal=False,
            low=10,
            high=100,
            initial=str(round(sprint.focus_factor * 100)),
        )
    )
    if needs_forecast:
        forecast = sprint.first_forecast
        blocks.append(
            kit.number_input(
                "forecast",
                "First forecast (points)",
                hint="No sprint has been completed yet, so there is no velocity: your best guess.",
                optional=True,
                decimal=True,
                low=1,
                high=1000,
                initial=f"{forecast:g}" if forecast else None,
            )
        )
    title = f"Sprint {sprint.number} capacity"
    return kit.modal("sprint_capacity", title, blocks, channel=channel_id, sprint=sprint.id)


def tasks_modal(sprint: Sprint, sprint_item: SprintItem, channel_id: str) -> dict[str, Any]:
    item = sprint_item.item
    blocks = [
        section(f"*#{item.number}* {escape(fit(item.title, 200))}"),
        kit.text_input(
            "tasks",
            "Tasks, one per line with hours",
            hint="e.g. Design DB query 2h",
            optional=True,
            multiline=True,
            max_length=3000,
            initial="\n".join(f"{t.title} {t.hours:g}h" for t in sprint_item.tasks),
            placeholder="Design DB query 2h",
        ),
    ]
    title = f"Tasks for #{item.number}"
    return kit.modal(
        "sprint_tasks", title, blocks, channel=channel_id, sprint=sprint.id, number=item.number
    )


def close_modal(sprint: Sprint, channel_id: str) -> dict[str, Any]:
    blocks = [
        section(
            "Done items count as completed; the others go back to the top of the product "
            "backlog. The review asks the question that matters most:"
        ),
        kit.text_input(
            "review", "Did we get the value we expected?", multiline=True, max_length=1000
        ),
    ]
    return kit.modal(
        "sprint_close",
        f"Close sprint {sprint.number}",
        blocks,
        submit="Close sprint",
        channel=channel_id,
        sprint=sprint.id,
    )


# -- the sprint after commitment -------------------------------------------------------------


def scope_changed(changed: ScopeChanged) -> dict[str, Any]:
    """The renegotiation, announced in the channel to the PO."""
    text = render(
        "scope_change.md.j2",
        po=changed.po,
        sprint=changed.sprint,
        actor=changed.change.actor,
        action="add" if changed.change.action == "added" else "remove",
        item=changed.item,
        reason=changed.change.reason,
    )
    return mrkdwn_notice(text)


def scope_logged() -> dict[str, Any]:
    return kit.notice("Logged and announced in the channel.", ":memo:")


def item_done(finished: ItemFinished) -> dict[str, Any]:
    number, sprint = finished.sprint_item.item.number, finished.sprint.number
    return kit.notice(f"#{number} is done in sprint {sprint}.", ":white_check_mark:")


def sprint_closed(closed: SprintClosed) -> dict[str, Any]:
    return mrkdwn_notice(
        render("sprint_closed.md.j2", closing=closed.closing, velocity=closed.velocity)
    )


def upload_comment(user: str, title: str) -> str:
    """The comment on a chart or export uploaded to the channel."""
    return render("sprint_upload.md.j2", user=user, title=title)
