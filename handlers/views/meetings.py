"""Meeting forms: a session's goal or action item, and the agenda.

The meeting a form names (its private_metadata) is looked up inside the submitting person's
team: another team's meeting is refused by the use case and nothing changes.
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain.errors import UserError
from bot.usecases import meetings
from handlers import payload
from handlers.asked import Asked
from handlers.blocks import meetings as meeting_blocks
from handlers.flows import meetings as meeting_flow
from handlers.listener import listener
from handlers.render import unmarked
from handlers.reply import metadata
from handlers.views import form


def _meeting_text(body: dict[str, Any]) -> tuple[str, str, str | None]:
    """What the goal's or the action item's form says: which one, its text, the owner."""
    state, goal = form.fields(body), body["view"]["callback_id"] == "meeting_goal"
    block = "goal" if goal else "text"
    if not (text := form.text(state, block)):
        raise form.FieldError(block, "Write it.")
    owner = state.get("owner", {}).get("selected_user")
    return block, text, owner if isinstance(owner, str) else None


@form.submitted(_meeting_text)
async def save_meeting_text(asked: Asked, given: tuple[str, str, str | None]) -> None:
    """The session goal, or an action item with its owner."""
    (block, text, owner), meeting_id = given, metadata(asked.body)["meeting"]
    svc, who, member = asked.svc, asked.actor, asked.in_channel
    if block == "goal":
        done = await meetings.set_goal(svc, who, text, member, meeting_id)
    else:
        done = await meetings.add_action(svc, who, text, owner, member, meeting_id)
    await meeting_flow.announce(asked.svc, asked.client, done)


def _agenda_form(body: dict[str, Any]) -> meetings.AgendaForm:
    state, meta = form.fields(body), metadata(body)
    team_id = payload.as_int(meta["team"]) if meta.get("team") is not None else None
    if body["view"]["callback_id"] == "agenda_yaml":
        return meetings.AgendaForm(meta["kind"], team_id, yaml=form.text(state, "yaml"))
    count = sum(block.startswith("minutes-") for block in state)
    amounts = [form.text(state, f"minutes-{i}") for i in range(count)]
    purposes = [form.text(state, f"purpose-{i}") for i in range(count)]
    return meetings.AgendaForm(meta["kind"], team_id, amounts=amounts, purposes=purposes)


@listener
async def save_agenda(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Lengths and purposes from the form, or a whole YAML agenda; a broken one is refused
    under its field, before the ack, and the agenda stays as it was."""
    asked, given = Asked.of(body, client, context), _agenda_form(body)
    try:
        agenda = await meetings.agenda_from_form(asked.svc, asked.actor, given)
    except UserError as error:
        block = "yaml" if given.yaml is not None else "minutes-0"
        await ack(response_action="errors", errors={block: unmarked(error.message)[:150]})
        return
    await ack()
    svc, who = asked.svc, asked.actor
    shown = await meetings.save_agenda(svc, who, agenda, asked.in_channel, given.team_id)
    await asked.answer(meeting_blocks.agenda_shown(shown))
