"""The one app-level error handler.

A UserError is the user's to fix: they get its message (an action that needs a role nobody holds
yet gets a button to the team's setup form). A shared file that cannot be read (gone
before we fetched it, say) is nobody's to fix: one line in the log. A form Slack would not open
because its trigger had expired (or was used already) is nobody's bug either: one line in the
log, and the user is told to run it again. Anything else is ours: it is logged with its context
and a reference id, and the user gets a short apology quoting that id.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from agendas import engine
from bot.domain import poker
from bot.domain.errors import NotAllowed, UserError
from bot.domain.teams import NotInChannel, SetupNeeded
from bot.runtime import logs
from bot.runtime.services import services
from handlers.blocks import kit
from handlers.blocks import meetings as meeting_blocks
from handlers.blocks import team as team_blocks
from handlers.common import GroupUnlisted
from handlers.file_download import MAX_REDIRECTS, OffSlack
from handlers.render import render
from handlers.reply import channel_of, reply

log = logging.getLogger("timebox.errors")

SPENT_TRIGGER = ("expired_trigger_id", "exchanged_trigger_id")
"""Slack's refusals of a form (views.open) whose trigger is spent: its 3 seconds had passed, or
it had opened a form already. The form did not open; the same click or command again will."""


def register(app: AsyncApp) -> None:
    app.error(on_error)


async def on_error(
    error: Exception, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """Errors Bolt itself catches (in middleware); listeners report theirs directly."""
    with services(context).inflight, logs.bind(**request_fields(body, context)):
        await report_error(error, body, client, context)


async def report_error(
    error: Exception, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    unreadable = _unreadable_file(error, body)
    if unreadable is not None:
        log.warning("could not read the shared file %s: %s", *unreadable)
        return
    if isinstance(error, SetupNeeded):
        answer = team_blocks.setup_offer(error.message, channel_of(body) or "")
    elif isinstance(error, NotInChannel):  # with the outsiders' mentions
        answer = team_blocks.not_in_channel(error)
    elif isinstance(error, engine.AlreadyRunning):  # with its facilitator's mention
        answer = meeting_blocks.already_running(error)
    elif isinstance(error, poker.VotersOutside):  # with mentions of who is outside
        answer = kit.mrkdwn_notice(render("poker_voters_outside.md.j2", outside=error.outside))
    elif isinstance(error, GroupUnlisted):
        answer = kit.mrkdwn_notice(render("group_unlisted.md.j2", handle=error.handle))
    elif isinstance(error, NotAllowed):
        answer = kit.mrkdwn_notice(
            render("not_allowed.md.j2", message=error.message, holders=error.holders)
        )
    elif isinstance(error, UserError):
        answer = kit.notice(error.message, ":point_right:")
    elif isinstance(error, SlackApiError) and error.response.get("error") == "not_in_channel":
        answer = kit.notice(
            "I am not a member of this channel yet. "
            "Invite me with `/invite @Timebox` and try again.",
            ":wave:",
        )
    elif isinstance(error, SlackApiError) and error.response.get("error") in SPENT_TRIGGER:
        log.warning(
            "a form did not open: %s answered %s (%s); told to run it again",
            str(error.response.api_url).rpartition("/")[2],
            error.response.get("error"),
            _request_kind(body),
        )
        answer = kit.mrkdwn_notice(render("form_too_late.md.j2"))
    else:
        reference = uuid.uuid4().hex[:10]
        log.error(
            "unhandled error ref=%s team=%s channel=%s user=%s request=%s (%s)",
            reference,
            context.team_id,
            context.channel_id,
            context.user_id,
            logs.current().get("request") or logs.request_id(body),
            _request_kind(body),
            exc_info=error,
        )
        answer = kit.mrkdwn_notice(render("error.md.j2", reference=reference))
    try:
        await reply(client, body, answer)
    except Exception:
        log.exception("could not tell the user about an error")


def request_fields(body: dict[str, Any], context: AsyncBoltContext) -> dict[str, str | None]:
    """The ids every log record of this request carries (see bot/logs.py)."""
    return {
        "team": context.team_id,
        "channel": context.channel_id,
        "user": context.user_id,
        "request": logs.request_id(body),
    }


def _unreadable_file(error: Exception, body: dict[str, Any]) -> tuple[str, str] | None:
    """The file id and why, when a `file_shared` event failed at reading its file (files.info
    refused, its address or a redirect off Slack's hosts, or the download failed); None for any
    other error."""
    event = body.get("event")
    if not isinstance(event, dict) or event.get("type") != "file_shared":
        return None
    file_id = str(event.get("file_id"))
    if isinstance(error, SlackApiError) and str(error.response.api_url).endswith("/files.info"):
        return file_id, f"files.info answered {error.response.get('error')}"
    if isinstance(error, OffSlack):
        return file_id, str(error)
    if isinstance(error, aiohttp.TooManyRedirects):
        return file_id, f"its download redirected {MAX_REDIRECTS + 1} times"
    if isinstance(error, aiohttp.ClientResponseError):
        return file_id, f"its download answered HTTP {error.status}"
    if isinstance(error, aiohttp.ClientError | TimeoutError):
        return file_id, f"its download failed ({type(error).__name__})"
    return None


def _request_kind(body: dict[str, Any]) -> str:
    """What the request was, for the log (the server lets only well-formed requests through)."""
    if "command" in body:
        return f"command {body['command']} {body.get('text', '')!r}"
    if body.get("type") == "block_actions":
        actions = body.get("actions") or []
        ids = (a.get("action_id", "?") if isinstance(a, dict) else "?" for a in actions)
        return "action " + ",".join(map(str, ids))
    if body.get("type") == "view_submission":
        return f"view {(body.get('view') or {}).get('callback_id')}"
    if body.get("type") == "event_callback":
        return f"event {(body.get('event') or {}).get('type')}"
    return str(body.get("type"))
