"""Posts that a crash can neither lose nor double.

Scheduled work marks itself done in the database (a reminder's per-day record, a timer's mark
on its meeting) and posts to Slack. A process killed between the two, or while Slack is taking
the post, leaves Slack's side unknown: a rerun of the job skips the post (its mark says it was
made), and posting blindly could double it. So posts are jobs too (kind `slack_post`), carrying
their key in Slack message metadata:

- `enqueue` adds the post in the same transaction as the mark, due at once: both are kept, or
  neither. The runner delivers it in the same sweep; it is leased, renewed, retried and taken
  over like any job, so a crash before or during the post only delays it.
- `record` then `send` post at once: the post is recorded (in the caller's transaction, with
  whatever it must go with, say a poker result's claim) as a `slack_post` job due after the
  settle delay, sent, and marked done once Slack answers, keeping what `then` names of it (its
  ts). Only a crash leaves it pending. `DurableClient`, the client every job runs with, does
  this for each post a job makes directly rather than through `enqueue`.

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

import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from storage.repositories import Store

log = logging.getLogger(__name__)

KIND = "slack_post"
EVENT_TYPE = "timebox_post"
# Longer than a post can take with every retry of the Web API client (429s included), so a
# live instance has always finished a direct post before anyone settles it.
SETTLE_AFTER = timedelta(minutes=10)
LOOK_BACK = timedelta(minutes=1)  # Slack's clock and ours may differ a little
PAGES = 5


def _plain(value: Any) -> Any:
    """Arguments as JSON data (Block Kit objects become their dicts)."""
    return json.loads(json.dumps(value, default=lambda obj: obj.to_dict()))


def _key(text: str) -> str:
    key = f"post:{text}"
    if len(key) <= 200:
        return key
    return f"post:{text[:150]}:{hashlib.sha256(key.encode()).hexdigest()[:24]}"


def _job(
    key: str, args: dict[str, Any], workspace: str | None, now: datetime, **extra: Any
) -> dict[str, Any]:
    metadata = {"event_type": EVENT_TYPE, "event_payload": {"key": key}}
    return {
        "workspace": workspace,
        "sent_at": now.isoformat(),
        "args": _plain({**args, "metadata": metadata}),
        **extra,
    }


async def enqueue(
    store: Store, name: str, workspace: str | None, now: datetime, **args: Any
) -> bool:
    """Posts `args` (chat.postMessage's arguments) once this transaction commits. `name` is
    unique to this post (say, the job's key and what it is); a name enqueued before is left
    alone, so calling this twice never posts twice. False if it was there already."""
    key = _key(name)
    return await store.schedule_once(KIND, key, now, _job(key, args, workspace, now))


# What to keep of a post once Slack has it (its ts), or once it failed (None): say, a poker
# result's ts, which later edits of the result need. Named, so a settled post can call it too.
AfterPost = Callable[[Store, Any, str | None], Awaitable[None]]
AFTER_POST: dict[str, AfterPost] = {}


@dataclass(frozen=True)
class Post:
    key: str
    args: dict[str, Any]
    then: tuple[str, Any] | None = None


async def record(
    store: Store,
    name: str,
    workspace: str | None,
    now: datetime,
    *,
    then: tuple[str, Any] | None = None,
    **args: Any,
) -> Post:
    """Records a post that `send` makes at once, in the caller's transaction. It is due only
    after the settle delay: just a crash leaves it to be settled by `deliver`. `then` names
    what to keep of it (AFTER_POST) and its argument."""
    key = _key(name)
    job = _job(key, args, workspace, now, in_flight=True, then=then)
    await store.schedule_once(KIND, key, now + SETTLE_AFTER, job)
    return Post(key, job["args"], then)


async def send(services: Services, client: AsyncWebClient, post: Post) -> AsyncSlackResponse:
    """Makes a recorded post and marks it done, with what is kept of it. If Slack refuses it
    (or the client gives up), the record goes and the caller's retry decides."""
    try:
        response = await client.chat_postMessage(**post.args)  # carries its metadata
    except Exception:
        async with services.db.transaction() as store:
            await store.cancel(post.key)
            await _after(store, post.then, None)
        raise
    ts = response.get("ts")
    async with services.db.transaction() as store:
        await store.finish_key(post.key, services.clock.now(), f"posted {ts}")
        await _after(store, post.then, ts)
    return response


async def _after(store: Store, then: Any, ts: str | None) -> None:
    if then:
        name, argument = then
        await AFTER_POST[name](store, argument, ts)


class DurableClient(AsyncWebClient):
    """The Web API client a job runs with: its direct channel posts are recorded before they
    are sent and settled after a crash (see the module's docstring). Otherwise as usual."""

    def __init__(
        self, client: AsyncWebClient, services: Services, due: Due, workspace: str | None
    ) -> None:
        super().__init__(
            token=client.token,
            base_url=client.base_url,
            timeout=client.timeout,
            ssl=client.ssl,
            proxy=client.proxy,
            session=client.session,
            trust_env_in_session=client.trust_env_in_session,
            headers=dict(client.headers),
            team_id=client.default_params.get("team_id"),
            logger=client.logger,
            retry_handlers=client.retry_handlers,
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
        services = self._services
        async with services.db.transaction() as store:
            post = await record(store, name, self._workspace, services.clock.now(), **kwargs)
        return await send(services, self, post)


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
    if due.attempts > 1 or due.payload.get("in_flight"):
        since = datetime.fromisoformat(due.payload["sent_at"]) - LOOK_BACK
        try:
            found = await _find(client, args, key, since)
        except SlackApiError as error:  # no history scope, not in the channel, a user id...
            log.warning(
                "could not look for the post %s in %s (%s): sending it again, maybe twice",
                key,
                args.get("channel"),
                error.response.get("error"),
            )
            found = None
        if found is not None:
            await _keep(services, due, found)
            return f"delivered before: {found}"
    response = await client.chat_postMessage(**args)
    await _keep(services, due, response.get("ts"))
    return f"posted {response.get('ts')}"


async def _keep(services: Services, due: Due, ts: str | None) -> None:
    if due.payload.get("then"):
        async with services.db.transaction() as store:
            await _after(store, due.payload["then"], ts)


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
