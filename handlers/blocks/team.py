"""Block Kit of the team: roles, settings and help."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    StaticSelectElement,
    UserMultiSelectElement,
)

from bot.domain.calendar import WEEKDAYS, working_days
from bot.domain.commands import USAGE
from bot.domain.teams import Roles
from handlers.blocks import kit
from handlers.blocks.kit import button, context, message, section
from handlers.render import render
from storage.models import Team


def roles_message(roles: Roles, channel_id: str) -> dict[str, Any]:
    body = render("roles.md.j2", roles=roles, channel_id=channel_id)
    edit = button("Edit roles", "roles_edit", channel_id)
    return kit.with_buttons(body, [edit], "Scrum roles", header="Scrum roles")


def roles_modal(roles: Roles, channel_id: str) -> dict[str, Any]:
    def picker(block_id: str, label: str, users: tuple[str, ...], hint: str) -> InputBlock:
        element = UserMultiSelectElement(action_id="value", placeholder="Choose people")
        if users:
            element.initial_users = list(users)
        return InputBlock(
            block_id=block_id, label=label, element=element, optional=block_id != "po", hint=hint
        )

    blocks = [
        picker("po", "Product Owner", roles.po, "Orders the product backlog."),
        picker("sm", "Scrum Master", roles.sm, "Facilitates the meetings."),
        picker("dev", "Developers", roles.dev, "Leave empty: everyone else in the channel."),
    ]
    return kit.modal("roles_edit", "Scrum roles", blocks, channel=channel_id)


def settings_message(team: Team) -> dict[str, Any]:
    timezone = team.timezone or "UTC"
    days = ", ".join(d.capitalize() for d in working_days(team))
    body = render("settings.md.j2", team=team, timezone=timezone, days=days)
    edit = button("Edit settings", "settings_edit", team.channel_id)
    return kit.with_buttons(body, [edit], "Team settings", header="Team settings")


def settings_modal(team: Team) -> dict[str, Any]:
    timezone = team.timezone or "UTC"
    weeks = [Option(value=str(n), label=f"{n} week{'s' if n > 1 else ''}") for n in range(1, 5)]
    days = [Option(value=d, label=d.capitalize()) for d in WEEKDAYS]
    chosen = set(working_days(team))
    blocks = [
        kit.text_input(
            "timezone",
            "Time zone",
            hint="An IANA name such as Europe/Berlin or America/New_York.",
            initial=timezone,
            max_length=64,
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
    ]
    return kit.modal("settings_edit", "Team settings", blocks, channel=team.channel_id)


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
