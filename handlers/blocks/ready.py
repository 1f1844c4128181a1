"""Block Kit of readiness: reports, reminders, the Definition of Ready and its form."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from itertools import groupby
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    HeaderBlock,
    Option,
)

from bot.domain import reminders
from bot.domain.calendar import WEEKDAYS, zone_name
from bot.domain.readiness import (
    QUESTION_MAX,
    RULES,
    DefinitionOfReady,
    Horizon,
    field_gaps,
    gaps,
    points,
)
from bot.domain.reminders import ReminderPlan
from bot.domain.teams import Roles
from bot.usecases.ready import Post, Readiness
from handlers.blocks import kit
from handlers.blocks.backlog import item_count
from handlers.blocks.kit import button, context, message, mrkdwn_notice, section
from handlers.render import fit, render
from storage.models import BacklogItem, Team

FIX_LABELS = {
    "hypothesis": "Write hypothesis",
    "acceptance": "Add criteria",
    "dependencies": "Resolve dependency",
    "estimate": "Fix estimate",
    "checklist": "Tick checklist",
}


REPORT_ROWS = 20
HORIZON_LABEL = "Items to check without a velocity"


def fix_button(channel_id: str, item: BacklogItem, dor: DefinitionOfReady) -> ButtonElement:
    """Opens the item's form with the cursor on its first missing field, from any surface."""
    fields = field_gaps(item, dor)
    field = fields[0][0] if fields else "title"
    value = json.dumps({"c": channel_id, "n": item.number, "f": field}, separators=(",", ":"))
    return button(FIX_LABELS.get(field, "Edit"), "item_fix", value)


def _unready_rows(
    rows: Sequence[tuple[BacklogItem, list[str]]],
    channel_id: str,
    dor: DefinitionOfReady,
    owner_messaged: bool = False,
) -> list[Block]:
    """One row per unready item with its fix. `owner_messaged`: the owner gets a direct
    message the same minute, so the row says so instead of pinging them a second time."""
    blocks: list[Block] = [
        section(
            render("ready_item.md.j2", item=item, gaps=item_gaps, owner_messaged=owner_messaged),
            accessory=fix_button(channel_id, item, dor),
            block_id=f"unready-{item.number}",
        )
        for item, item_gaps in rows[:REPORT_ROWS]
    ]
    if len(rows) > REPORT_ROWS:
        blocks.append(context(render("ready_more.md.j2", more=len(rows) - REPORT_ROWS)))
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
        blocks.append(context(render("ready_snoozed_list.md.j2", items=hz.snoozed)))
    count = len(hz.unready)
    unready = item_count(count, "unready item")
    return message(blocks, f"Readiness check: {unready} near the top")


def reminder_posts(plan: ReminderPlan) -> list[Post]:
    """Today's reminder: the channel's post, and a direct message to each item owner."""
    team, dor = plan.team, DefinitionOfReady.of(plan.team)
    planning_text = f"{plan.planning:%A %d %B}" if plan.planning is not None else "not scheduled"
    posts = [
        Post("channel", team.channel_id, reminder_message(plan, Roles.of(team).po, planning_text))
    ]
    posts += [
        Post(f"dm:{owner}", owner, owner_reminder(team.channel_id, rows, dor))
        for owner, rows in plan.by_owner.items()
    ]
    return posts


def reminder_message(plan: ReminderPlan, po: Sequence[str], planning_text: str) -> dict[str, Any]:
    """The channel's daily reminder."""
    dor = DefinitionOfReady.of(plan.team)
    intro = render("reminder_intro.md.j2", plan=plan, po=po, planning_text=planning_text)
    blocks: list[Block] = [
        section(intro),
        *_unready_rows(plan.horizon.unready, plan.team.channel_id, dor, owner_messaged=True),
        context(render("ready_coverage.md.j2", horizon=plan.horizon, dor=dor)),
    ]
    return message(blocks, intro)


def owner_reminder(
    channel_id: str, rows: Sequence[tuple[BacklogItem, list[str]]], dor: DefinitionOfReady
) -> dict[str, Any]:
    intro = render("owner_reminder.md.j2", items=rows, channel_id=channel_id)
    return message([section(intro), *_unready_rows(rows, channel_id, dor)], intro)


def item_readiness(item: BacklogItem, dor: DefinitionOfReady, channel_id: str) -> dict[str, Any]:
    """`/ready <n>`: the verdict on one item, with its fix (none for a done item: its
    readiness is moot)."""
    item_gaps = gaps(item, dor)
    text = render("item_verdict.md.j2", item=item, gaps=item_gaps)
    accessory = fix_button(channel_id, item, dor) if item_gaps and item.status != "done" else None
    return message([section(text, accessory=accessory)], text)


def days_of(team: Team) -> str:
    """The days the team's reminder comes (those it was given that the team works) as people
    read them: Mon, Tue, Wed."""
    return ", ".join(d.capitalize() for d in reminders.days_of(team).comes)


def spoken_days(days: Sequence[str]) -> str:
    """Weekdays (in week order) as said in a sentence: three or more in a row as a span (its
    first and last day joined by an en dash), the others one by one, the last after "and"."""
    runs = groupby(enumerate(days), key=lambda pair: WEEKDAYS.index(pair[1]) - pair[0])
    words: list[str] = []
    for _, run in runs:
        names = [day.capitalize() for _, day in run]
        words += [f"{names[0]}–{names[-1]}"] if len(names) > 2 else names
    return " and ".join(part for part in (", ".join(words[:-1]), *words[-1:]) if part)


def reminder_days_note(team: Team) -> str:
    """On which days the reminder comes, when some of the days it was given are days the team
    does not work (they are skipped); "" when it comes on all of them, or is off. For the
    answers to `/ready remind` and to a change of the team's working days."""
    days = reminders.days_of(team)
    if not team.remind_at or not days.off:
        return ""
    comes, off, works = spoken_days(days.comes), spoken_days(days.off), team.working_days
    return render("reminder_days_note.md.j2", team=team, comes=comes, off=off, works=works)


def reminder_set(team: Team, due: datetime | None) -> dict[str, Any]:
    """`/ready remind`: when the next reminder comes, on which days if not all those typed,
    or that they are off."""
    zone, days, note = zone_name(team), days_of(team), reminder_days_note(team)
    text = render("reminder_set.md.j2", team=team, zone=zone, due=due, days=days, note=note)
    return mrkdwn_notice(text)


def snoozed(item: BacklogItem) -> dict[str, Any]:
    return mrkdwn_notice(render("ready_snoozed.md.j2", item=item))


def dor_message(found: Readiness) -> dict[str, Any]:
    """`/ready dor` and the saved form: the rules, the checklist, the horizon `/ready` checks
    (`found.horizon`, so both say the same) and the reminder."""
    team = found.team
    body = render(
        "dor.md.j2",
        rules=RULES,
        dor=found.dor,
        horizon=found.horizon,
        team=team,
        zone=zone_name(team),
        remind_days=days_of(team),
        horizon_label=HORIZON_LABEL,
    )
    edit = button("Edit Definition of Ready", "dor_edit", team.channel_id)
    buttons = [edit] if found.may_edit else []  # a Developer's would only refuse them
    return kit.with_buttons(body, buttons, "Definition of Ready", header="Definition of Ready")


def dor_modal(found: Readiness) -> dict[str, Any]:
    """The Definition of Ready form; under its horizon field, whether that number is the rule
    in force now (`found.horizon`: not while the team has a velocity)."""
    dor = found.dor
    rules = [Option(value=key, label=fit(text, 75)) for key, text in RULES.items()]
    blocks = [
        kit.checkboxes_input(
            "rules",
            "Rules",
            rules,
            dor.rules,
            optional=True,
            hint="Untick a rule to switch it off for this team.",
        ),
        kit.number_input(
            "threshold",
            "Split threshold (points)",
            decimal=True,
            low=1,
            high=100,
            initial=points(dor.split_threshold),
        ),
        kit.text_input(
            "questions",
            "Team checklist",
            optional=True,
            hint=f"Your own yes/no questions, one per line of {QUESTION_MAX} characters at "
            "most; members tick them per item.",
            multiline=True,
            max_length=1500,
            initial="\n".join(q.text for q in dor.questions),
            placeholder="UX has reviewed the design",
        ),
        kit.number_input(
            "horizon",
            HORIZON_LABEL,
            decimal=False,
            low=1,
            high=50,
            initial=str(dor.horizon_items),
            hint=render("dor_horizon_hint.md.j2", horizon=found.horizon),
        ),
    ]
    return kit.modal("dor_edit", "Definition of Ready", blocks, channel=found.team.channel_id)
