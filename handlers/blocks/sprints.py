"""Block Kit for sprint planning and the sprint: the plan, its forms, and the sprint card."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    InputBlock,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.capacity import VELOCITY_SPRINTS, Capacity
from bot.usecases.sprints import ItemFinished, ScopeChanged, SprintCard, SprintClosed
from handlers.blocks import kit
from handlers.blocks.kit import button, message, metadata_json, mrkdwn_notice, section
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
    return message(
        [
            section(text),
            ActionsBlock(
                elements=[
                    button("Write the sprint goal", "sprint_goal", str(sprint.id), style="primary")
                ]
            ),
        ],
        "The sprint goal",
    )


def section_selection(
    sprint: Sprint, proposal: Sequence[BacklogItem], forecast: float | None
) -> dict[str, Any]:
    if proposal:
        listed = ", ".join(f"#{i.number} {escape(i.title)}" for i in proposal[:15])
        basis = f"up to the forecast of {forecast:g} points" if forecast else "(no forecast yet)"
        text = f"*What: selection.* The top ready items {basis}: {fit(listed, 2500)}."
    else:
        text = "*What: selection.* No item is ready yet: refine first, or take one with a reason."
    return message(
        [
            section(text),
            ActionsBlock(
                elements=[button("Choose items", "sprint_select", str(sprint.id), style="primary")]
            ),
        ],
        "Selection",
    )


def section_capacity(status: str, sprint: Sprint) -> dict[str, Any]:
    return message(
        [
            section(status),
            ActionsBlock(elements=[button("Days off & focus", "sprint_capacity", str(sprint.id))]),
        ],
        "Capacity",
    )


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
    return message(
        [
            section(f"*Commitment.* Goal: {goal}\n{status}"),
            ActionsBlock(
                elements=[
                    button("I commit", "sprint_commit", str(sprint.id), style="primary"),
                    button("Commit for the team", "sprint_commit_team", str(sprint.id)),
                ]
            ),
        ],
        "Commitment",
    )


def goal_modal(sprint: Sprint, channel_id: str) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id="sprint_goal",
        title=fit(f"Sprint {sprint.number} goal", 24),
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, sprint=sprint.id),
        blocks=[
            InputBlock(
                block_id="goal",
                label="The outcome this sprint should bring",
                hint="As an outcome: By the end of this sprint we expect …",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=1000,
                    initial_value=sprint.goal or None,
                    placeholder="By the end of this sprint we expect …",
                ),
            ),
            InputBlock(
                block_id="one_thing",
                label="If only one thing gets done, what must it be?",
                optional=True,
                element=PlainTextInputElement(
                    action_id="value", max_length=500, initial_value=sprint.one_thing or None
                ),
            ),
        ],
    ).to_dict()


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
            InputBlock(
                block_id="override_reason",
                label="Why take it although it is not ready?",
                optional=True,
                element=PlainTextInputElement(action_id="value", max_length=300),
            ),
        ]
    return View(
        type="modal",
        callback_id="sprint_select",
        title=fit(f"Sprint {sprint.number} items", 24),
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, sprint=sprint.id),
        blocks=blocks,
    ).to_dict()


def capacity_modal(
    sprint: Sprint,
    channel_id: str,
    developers: Sequence[str],
    names: dict[str, str],
    needs_forecast: bool,
) -> dict[str, Any]:
    blocks: list[Block] = [
        InputBlock(
            block_id=f"off-{dev}",
            label=plain(f"Days off: {names.get(dev, dev)}", 150),
            optional=True,
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=True,
                min_value="0",
                max_value="60",
                initial_value=f"{sprint.days_off.get(dev, 0):g}",
            ),
        )
        for dev in developers[:40]
    ]
    blocks.append(
        InputBlock(
            block_id="focus",
            label="Focus factor (%)",
            hint="The share of time that goes to sprint work; 70-80% is usual.",
            element=NumberInputElement(
                action_id="value",
                is_decimal_allowed=False,
                min_value="10",
                max_value="100",
                initial_value=str(round(sprint.focus_factor * 100)),
            ),
        )
    )
    if needs_forecast:
        blocks.append(
            InputBlock(
                block_id="forecast",
                label="First forecast (points)",
                hint="No sprint has been completed yet, so there is no velocity: your best guess.",
                optional=True,
                element=NumberInputElement(
                    action_id="value",
                    is_decimal_allowed=True,
                    min_value="1",
                    max_value="1000",
                    initial_value=f"{sprint.first_forecast:g}" if sprint.first_forecast else None,
                ),
            )
        )
    return View(
        type="modal",
        callback_id="sprint_capacity",
        title=fit(f"Sprint {sprint.number} capacity", 24),
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, sprint=sprint.id),
        blocks=blocks,
    ).to_dict()


def tasks_modal(sprint: Sprint, sprint_item: SprintItem, channel_id: str) -> dict[str, Any]:
    lines = "\n".join(f"{t.title} {t.hours:g}h" for t in sprint_item.tasks)
    return View(
        type="modal",
        callback_id="sprint_tasks",
        title=fit(f"Tasks for #{sprint_item.item.number}", 24),
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(
            channel=channel_id, sprint=sprint.id, number=sprint_item.item.number
        ),
        blocks=[
            section(f"*#{sprint_item.item.number}* {escape(fit(sprint_item.item.title, 200))}"),
            InputBlock(
                block_id="tasks",
                label="Tasks, one per line with hours",
                hint="e.g. Design DB query 2h",
                optional=True,
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=3000,
                    initial_value=lines or None,
                    placeholder="Design DB query 2h",
                ),
            ),
        ],
    ).to_dict()


def close_modal(sprint: Sprint, channel_id: str) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id="sprint_close",
        title=fit(f"Close sprint {sprint.number}", 24),
        submit="Close sprint",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, sprint=sprint.id),
        blocks=[
            section(
                "Done items count as completed; the others go back to the top of the product "
                "backlog. The review asks the question that matters most:"
            ),
            InputBlock(
                block_id="review",
                label="Did we get the value we expected?",
                element=PlainTextInputElement(action_id="value", multiline=True, max_length=1000),
            ),
        ],
    ).to_dict()


def notice(text: str) -> dict[str, Any]:
    return message([section(text)], text)


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


def role_notice(text: str) -> dict[str, Any]:
    """What a use case adds to its answer: that the actor became the Product Owner."""
    return kit.notice(text, ":crown:")


def upload_comment(user: str, title: str) -> str:
    """The comment on a chart or export uploaded to the channel."""
    return render("sprint_upload.md.j2", user=user, title=title)
