"""The bot's answers to an interaction outside the Web API, a mixin on the workspace: the
response_urls handed out with interactions (``POST /response/{token}``: used at most five
times in thirty minutes, replacing or deleting the message the interaction came from, or
posting ephemerally or in the channel), and a slash command's ack body shown as Slack shows it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from bot.emulator.slack_records import (
    ApiCall,
    Ephemeral,
    Message,
    SlackFailure,
    fill_ids,
    slack_bool,
)
from bot.emulator.slack_workspace import SlackWorkspace

RESPONSE_URL_USES = 5  # Slack: "up to 5 times within 30 minutes"
RESPONSE_URL_TTL = 30 * 60


@dataclass
class ResponseUrl:
    """A response_url handed out with an interaction, and how often it was used."""

    token: str
    channel: str
    user: str
    target: Message | Ephemeral | None
    issued: float
    uses: int = 0


class SlackResponses(SlackWorkspace):
    """response_urls and ack bodies."""

    _response_urls: dict[str, ResponseUrl]

    # -- response URLs -------------------------------------------------------------------

    def new_response_url(
        self, channel: str, user: str, message_ref: Message | Ephemeral | None = None
    ) -> str:
        """A response_url for an interaction by ``user`` in ``channel``; ``message_ref`` is the
        message the interaction came from (what replace_original/delete_original act on)."""
        number = self._next_number()
        token = f"{self.team_id}-{number}-{hashlib.sha1(f'ru:{number}'.encode()).hexdigest()[:24]}"
        self._response_urls[token] = ResponseUrl(
            token, self.channel_id(channel), user, message_ref, self.epoch()
        )
        return f"{self.url}/response/{token}"

    def deliver_ack_response(self, channel: str, user: str, body: Any) -> None:
        """Show a slash command's ack body as Slack does (ephemeral unless in_channel)."""
        payload = body if isinstance(body, dict) else {"text": str(body)}
        with contextlib.suppress(SlackFailure):  # an invalid body is already in self.problems
            self._apply_response(self.channel_id(channel), user, None, payload, "ack")

    def _apply_response(
        self,
        channel: str,
        user: str,
        target: Message | Ephemeral | None,
        payload: Mapping[str, Any],
        source: Literal["response_url", "ack"],
    ) -> None:
        if slack_bool(payload.get("delete_original")):
            if target is None or target.deleted:
                raise SlackFailure("message_not_found", status=404)
            target.deleted = True
            self._notify("ephemeral" if isinstance(target, Ephemeral) else "message", target)
            return
        self._check_message(source, payload, status=400)
        text, blocks = payload.get("text") or "", list(payload.get("blocks") or [])
        if slack_bool(payload.get("replace_original")) and target is not None:
            if target.deleted:
                raise SlackFailure("message_not_found", status=404)
            target.text = text
            target.blocks = fill_ids(blocks, f"{target.ts}:{target.edits + 1}")
            target.edits += 1
            if isinstance(target, Ephemeral):
                target.replaced = True
                self._notify("ephemeral", target)
            else:
                target.edited_ts = self.next_ts()
                self._notify("message", target)
        elif payload.get("response_type") == "in_channel":
            self._bot_message(
                channel,
                text,
                blocks,
                thread_ts=payload.get("thread_ts"),
                attachments=payload.get("attachments"),
            )
        else:
            self._post_ephemeral(channel, user, text, blocks, source, payload.get("thread_ts"))

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        call = ApiCall(method="response_url", args={}, at=self.epoch())
        self.calls.append(call)
        raw = await request.text()
        try:
            payload = json.loads(raw) if raw.strip() else {}
        except json.JSONDecodeError:
            payload = None
        call.args = payload if isinstance(payload, dict) else {"raw": raw}
        status, text = self._respond_via_url(token, payload)
        call.ok, call.http_status, call.response = status == 200, status, text
        call.error = None if status == 200 else text
        return web.Response(status=status, text=text, content_type="text/plain")

    def _respond_via_url(self, token: str, payload: Any) -> tuple[int, str]:
        entry = self._response_urls.get(token)
        if entry is None:
            return 404, "no_service"
        if self.epoch() - entry.issued > RESPONSE_URL_TTL:
            return 404, "expired_url"
        if entry.uses >= RESPONSE_URL_USES:
            return 404, "used_url"
        if not isinstance(payload, dict):
            self.report_problem("response_url", "body is not a JSON object")
            return 400, "invalid_payload"
        try:
            self._apply_response(entry.channel, entry.user, entry.target, payload, "response_url")
        except SlackFailure as fail:
            return fail.status if fail.status != 200 else 400, fail.error
        entry.uses += 1
        return 200, "ok"
