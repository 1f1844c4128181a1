"""A channel's backlog kept in step with a tracker board (Jira, GitHub, Linear), both ways: what
both directions share, and the hooks other features call.

Connecting, the connection's status, disconnecting and webhooks are in
bot.usecases.tracker_connect. The work runs as due work, so that it survives restarts and several
instances share it (bot.runtime.scheduling): ``tracker_import`` and ``tracker_sync`` bring the
tracker's issues into the backlog (bot.usecases.tracker_pull), ``tracker_write`` sends Timebox's
changes to the tracker (bot.usecases.tracker_push). Both directions open the client, find the
job's connection and retry a failure here, so that they do it alike: a failure is retried with
backoff (429: after Retry-After), never dropped; only a write the tracker refuses for good (an
issue added to a completed cycle) ends, as refused on its items, in the tracker's words.

Other features' use cases call ``after_estimate``, ``after_edit``, ``after_reorder``,
``after_add`` (``after_add_many`` for an import's batch), ``after_done``, ``after_reopen``,
``after_commit``, ``after_scope_change`` and ``after_close`` inside their own transaction: the
write's row is stored with their change, or not at all. For a team without a connection they
do nothing (one indexed look-up). They only store rows, so this module imports neither
direction.

The tracker client is made by an opener registered by the process (``register_opener``, see
bot/trackers/wiring.py); this module knows trackers through bot.domain.trackers only. Tokens
are decrypted only to open a client, and never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import logging
import secrets as random_secrets
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from bot.domain import tracker_outage as outage
from bot.domain import tracker_sync as rules
from bot.domain import tracker_webhooks, tracker_writes, trackers
from bot.domain.teams import Roles
from bot.runtime.scheduling import Due
from bot.runtime.secrets import (
    Secret,
    SecretBox,
    SecretDecryptError,
    SecretKeyError,
)
from bot.runtime.services import Services
from bot.usecases.news import tell_channel
from bot.usecases.tracker_refusal import tell_refused
from storage.models import (
    BacklogItem,
    Sprint,
    Team,
    TrackerConnection,
    TrackerLink,
)
from storage.repositories import Store

log = logging.getLogger(__name__)

KIND_IMPORT = "tracker_import"
KIND_SYNC = "tracker_sync"
KIND_WRITE = "tracker_write"
LINKS = "links"  # a sprint write's payload: the links it is counted as pending on
PUSH_DOWN = 1_000_000.0  # ranks added to items no issue backs, so the board's come first
ROLES = ("po", "sm")


# -- opening a tracker -------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardSpec:
    """What a tracker client is opened with, for any kind ("jira", "github", "linear").

    ``site``: the site or API address; ``board_id``: Jira's board, a GitHub project's number
    (0: a plain repository), else 0; ``email``: the account or scope the credential acts as
    (Jira's email, GitHub's ``owner/repo``, Linear's team key); ``token``: the secret (API
    token, GitHub token or App private key, Linear API key). ``options``: what a connect form
    gave beyond these (GitHub's estimate field name, App id); the client folds it into its
    ``snapshot()``, which is kept with the connection and comes back as ``snapshot``.
    """

    kind: str
    site: str
    board_id: int
    email: str
    token: Secret
    jql: str = ""
    acceptance_field: str | None = None
    snapshot: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)
    credential: str = ""  # ``credential_mark`` of the stored credential it was read from


Opener = Callable[[BoardSpec], trackers.Tracker]
OPENERS: dict[str, Opener] = {}  # by kind, as registered: the kinds this process can open


def register_opener(kind: str, opener: Opener) -> None:
    """How to open a tracker of `kind` ("jira"); the process registers it at start."""
    OPENERS[kind] = opener


def open_tracker(spec: BoardSpec) -> trackers.Tracker:
    """A client for `spec`, by its kind's opener; a kind with none is a CONFIG error."""
    opener = OPENERS.get(spec.kind)
    if opener is None:
        raise trackers.TrackerError(
            f"This Timebox cannot talk to {rules.tracker_name(spec.kind)}.",
            kind=trackers.TrackerErrorKind.CONFIG,
        )
    return opener(spec)


def spec_of(connection: TrackerConnection) -> BoardSpec:
    """The spec with the token decrypted; a missing or changed key is a CONFIG error in plain
    words (retried hourly: the operator fixes the key, the work goes on)."""
    try:
        return _spec(connection, SecretBox.from_env())
    except (SecretKeyError, SecretDecryptError) as error:
        raise trackers.TrackerError(str(error), kind=trackers.TrackerErrorKind.CONFIG) from None


def _spec(connection: TrackerConnection, box: SecretBox) -> BoardSpec:
    return BoardSpec(
        kind=connection.kind,
        site=connection.site,
        board_id=connection.board_id,
        email=connection.account,
        token=box.decrypt(connection.secret),
        jql=connection.jql,
        acceptance_field=connection.acceptance_field,
        snapshot=dict(connection.board or {}),
        credential=credential_mark(connection.secret),
    )


def credential_mark(secret: str | None) -> str:
    """What tells one stored credential from the next: a digest of its ciphertext (encrypted
    afresh at each renewal), never of the secret itself, and never logged."""
    return hashlib.sha256((secret or "").encode()).hexdigest()[:16]


_LOCKS: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[str, int], asyncio.Lock]
] = weakref.WeakKeyDictionary()


def connection_lock(connection_id: int, what: str = "write") -> asyncio.Lock:
    """One write at a time per connection in this process (a sprint is created once); with
    `what`, one of something else (``absorb``: one webhook sync takes in the others)."""
    locks = _LOCKS.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault((what, connection_id), asyncio.Lock())


# -- the hooks other features call inside their own transaction (an item or its number) --


async def after_estimate(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An accepted estimate: written to the board's estimation field."""
    await _write_item(store, team, item, "fields", now)


async def after_edit(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item's title or acceptance criteria edited in Slack: written to its issue."""
    await _write_item(store, team, item, "fields", now)


async def after_reorder(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """The Product Owner moved an item: its issue is re-ranked next to its new neighbour."""
    await _write_item(store, team, item, "rank", now)


async def after_done(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item done in Timebox: its issue moved to a Done status in the tracker."""
    await _write_item(store, team, item, "done", now)


async def after_reopen(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """A done item restored in Timebox: its issue reopened in the tracker (done's inverse)."""
    await _write_item(store, team, item, "reopen", now)


async def after_archive(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item archived in Timebox: its issue closed as won't do in the tracker (not as done:
    nothing was delivered), so it leaves the tracker's backlog too; restoring reopens it."""
    await _write_item(store, team, item, "archive", now)


async def after_add(store: Store, team: Team, item: BacklogItem | int, now: datetime) -> None:
    """An item added in Slack: created in the tracker (then ranked where it stands)."""
    connection = await store.connection(team.id)
    if connection is None:
        return
    item = await _item(store, team, item)
    link = await store.link_of_item(item.id)
    if link is None:
        link = await store.add_link(_new_link(team, item, connection))
    await enqueue(store, connection, link, "create", f"i{item.id}", now, once=True)


def _new_link(
    team: Team, item: BacklogItem, connection: TrackerConnection, pending: int = 0
) -> TrackerLink:
    """The link of an item added in Slack, whose issue its create write makes."""
    return TrackerLink(
        team_id=team.id,
        item_id=item.id,
        connection_id=connection.id,
        key=None,
        base={},
        remote={"tracker": connection.kind},  # what the item names until it has a key
        pending=pending,
    )


async def after_add_many(
    store: Store, team: Team, items: Sequence[BacklogItem], now: datetime
) -> None:
    """Items added at once (a CSV import's batch), none linked yet: each created in the
    tracker as ``after_add`` creates one (the same durable create write, counted as pending on
    its new link), in a few statements for the whole batch (the connection read, the create
    rows inserted at once, the links inserted at once) rather than four or five per item."""
    if not items:
        return
    connection = await store.connection(team.id)
    if connection is None:
        return
    rows = {
        item.id: _write_row(connection, "create", f"i{item.id}", now, once=True) for item in items
    }
    added = await store.schedule_many(
        [
            {"kind": KIND_WRITE, "key": key, "due_at": now, "payload": payload}
            for key, payload in rows.values()
        ]
    )
    await store.add_links(
        [_new_link(team, item, connection, int(rows[item.id][0] in added)) for item in items]
    )


@dataclass(frozen=True)
class OnBoard:
    """Which of some issue keys name issues of the team's connected board (each with its
    item's number), and that tracker's name; nothing for a team without a connection."""

    tracker: str = ""
    items: dict[str, int] = field(default_factory=dict)


async def on_board(store: Store, team: Team, keys: Sequence[str]) -> OnBoard:
    """The keys among `keys` (a CSV's "Issue key" column) of issues of the connected board:
    linked to an item through the connection (every issue of the board is, once imported).
    One indexed look-up, two when any is found."""
    connection = await store.connection(team.id) if keys else None
    if connection is None:
        return OnBoard()
    links = await store.links_by_keys(team.id, list(dict.fromkeys(keys)))
    ours = {key: link.item_id for key, link in links.items() if link.connection_id == connection.id}
    items = await store.items_by_ids(team.id, list(ours.values()))
    numbers = {key: items[item_id].number for key, item_id in ours.items() if item_id in items}
    return OnBoard(rules.tracker_name(connection.kind), numbers)


async def after_commit(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """A committed sprint: created in the tracker with its goal and dates, its issues in."""
    await _write_sprint(store, team, sprint, now)


async def after_scope_change(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """Items added to or removed from the running sprint: moved in or out in the tracker."""
    await _write_sprint(store, team, sprint, now)


async def after_close(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """The sprint closed: closed in the tracker (its unfinished issues back to the backlog)."""
    await _write_sprint(store, team, sprint, now)


async def after_webhook(
    store: Store, connection: TrackerConnection, body: bytes, now: datetime
) -> None:
    """A signed webhook call: a sync at once, keyed by the delivery (its body's digest), so
    every distinct delivery gets one, however close together, and an identical replay of a
    delivery adds nothing (its key is taken, pending or done). One naming a deleted issue has
    that issue asked for (only NOT_FOUND unlinks it), one naming a rank change reads the
    board's order (tracker_webhooks.hint), one about another board (a GitHub organisation
    webhook hears every project's) asks nothing; the body is never applied as data. Deliveries that
    arrive while one's sync waits are absorbed by the first of them to run (``_absorb`` in
    tracker_pull)."""
    hint = tracker_webhooks.hint(connection.kind, body, connection.board or {})
    if hint is None:
        log.debug("tracker connection %s: a delivery about another board, left", connection.id)
        return
    delivery = hashlib.sha256(body).hexdigest()[:32]
    await store.schedule_once(
        KIND_SYNC,
        f"{webhook_sync_prefix(connection)}{delivery}",
        now,
        {**job_ids(connection), **hint},
    )


async def blockers_done(store: Store, team_id: int, keys: Sequence[str]) -> set[str]:
    """Of the issues `keys` that block items, those that block nothing any more: done (their
    items done here), or gone from the board (deleted, moved off: nothing to follow to done,
    the hourly look drops such a dependency). The sync and the merge before a write alike."""
    if not keys:
        return set()
    done = set(await store.done_keys(team_id, sorted(keys)))
    return done | (set(keys) & set(rules.gone_blockers(await store.gone_links(team_id))))


async def moving_items(store: Store, connection: TrackerConnection) -> set[int]:
    """Items whose move (or creation) in Timebox is not in the tracker yet: the board's order
    leaves them where they are, and a rank write does not anchor on them (in the tracker they
    still stand where they were)."""
    moving = set()
    for job in await store.pending_jobs(f"{KIND_WRITE}:{tag(connection)}:i"):
        parts = job.key.split(":")
        if len(parts) > 3 and parts[3] in ("rank", "create") and parts[2][1:].isdigit():
            moving.add(int(parts[2][1:]))
    return moving


def webhook_sync_prefix(connection: TrackerConnection) -> str:
    """The prefix of a connection's webhook syncs."""
    return f"{KIND_SYNC}:{tag(connection)}:hook:"


async def _item(store: Store, team: Team, item: BacklogItem | int) -> BacklogItem:
    """The item itself, or the team's item of that number."""
    return item if isinstance(item, BacklogItem) else await store.get_item(team, item)


async def _write_item(
    store: Store, team: Team, item: BacklogItem | int, effect: str, now: datetime
) -> None:
    connection = await store.connection(team.id)
    if connection is None:
        return
    item = await _item(store, team, item)
    link = await store.link_of_item(item.id)
    if link is None or link.connection_id != connection.id:
        return  # an item only Timebox has
    await enqueue(store, connection, link, effect, f"i{item.id}", now)


async def _write_sprint(store: Store, team: Team, sprint: Sprint, now: datetime) -> None:
    """A sprint's write, counted as pending on its items' links (the removed ones too: the
    write moves them out), so each item says it is not yet in the tracker and the connection's
    status is behind until the write lands (``tracker_push._record``)."""
    connection = await store.connection(team.id)
    if connection is None:
        return
    held = await store.sprint_items(sprint, include_removed=True)
    links = [await store.link_of_item(entry.item_id) for entry in held]
    counted = [k for k in links if k is not None and k.key and k.connection_id == connection.id]
    await enqueue(store, connection, None, "sprint", f"s{sprint.id}", now, counted=counted)


async def enqueue(
    store: Store,
    connection: TrackerConnection,
    link: TrackerLink | None,
    effect: str,
    subject: str,
    now: datetime,
    *,
    once: bool = False,
    counted: Sequence[TrackerLink] = (),
) -> None:
    """One row per effect: `tracker_write:<connection>:<subject>:<effect>:<id>`, counted as
    pending on `link` (an item's write) or on each of `counted` (a sprint's: its items),
    named in the payload (``LINKS``) so that its end or failure is recorded on them."""
    key, payload = _write_row(connection, effect, subject, now, once=once)
    if counted:
        payload[LINKS] = [k.id for k in counted]
    if await store.schedule_once(KIND_WRITE, key, now, payload):
        for pending in [link] if link is not None else counted:
            await store.change_pending(pending.id, 1)


def _write_row(
    connection: TrackerConnection, effect: str, subject: str, now: datetime, *, once: bool
) -> tuple[str, dict[str, Any]]:
    """The key and payload of a write's row (``enqueue``)."""
    suffix = "once" if once else random_secrets.token_hex(6)
    key = f"{KIND_WRITE}:{tag(connection)}:{subject}:{effect}:{suffix}"
    payload = {
        **job_ids(connection),
        "effect": effect,
        "subject": subject,
        "since": now.isoformat(),
        "attempt": 1,
    }
    return key, payload


def counted_links(payload: dict[str, Any]) -> list[int]:
    """The links a sprint's write is counted as pending on (none for an item's write, which
    names its own)."""
    return [int(link_id) for link_id in payload.get(LINKS, [])]


# -- what the due work shares: its keys, its connection, its failures --------------------------


class OwnProblem(trackers.TrackerError):
    """A job failed for a reason of Timebox's own (a database hiccup, a bug), not the
    tracker's: retried as a tracker's failure is (UNAVAILABLE, with backoff), and said so on
    its items in place of a tracker's reason an earlier try left, but never taken for the
    tracker out of reach (``job_failed``). The call may have been made before the failure, so
    a create looks before making its issue again (``maybe_applied``)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(
            f"Timebox had a problem of its own ({type(error).__name__}); it tries again.",
            kind=trackers.TrackerErrorKind.UNAVAILABLE,
            maybe_applied=True,
        )


def never_dropped(run: Callable[[Services, Due], Awaitable[str]]) -> Callable[..., Any]:
    """A job that fails for a reason of Timebox's own (``OwnProblem``) is retried like a
    tracker failure, with backoff, instead of being given up after a few tries. Its traceback
    is logged when the row first fails so, not again at each retry of the same failure."""

    @functools.wraps(run)
    async def guarded(svc: Services, due: Due) -> str:
        try:
            return await run(svc, due)
        except trackers.TrackerError as error:
            return await job_failed(svc, due, None, error)
        except Exception as error:
            failure = OwnProblem(error)
            if due.payload.get("error") == failure.message:
                log.warning("tracker job %s failed again: %r", due.key, error)
            else:
                log.exception("tracker job %s failed", due.key)
            return await job_failed(svc, due, None, failure)

    return guarded


def tag(connection: TrackerConnection) -> str:
    """What names a connection in its work's keys: its id, and a mark of this connection
    (an id can come again after a disconnect; the old work must not act on the new one)."""
    mark = hashlib.sha256(connection.webhook_token.encode()).hexdigest()[:8]
    return f"{connection.id}.{mark}"


def job_ids(connection: TrackerConnection) -> dict[str, Any]:
    """What a job's payload names its connection by (read back by ``job_connection``)."""
    return {"connection": connection.id, "tag": tag(connection)}


async def job_connection(store: Store, payload: dict[str, Any]) -> TrackerConnection | None:
    """The connection a job is for, if it is still that one."""
    connection = await store.connection_by_id(int(payload["connection"]))
    if connection is None or tag(connection) != payload.get("tag"):
        return None
    return connection


@contextlib.asynccontextmanager
async def job_work(
    svc: Services, due: Due
) -> AsyncIterator[tuple[Store, TrackerConnection | None, datetime]]:
    """A transaction, the job's connection in it (None once it is gone) and the time now."""
    now = svc.clock.now()
    async with svc.db.transaction() as store:
        yield store, await job_connection(store, due.payload), now


async def job_failed(
    svc: Services,
    due: Due,
    link_id: int | None,
    error: trackers.TrackerError,
    used: str | None = None,
) -> str:
    """A tracker call failed: the same row runs again later (Retry-After, else backoff), and
    the item and the connection say why meanwhile. Never dropped, but for a write the tracker
    refuses for good (``ends_refused``), which ends as refused on its items (``_refused``)
    instead of being refused again every hour (an item's write whose issue is not found is
    its caller's: tracker_push, ``finds_gone``). A failure that breaks the
    connection (``breaks``) marks it broken, and the channel is told once (``_broke``); a
    sync failing so for an hour (``outage.out_of_reach``: the row keeps when it first failed)
    marks it unreachable, told once too (``_out_of_reach``).

    `used`: the ``credential_mark`` of the credential the run called with. Renewed since
    (connected again while the call was on its way), the failure is not the connection's: it
    neither breaks it nor says why on its items; refused for the old credential, the row
    runs again at once with the new one (the renewal made every waiting row due, but not
    one a run held), while any other failure (a 429's Retry-After, a 503) still waits."""
    attempt = int(due.payload.get("attempt", 1))
    delay = tracker_writes.retry_delay(
        attempt, retry_after=error.retry_after, retryable=error.retryable
    )
    now = svc.clock.now()
    since = due.payload.get("failing_since") or now.isoformat()  # this row's first failure
    payload = {**due.payload, "attempt": attempt + 1, "error": error.message}
    payload["failing_since"] = since
    if error.maybe_applied:  # a create the tracker may have made: look before making it again
        payload["look_first"] = True  # kept by the retries: a later try's answer tells nothing
    own = isinstance(error, OwnProblem)
    async with svc.db.transaction() as store:
        connection = await job_connection(store, due.payload)
        if connection is None:
            return "skipped: not connected"
        if used is not None and credential_mark(await store.locked_secret(connection.id)) != used:
            wait = 0.0 if error.kind in BREAKING else delay
            await store.schedule(due.kind, due.key, now + timedelta(seconds=wait), payload)
            log.info("tracker %s %s failed with a credential renewed since", due.kind, due.key)
            return f"retrying in {wait:.0f} s: the credential was renewed meanwhile"
        if ends_refused(due, error):
            return await _refused(store, connection, due, link_id, error, now)
        connection.last_error = error.message
        if breaks(error, due.kind):
            await _broke(store, connection, error, now)
        elif not own and outage.out_of_reach(
            error.kind,
            sync=due.kind != KIND_WRITE,
            tries=attempt,
            since=datetime.fromisoformat(since),
            last_sync=connection.last_sync_at,
            now=now,
        ):
            await _out_of_reach(store, connection, error, now)
        said = _short(error, connection.kind)
        payload["said"] = said
        for failed in [link_id] if link_id is not None else await _failed_links(store, due):
            await store.set_link_error(failed, said)
        await store.schedule(due.kind, due.key, now + timedelta(seconds=delay), payload)
    log.warning(
        "tracker %s %s failed (attempt %s, %s): trying again in %.0f s",
        due.kind,
        due.key,
        attempt,
        error.kind.value,
        delay,
    )
    return f"retrying in {delay:.0f} s: {error.kind.value}"


async def _failed_links(store: Store, due: Due) -> list[int]:
    """The links a failure is said on when its run did not name one (it failed before it
    read its write, or for Timebox's own reason): a sprint's write's counted links, an item's
    write its item's link (of this connection), so the item does not keep saying an earlier
    try's reason."""
    subject = str(due.payload.get("subject") or "")
    if due.kind != KIND_WRITE or not subject.startswith("i") or not subject[1:].isdigit():
        return counted_links(due.payload)
    link = await store.link_of_item(int(subject[1:]))
    ours = link is not None and link.connection_id == int(due.payload["connection"])
    return [link.id] if link is not None and ours else []


FINAL = frozenset({trackers.TrackerErrorKind.INVALID, trackers.TrackerErrorKind.NOT_FOUND})
"""Refusals of one write that trying it again does not change: the tracker answered that it
will not do it as asked (an issue added to a completed cycle, a value its field will not
take) or that what it is about is gone. A board set up otherwise than Timebox needs
(``CONFIG``: a missing field or step) is fixed there, and its writes are retried hourly."""


def refused_for_good(error: trackers.TrackerError) -> bool:
    """A write's failure that no retry mends (``FINAL``): the tracker refused it, not for the
    credential (``BREAKING``) nor for a while (429, 5xx, no answer)."""
    return not error.retryable and error.kind in FINAL


def ends_refused(due: Due, error: trackers.TrackerError) -> bool:
    """A write that ends as refused rather than being tried again: refused for good, and not
    an item's creation, which has no other write to come after it (each try reads the item
    afresh, so it goes through once the item is changed here or the board there)."""
    effect = due.payload.get("effect")
    return due.kind == KIND_WRITE and effect != "create" and refused_for_good(error)


async def _refused(
    store: Store,
    connection: TrackerConnection,
    due: Due,
    link_id: int | None,
    error: trackers.TrackerError,
    now: datetime,
) -> str:
    """A write the tracker refused for good: its row ends, and each item it was counted on
    keeps the tracker's words as its last error (``_short``), no longer pending, until a
    later write of it lands; the connection's status is behind meanwhile (its failing
    items), never in step. Not retried: the same call would be refused again, so the channel
    is told, once, in this transaction (``tell_refused``)."""
    if not await store.finish_key(due.key, now, f"refused: {error.message}"[:500]):
        return "skipped: cancelled meanwhile"
    connection.last_error = error.message
    said = _short(error, connection.kind)
    failed = [link_id] if link_id is not None else counted_links(due.payload)
    for refused in failed:
        await store.change_pending(refused, -1, error=said)
    await tell_refused(store, connection, due.payload, failed, error.message, now, tag(connection))
    log.warning("tracker %s %s refused (%s): not retried", due.kind, due.key, error.kind.value)
    return f"refused: {error.kind.value}"


GONE_EFFECTS = frozenset({"fields", "done", "reopen", "archive"})
"""An item's writes that call its own issue, whose "not found" means the issue is gone (a
rank's may name its neighbour; a create has no issue yet)."""


def finds_gone(due: Due, error: trackers.TrackerError) -> bool:
    """An item's write found its issue gone (``GONE_EFFECTS``, answered ``NOT_FOUND``):
    deleted in the tracker, or hidden from Timebox's account, as the sync's look at the board
    would find it (tracker_writes.probe_verdict): no refusal of the change, which nobody can
    make again there."""
    effect = due.payload.get("effect")
    gone = error.kind is trackers.TrackerErrorKind.NOT_FOUND
    return due.kind == KIND_WRITE and effect in GONE_EFFECTS and gone


@dataclass(frozen=True)
class Unlinked:
    """An item whose issue is gone, unlinked (``unlink_gone``): whether it was archived, and
    its history line (empty without an item)."""

    archived: bool
    note: str


def unlink_gone(
    store: Store,
    kind: str,
    link: TrackerLink,
    item: BacklogItem | None,
    reason: str,
    now: datetime,
    shown_in: tzinfo = UTC,
    moved_to: str | None = None,
) -> Unlinked:
    """An issue gone from the board of a `kind` tracker (tracker_writes.unlink: `reason` is
    "deleted", "moved", or what it became, tracker_sync.retyped; `moved_to`: its new key),
    and the item's history line saying so, its time in `shown_in` (`/backlog restore` brings
    an archived item back with everything Timebox had)."""
    key = link.key or ""
    archived = tracker_writes.unlink(link, item, reason, now, moved_to)
    if item is None:
        return Unlinked(False, "")
    note = tracker_writes.gone_note(
        reason, key, now, item.number, archived, kind, shown_in, moved_to=moved_to
    )
    store.log(item, rules.actor(kind), "unlinked", now, key=key, note=note)
    return Unlinked(archived, note)


@dataclass(frozen=True)
class IssueGone:
    """An item whose write found its issue gone (``finds_gone``), as its channel is told
    once: the item, its issue's key, and what became of it (its history line)."""

    kind: str
    number: int
    title: str
    key: str
    note: str

    @property
    def tracker(self) -> str:
        return rules.tracker_name(self.kind)


REFUSED_SHOWN = 3
"""The items a connection's status names whose writes fail (``failing_items``); the rest are
counted."""
FAILING_READ = 500
"""The failing items a connection's status reads, to count those refused apart from those
retried (a long outage fails every pending item's write)."""


@dataclass(frozen=True)
class FailingItem:
    """An item whose last write to the tracker failed, as the connection's status names it:
    its number, the tracker's words (``_short``), and whether it is retried still (else the
    tracker refused it for good: a later change of it here is written again)."""

    number: int
    said: str
    retrying: bool


async def failing_items(
    store: Store, connection: TrackerConnection, limit: int = FAILING_READ
) -> list[FailingItem]:
    """The first `limit` items (by number) whose last write to the tracker was refused or
    fails, done and archived ones too (a done item's refused close is on no backlog list):
    what the connection's status counts, refused apart from retried, and names the first
    ``REFUSED_SHOWN`` of (``ConnectionShown.failing_items``), so that someone can act."""
    rows = await store.failing_links(connection.id, limit)
    return [FailingItem(number, said, pending > 0) for number, said, pending in rows]


def _short(error: trackers.TrackerError, kind: str) -> str:
    """What an item says went wrong with its write (after "retrying"), naming its tracker
    (a failure of Timebox's own, ``OwnProblem``, names none)."""
    if isinstance(error, OwnProblem):
        return error.message
    if error.kind is trackers.TrackerErrorKind.RATE_LIMITED:
        return f"{rules.tracker_name(kind)} asked to wait"
    if error.kind is trackers.TrackerErrorKind.UNAVAILABLE and error.status:
        return f"{rules.tracker_name(kind)} answered HTTP {error.status}, a problem on its side"
    if error.kind in (trackers.TrackerErrorKind.UNAVAILABLE, trackers.TrackerErrorKind.TIMEOUT):
        return f"{rules.tracker_name(kind)} did not answer"
    return error.message[:200]


# -- a broken connection, told once in the channel ----------------------------------------------

BREAKING = frozenset(
    {
        trackers.TrackerErrorKind.AUTH,
        trackers.TrackerErrorKind.FORBIDDEN,
        trackers.TrackerErrorKind.REFUSED_HOST,
    }
)
"""Refusals that stop every call of a connection, not one write's. A board set up otherwise
than a write needs (no estimation field, no Won't Do step in a workflow) refuses that kind of
write only: its items say what to change, and reconnecting would fix nothing. A set-up that
stops everything (Timebox's key wrong, the board gone) stops the syncs too, which break."""


@dataclass(frozen=True)
class Outage:
    """A connection that broke (``broken``) or works again, as its channel is told.

    ``cause``: the error's kind ("auth", "forbidden", ...), or ``outage.UNREACHABLE`` for a
    tracker that has not answered for an hour (``unreachable``: nothing for anyone to do),
    ``said``: its plain words (the clients never put the credential in them); ``waiting``:
    Timebox's changes not yet in the tracker; ``fixers``: who may connect again (the Product
    Owner and the Scrum Masters); ``retry_minutes``: how often a refused change is tried again
    (a change the unreachable tracker did not take: at least that often)."""

    kind: str
    board: str
    board_id: int
    account: str
    credential: str
    broken: bool
    waiting: int
    fixers: tuple[str, ...]
    retry_minutes: int
    cause: str = ""
    said: str = ""

    @property
    def tracker(self) -> str:
        return rules.tracker_name(self.kind)

    @property
    def unreachable(self) -> bool:
        return self.cause == outage.UNREACHABLE


@dataclass(frozen=True)
class SprintClosedThere:
    """The tracker's sprint of Timebox's running sprint closed there by someone (a Jira sprint
    or Linear cycle completed, a GitHub iteration ended or removed, a milestone closed) before
    the sprint's planned end, as its channel is told once: `number` still runs here, its scope
    is no longer written there, and the Product Owner or a Scrum Master (`closers`) closes it
    here with `/sprint close` if it is over."""

    kind: str
    board_id: int
    number: int
    closers: tuple[str, ...]

    @property
    def tracker(self) -> str:
        return rules.tracker_name(self.kind)


def breaks(error: trackers.TrackerError, job_kind: str) -> bool:
    """The failure stops the connection until someone acts: the credential refused, the
    account not allowed, or anything refused to a sync or an import (the set-up or Timebox's
    key wrong, the board gone). One write the tracker refuses (an issue gone, a value or a
    move its board will not take) is its item's trouble, which the item shows; a failure
    worth retrying is no break."""
    if error.retryable:
        return False
    return error.kind in BREAKING or job_kind != KIND_WRITE


async def _broke(
    store: Store, connection: TrackerConnection, error: trackers.TrackerError, now: datetime
) -> None:
    """The connection is broken; if it was working (its status, read under its lock, says so,
    so two failing runs do not both see the change), its channel is told, once per break."""
    was = await store.locked_status(connection.id)
    connection.status = "error"
    if was not in (None, "error"):
        await _announce(
            store, connection, now, broken=True, cause=error.kind.value, said=error.message
        )


async def _out_of_reach(
    store: Store, connection: TrackerConnection, error: trackers.TrackerError, now: datetime
) -> None:
    """The tracker has not answered for ``outage.OUTAGE_AFTER``: a working connection (read
    under its lock) is marked unreachable and its channel told, once per outage; one already
    broken or told stays as it is. Nothing to do for anyone: Timebox keeps trying."""
    was = await store.locked_status(connection.id)
    if was in (None, "error", outage.UNREACHABLE):
        return
    connection.status = outage.UNREACHABLE
    await _announce(
        store, connection, now, broken=True, cause=outage.UNREACHABLE, said=error.message
    )


async def working_again(store: Store, connection: TrackerConnection, now: datetime) -> int:
    """A call to the tracker succeeded. A broken (or unreachable) connection works again: its
    status goes back (importing while its import is not done), its channel, told of the break
    (or the outage), is told once that it is over (a later one is told again), and its work
    that waited for the next retry is due now (``hurry``): how many rows. Nothing for a
    working connection (0)."""
    out = ("error", outage.UNREACHABLE)
    if connection.status not in out:
        return 0
    was = await store.locked_status(connection.id)
    if was not in out:
        return 0
    importing = await store.pending_jobs(f"{KIND_IMPORT}:{tag(connection)}:")
    connection.status = "importing" if importing else "connected"
    connection.last_error = None
    cause = outage.UNREACHABLE if was == outage.UNREACHABLE else ""
    await _announce(store, connection, now, broken=False, cause=cause)
    return await hurry(store, connection, now)


async def hurry(store: Store, connection: TrackerConnection, now: datetime) -> int:
    """The connection's work (writes, import, syncs) waiting for a later time made due now
    (not a row a run holds: ``hurry_jobs``); how many rows."""
    prefixes = [f"{kind}:{tag(connection)}:" for kind in (KIND_WRITE, KIND_IMPORT, KIND_SYNC)]
    return await store.hurry_jobs(prefixes, now)


async def _announce(
    store: Store,
    connection: TrackerConnection,
    now: datetime,
    *,
    broken: bool,
    cause: str = "",
    said: str = "",
) -> None:
    """The channel's message about a break (`broken`, its `cause`) or its end
    (``tell_channel``); `cause` ``outage.UNREACHABLE``: an outage, or its end."""
    team = await store.team_by_id(connection.team_id)
    if team is None:
        log.warning("tracker connection %s: no team's channel to tell", connection.id)
        return
    _, waiting, _ = await store.count_links(connection.id)
    roles = Roles.of(team)
    news = Outage(
        kind=connection.kind,
        board=connection.board_name,
        board_id=connection.board_id,
        account=connection.account,
        credential=connection.credential_kind,
        broken=broken,
        waiting=waiting,
        fixers=tuple(dict.fromkeys(roles.po + roles.sm)),
        retry_minutes=round(
            (rules.MAX_RETRY if cause == outage.UNREACHABLE else rules.REFUSED_RETRY) / 60
        ),
        cause=cause,
        said=said,
    )
    what = ("broken" if broken else "working") + (
        "_unreachable" if cause == outage.UNREACHABLE else ""
    )
    key = f"tracker_{what}:{tag(connection)}:{now.isoformat()}"
    if await tell_channel(store, team, key, now, news):
        log.info("tracker connection %s %s: its channel is told", connection.id, what)
