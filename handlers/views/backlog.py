"""Backlog forms: an item's fields, and CSV pasted for import."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.domain import backlog
from bot.domain.backlog_csv import import_csv
from bot.domain.errors import UserError
from bot.domain.readiness import DefinitionOfReady, gaps
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.listener import listener
from handlers.render import render
from handlers.reply import metadata, reply
from handlers.views import form


def _item_edits(state: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The edit modal's fields as item fields; raises UserError naming the block at fault."""

    def checked(block: str, parse: Any) -> Any:
        try:
            return parse(form.text(state, block))
        except UserError as error:
            raise form.FieldError(block, error.message) from None

    selected = state.get("type", {}).get("selected_option") or {}
    # In the form's order, so "changed ..." reads the way the form does.
    return {
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


@listener
async def save_item(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    try:
        edits = _item_edits(form.fields(body))
    except form.FieldError as error:
        await ack(response_action="errors", errors={error.block: error.message})
        return
    await ack()
    svc = services(context)
    meta = metadata(body)
    user, now = context.user_id, svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, meta["channel"], now)
        changes = await backlog.edit_item(store, team, meta["number"], edits, user, now)
        item = await backlog.get_item(store, team, meta["number"])
        item_gaps = gaps(item, DefinitionOfReady.of(team))
        text = render("item_saved.md.j2", item=item, changed=list(changes), gaps=item_gaps)
    await reply(client, body, kit.mrkdwn_notice(text))


@listener
async def import_items(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    text = form.text(form.fields(body), "csv")
    if not text:
        await ack(
            response_action="errors", errors={"csv": "Paste at least a header line and one row."}
        )
        return
    await ack()
    svc = services(context)
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        team = await store.ensure_team(context.team_id, metadata(body)["channel"], now)
        report = await import_csv(store, team, text, context.user_id, now)
    await reply(
        client,
        body,
        kit.mrkdwn_notice(render("import_report.md.j2", report=report, source=None)),
    )
