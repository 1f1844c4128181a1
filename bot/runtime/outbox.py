"""Posts that a crash can neither lose nor double: their records.

Scheduled work marks itself done in the database (a reminder's per-day record, a timer's mark
on its meeting) and posts to Slack. A process killed between the two, or while Slack is taking
the post, leaves Slack's side unknown: a rerun of the job skips the post (its mark says it was
made), and posting blindly could double it. So posts are jobs too (kind `slack_post`), carrying
their key in Slack message metadata:

- `enqueue` adds the post in the same transaction as the mark, due at once: both are kept, or
  neither. The runner delivers it in the same sweep; it is leased, renewed, retried and taken
  over like any job, so a crash before or during the post only delays it.
- `record` keeps a post made at once (handlers/outbox.py sends it), in the caller's transaction
  with whatever it must go with (say a poker result's claim), due only after the settle delay.
  Once Slack answers it is marked done (`posted`, keeping what `then` names of it: its ts), or
  goes if Slack refused it (`dropped`), or is made due at once for the outbox's retries
  (`post_soon`). Only a crash leaves it pending, to be settled.

Nothing here talks to Slack: handlers/outbox.py posts, and looks for a post a crash cut short.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.runtime.scheduling import Due
from bot.runtime.services import Services
from storage.repositories import Store

KIND = "slack_post"
EVENT_TYPE = "timebox_post"
# Longer than a post can take with every retry of the Web API client (429s included), so a
# live instance has always finished a direct post before anyone settles it.
SETTLE_AFTER = timedelta(minutes=10)


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
    fresh: bool = True
    """Recorded by this call: False when its key was recorded before (an earlier attempt's
    post, which that attempt sends or the outbox settles), so it is not sent again."""


async def record(
    store: Store,
    name: str,
    workspace: str | None,
    now: datetime,
    *,
    then: tuple[str, Any] | None = None,
    **args: Any,
) -> Post:
    """Records a post that is sent at once, in the caller's transaction. It is due only after
    the settle delay: just a crash leaves it to be settled. `then` names what to keep of it
    (AFTER_POST) and its argument. A name recorded before is left alone: the Post says it is
    not `fresh`."""
    key = _key(name)
    job = _job(key, args, workspace, now, in_flight=True, then=then)
    fresh = await store.schedule_once(KIND, key, now + SETTLE_AFTER, job)
    return Post(key, job["args"], then, fresh)


async def recorded(services: Services, name: str, workspace: str | None, **args: Any) -> Post:
    """`record` in a transaction of its own, at the clock's time."""
    async with services.db.transaction() as store:
        return await record(store, name, workspace, services.clock.now(), **args)


async def posted(services: Services, post: Post, ts: str | None) -> None:
    """A recorded post Slack has taken: done, with what is kept of it."""
    async with services.db.transaction() as store:
        await store.finish_key(post.key, services.clock.now(), f"posted {ts}")
        await _after(store, post.then, ts)


async def dropped(services: Services, post: Post) -> None:
    """A recorded post Slack refused: its record goes, and what is kept of it hears None."""
    async with services.db.transaction() as store:
        await store.cancel(post.key)
        await _after(store, post.then, None)


async def post_soon(services: Services, post: Post) -> None:
    """A recorded post sent at once that Slack refused: due now, for the outbox to deliver
    with its retries (looking first, in case Slack had it after all). One done already (a
    settle got there first) is left alone."""
    async with services.db.transaction() as store:
        job = await store.scheduled(post.key)
        if job is not None and job.done_at is None:
            await store.schedule(KIND, post.key, services.clock.now(), job.payload)


async def kept(services: Services, due: Due, ts: str | None) -> None:
    """A `slack_post` job's post found in Slack, or made: what its `then` names is kept."""
    if due.payload.get("then"):
        async with services.db.transaction() as store:
            await _after(store, due.payload["then"], ts)


async def _after(store: Store, then: Any, ts: str | None) -> None:
    if then:
        name, argument = then
        await AFTER_POST[name](store, argument, ts)
