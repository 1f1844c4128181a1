"""Answering the user privately, whatever surface their request came from.

Slash commands and buttons carry a response_url; a modal carries the one it was opened with in
its private_metadata. A response_url works in channels the bot has not joined, so it is tried
first; a plain ephemeral message is the fallback.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from handlers.payload import Metadata

log = logging.getLogger(__name__)


def metadata(body: dict[str, Any]) -> Metadata:
    """The private_metadata of a modal payload, as a dict (empty for other payloads); reading
    a key the form should have but does not have raises guidance (see handlers/payload.py)."""
    raw = (body.get("view") or {}).get("private_metadata") or ""
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return Metadata()
    return Metadata(value if isinstance(value, dict) else {})


def response_url(body: dict[str, Any]) -> str | None:
    url = body.get("response_url") or metadata(body).get("response_url")
    return url if isinstance(url, str) else None


def channel_of(body: dict[str, Any]) -> str | None:
    found = (
        body.get("channel_id")
        or (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or metadata(body).get("channel")
    )
    return found if isinstance(found, str) else None


def thread_of(body: dict[str, Any]) -> str | None:
    """The thread a click came from (a card in a meeting's or a poll's thread), or the form
    it opened came from: answers to it go in that thread."""
    found = (body.get("container") or {}).get("thread_ts") or metadata(body).get("thread_ts")
    return found if isinstance(found, str) else None


def user_of(body: dict[str, Any]) -> str | None:
    return body.get("user_id") or (body.get("user") or {}).get("id")


UNSEEN = ("not_in_channel", "channel_not_found", "user_not_in_channel")
"""Slack's refusals of a private message in the channel that a direct message gets past."""


async def reply(
    client: AsyncWebClient, body: dict[str, Any], payload: dict[str, Any], *, replace: bool = False
) -> None:
    """Sends `payload` (text and blocks) to the requesting user only; in the thread the
    request came from, if any."""
    url, thread = response_url(body), thread_of(body)
    if thread and not replace:
        payload = {**payload, "thread_ts": thread}
    if url:
        try:
            response = await AsyncWebhookClient(url).send_dict(
                {**payload, "response_type": "ephemeral", "replace_original": replace}
            )
            if response.status_code == 200:
                return
            problem = f"answered {response.status_code}"
        except Exception as error:  # unreachable or expired: the Web API still works
            problem = f"failed: {type(error).__name__}"
        log.warning("response_url %s; falling back to chat.postEphemeral", problem)
    channel, user = channel_of(body), user_of(body)
    if channel and user:
        try:
            await client.chat_postEphemeral(channel=channel, user=user, **payload)
            return
        except SlackApiError as error:
            if error.response.get("error") not in UNSEEN:
                raise
    if user:  # the bot, or the person, is not in the channel: a direct message reaches them
        direct = {k: v for k, v in payload.items() if k != "thread_ts"}
        await client.chat_postMessage(channel=user, **direct)
