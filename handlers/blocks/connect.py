"""Block Kit of a channel's tracker connection: the form, its outcome, its status, and the
key (PROJ-123, linked) an item shows wherever it is listed."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import Block, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View
from sqlalchemy import inspect
from sqlalchemy.orm.base import NO_VALUE

from bot.domain import tracker_sync
from bot.usecases.tracker_connect import Connected, ConnectionShown, Disconnected, NotConnected
from handlers.blocks.kit import context, metadata_json, mrkdwn_notice, section
from handlers.render import render
from storage.models import BacklogItem, TrackerLink

CALLBACK = "tracker_connect"
STATUS_WORDS = {
    "importing": "importing the board's backlog",
    "connected": "in step",
    "error": "retrying after an error",
}


def _input(block: str, label: str, placeholder: str, *, optional: bool = False, **element: Any):
    return InputBlock(
        block_id=block,
        label=label,
        optional=optional,
        element=PlainTextInputElement(action_id="value", placeholder=placeholder, **element),
    )


def connect_modal(channel_id: str, team_id: int) -> dict[str, Any]:
    """The private form: site, account email, API token, board, optional JQL filter."""
    return View(
        type="modal",
        callback_id=CALLBACK,
        title="Connect Jira",
        submit="Connect",
        close="Cancel",
        private_metadata=metadata_json(channel=channel_id, team=team_id),
        blocks=[
            section(
                "Timebox works on the board's backlog and writes back what the team decides. "
                "The token is checked at once, kept encrypted, and never shown again."
            ),
            _input("site", "Jira site", "https://your-site.atlassian.net", max_length=255),
            _input("email", "Account email", "you@example.com", max_length=255),
            _input(
                "token",
                "API token",
                "id.atlassian.com > Security > API tokens",
                max_length=500,
            ),
            _input("board", "Board number", "the number in …/boards/<number>", max_length=12),
            _input(
                "jql",
                "Only issues matching (JQL)",
                "labels = mobile",
                optional=True,
                max_length=500,
            ),
            _input(
                "acceptance",
                "Acceptance criteria field",
                "customfield_10042 (empty: a section of the description)",
                optional=True,
                max_length=64,
            ),
        ],
    ).to_dict()


def connected_message(connected: Connected) -> dict[str, Any]:
    return mrkdwn_notice(
        render(
            "tracker_connected.md.j2",
            connection=connected.connection,
            path=connected.webhook_path,
            secret=connected.webhook_secret.reveal(),
            minutes=int(tracker_sync.SYNC_EVERY.total_seconds() // 60),
        )
    )


def refused_message(refused: NotConnected) -> dict[str, Any]:
    return mrkdwn_notice(render("tracker_refused.md.j2", problems=refused.problems))


def status_message(shown: ConnectionShown) -> dict[str, Any]:
    status = shown.connection.status if shown.connection else ""
    return mrkdwn_notice(
        render(
            "tracker_status.md.j2",
            connection=shown.connection,
            shown=shown,
            status_word=STATUS_WORDS.get(status, status),
        )
    )


def disconnected_message(gone: Disconnected) -> dict[str, Any]:
    return mrkdwn_notice(render("tracker_disconnected.md.j2", gone=gone))


def linked(item: BacklogItem) -> TrackerLink | None:
    """The item's link to its issue as loaded with it (never a query: None if not loaded)."""
    value = inspect(item).attrs.tracker_link.loaded_value
    return None if value is NO_VALUE else value


def item_blocks(item: BacklogItem) -> list[Block]:
    """What an item's view shows of its issue: the key (linked), type, status, assignee,
    Jira's description, and a write not yet in Jira; nothing for an item only Timebox has."""
    link = linked(item)
    if link is None or link.connection_id is None:
        return []
    blocks: list[Block] = []
    if link.key:
        blocks.append(section(render("tracker_item.md.j2", link=link)))
    pending = tracker_sync.pending_text(link.pending, link.error)
    if pending:
        blocks.append(
            context(render("notice.md.j2", emoji=":hourglass_flowing_sand:", text=pending))
        )
    return blocks


def item_link(item: BacklogItem) -> str:
    """The item's key linked to its issue, its Jira status, and whether a write to Jira is
    pending ("not yet in Jira: retrying"); empty for an item only Timebox has."""
    link = linked(item)
    if link is None or link.connection_id is None:
        return ""
    pending = tracker_sync.pending_text(link.pending, link.error)
    if not link.key and not pending:
        return ""
    return render("tracker_link.md.j2", link=link, pending=pending)
