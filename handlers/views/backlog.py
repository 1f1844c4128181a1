"""Backlog forms: an item's fields, and CSV pasted for import.

Each form names the team it was opened for (in its private_metadata); the use case refuses a
submission from any other team. The item form also carries a digest of each field it shows,
so that a submission changes only what its submitter changed."""

from __future__ import annotations

from typing import Any

from bot.domain import backlog, priority
from bot.domain.errors import UserError
from bot.usecases import backlog as backlog_uc
from handlers import payload
from handlers.asked import Asked
from handlers.blocks import backlog as blocks
from handlers.blocks import kit
from handlers.common import presence
from handlers.flows import meetings as meeting_flow
from handlers.reply import metadata
from handlers.views import form

# The field each input of the item form edits; a field the form shows read-only (too long to
# edit in Slack) has no input, and keeps its value.
FIELD_BLOCKS = {
    "hypothesis": "hypothesis",
    "type": "type",
    "acceptance_criteria": "acceptance",
    "dependencies": "dependencies",
    "estimate": "estimate",
    "owner": "owner",
    "epic": "epic",
    "labels": "labels",
    "priority": "moscow",
    "checklist": "checklist",
}


def _item_edits(body: dict[str, Any]) -> dict[str, Any]:
    """The edit modal's fields as item fields; raises FieldError naming the block at fault."""
    state = form.fields(body)

    def checked(block: str, parse: Any) -> Any:
        try:
            return parse(form.text(state, block))
        except UserError as error:
            raise form.FieldError(block, error.message) from None

    selected = state.get("type", {}).get("selected_option") or {}
    # In the form's order, so "changed ..." reads the way the form does.
    edits = {
        "title": checked("title", backlog.clean_title),
        "hypothesis": form.text(state, "hypothesis"),
        "type": backlog.parse_type(selected.get("value", "story")),
        "acceptance_criteria": backlog.parse_lines(form.text(state, "acceptance")),
        "dependencies": backlog.parse_dependencies(form.text(state, "dependencies")),
        "estimate": checked("estimate", backlog.parse_estimate),
        "owner": state.get("owner", {}).get("selected_user") or None,
        "epic": form.text(state, "epic") or None,
        "labels": backlog.parse_labels(form.text(state, "labels")),
    } | (
        {"checklist": {o["value"]: True for o in state["checklist"].get("selected_options") or []}}
        if "checklist" in state
        else {}
    )
    edits = {
        name: value
        for name, value in edits.items()
        if name == "title" or FIELD_BLOCKS[name] in state
    }
    return edits | _priority_edits(state)


def _priority_edits(state: dict[str, Any]) -> dict[str, Any]:
    """The MoSCoW choice and the scoring inputs (blocks `score-<scheme>-<input>`)."""
    found: dict[str, Any] = {}
    if "moscow" in state:
        chosen = state["moscow"].get("selected_option") or {}
        try:
            found["priority"] = priority.parse_moscow(chosen.get("value"))
        except UserError as error:
            raise form.FieldError("moscow", error.message) from None
    scores = {}
    for block, entry in state.items():
        scheme, _, name = block.removeprefix("score-").partition("-")
        if block.startswith("score-") and name in priority.INPUTS.get(scheme, {}):
            chosen = (entry.get("selected_option") or {}).get("value")
            try:
                scores[name] = priority.parse_input(scheme, name, chosen)
            except UserError as error:
                raise form.FieldError(block, error.message) from None
    return found | ({"scores": scores} if scores else {})


def _sent(asked: Asked, edits: dict[str, Any]) -> backlog_uc.ItemFormSent:
    """The form as sent, with the digest of each field as it showed them (none in a form
    opened before forms carried them: it changes every field, as it did then)."""
    meta = metadata(asked.body)
    shown = meta.get("shown") if isinstance(meta.get("shown"), dict) else {}
    digests = {str(name): value for name, value in shown.items() if isinstance(value, str)}
    return backlog_uc.ItemFormSent(meta["number"], edits, digests, payload.as_int(meta["team"]))


async def _no_refused_field(asked: Asked, edits: dict[str, Any]) -> None:
    """Before the ack: what the backlog refuses for one field (a cycle of dependencies, an
    estimate off the Linear team's scale) shows under it, and the form stays open with what
    was typed."""
    refused = await backlog_uc.field_refused(asked.svc, asked.actor, _sent(asked, edits))
    if refused is not None:
        raise form.FieldError(FIELD_BLOCKS[refused.name], refused.message)


@form.submitted(_item_edits, before_ack=_no_refused_field)
async def save_item(asked: Asked, edits: dict[str, Any]) -> None:
    sent = _sent(asked, edits)
    present = presence(asked.client, asked.body)
    saved = await backlog_uc.save_item(asked.svc, asked.actor, sent, asked.in_channel, present)
    await asked.answer(blocks.saved_notice(saved))
    if saved.owner_outside is not None:
        await asked.answer(blocks.owner_outside_notice(saved))
    await meeting_flow.redraw_deep_dives(asked.svc, asked.client, asked.actor, [sent.number])


@form.submitted(form.required("csv", "Paste at least a header line and one row."))
async def import_items(asked: Asked, text: str) -> None:
    team = payload.as_int(metadata(asked.body)["team"])
    member = asked.in_channel
    report = await backlog_uc.import_csv(asked.svc, asked.actor, text, member, form_team=team)
    await asked.answer(kit.mrkdwn_notice(blocks.import_report(report)))
