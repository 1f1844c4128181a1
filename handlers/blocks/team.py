"""Block Kit of the team: roles, settings and help."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    DatePickerElement,
    InputBlock,
    Option,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)

from bot.domain import teams
from bot.domain.calendar import WEEKDAYS, working_days, zone_name
from bot.domain.commands import USAGE
from bot.domain.refinement_budget import SHARE_RANGE
from bot.domain.sprints import Recalendared
from bot.domain.teams import Roles
from bot.usecases.team import RolesChanged, SettingChange, StartMoved, TeamSetUp
from handlers.blocks import kit
from handlers.blocks.kit import button, context, message, section
from handlers.blocks.ready import reminder_days_note
from handlers.render import plain, render
from storage.models import Team


def roles_message(
    roles: Roles, channel_id: str, start_moved: StartMoved | None = None
) -> dict[str, Any]:
    """The roles card; after the setup form, why the sprints do not start on the date picked
    first, when they do not (in the settings confirmation's words)."""
    body = render("roles.md.j2", roles=roles, channel_id=channel_id)
    if start_moved is not None:
        moved = render("settings_changed.md.j2", changes=(), calendar=None, start_moved=start_moved)
        body = f"{moved}\n\n{body}"
    edit = button("Edit roles", "roles_edit", channel_id)
    setup = button("Team setup", "team_setup", channel_id)
    return kit.with_buttons(body, [edit, setup], "Scrum roles", header="Scrum roles")


def not_in_channel(error: teams.NotInChannel) -> dict[str, Any]:
    """The answer to naming for a role people outside the team's channel: who, and to invite
    them first."""
    body = render("roles_not_in_channel.md.j2", outsiders=error.outsiders, channel_id=error.channel)
    return kit.mrkdwn_notice(body)


# -- setting a team up ---------------------------------------------------------------------------

SETUP_GROUP_BLOCKS = {role: f"{role}_groups" for role in ("sm", "dev")}  # the PO: one person
WEEKS = [Option(value=str(n), label=f"{n} week{'s' if n > 1 else ''}") for n in range(1, 5)]


def channel_only(command: str) -> dict[str, Any]:
    """The answer to a command typed in a direct message: Timebox plans in a channel, and how
    to add it to one."""
    return kit.mrkdwn_notice(render("setup_channel_only.md.j2", command=command))


def setup_offer(problem: str, channel_id: str) -> dict[str, Any]:
    """What an action that needs a role answers while nobody holds it: a button to the
    team's setup form."""
    body = render("setup_offer.md.j2", problem=problem)
    start = button("Set up the team", "team_setup", channel_id, style="primary")
    return kit.with_buttons(body, [start], problem)


def setup_modal(
    team: Team, roles: Roles, groups: Sequence[tuple[str, str]], zone: str, own: str
) -> dict[str, Any]:
    """The team's setup form: who holds each role (people, and the workspace's user groups
    when it has any), the time zone, the sprint length and the first sprint's start.
    `groups`: (id, handle) of the workspace's user groups; `zone`: the team's time zone (empty:
    none yet, and left empty the PO's is taken); `own`: the asker's, named in the hint."""

    def people(role: str, label: str, hint: str) -> InputBlock:
        named = [u for u in roles.named(role) if not u.startswith("S")]
        element = _people_picker(role, named)
        return InputBlock(
            block_id=role, label=label, element=element, optional=role != "po", hint=hint
        )

    def group_picker(role: str, label: str) -> InputBlock:
        options = [Option(value=gid, label=plain(f"@{handle}", 75)) for gid, handle in groups]
        held = set(roles.named(role))
        element = StaticMultiSelectElement(
            action_id="value",
            placeholder="Choose user groups",
            options=options[:100],
            initial_options=[o for o in options[:100] if o.value in held] or None,
        )
        return InputBlock(
            block_id=SETUP_GROUP_BLOCKS[role], label=label, element=element, optional=True
        )

    blocks: list[Block] = [
        context(render("setup_intro.md.j2", channel_id=team.channel_id)),
        people("po", "Product Owner", PO_HINT),
        people("sm", "Scrum Masters", "Facilitate the meetings."),
        people("dev", "Developers", "Leave empty: everyone else in the channel."),
    ]
    if groups:  # not for the Product Owner: one person, not a committee
        blocks += [
            group_picker("sm", "Scrum Masters: user groups"),
            group_picker("dev", "Developers: user groups"),
        ]
    hint = f"Empty: the Product Owner's, from their Slack profile (yours is {own}). {ZONE_HINT}"
    blocks += [*_zone_and_length(team, zone, hint=hint), _start(team, optional=True)]
    return kit.modal("team_setup", "Team setup", blocks, channel=team.channel_id)


ZONE_HINT = "An IANA name such as Europe/Berlin or America/New_York."
PO_HINT = "Orders the product backlog: one person (Scrum's Product Owner is not a committee)."


def _people_picker(role: str, named: Sequence[str]) -> UserSelectElement | UserMultiSelectElement:
    """Who holds a role in the setup and roles forms: one person for the Product Owner, any
    number for the others; opened on who holds it (named people, not user groups)."""
    if role == "po":
        one = UserSelectElement(action_id="value", placeholder="Choose one person")
        if named:
            one.initial_user = named[0]
        return one
    many = UserMultiSelectElement(action_id="value", placeholder="Choose people")
    if named:
        many.initial_users = list(named)
    return many


def _zone_and_length(team: Team, zone: str, *, hint: str | None = None) -> list[Block]:
    """The time zone and sprint length inputs, the same in the setup and the settings form;
    a `hint` of its own makes the zone optional (the setup form's: empty is the PO's)."""
    return [
        kit.text_input(
            "timezone",
            "Time zone",
            hint=hint or ZONE_HINT,
            initial=zone,
            max_length=64,
            optional=hint is not None,
        ),
        _choice("sprint", "Sprint length", WEEKS, str(team.sprint_weeks)),
    ]


def _start(team: Team, *, optional: bool) -> InputBlock:
    """The first sprint's start, the same in the setup and the settings form."""
    start = DatePickerElement(action_id="value", placeholder="First day of the first sprint")
    if team.sprint_start is not None:
        start.initial_date = team.sprint_start.isoformat()
    return InputBlock(
        block_id="start",
        label="Sprints start on",
        element=start,
        optional=optional,
        hint="The first day of a sprint; the next ones follow every sprint length.",
    )


def _choice(
    block_id: str, label: str, options: list[Option], chosen: str, **field: Any
) -> InputBlock:
    """A one-of-these input of a team form, on the option whose value is `chosen`; `field`
    may say `hint`."""
    initial = next(o for o in options if o.value == chosen)
    element = StaticSelectElement(action_id="value", options=options, initial_option=initial)
    return InputBlock(block_id=block_id, label=label, element=element, **field)


def setup_announcement(set_up: TeamSetUp) -> dict[str, Any]:
    """The channel is told who set the team up, and how."""
    team = set_up.team
    body = render(
        "team_set_up.md.j2",
        user=set_up.by,
        roles=Roles.of(team),
        team=team,
        timezone=zone_name(team),
    )
    return message([section(body)], render("notice.md.j2", emoji=":tada:", text="Team set up"))


def roles_changed(changed: RolesChanged) -> dict[str, Any]:
    """The channel is told who changed which roles: who came and who went."""
    body = render(
        "roles_changed.md.j2", by=changed.by, changes=changed.changes, names=teams.ROLE_NAMES
    )
    return kit.mrkdwn_notice(body)


def roles_modal(roles: Roles, channel_id: str) -> dict[str, Any]:
    def picker(block_id: str, label: str, users: tuple[str, ...], hint: str) -> InputBlock:
        element = _people_picker(block_id, users)
        return InputBlock(
            block_id=block_id, label=label, element=element, optional=block_id != "po", hint=hint
        )

    def people(role: str) -> tuple[str, ...]:
        """Those named themselves: a user group keeps its role when this form is saved."""
        return tuple(u for u in roles.named(role) if not u.startswith("S"))

    blocks = [
        picker("po", "Product Owner", people("po"), PO_HINT),
        picker("sm", "Scrum Master", people("sm"), "Facilitates the meetings."),
        picker("dev", "Developers", people("dev"), "Leave empty: everyone else in the channel."),
    ]
    return kit.modal("roles_edit", "Scrum roles", blocks, channel=channel_id)


def settings_message(
    team: Team,
    changes: Sequence[SettingChange] = (),
    calendar: Recalendared | None = None,
    start_moved: StartMoved | None = None,
) -> dict[str, Any]:
    """The settings card; after a change, a line on top for each setting it named: what it
    was and what it is now, or that it already was so; where the sprints to come now fall,
    when it moved them; and why they do not start on the date typed, when they do not."""
    timezone = zone_name(team)
    days = ", ".join(d.capitalize() for d in working_days(team))
    off_day = teams.off_day_start(team)
    body = render("settings.md.j2", team=team, timezone=timezone, days=days, off_day=off_day)
    said = [
        replace(
            c, before=_setting_value(c.setting, c.before), after=_setting_value(c.setting, c.after)
        )
        for c in changes
    ]
    changed = render(
        "settings_changed.md.j2", changes=said, calendar=calendar, start_moved=start_moved
    )
    if any(c.setting == "days" and c.before != c.after for c in changes):
        changed = "\n".join(part for part in (changed, reminder_days_note(team)) if part)
    edit = button("Edit settings", "settings_edit", team.channel_id)
    text = f"{changed}\n\n{body}" if changed else body
    return kit.with_buttons(text, [edit], changed or "Team settings", header="Team settings")


def _setting_value(setting: str, words: str) -> Any:
    """A setting's words (`teams.setting_words`) as its confirmation shows them: working days
    as runs of days in a row (`_day_runs`), the start as a date (None: not set)."""
    if setting == "days":
        return _day_runs(words.split(","))
    if setting == "start":
        return date.fromisoformat(words) if words else None
    return words


def _day_runs(days: Sequence[str]) -> str:
    """Weekdays as runs of days in a row, in the week's order, each run its first and last
    day joined by an en dash (Mon to Fri, or Mon, then Wed to Thu)."""
    runs: list[list[str]] = []
    for day in (d for d in WEEKDAYS if d in days):
        if runs and WEEKDAYS.index(runs[-1][-1]) + 1 == WEEKDAYS.index(day):
            runs[-1].append(day)
        else:
            runs.append([day])
    named = (run[0].capitalize() + (f"–{run[-1].capitalize()}" if run[1:] else "") for run in runs)
    return ", ".join(named) or "none"


PRIORITIES = [
    Option(value="off", label="MoSCoW only"),
    Option(value="wsjf", label="WSJF (weighted shortest job first)"),
    Option(value="opportunity", label="Opportunity scoring"),
]


NUMBER_SETTINGS = {
    # setting: (label, decimals allowed, the range the command takes, hint)
    "stale": (
        "Stale after (days untouched)",
        False,
        teams.STALE_RANGE,
        "An item nobody touched for this long is stale: /backlog health names it.",
    ),
    "refinement": (
        "Refinement budget (% of capacity)",
        True,
        SHARE_RANGE,
        "The share of each sprint's capacity spent refining the backlog.",
    ),
}


def settings_modal(team: Team) -> dict[str, Any]:
    """The settings form: every setting `/timebox settings` sets (teams.SETTINGS, one input
    each, named by the setting), opened on what is set. Its metadata keeps what it showed, so
    saving it sets only what was changed in it."""
    words = teams.setting_words(team)
    days = [Option(value=d, label=d.capitalize()) for d in WEEKDAYS]
    blocks: list[Block] = [
        *_zone_and_length(team, words["timezone"]),
        kit.checkboxes_input("days", "Working days", days, working_days(team)),
        _start(team, optional=team.sprint_start is None),  # the command cannot unset it
        kit.text_input(
            "country",
            "Public holidays off",
            initial=words["country"],
            max_length=8,
            optional=True,
            placeholder="DE",
            hint="The country whose public holidays the team takes off: two letters such as "
            "DE, US, FR or IN. Leave it empty for none.",
        ),
        *(
            kit.number_input(
                setting,
                label,
                decimal=decimal,
                low=low,
                high=high,
                initial=words[setting],
                hint=hint,
            )
            for setting, (label, decimal, (low, high), hint) in NUMBER_SETTINGS.items()
        ),
        _choice(
            "priority",
            "Prioritisation",
            PRIORITIES,
            words["priority"],
            hint="How items are scored to suggest an order, besides MoSCoW.",
        ),
    ]
    assert {b.block_id for b in blocks} == set(teams.SETTINGS)
    return kit.modal("settings_edit", "Team settings", blocks, channel=team.channel_id, shown=words)


def help_message(command: str | None = None) -> dict[str, Any]:
    """One command's subcommands (`/backlog help`), or every command (`/timebox help`), one
    section per slash command (one would outgrow Slack's 3,000 chars)."""
    if command is not None and command != "/timebox":
        blocks: list[Block] = [
            section(render("help.md.j2", verbs=USAGE[command])),
            context("`/timebox help` lists every command."),
        ]
        return message(blocks, f"{command} commands")
    blocks = [
        section(
            "*Timebox* keeps a channel's product backlog and runs its planning: each channel "
            "it is in is one team, planned in that channel."
        )
    ]
    blocks += [section(render("help.md.j2", verbs=verbs)) for verbs in USAGE.values()]
    blocks.append(
        context("The Product Owner orders the backlog; `/timebox roles` shows who is who.")
    )
    return message(blocks, "Timebox commands")
