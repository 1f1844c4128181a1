"""Team forms: the team's setup, roles, settings and the Definition of Ready.

Each form names its team's channel in its metadata: it is saved into that channel's team in
the submitter's own workspace, by a PO or SM of it, and never by someone outside it.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from bot.domain import teams
from bot.domain.errors import UserError
from bot.domain.readiness import DEFAULT_HORIZON_ITEMS, DEFAULT_THRESHOLD, DefinitionOfReady
from bot.usecases import ready as ready_uc
from bot.usecases import team as team_uc
from bot.usecases.unit import Actor
from handlers import outbox as slack_outbox
from handlers.asked import Asked
from handlers.blocks import ready as ready_blocks
from handlers.blocks import team as team_blocks
from handlers.common import zone_of
from handlers.flows import team as team_flow
from handlers.reply import metadata
from handlers.views import form


def _submitter(asked: Asked) -> Actor:
    """Who saves the form, in the team (channel) the form was opened for."""
    return replace(asked.actor, channel=metadata(asked.body)["channel"])


def _people(state: dict[str, dict[str, Any]], role: str) -> list[str]:
    """Who a form names for a role: the one person picked for the Product Owner, or the
    people picked for the others."""
    entry = state.get(role, {})
    one = entry.get("selected_user")
    return [one] if one else list(entry.get("selected_users") or [])


def _roles(body: dict[str, Any]) -> list[tuple[str, list[str]]]:
    state = form.fields(body)
    chosen = [(role, _people(state, role)) for role in teams.ROLE_NAMES]
    if not chosen[0][1]:
        raise form.FieldError("po", "A team needs a Product Owner.")
    return chosen


def _handle(option: dict[str, Any]) -> str:
    """A user group's handle as Slack names it, read from its option in the setup form, whose
    label shows it escaped (`setup_modal`): kept raw, it is escaped once wherever it is shown."""
    return html.unescape(option["text"]["text"]).removeprefix("@")


def _setup(body: dict[str, Any]) -> team_uc.TeamSetup:
    """The setup form: people per role (the Product Owner one person), user groups for the
    others, the time zone, the sprint length and start; checked by `_setup_mistakes`."""
    state = form.fields(body)
    people = {r: _people(state, r) for r in teams.ROLE_NAMES}
    groups = [
        teams.RoleGroup(role, o["value"], _handle(o))
        for role, block in team_blocks.SETUP_GROUP_BLOCKS.items()
        for o in state.get(block, {}).get("selected_options") or []
    ]
    zone = form.text(state, "timezone")  # empty: the Product Owner's
    weeks = (state.get("sprint", {}).get("selected_option") or {}).get("value", "2")
    start = state.get("start", {}).get("selected_date") or None
    return team_uc.TeamSetup(people, groups, zone, weeks, start)


def _typed(entry: dict[str, Any]) -> str:
    """What one input of the settings form holds, in the words the command takes: its text,
    the option chosen, the boxes ticked (`mon,tue`), or the date picked."""
    if "selected_options" in entry:
        return ",".join(o["value"] for o in entry["selected_options"] or [])
    if "selected_option" in entry:
        return str((entry["selected_option"] or {}).get("value") or "")
    if "selected_date" in entry:
        return str(entry["selected_date"] or "")
    return str(entry.get("value") or "").strip()


def _settings(body: dict[str, Any]) -> list[tuple[str, str]]:
    """The settings form: the settings changed from what it showed (its metadata's `shown`),
    so a setting changed meanwhile by command stays as it is; each checked as
    `/timebox settings` checks it, a mistake shown under its field in the command's words."""
    state, errors = form.fields(body), {}
    shown = metadata(body).get("shown")
    shown = shown if isinstance(shown, dict) else {}
    typed = {setting: _typed(state[setting]) for setting in teams.SETTINGS if setting in state}
    changes = [(setting, value) for setting, value in typed.items() if value != shown.get(setting)]
    for setting, value in changes:
        try:
            teams.parse_setting(setting, value)
        except UserError as error:
            errors[setting] = error.message
    if errors:
        raise form.FieldErrors(errors)
    return changes


async def _start_in_range(asked: Asked, changes: list[tuple[str, str]]) -> None:
    """Before the ack: a sprint start too far from the team's today (a database read) shows
    under its field, as `/timebox settings start` says it, and the form stays open."""
    for setting, value in changes:
        if setting == "start":
            today = await team_uc.team_today(asked.svc, _submitter(asked))
            try:
                teams.parse_setting(setting, value, today)
            except UserError as error:
                raise form.FieldError(setting, error.message) from None


def _rules(state: dict[str, dict[str, Any]]) -> list[str]:
    return [o["value"] for o in state.get("rules", {}).get("selected_options") or []]


_DOR_PARTS: dict[str, tuple[str, Callable[[dict[str, dict[str, Any]]], Any]]] = {
    # block: (the Definition of Ready's part, how the form's state gives it)
    "rules": ("rules", _rules),
    "threshold": (
        "split_threshold",
        lambda s: float(form.text(s, "threshold") or DEFAULT_THRESHOLD),
    ),
    "questions": ("questions", lambda s: form.text(s, "questions").splitlines()),
    "horizon": ("horizon_items", lambda s: int(form.text(s, "horizon") or DEFAULT_HORIZON_ITEMS)),
}


def _dor(body: dict[str, Any]) -> dict[str, Any]:
    """The Definition of Ready form: each part read and checked alone, so a mistake is shown
    under the field it was made in."""
    state, changes, errors = form.fields(body), {}, {}
    for block, (part, read) in _DOR_PARTS.items():
        try:
            changes[part] = read(state)
            DefinitionOfReady().changed(**{part: changes[part]})
        except UserError as error:
            errors[block] = error.message
        except ValueError:
            errors[block] = "Give whole numbers."
    if errors:
        raise form.FieldErrors(errors)
    return changes


@form.submitted(_roles)
async def save_roles(asked: Asked, chosen: list[tuple[str, list[str]]]) -> None:
    """Sets the roles the form names; the channel hears which changed."""
    who = _submitter(asked)
    zones = zone_of(asked.client)
    changed = await team_uc.assign_roles(asked.svc, who, chosen, asked.in_channel, zone_of=zones)
    await slack_outbox.send_all(asked.svc, asked.client, changed.posts)
    await asked.answer(team_blocks.roles_message(changed.roles, who.channel))


async def _setup_mistakes(asked: Asked, setup: team_uc.TeamSetup) -> None:
    """Before the ack: the form's mistakes under their fields, for who may save it (anyone
    else is told by its save why they may not: `team_uc.setup_mistakes`)."""
    if mistakes := await team_uc.setup_mistakes(asked.svc, _submitter(asked), setup):
        raise form.FieldErrors(dict(mistakes))


@form.submitted(_setup, before_ack=_setup_mistakes)
async def save_setup(asked: Asked, setup: team_uc.TeamSetup) -> None:
    """Sets the team up; the first time (no Product Owner before), the channel is told who
    set it up, after that which roles it changed. The answer says where the sprints start,
    when not on the date picked."""
    who = _submitter(asked)
    setup = replace(setup, groups=await team_flow.with_members(asked.client, setup.groups))
    zones = zone_of(asked.client)
    done = await team_uc.set_up_team(asked.svc, who, setup, asked.in_channel, zone_of=zones)
    await slack_outbox.send_all(asked.svc, asked.client, done.posts)
    await asked.answer(team_blocks.roles_message(done.roles, who.channel, done.start_moved))


@form.submitted(_settings, before_ack=_start_in_range)
async def save_settings(asked: Asked, changes: list[tuple[str, str]]) -> None:
    changed = await team_uc.apply_settings(asked.svc, _submitter(asked), changes, asked.in_channel)
    said = changed.settings, changed.calendar, changed.start_moved
    await asked.answer(team_blocks.settings_message(changed.team, *said))


@form.submitted(_dor)
async def save_dor(asked: Asked, changes: dict[str, Any]) -> None:
    saved = await ready_uc.save_dor(asked.svc, _submitter(asked), changes, asked.in_channel)
    await asked.answer(ready_blocks.dor_message(saved))
