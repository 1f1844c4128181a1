"""Block Kit for every message, modal and Home tab, built with slack_sdk's models.

Builders return plain dicts ready for the Web API; the text inside comes from templates (see
render.py) and is cut to Slack's limits here, where the limits are known.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.backlog import ITEM_TYPES, STATUS_NAMES, Page, format_dependencies, status_of
from bot.domain.calendar import WEEKDAYS, working_days
from bot.domain.commands import USAGE
from bot.domain.readiness import RULES, DefinitionOfReady, Horizon, field_gaps, gaps, points
from bot.domain.teams import Roles
from handlers.render import escape, fit, plain, render
from storage.models import BacklogItem, ItemEvent, Team

SECTION_MAX = 3000
HEADER_MAX = 150


def message(blocks: Sequence[Block], text: str) -> dict[str, Any]:
    """A message payload: blocks plus the fallback Slack shows in notifications.

    `text` is Slack markup already: user text in it must have gone through `escape`.
    """
    return {"blocks": [b.to_dict() for b in blocks], "text": fit(text, 3000)}


def section(text: str, accessory: Any = None, block_id: str | None = None) -> SectionBlock:
    return SectionBlock(
        text=MarkdownTextObject(text=fit(text, SECTION_MAX)),
        accessory=accessory,
        block_id=block_id,
    )


def context(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=fit(text, SECTION_MAX))])


def button(
    label: str, action_id: str, value: str = "", style: str | None = None, url: str | None = None
) -> ButtonElement:
    return ButtonElement(
        text=PlainTextObject(text=fit(label, 75), emoji=True),
        action_id=action_id,
        value=value or None,
        style=style,
        url=url,
    )


def notice(text: str, emoji: str = ":information_source:") -> dict[str, Any]:
    body = render("notice.md.j2", text=text, emoji=emoji)
    return message([section(body)], body)


def mrkdwn_notice(body: str) -> dict[str, Any]:
    """A notice whose text is already Slack markup (rendered by a template)."""
    return message([section(body)], body)


# -- backlog -------------------------------------------------------------------------------------


def backlog_page(page: Page, channel_id: str, dor: DefinitionOfReady) -> dict[str, Any]:
    rows: list[Block] = []
    ready = 0
    for offset, item in enumerate(page.items):
        item_gaps = gaps(item, dor)
        ready += not item_gaps
        text = render(
            "backlog_row.md.j2",
            item=item,
            position=page.first_position + offset,
            type_name=ITEM_TYPES[item.type],
            gaps=item_gaps,
        )
        rows.append(
            section(
                text,
                accessory=button("Open", "backlog_open", str(item.number)),
                block_id=f"item-{item.number}",
            )
        )
    summary = render("backlog_summary.md.j2", page=page, channel_id=channel_id, ready=ready)
    blocks: list[Block] = [HeaderBlock(text="Product backlog"), context(summary), *rows]
    paging = []
    if page.number > 1:
        paging.append(button("◀ Previous", "backlog_prev", str(page.number - 1)))
    if page.number < page.count:
        paging.append(button("Next ▶", "backlog_next", str(page.number + 1)))
    if paging:
        blocks.append(ActionsBlock(block_id="paging", elements=paging))
    return message(blocks, f"Product backlog: {page.total} items")


def item_detail(
    item: BacklogItem, position: int | None, history: Sequence[ItemEvent], dor: DefinitionOfReady
) -> dict[str, Any]:
    status = status_of(item)
    facts = [
        f"*Type:* {ITEM_TYPES[item.type]}",
        f"*Estimate:* {points(item.estimate) + ' pts' if item.estimate is not None else 'none'}",
        f"*Status:* {STATUS_NAMES[status]}",
        f"*Position:* {position if position is not None else '—'}",
        f"*Owner:* {f'<@{item.owner}>' if item.owner else 'nobody'}",
    ]
    extra = render("item_body.md.j2", item=item)
    labels = ", ".join(item.labels)
    tags = " · ".join(
        t
        for t in (
            f"epic: {item.epic}" if item.epic else "",
            f"labels: {labels}" if labels else "",
            f"priority: {item.priority}" if item.priority else "",
        )
        if t
    )
    blocks: list[Block] = [
        # Slack decodes &amp; &lt; &gt; in plain text too, so escaping keeps titles as typed.
        HeaderBlock(text=fit(escape(f"#{item.number} {item.title}"), HEADER_MAX)),
        SectionBlock(fields=[MarkdownTextObject(text=f) for f in facts]),
        section(render("item_readiness.md.j2", gaps=gaps(item, dor))),
        section(extra),
    ]
    if tags:
        blocks.append(context(render("notice.md.j2", emoji=":label:", text=tags)))
    actions = [button("Edit", "item_edit", str(item.number), style="primary")]
    if status in ("new", "open"):
        actions += [
            button("Move to top", "item_top", str(item.number)),
            button("Mark done", "item_done", str(item.number)),
            button("Archive", "item_archive", str(item.number), style="danger"),
        ]
    else:
        actions.append(button("Restore", "item_restore", str(item.number)))
    actions.append(button("Estimates", "poker_history", str(item.number)))  # planning poker
    blocks.append(ActionsBlock(block_id=f"item-actions-{item.number}", elements=actions))
    if history:
        blocks.append(context(render("item_history.md.j2", events=history[:8])))
    return message(blocks, escape(f"#{item.number} {item.title}"))


def metadata_json(**values: Any) -> str:
    return json.dumps(values, separators=(",", ":"))


def edit_modal(
    item: BacklogItem, channel_id: str, dor: DefinitionOfReady, focus: str | None = None
) -> dict[str, Any]:
    """The item form; `focus` puts the cursor on the field a readiness fix is about."""
    type_options = [Option(value=key, label=label) for key, label in ITEM_TYPES.items()]
    initial_type = next(o for o in type_options if o.value == item.type)
    owner = UserSelectElement(action_id="value", placeholder="Who looks after it")
    if item.owner:
        owner.initial_user = item.owner
    estimate = NumberInputElement(
        action_id="value", is_decimal_allowed=True, min_value="0", max_value="1000"
    )
    if item.estimate is not None:
        estimate.initial_value = points(item.estimate)
    blocks: list[Block] = [
        context(render("item_readiness.md.j2", gaps=gaps(item, dor))),
        InputBlock(
            block_id="title",
            label="Title",
            element=PlainTextInputElement(
                action_id="value", initial_value=item.title, max_length=250
            ),
        ),
        InputBlock(
            block_id="hypothesis",
            label="Value hypothesis",
            hint="By doing … we expect … (the value, not the task)",
            optional=True,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                initial_value=item.hypothesis or None,
                max_length=3000,
                placeholder="By doing … we expect …",
            ),
        ),
        InputBlock(
            block_id="type",
            label="Type",
            element=StaticSelectElement(
                action_id="value", options=type_options, initial_option=initial_type
            ),
        ),
        InputBlock(
            block_id="acceptance",
            label="Acceptance criteria",
            hint="One per line.",
            optional=True,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=3000,
                initial_value="\n".join(item.acceptance_criteria) or None,
            ),
        ),
        InputBlock(
            block_id="dependencies",
            label="Dependencies",
            hint="One per line; start with [x] when resolved, [ ] when still open.",
            optional=True,
            element=PlainTextInputElement(
                action_id="value",
                multiline=True,
                max_length=3000,
                initial_value=format_dependencies(item.dependencies) or None,
                placeholder="[ ] #14 payment API contract",
            ),
        ),
        InputBlock(
            block_id="estimate", label="Estimate (story points)", optional=True, element=estimate
        ),
        InputBlock(block_id="owner", label="Owner", optional=True, element=owner),
        InputBlock(
            block_id="epic",
            label="Epic",
            optional=True,
            element=PlainTextInputElement(
                action_id="value", initial_value=item.epic or None, max_length=120
            ),
        ),
        InputBlock(
            block_id="labels",
            label="Labels",
            hint="Separated by commas.",
            optional=True,
            element=PlainTextInputElement(
                action_id="value", initial_value=", ".join(item.labels) or None, max_length=500
            ),
        ),
    ]
    if dor.questions:
        options = [Option(value=q.id, label=plain(q.text, 75)) for q in dor.questions]
        ticked = [o for o in options if (item.checklist or {}).get(o.value)]
        blocks.append(
            InputBlock(
                block_id="checklist",
                label="Team checklist",
                optional=True,
                element=CheckboxesElement(
                    action_id="value", options=options, initial_options=ticked or None
                ),
            )
        )
    for block in blocks:
        if focus and isinstance(block, InputBlock) and block.block_id == focus:
            block.element.focus_on_load = True
    return View(
        type="modal",
        callback_id="item_edit",
        title=fit(f"Edit #{item.number}", 24),
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, number=item.number),
        blocks=blocks,
    ).to_dict()


def import_modal(channel_id: str) -> dict[str, Any]:
    return View(
        type="modal",
        callback_id="backlog_import",
        title="Import backlog items",
        submit="Import",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id),
        blocks=[
            section(
                "Paste CSV with a header line. Jira's export names work: *Summary* (or Title), "
                "Description, Acceptance Criteria, Story Points, Issue Type, Priority, Labels. "
                "Items land at the bottom, in file order. For larger files, share the .csv "
                "file in the channel instead."
            ),
            InputBlock(
                block_id="csv",
                label="CSV",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=3000,
                    placeholder="Summary,Story Points,Issue Type",
                ),
            ),
        ],
    ).to_dict()


# -- team ----------------------------------------------------------------------------------------


def roles_message(roles: Roles, channel_id: str) -> dict[str, Any]:
    body = render("roles.md.j2", roles=roles, channel_id=channel_id)
    return message(
        [
            HeaderBlock(text="Scrum roles"),
            section(body),
            ActionsBlock(elements=[button("Edit roles", "roles_edit", channel_id)]),
        ],
        "Scrum roles",
    )


def roles_modal(roles: Roles, channel_id: str) -> dict[str, Any]:
    def picker(block_id: str, label: str, users: tuple[str, ...], hint: str) -> InputBlock:
        element = UserMultiSelectElement(action_id="value", placeholder="Choose people")
        if users:
            element.initial_users = list(users)
        return InputBlock(
            block_id=block_id, label=label, element=element, optional=block_id != "po", hint=hint
        )

    return View(
        type="modal",
        callback_id="roles_edit",
        title="Scrum roles",
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id),
        blocks=[
            picker("po", "Product Owner", roles.po, "Orders the product backlog."),
            picker("sm", "Scrum Master", roles.sm, "Facilitates the meetings."),
            picker("dev", "Developers", roles.dev, "Leave empty: everyone else in the channel."),
        ],
    ).to_dict()


def settings_message(team: Team, timezone: str) -> dict[str, Any]:
    days = ", ".join(d.capitalize() for d in working_days(team))
    body = render("settings.md.j2", team=team, timezone=timezone, days=days)
    return message(
        [
            HeaderBlock(text="Team settings"),
            section(body),
            ActionsBlock(elements=[button("Edit settings", "settings_edit", team.channel_id)]),
        ],
        "Team settings",
    )


def settings_modal(team: Team, timezone: str) -> dict[str, Any]:
    weeks = [Option(value=str(n), label=f"{n} week{'s' if n > 1 else ''}") for n in range(1, 5)]
    days = [Option(value=d, label=d.capitalize()) for d in WEEKDAYS]
    chosen = set(working_days(team))
    return View(
        type="modal",
        callback_id="settings_edit",
        title="Team settings",
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=team.channel_id),
        blocks=[
            InputBlock(
                block_id="timezone",
                label="Time zone",
                hint="An IANA name such as Europe/Berlin or America/New_York.",
                element=PlainTextInputElement(
                    action_id="value", initial_value=timezone, max_length=64
                ),
            ),
            InputBlock(
                block_id="sprint",
                label="Sprint length",
                element=StaticSelectElement(
                    action_id="value", options=weeks, initial_option=weeks[team.sprint_weeks - 1]
                ),
            ),
            InputBlock(
                block_id="days",
                label="Working days",
                element=CheckboxesElement(
                    action_id="value",
                    options=days,
                    initial_options=[o for o in days if o.value in chosen] or None,
                ),
            ),
        ],
    ).to_dict()


def help_message() -> dict[str, Any]:
    """Every command, one section per slash command (one would outgrow Slack's 3,000 chars)."""
    blocks: list[Block] = [
        section("*Timebox* keeps this channel's product backlog and runs its planning.")
    ]
    blocks += [section(render("help.md.j2", verbs=verbs)) for verbs in USAGE.values()]
    blocks.append(
        context("The Product Owner orders the backlog; `/timebox roles` shows who is who.")
    )
    return message(blocks, "Timebox commands")


# -- readiness -----------------------------------------------------------------------------------

FIX_LABELS = {
    "hypothesis": "Write hypothesis",
    "acceptance": "Add criteria",
    "dependencies": "Resolve dependency",
    "estimate": "Fix estimate",
    "checklist": "Tick checklist",
}
REPORT_ROWS = 20


def fix_button(channel_id: str, item: BacklogItem, dor: DefinitionOfReady) -> ButtonElement:
    """Opens the item's form with the cursor on its first missing field, from any surface."""
    fields = field_gaps(item, dor)
    field = fields[0][0] if fields else "title"
    value = json.dumps({"c": channel_id, "n": item.number, "f": field}, separators=(",", ":"))
    return button(FIX_LABELS.get(field, "Edit"), "item_fix", value)


def _unready_rows(
    rows: Sequence[tuple[BacklogItem, list[str]]], channel_id: str, dor: DefinitionOfReady
) -> list[Block]:
    blocks: list[Block] = [
        section(
            render("ready_item.md.j2", item=item, gaps=item_gaps),
            accessory=fix_button(channel_id, item, dor),
            block_id=f"unready-{item.number}",
        )
        for item, item_gaps in rows[:REPORT_ROWS]
    ]
    if len(rows) > REPORT_ROWS:
        blocks.append(context(f"…and {len(rows) - REPORT_ROWS} more. `/ready` lists them."))
    return blocks


def readiness_report(hz: Horizon, channel_id: str, dor: DefinitionOfReady) -> dict[str, Any]:
    blocks: list[Block] = [
        HeaderBlock(text="Readiness check"),
        context(render("ready_coverage.md.j2", horizon=hz, dor=dor)),
    ]
    if hz.unready:
        blocks += _unready_rows(hz.unready, channel_id, dor)
    else:
        blocks.append(section(":white_check_mark: Everything in the planning horizon is ready."))
    if hz.snoozed:
        snoozed = ", ".join(f"#{item.number}" for item in hz.snoozed)
        blocks.append(context(f":zzz: Snoozed: {snoozed}"))
    return message(blocks, f"Readiness check: {len(hz.unready)} unready items near the top")


def reminder_message(plan: Any, po: Sequence[str], planning_text: str) -> dict[str, Any]:
    """The channel's daily reminder; `plan` is a bot.domain.reminders.ReminderPlan."""
    dor = DefinitionOfReady.of(plan.team)
    intro = render("reminder_intro.md.j2", plan=plan, po=po, planning_text=planning_text)
    blocks: list[Block] = [
        section(intro),
        *_unready_rows(plan.horizon.unready, plan.team.channel_id, dor),
        context(render("ready_coverage.md.j2", horizon=plan.horizon, dor=dor)),
    ]
    return message(blocks, intro)


def owner_reminder(
    channel_id: str, rows: Sequence[tuple[BacklogItem, list[str]]], dor: DefinitionOfReady
) -> dict[str, Any]:
    intro = render("owner_reminder.md.j2", items=rows, channel_id=channel_id)
    return message([section(intro), *_unready_rows(rows, channel_id, dor)], intro)


def item_readiness(item: BacklogItem, dor: DefinitionOfReady, channel_id: str) -> dict[str, Any]:
    """`/ready <n>`: the verdict on one item, with its fix."""
    item_gaps = gaps(item, dor)
    text = render("item_verdict.md.j2", item=item, gaps=item_gaps)
    accessory = fix_button(channel_id, item, dor) if item_gaps else None
    return message([section(text, accessory=accessory)], text)


def dor_message(team: Team, dor: DefinitionOfReady, remind_days: str) -> dict[str, Any]:
    body = render(
        "dor.md.j2",
        rules=RULES,
        dor=dor,
        team=team,
        zone=team.timezone or "UTC",
        remind_days=remind_days,
    )
    return message(
        [
            HeaderBlock(text="Definition of Ready"),
            section(body),
            ActionsBlock(
                elements=[button("Edit Definition of Ready", "dor_edit", team.channel_id)]
            ),
        ],
        "Definition of Ready",
    )


def dor_modal(dor: DefinitionOfReady, channel_id: str) -> dict[str, Any]:
    rules = [Option(value=key, label=fit(text, 75)) for key, text in RULES.items()]
    return View(
        type="modal",
        callback_id="dor_edit",
        title="Definition of Ready",
        submit="Save",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id),
        blocks=[
            InputBlock(
                block_id="rules",
                label="Rules",
                optional=True,
                hint="Untick a rule to switch it off for this team.",
                element=CheckboxesElement(
                    action_id="value",
                    options=rules,
                    initial_options=[o for o in rules if o.value in dor.rules] or None,
                ),
            ),
            InputBlock(
                block_id="threshold",
                label="Split threshold (points)",
                element=NumberInputElement(
                    action_id="value",
                    is_decimal_allowed=True,
                    min_value="1",
                    max_value="100",
                    initial_value=points(dor.split_threshold),
                ),
            ),
            InputBlock(
                block_id="questions",
                label="Team checklist",
                optional=True,
                hint="Your own yes/no questions, one per line; members tick them per item.",
                element=PlainTextInputElement(
                    action_id="value",
                    multiline=True,
                    max_length=1500,
                    initial_value="\n".join(q.text for q in dor.questions) or None,
                    placeholder="UX has reviewed the design",
                ),
            ),
            InputBlock(
                block_id="horizon",
                label="Items to check without a velocity",
                element=NumberInputElement(
                    action_id="value",
                    is_decimal_allowed=False,
                    min_value="1",
                    max_value="50",
                    initial_value=str(dor.horizon_items),
                ),
            ),
        ],
    ).to_dict()


def health_message(health: Any, channel_id: str) -> dict[str, Any]:
    """`/backlog health`; `health` is a bot.domain.backlog_health.Health."""
    hz = health.horizon
    if hz.velocity:
        coverage = f"ready work covers {hz.coverage:.1f} sprints; aim for 2."
    else:
        ready = len(hz.items) - len(hz.unready) - len(hz.snoozed)
        coverage = f"{ready} of the top {len(hz.items)} items are ready (no velocity yet)."
    blocks: list[Block] = [
        HeaderBlock(text="Backlog health"),
        section(render("health.md.j2", health=health, coverage=coverage)),
    ]
    if health.stale:
        blocks.append(
            ActionsBlock(
                elements=[
                    button(
                        f"Archive {len(health.stale)} stale items",
                        "archive_stale",
                        channel_id,
                        style="danger",
                    )
                ]
            )
        )
    return message(blocks, "Backlog health")
