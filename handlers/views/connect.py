"""The Jira connection form: checked at once against Jira, answered privately in plain words.

What needs no Jira (the board's number) is checked before the ack, under its field; the site,
the credentials and the board are checked after it, and the answer comes as a private
message."""

from __future__ import annotations

from typing import Any

from bot.runtime.secrets import Secret
from bot.usecases import tracker_connect as connect_uc
from handlers.asked import Asked
from handlers.blocks import connect as blocks
from handlers.payload import as_int
from handlers.reply import metadata
from handlers.views import form


def read_form(body: dict[str, Any]) -> connect_uc.ConnectForm:
    state = form.fields(body)
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


@form.submitted(read_form)
async def save_connection(asked: Asked, entered: connect_uc.ConnectForm) -> None:
    """Connects the channel the form was opened in, if it is still that team's."""
    team = as_int(metadata(asked.body)["team"])
    outcome = await connect_uc.connect(asked.svc, asked.actor, entered, team, asked.in_channel)
    await asked.tell(outcome.notices)
    if isinstance(outcome, connect_uc.Connected):
        await asked.answer(blocks.connected_message(outcome))
    else:
        await asked.answer(blocks.refused_message(outcome))
