"""The records Slack keeps, as the emulator holds them: each call the bot made (``ApiCall``),
messages, ephemerals, modals and Home tabs (``View``), files and conversations, each with the
object Slack returns for it; the error a Web API method answers (``SlackFailure``); and the pure
helpers every method family shares (the block and action ids Slack generates, form booleans,
cursor pagination, ts order).
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

PSEUDO_METHODS = ("response_url", "upload", "download")
"""``ApiCall.method`` of the non-Web-API endpoints, so every request the bot made is visible."""


# -- recorded state ------------------------------------------------------------------------


@dataclass
class ApiCall:
    """One request the bot made: a Web API method or one of ``PSEUDO_METHODS``."""

    method: str
    args: dict[str, Any]
    """Arguments from query, form or JSON body, JSON-string fields decoded, token removed."""
    ok: bool = False
    error: str | None = None
    http_status: int = 200
    at: float = 0.0
    response: Any = None
    held: float = 0.0
    """Seconds the answer was held by ``delay_next`` (the call is answered late)."""
    dropped: bool = False
    """Never done: held and the bot hung up (``applied=False``), or ``disconnect_next``."""
    team: str | None = None
    """The workspace whose token made the call (None: no token or an unknown one)."""

    @property
    def route(self) -> str:
        """What ``calls_to`` looks up: the method."""
        return self.method


@dataclass
class Message:
    """A message in a channel, DM or thread, as Slack keeps it."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    thread_ts: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False
    attachments: list[dict[str, Any]] = field(default_factory=list)
    bot_id: str | None = None
    app_id: str | None = None
    team: str = ""
    edited_ts: str | None = None
    reactions: dict[str, list[str]] = field(default_factory=dict)
    replies: list[Message] = field(default_factory=list)
    metadata: dict[str, Any] | None = None

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_slack(self) -> dict[str, Any]:
        """The message object as Slack returns it (chat.postMessage, history, payloads)."""
        out: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
            "team": self.team,
        }
        if self.bot_id:
            out["bot_id"] = self.bot_id
            out["app_id"] = self.app_id
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.attachments:
            out["attachments"] = copy.deepcopy(self.attachments)
        if self.files:
            out["files"] = copy.deepcopy(self.files)
            out["upload"] = True
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        live = [r for r in self.replies if not r.deleted]
        if not self.is_reply and live:
            out["reply_count"] = len(live)
            out["reply_users"] = sorted({r.user for r in live})
            out["latest_reply"] = live[-1].ts
        if self.edited_ts:
            out["edited"] = {"user": self.user, "ts": self.edited_ts}
        if self.reactions:
            out["reactions"] = [
                {"name": n, "users": list(u), "count": len(u)} for n, u in self.reactions.items()
            ]
        if self.metadata:
            out["metadata"] = copy.deepcopy(self.metadata)
        return out


@dataclass
class Ephemeral:
    """A message only ``user`` sees in ``channel``; Slack keeps it on that user's screen only."""

    ts: str
    channel: str
    user: str
    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    source: Literal["api", "response_url", "ack"] = "api"
    thread_ts: str | None = None
    deleted: bool = False
    replaced: bool = False
    edits: int = 0

    def to_slack(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "message", "text": self.text, "ts": self.ts}
        if self.blocks:
            out["blocks"] = copy.deepcopy(self.blocks)
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        return out


@dataclass
class View:
    """A modal or Home tab; ``view`` is the full view object Slack returns and sends."""

    id: str
    user: str
    view: dict[str, Any]
    open: bool = True
    errors: dict[str, str] | None = None
    """The latest ``response_action: errors`` shown on this modal."""

    @property
    def hash(self) -> str:
        return str(self.view["hash"])

    @property
    def type(self) -> str:
        return str(self.view["type"])

    @property
    def previous_view_id(self) -> str | None:
        return self.view.get("previous_view_id")

    @property
    def root_view_id(self) -> str:
        return str(self.view.get("root_view_id") or self.id)

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id") or "")

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks") or [])

    @property
    def title(self) -> str:
        return str((self.view.get("title") or {}).get("text", ""))


@dataclass
class SlackFile:
    """A file the bot uploaded or a user shared; ``content`` is None until uploaded."""

    id: str
    name: str
    title: str
    filetype: str
    mimetype: str
    user: str
    created: int
    url_private: str
    content: bytes | None = None
    length: int | None = None
    channels: list[str] = field(default_factory=list)
    shares: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)
    external_type: str = ""
    """A remote file's service ("gdrive"...), whose ``url_private`` is that service's address,
    as Slack says of a file shared from Google Drive or added by files.remote.add."""
    redirect_to: str | None = None
    """Where its download redirects (302, this as ``Location``, absolute or relative) instead
    of answering the bytes, as Slack's file host does at times: a fault a test sets."""

    @property
    def size(self) -> int:
        return len(self.content or b"")

    def to_slack(self) -> dict[str, Any]:
        """The file object as files.info returns it."""
        return {
            "id": self.id,
            "created": self.created,
            "timestamp": self.created,
            "name": self.name,
            "title": self.title,
            "mimetype": self.mimetype,
            "filetype": self.filetype,
            "pretty_type": self.filetype.upper(),
            "user": self.user,
            "editable": False,
            "size": self.size,
            "mode": "external" if self.external_type else "hosted",
            "is_external": bool(self.external_type),
            "external_type": self.external_type,
            "is_public": bool(self.shares.get("public")),
            "public_url_shared": False,
            "display_as_bot": False,
            "username": "",
            "url_private": self.url_private,
            "url_private_download": self.url_private,
            "permalink": self.url_private,
            "channels": list(self.channels),
            "groups": [],
            "ims": [],
            "shares": copy.deepcopy(self.shares),
            "comments_count": 0,
            "file_access": "visible",
        }


@dataclass
class Channel:
    """A conversation: public/private channel, DM (``is_im``) or group DM (``is_mpim``)."""

    id: str
    name: str
    members: list[str]
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    user: str | None = None
    created: int = 0
    is_archived: bool = False
    topic: str = ""
    purpose: str = ""

    def to_slack(self) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private or self.is_mpim,
            "created": self.created,
            "is_archived": self.is_archived,
            "is_general": False,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "is_member": True,
            "num_members": len(self.members),
            "topic": {"value": self.topic, "creator": "", "last_set": 0},
            "purpose": {"value": self.purpose, "creator": "", "last_set": 0},
        }


class SlackFailure(Exception):
    """Raised by a method to answer ``{"ok": false, "error": ...}``."""

    def __init__(self, error: str, *, status: int = 200, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.status = status
        self.extra = extra


# -- helpers -------------------------------------------------------------------------------


def slack_bool(value: Any) -> bool:
    """Slack's booleans arrive as JSON booleans or form strings."""
    return (
        value is True
        or (isinstance(value, str) and value.lower() in ("true", "1"))
        or (isinstance(value, int) and not isinstance(value, bool) and value == 1)
    )


def _short_id(*parts: object) -> str:
    """A short id like Slack's generated block_id/action_id, stable for the same inputs."""
    digest = hashlib.sha1(":".join(map(str, parts)).encode()).digest()
    return base64.b32encode(digest).decode()[:5]


def fill_ids(blocks: list[dict[str, Any]], seed: str) -> list[dict[str, Any]]:
    """Give blocks and interactive elements the ids Slack generates when the bot omits them."""
    out = copy.deepcopy(blocks)
    for i, block in enumerate(out):
        if not isinstance(block, dict):
            continue
        block.setdefault("block_id", _short_id(seed, i))
        elements: list[Any] = []
        if block.get("type") == "actions":
            elements = list(block.get("elements") or [])
        elif block.get("type") == "section" and isinstance(block.get("accessory"), dict):
            elements = [block["accessory"]]
        elif block.get("type") == "input" and isinstance(block.get("element"), dict):
            elements = [block["element"]]
        for j, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") != "image":
                element.setdefault("action_id", _short_id(seed, i, j))
    return out


def state_ids(blocks: Iterable[Mapping[str, Any]]) -> set[tuple[str, str]]:
    """The ``(block_id, action_id)`` of each interactive element: where a view keeps a value."""
    ids: set[tuple[str, str]] = set()
    for block in blocks:
        elements = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("element", "accessory"):
            if isinstance(block.get(key), Mapping):
                elements.append(block[key])
        ids.update(
            (str(block.get("block_id")), str(e.get("action_id")))
            for e in elements
            if isinstance(e, Mapping)
        )
    return ids


def _cursor(offset: int) -> str:
    return base64.b64encode(f"offset:{offset}".encode()).decode()


def cursor_page(
    items: list[Any],
    args: Mapping[str, Any],
    default_limit: int = 100,
) -> tuple[list[Any], str]:
    """Slack's cursor pagination: returns one page and the ``next_cursor`` ("" at the end)."""
    try:
        limit = int(args.get("limit") or default_limit)
    except (TypeError, ValueError) as exc:
        raise SlackFailure("invalid_limit") from exc
    limit = max(1, min(limit, 1000))
    offset = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            kind, _, number = base64.b64decode(str(cursor)).decode().partition(":")
            offset = int(number)
            if kind != "offset" or offset < 0:
                raise ValueError(cursor)
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise SlackFailure("invalid_cursor") from exc
    page = items[offset : offset + limit]
    next_offset = offset + limit
    return page, _cursor(next_offset) if next_offset < len(items) else ""


def ts_key(ts: str) -> tuple[int, int]:
    """A ts as numbers, to order and compare messages by."""
    seconds, _, micros = ts.partition(".")
    return int(seconds), int(micros or 0)
