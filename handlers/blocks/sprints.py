"""Block Kit for sprint planning and the sprint: the plan, its forms, and the sprint card."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    HeaderBlock,
    InputBlock,
    Option,
    OverflowMenuElement,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from agendas import planning as plan
from bot.domain import tasks
from bot.domain.capacity import VELOCITY_SPRINTS, Capacity
from bot.domain.readiness import points_unit
from bot.usecases.planning import PlanNote
from bot.usecases.sprints import (
    InSprint,
    ScopeChanged,
    SprintCard,
    SprintClosed,
    SprintToClose,
)
from bot.usecases.tasks import TaskCard
from handlers.blocks import kit
from handlers.blocks.kit import button, context, message, mrkdwn_notice, section
from handlers.render import plain, render
from storage.models import BacklogItem, Sprint, SprintItem, SprintTask

MAX_OPTIONS = 100


def _item_option(item: BacklogItem) -> Option:
    points = f" · {points_unit(item.estimate)}" if item.estimate is not None else ""
    return Option(value=str(item.number), label=plain(f"#{item.number} {item.title}{points}", 75))


def card(shown: SprintCard) -> dict[str, Any]:
    """The answer to `/sprint`: the current sprint, its items and progress."""
    return sprint_card(
        shown.sprint, shown.items, shown.days_left, shown.changes, shown.ends, shown.starts
    )


ITEMS_SHOWN = 40  # sections on the sprint card (Slack allows 50 blocks in a message)


def sprint_card(
    sprint: Sprint,
    items: Sequence[SprintItem],
    days_left: int | None,
    changes: int,
    ends: date | None = None,
    starts: date | None = None,
) -> dict[str, Any]:
    """The sprint, then each item with its progress (tasks done, hours left, who works on it)
    and a button to its tasks. `ends`: its last working day (else the last day of its slot);
    `starts`: the first day of a sprint committed ahead of its slot, not running yet."""
    all_tasks = [task for si in items for task in si.tasks]
    summary = render(
        "sprint_card.md.j2",
        part="summary",
        sprint=sprint,
        items=items,
        days_left=days_left,
        ends=ends or sprint.ends_on,
        done_points=sum(si.item.estimate or 0 for si in items if si.done_at),
        total_points=sum(si.item.estimate or 0 for si in items),
        changes=changes,
        hours=tasks.planned(all_tasks),
        left=tasks.hours_left(all_tasks),
        shown=ITEMS_SHOWN,
    )
    state = {"planning": "being planned", "active": "running", "closed": "closed"}[sprint.status]
    if starts is not None:
        state = f"committed, starts {starts:%a %d %b}"
    blocks: list[Block] = [HeaderBlock(text=f"Sprint {sprint.number} ({state})"), section(summary)]
    for si in items[:ITEMS_SHOWN]:
        text = render("sprint_card.md.j2", part="item", si=si, **_progress(si))
        value = f"{sprint.id}:{si.item.number}"
        blocks.append(section(text, accessory=button("Tasks", "sprint_item_tasks", value)))
    return message(blocks, f"Sprint {sprint.number}")


def _progress(si: SprintItem) -> dict[str, Any]:
    """An item's progress by its tasks: done, planned hours, hours left, their owners."""
    owners = dict.fromkeys(t.owner for t in si.tasks if t.owner and not t.done)
    return {
        "done": tasks.done_count(si.tasks),
        "hours": tasks.planned(si.tasks),
        "left": tasks.hours_left(si.tasks),
        "owners": list(owners),
    }


def task_card(card: TaskCard) -> dict[str, Any]:
    """An item's tasks, numbered, each with its menu (take it, done, reopen), and the way to
    change them by command or in the tasks form."""
    sprint, si = card.sprint, card.sprint_item
    changed_left = tasks.left(card.task) if card.task else 0.0
    head = render(
        "task_card.md.j2",
        part="item",
        si=si,
        changed=card.task,
        changed_left=changed_left,
        **_progress(si),
    )
    blocks: list[Block] = [section(head)]
    for position, task in enumerate(si.tasks[: tasks.TASKS_MAX], start=1):
        text = render("task_card.md.j2", part="task", task=task, n=position, left=tasks.left(task))
        menu = _task_menu(sprint, task)
        blocks.append(section(text, accessory=menu, block_id=f"task-{task.id}"))
    blocks.append(context(render("task_card.md.j2", part="hint", number=si.item.number)))
    edit = button("Edit tasks", "sprint_tasks", f"{sprint.id}:{si.item.number}")
    blocks.append(ActionsBlock(elements=[edit]))
    return message(blocks, f"Tasks of #{si.item.number}")


def _task_menu(sprint: Sprint, task: SprintTask) -> OverflowMenuElement:
    """Take it, and done or reopen: the value names the sprint and the task (looked up inside
    the clicking person's team)."""
    choices = [("take", "Take it"), ("open", "Reopen") if task.done else ("done", "Done")]
    options = [
        Option(value=f"{verb}:{sprint.id}:{task.id}", label=label) for verb, label in choices
    ]
    return OverflowMenuElement(action_id="sprint_task", options=options)


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
    sprint: Sprint,
    proposal: Sequence[BacklogItem],
    forecast: float | None,
    over: BacklogItem | None = None,
) -> dict[str, Any]:
    listed = ", ".join(f"#{i.number} {i.title}" for i in proposal[:15])  # escaped there
    text = render("plan_selection.md.j2", listed=listed, forecast=forecast, over=over)
    choose = button("Choose items", "sprint_select", str(sprint.id), style="primary")
    return kit.with_buttons(text, [choose], "Selection")


# The planning cards that show where the plan stands: posted once in the meeting's thread when
# their section opens, then updated in place at each change (see handlers/flows/planning.py).
PLAN_CARDS = ("capacity", "breakdown", "commit")


def _card_id(kind: str, sprint: Sprint) -> str:
    return f"plan-{kind}-{sprint.id}"


def plan_card_kind(blocks: Sequence[dict[str, Any]], sprint: Sprint) -> str | None:
    """Which planning card of `sprint` a message of the thread is (None: none of them)."""
    ids = {block.get("block_id") for block in blocks[:1]}
    return next((kind for kind in PLAN_CARDS if _card_id(kind, sprint) in ids), None)


def plan_card(kind: str, state: plan.PlanState) -> dict[str, Any]:
    """A planning card as the plan stands now."""
    status = plan_status(state.sprint, state.items, state.capacity, state.closed_sprints)
    if kind == "capacity":
        return section_capacity(status, state.sprint)
    if kind == "breakdown":
        return section_breakdown(state.sprint, state.items)
    return section_commit(state.sprint, status)


def section_capacity(status: str, sprint: Sprint) -> dict[str, Any]:
    days_off = button("Days off & focus", "sprint_capacity", str(sprint.id))
    blocks = [
        section(status, block_id=_card_id("capacity", sprint)),
        ActionsBlock(elements=[days_off]),
    ]
    return message(blocks, "Capacity")


def section_breakdown(sprint: Sprint, items: Sequence[SprintItem]) -> dict[str, Any]:
    """The items with their tasks and hours so far, each with a button to its tasks form."""
    all_tasks = [task for si in items for task in si.tasks]
    text = render(
        "task_card.md.j2",
        part="breakdown",
        count=len(all_tasks),
        hours=tasks.planned(all_tasks),
        items=len(items),
        planned=sum(1 for si in items if si.tasks),
    )
    blocks: list[Block] = [section(text, block_id=_card_id("breakdown", sprint))]
    for si in items[:20]:
        text = render("task_card.md.j2", part="breakdown_row", si=si, hours=tasks.planned(si.tasks))
        edit = button("Tasks", "sprint_tasks", f"{sprint.id}:{si.item.number}")
        blocks.append(section(text, accessory=edit))
    return message(blocks, "Task breakdown")


def section_commit(sprint: Sprint, status: str) -> dict[str, Any]:
    buttons = [
        button("I commit", "sprint_commit", str(sprint.id), style="primary"),
        button("Commit for the team", "sprint_commit_team", str(sprint.id)),
    ]
    text = render("plan_commit.md.j2", sprint=sprint, status=status)
    blocks = [section(text, block_id=_card_id("commit", sprint)), ActionsBlock(elements=buttons)]
    return message(blocks, "Commitment")


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
    return _sprint_form("sprint_goal", f"Sprint {sprint.number} goal", sprint, channel_id, blocks)


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

    def ready_items(block_id: str, label: str, placeholder: str, initial: list[Option]) -> Block:
        return InputBlock(
            block_id=block_id,
            label=label,
            optional=True,
            element=StaticMultiSelectElement(
                action_id="value",
                placeholder=placeholder,
                options=ready_options or [Option(value="0", label="No ready item")],
                initial_options=initial or None,
            ),
        )

    supporting_goal = [o for o in picked if int(o.value) in supporting]
    blocks = [
        ready_items("items", "Ready items for the sprint", "Items", picked),
        ready_items(
            "goal_items",
            "Which of them serve the sprint goal?",
            "Items for the goal",
            supporting_goal,
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
    return _sprint_form("sprint_select", title, sprint, channel_id, blocks)


DAYS_OFF = "Days off: "


def capacity_modal(
    sprint: Sprint,
    channel_id: str,
    developers: Sequence[str],
    names: dict[str, str],
    needs_forecast: bool,
    working_days: int,
) -> dict[str, Any]:
    """Days off per developer (at most the sprint's working days: the form says how many and
    its check refuses more), the focus factor, and a first forecast without velocity."""
    blocks: list[Block] = [
        kit.number_input(
            f"off-{dev}",
            plain(f"{DAYS_OFF}{names.get(dev, dev)}", 150),
            hint=f"The sprint has {working_days} working days.",
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
    return _sprint_form(
        "sprint_capacity", title, sprint, channel_id, blocks, working_days=working_days
    )


def tasks_modal(sprint: Sprint, sprint_item: SprintItem, channel_id: str) -> dict[str, Any]:
    item = sprint_item.item
    blocks = [
        section(render("item_title.md.j2", item=item)),
        kit.text_input(
            "tasks",
            "Tasks, one per line with hours",
            hint=(
                "e.g. Design DB query 2h · Review 30m · [x] Write tests 1h30 (done) · "
                "Build it 6h, 4h left"
            ),
            optional=True,
            multiline=True,
            max_length=3000,
            initial="\n".join(tasks.line_of(t) for t in sprint_item.tasks),
            placeholder="Design DB query 2h",
        ),
    ]
    title = f"Tasks for #{item.number}"
    return _sprint_form("sprint_tasks", title, sprint, channel_id, blocks, number=item.number)


def close_modal(to_close: SprintToClose, channel_id: str) -> dict[str, Any]:
    """The closing form; one closed with a whole working day of it still to come after today
    says so, as it ends early (on its last working day it ends on time)."""
    sprint, early = to_close.sprint, to_close.days_after_today > 0
    blocks: list[Block] = (
        [section(render("sprint_close_early.md.j2", to_close=to_close))] if early else []
    )
    blocks += [
        section(
            "Done items count as completed; the others go back to the top of the product "
            "backlog. The review asks the question that matters most:"
        ),
        kit.text_input(
            "review", "Did we get the value we expected?", multiline=True, max_length=1000
        ),
    ]
    title = f"Close sprint {sprint.number}"
    return _sprint_form("sprint_close", title, sprint, channel_id, blocks, submit="Close sprint")


def _sprint_form(
    callback_id: str,
    title: str,
    sprint: Sprint,
    channel_id: str,
    blocks: Sequence[Block],
    **more: Any,
) -> dict[str, Any]:
    """A form about `sprint`, naming it and the team's channel: the use case of its submission
    refuses it from any other team."""
    return kit.modal(callback_id, title, blocks, channel=channel_id, sprint=sprint.id, **more)


# -- the sprint after commitment -------------------------------------------------------------


def scope_changed(changed: ScopeChanged) -> dict[str, Any]:
    """The renegotiation, announced in the channel to the PO and a removed item's owner (but
    the one who made it)."""
    text = render(
        "scope_change.md.j2",
        told=changed.told,
        sprint=changed.sprint,
        actor=changed.change.actor,
        action="add" if changed.change.action == "added" else "remove",
        item=changed.item,
        reason=changed.change.reason,
        risks=changed.risks,
        tracker=changed.tracker,
    )
    return mrkdwn_notice(text)


def scope_logged() -> dict[str, Any]:
    return kit.notice("Logged and announced in the channel.", ":memo:")


def plan_note(note: PlanNote) -> dict[str, Any]:
    """What changed in the plan, without where the plan stands (its cards show that)."""
    return mrkdwn_notice(render("planning_note.md.j2", note=note, status="").strip())


def no_chart(reason: str) -> dict[str, Any]:
    """A chart with nothing to draw yet: said privately, in words."""
    return kit.notice(reason, ":bar_chart:")


def item_done(finished: InSprint) -> dict[str, Any]:
    n = finished.sprint_item.item.number
    return mrkdwn_notice(render("item_done.md.j2", n=n, finished=finished))


def sprint_closed(closed: SprintClosed) -> dict[str, Any]:
    return mrkdwn_notice(
        render("sprint_closed.md.j2", closing=closed.closing, velocity=closed.velocity)
    )


def upload_comment(user: str, title: str, summary: str = "") -> str:
    """The comment on a chart or export uploaded to the channel."""
    return render("sprint_upload.md.j2", user=user, title=title, summary=summary)
