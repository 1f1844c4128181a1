"""A tracker's connection form (Jira, GitHub or Linear, named in the form's metadata): checked
at once against the tracker, answered in plain words.

What needs no tracker (a board's or project's number, a repository's shape) is checked before
the ack, under its field; the site, the credentials and the board are checked after it (the
tracker may take seconds), while the form says "Checking…": what the tracker refused comes
back in the form, with what was typed (but the secret); a connection is told privately."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.runtime.secrets import Secret
from bot.usecases import tracker_connect as connect_uc
from handlers.asked import Asked
from handlers.blocks import connect as blocks
from handlers.payload import as_int
from handlers.reply import metadata
from handlers.views import form

log = logging.getLogger(__name__)


def _jira(state: dict[str, dict[str, Any]]) -> connect_uc.ConnectForm:
    entered = connect_uc.ConnectForm(
        site=form.text(state, "site"),
        email=form.text(state, "email"),
        token=Secret(form.text(state, "token")),
        board=form.text(state, "board"),
        jql=form.text(state, "jql"),
        acceptance_field=form.text(state, "acceptance"),
    )
    if not entered.board.removeprefix("#").isdigit():
        raise form.FieldError("board", "The board's number, as in …/boards/42.")
    return entered


def _github(state: dict[str, dict[str, Any]]) -> connect_uc.GitHubForm:
    entered = connect_uc.GitHubForm(
        repo=form.text(state, "repo").removeprefix("https://github.com/").strip("/"),
        token=Secret(form.text(state, "token")),
        project=form.text(state, "project"),
        app_id=form.text(state, "app_id"),
        api_url=form.text(state, "api_url"),
        estimate_field=form.text(state, "estimate_field"),
    )
    errors = {}
    if not connect_uc.REPO.match(entered.repo):
        errors["repo"] = "The repository as owner/name, as in acme/shop."
    if entered.project and not entered.project.removeprefix("#").isdigit():
        errors["project"] = "The project's number, as in …/projects/3."
    if entered.app_id and not entered.app_id.isdigit():
        errors["app_id"] = "A GitHub App id is a number (on the App's settings page)."
    if errors:
        raise form.FieldErrors(errors)
    return entered


def _linear(state: dict[str, dict[str, Any]]) -> connect_uc.LinearForm:
    entered = connect_uc.LinearForm(
        api_key=Secret(form.text(state, "api_key")),
        team=form.text(state, "team"),
        api_url=form.text(state, "api_url"),
    )
    if not re.fullmatch(r"[A-Za-z0-9]{1,10}", entered.team):
        raise form.FieldError("team", "The team's key, as in ENG (from ENG-123).")
    return entered


READERS = {"jira": _jira, "github": _github, "linear": _linear}


def read_form(body: dict[str, Any]) -> connect_uc.Form:
    kind = str(metadata(body).get("kind") or "jira")
    return READERS.get(kind, _jira)(form.fields(body))


def _checking(asked: Asked, entered: connect_uc.Form) -> dict[str, Any]:
    return blocks.checking_view(entered.kind, asked.body["view"].get("private_metadata") or "")


@form.submitted(read_form, meanwhile=_checking)
async def save_connection(asked: Asked, entered: connect_uc.Form) -> None:
    """Connects the channel the form was opened in, if it is still that team's. The form shows
    "Checking…" meanwhile; then it says it is connected (the details, the webhook's secret
    among them, come privately, as a message that stays), or comes back with what was typed
    but the secret and what the tracker refused (privately instead, should the person have
    closed it meanwhile)."""
    team = as_int(metadata(asked.body)["team"])
    meta = asked.body["view"].get("private_metadata") or ""
    try:
        outcome = await connect_uc.connect(asked.svc, asked.actor, entered, team, asked.in_channel)
    except Exception:  # said privately by the app's error handler
        await _show(asked, blocks.stopped_view(entered.kind, meta))
        raise
    if isinstance(outcome, connect_uc.Connected):
        await asked.answer(blocks.connected_message(outcome))
        await _show(asked, blocks.connected_view(outcome, meta))
        return
    state = form.fields(asked.body)
    typed = {block: form.text(state, block) for block in state}
    again = blocks.connect_modal(
        asked.actor.channel, team, entered.kind, typed, outcome, private_metadata=meta
    )
    if not await _show(asked, again):
        await asked.answer(blocks.refused_message(outcome))


async def _show(asked: Asked, view: dict[str, Any]) -> bool:
    """The submitted form's view replaced by ``view`` (by its id: no trigger needed); False
    when Slack refused (the person closed it meanwhile)."""
    try:
        await asked.client.views_update(view_id=asked.body["view"]["id"], view=view)
    except SlackApiError as refused:
        log.info(
            "connect form %s not updated: %s",
            asked.body["view"]["id"],
            refused.response.get("error"),
        )
        return False
    return True
