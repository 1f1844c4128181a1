"""Posts that a crash can neither lose nor double: their Slack side (the records are
bot/runtime/outbox.py's).

`send` makes a recorded post and has it marked once Slack answers (`attempt` only makes it: a
refusal Slack answered drops its record; an answer lost, a timeout or a dropped connection,
first looks for the post, which stands if Slack has it); `DurableClient`, the client
every job runs with, does this for each post a job makes directly rather than through
`bot.runtime.outbox.enqueue`.

A `slack_post` that may have reached Slack already (a second attempt, or a recorded direct
post) first looks for its key among the conversation's (or thread's) recent messages, and posts
only if it is not there. A direct message is posted to a user id, which names no conversation
to read: its DM is opened (conversations.open, the same DM a post to the user id lands in) for
its D… id, and read like a channel. Looking needs the channels:history / groups:history scopes,
and for direct messages im:write (to open) and im:history; without them (an installation made
before they were asked for) it posts again and says so in the log: a possible double, never a
loss.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.runtime import outbox
from bot.runtime.scheduling import MAX_ATTEMPTS, Due
from bot.runtime.services import Services

log = logging.getLogger(__name__)

LOOK_BACK = timedelta(minutes=1)  # Slack's clock and ours may differ a little
PAGES = 5


async def send(
    services: Services, client: AsyncWebClient, post: outbox.Post
) -> AsyncSlackResponse | None:
    """Makes a recorded post and marks it done, with what is kept of it (see `attempt` for
    a refusal, or an answer lost). None: its key was recorded before (not `fresh`), so it is
    the earlier attempt's to send or the outbox's to settle, and is not posted again."""
    if _earlier(post):
        return None
    return await _send(services, client, post)


async def _send(
    services: Services, client: AsyncWebClient, post: outbox.Post
) -> AsyncSlackResponse:
    response = await attempt(services, client, post)
    await outbox.posted(services, post, response.get("ts"))
    return response


async def attempt(
    services: Services, client: AsyncWebClient, post: outbox.Post
) -> AsyncSlackResponse:
    """Makes a recorded post, not yet marked. A refusal Slack answered drops the record (what
    it keeps hears None) and is raised. An outcome unknown (a timeout, a dropped connection,
    a server error) may hide a post Slack took: its key is looked for in its conversation
    first; found, that post stands, as if Slack had answered; not there (or not to be
    looked for), the record is dropped and the error raised."""
    since = services.clock.now() - LOOK_BACK
    try:
        return await client.chat_postMessage(**post.args)  # carries its metadata
    except Exception as error:
        ts = None if _refused(error) else await _look(client, post.args, post.key, since, error)
        if ts is None:
            await outbox.dropped(services, post)
            raise
        return _answer(client, post, ts)


def _refused(error: Exception) -> bool:
    """Whether Slack answered a refusal: an API error other than a server error (which may
    come after the post was made)."""
    return isinstance(error, SlackApiError) and error.response.status_code < 500


async def _look(
    client: AsyncWebClient, args: dict[str, Any], key: str, since: datetime, error: Exception
) -> str | None:
    """The ts of a post whose answer was lost (`error`), if Slack has it."""
    try:
        found = await _find(client, args, key, since)
    except Exception as failed:  # no history scope, Slack down still...: taken as not posted
        log.warning("%s: answer lost (%s), and not looked for (%s)", key, error, failed)
        return None
    where = f"found: {found}" if found else "not in its conversation"
    log.warning("%s: answer lost (%s), %s", key, error, where)
    return found


def _answer(client: AsyncWebClient, post: outbox.Post, ts: str) -> AsyncSlackResponse:
    """chat.postMessage's answer for a post found in its conversation after its answer was
    lost: what callers read of it (its ts and channel)."""
    return AsyncSlackResponse(
        client=client,
        http_verb="POST",
        api_url=f"{client.base_url}chat.postMessage",
        req_args={},
        data={"ok": True, "channel": post.args.get("channel"), "ts": ts},
        headers={},
        status_code=200,
    )


def _earlier(post: outbox.Post) -> bool:
    """A post recorded before (not `fresh`): left to its first attempt or the outbox."""
    if not post.fresh:
        log.debug("%s was recorded before: not posted again", post.key)
    return not post.fresh


async def send_all(
    services: Services, client: AsyncWebClient, posts: Sequence[outbox.Post]
) -> None:
    """Recorded posts (a use case's announcements) sent at once, in order, each marked done
    once Slack answers. One Slack refuses is left to the outbox, due now, which delivers it
    with its retries: a refusal never keeps the next post from being sent. One recorded
    before (not `fresh`) is skipped: it is the earlier attempt's, or the outbox's."""
    for post in posts:
        if _earlier(post):
            continue
        try:
            response = await client.chat_postMessage(**post.args)  # carries its metadata
        except Exception as error:
            log.warning("%s not posted (%s): the outbox posts it", post.key, error)
            await outbox.post_soon(services, post)
            continue
        await outbox.posted(services, post, response.get("ts"))


CLIENT_SETTINGS = (
    "token",
    "base_url",
    "timeout",
    "ssl",
    "proxy",
    "session",
    "trust_env_in_session",
    "logger",
    "retry_handlers",
)
"""What a ``DurableClient`` takes over, as they are, from the client it wraps (its headers are
copied, its team comes from its default parameters)."""


class DurableClient(AsyncWebClient):
    """The Web API client a job runs with: its direct channel posts are recorded before they
    are sent and settled after a crash (see bot/runtime/outbox.py). Otherwise as usual."""

    def __init__(
        self, client: AsyncWebClient, services: Services, due: Due, workspace: str | None
    ) -> None:
        super().__init__(
            **{setting: getattr(client, setting) for setting in CLIENT_SETTINGS},
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
        )
        self._services = services
        self._due = due
        self._workspace = workspace
        self._posts = 0

    async def chat_postMessage(self, **kwargs: Any) -> AsyncSlackResponse:  # type: ignore[override]
        if "metadata" in kwargs:  # the caller's own metadata (a recorded post): sent as it is
            return await super().chat_postMessage(**kwargs)
        self._posts += 1
        name = f"{self._due.key}:{self._due.attempts}:{self._posts}"
        post = await outbox.recorded(self._services, name, self._workspace, **kwargs)
        return await _send(self._services, self, post)  # its name is this try's own


ClientFor = Callable[[str | None], Awaitable[AsyncWebClient]]


class NotInstalled(LookupError):
    """The workspace has removed the app: there is no token to act with, and no use retrying."""


async def deliver(services: Services, client_for: ClientFor, due: Due) -> str:
    """A `slack_post` job: posts, unless an earlier try got the message to Slack already."""
    args = dict(due.payload["args"])
    key = args["metadata"]["event_payload"]["key"]
    try:
        client = await client_for(due.payload.get("workspace"))
    except NotInstalled as gone:
        return f"skipped: {gone}"
    since = datetime.fromisoformat(due.payload["sent_at"]) - LOOK_BACK
    last = due.attempts >= MAX_ATTEMPTS
    try:
        if due.attempts > 1 or due.payload.get("in_flight"):
            found = await _found_before(client, args, key, since)
            if found is not None:
                await outbox.kept(services, due, found)
                return f"delivered before: {found}"
        response = await client.chat_postMessage(**args)
    except Exception as error:
        if last:  # the last try: what waited for the post hears its ts if Slack has it, or None
            found = None if _refused(error) else await _look(client, args, key, since, error)
            await outbox.kept(services, due, found)
            if found is not None:
                return f"delivered after all: {found}"
        raise
    await outbox.kept(services, due, response.get("ts"))
    return f"posted {response.get('ts')}"


async def _found_before(
    client: AsyncWebClient, args: dict[str, Any], key: str, since: datetime
) -> str | None:
    """A post an earlier try may have made: its ts, if it is in its conversation."""
    try:
        return await _find(client, args, key, since)
    except SlackApiError as error:  # no history scope, not in the channel, a user id...
        log.warning(
            "could not look for the post %s in %s (%s): sending it again, maybe twice",
            key,
            args.get("channel"),
            error.response.get("error"),
        )
        return None


async def _find(
    client: AsyncWebClient, args: dict[str, Any], key: str, since: datetime
) -> str | None:
    """The ts of the message carrying `key` among the conversation's (or thread's) messages
    since `since`; None if it is not there."""
    channel, thread = await _conversation(client, args["channel"]), args.get("thread_ts")
    oldest = f"{since.timestamp():.6f}"
    cursor = None
    for _ in range(PAGES):
        options: dict[str, Any] = {
            "channel": channel,
            "oldest": oldest,
            "include_all_metadata": True,
            "limit": 200,
            "cursor": cursor,
        }
        if thread:
            page = await client.conversations_replies(ts=thread, **options)
        else:
            page = await client.conversations_history(**options)
        for message in page.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("key") == key:
                return str(message.get("ts"))
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


async def _conversation(client: AsyncWebClient, channel: str) -> str:
    """The id of the conversation a post to `channel` lands in: for a user id (a direct
    message), the bot's DM with them, opened (or found open) by conversations.open."""
    if not channel.startswith(("U", "W")):
        return channel
    opened = await client.conversations_open(users=channel)
    return str(opened["channel"]["id"])
