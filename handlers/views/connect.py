"""The Jira connection form: checked at once against Jira, answered privately in plain words.

What needs no Jira (a board number, an email) is checked before the ack, under its field; the
credentials and the board are checked after it, and the answer comes as a private message."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime.secrets import Secret
from bot.runtime.services import services
from bot.usecases import tracker as tracker_uc
from handlers.blocks import connect as blocks
from handlers.common import actor
from handlers.flows.team import Asked, tell_new_po
from handlers.listener import listener
from handlers.payload import as_int
from handlers.reply import metadata
from handlers.views import form


def _form(state: dict[str, dict[str, Any]]) -> tracker_uc.ConnectForm:
    return tracker_uc.ConnectForm(
        site=form.text(state, "site"),
        email=form.text(state, "email"),
        token=Secret(form.text(state, "token")),
        board=form.text(state, "board"),
        jql=form.text(state, "jql"),
        acceptance_field=form.text(state, "acceptance"),
    )


@listener
async def save_connection(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    entered = _form(form.fields(body))
    if not entered.board.removeprefix("#").isdigit():
        await ack(response_action="errors", errors={"board": "The board's number, e.g. 42."})
        return
    await ack()
    asked = Asked(services(context), client, body, actor(body, context))
    outcome = await tracker_uc.connect(
        asked.svc, asked.actor, entered, as_int(metadata(body)["team"])
    )
    await tell_new_po(asked, outcome.notices)
    if isinstance(outcome, tracker_uc.Connected):
        await asked.answer(blocks.connected_message(outcome))
    else:
        await asked.answer(blocks.refused_message(outcome))
